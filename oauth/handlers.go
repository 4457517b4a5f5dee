package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/storage"
)

// HandleStart serves GET (and HEAD) /oauth/start?state=…: it checks the state
// and redirects to Google's consent page. It does not use the state up, so a
// link preview or a second tap does no harm; the callback does.
func (f *Flow) HandleStart(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	p, err := f.verify(state, false)
	if err != nil {
		f.log.Info("sign-in link refused", "step", "start", "err", err)
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, "")
		return
	}
	u := f.oauth.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(p.Verifier))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u, http.StatusFound)
}

// HandleCallback serves GET /oauth/callback, where Google sends the browser
// back. The state is used up first, so a replayed callback changes nothing;
// the code is exchanged exactly once, never retried.
func (f *Flow) HandleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := f.verify(q.Get("state"), true)
	if err != nil {
		f.log.Info("sign-in link refused", "step", "callback", "err", err)
		f.cfg.Metrics.connect("invalid_state")
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, "")
		return
	}
	lang := pageLang(p.Lang, r)
	// The exchange must not die with the browser's connection: the code
	// cannot be used twice.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	res := Result{ChatID: p.ChatID, UserID: p.UserID, Lang: p.Lang}
	finish := func(status int, pg page, o Outcome) {
		res.Outcome = o
		f.cfg.OnResult(ctx, res)
		renderPage(w, status, lang, pg, res.Email)
	}

	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			f.log.Info("sign-in denied by user", "chat_id", p.ChatID)
			f.cfg.Metrics.connect("denied")
			finish(http.StatusOK, pageDenied, Denied)
			return
		}
		f.log.Warn("sign-in failed at google", "chat_id", p.ChatID, "google_error", safeWord(e))
		f.cfg.Metrics.connect("google_error")
		finish(http.StatusBadGateway, pageFailed, Failed)
		return
	}
	code := q.Get("code")
	if code == "" {
		// The login is used up: tell the chat, so it is not left waiting.
		f.log.Warn("callback without code or error", "chat_id", p.ChatID)
		f.cfg.Metrics.connect("google_error")
		finish(http.StatusBadRequest, pageFailed, Failed)
		return
	}

	tok, err := f.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, f.cfg.HTTPClient), code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client" || re.ErrorCode == "redirect_uri_mismatch") {
			f.log.Error("code exchange refused: check GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and the redirect URI", "chat_id", p.ChatID, "google_error", re.ErrorCode)
			f.cfg.Metrics.connect("misconfigured")
			finish(http.StatusInternalServerError, pageMisconfigured, Failed)
			return
		}
		f.log.Warn("code exchange failed", "chat_id", p.ChatID, "err", exchangeErr(err))
		f.cfg.Metrics.connect("exchange_failed")
		finish(http.StatusBadGateway, pageFailed, Failed)
		return
	}

	f.rebase(tok)
	scope, _ := tok.Extra("scope").(string)
	if !hasCalendarScope(scope) {
		f.log.Info("grant lacks the calendar scope", "chat_id", p.ChatID)
		f.cfg.Metrics.connect("missing_scope")
		if err := f.Revoke(ctx, firstNonEmpty(tok.RefreshToken, tok.AccessToken)); err != nil {
			f.log.Warn("revoke of partial grant failed", "chat_id", p.ChatID, "err", err)
		}
		finish(http.StatusOK, pageMissingScope, MissingScope)
		return
	}
	claims, err := idClaims(tok)
	if err != nil || tok.RefreshToken == "" {
		f.log.Warn("token response incomplete", "chat_id", p.ChatID, "err", err, "has_refresh_token", tok.RefreshToken != "")
		f.cfg.Metrics.connect("incomplete")
		f.Revoke(ctx, firstNonEmpty(tok.RefreshToken, tok.AccessToken))
		finish(http.StatusBadGateway, pageFailed, Failed)
		return
	}

	link := storage.Link{
		ChatID: p.ChatID, UserID: p.UserID, Sub: claims.Sub, Email: claims.Email, Scope: scope, Lang: p.Lang,
		RefreshToken: tok.RefreshToken, AccessToken: tok.AccessToken, TokenType: tok.TokenType, Expiry: tok.Expiry,
		LinkedAt: f.now().UTC(),
	}
	old, replaced, err := f.db.PutLink(link)
	if err != nil {
		f.log.Error("store grant failed", "chat_id", p.ChatID, "err", err)
		f.cfg.Metrics.connect("storage_error")
		f.Revoke(ctx, tok.RefreshToken)
		finish(http.StatusInternalServerError, pageFailed, Failed)
		return
	}
	f.forget(p.ChatID)
	if replaced {
		res.Replaced = old.Email
		// Google keeps 100 refresh tokens per account and client and drops
		// the oldest silently: give the old one back.
		if old.RefreshToken != "" && old.RefreshToken != link.RefreshToken {
			if err := f.Revoke(ctx, old.RefreshToken); err != nil {
				f.log.Warn("revoke of replaced grant failed", "chat_id", p.ChatID, "err", err)
			}
		}
	}
	res.Email = claims.Email
	f.log.Info("chat connected", "chat_id", p.ChatID, "relinked", replaced)
	f.cfg.Metrics.connect("connected")
	finish(http.StatusOK, pageConnected, Connected)
}

// hasCalendarScope reports whether a granted scope list lets calbot list and
// create events: the scope it asks for, or a broader calendar scope.
func hasCalendarScope(scope string) bool {
	for _, s := range strings.Fields(scope) {
		switch s {
		case CalendarScope, "https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar":
			return true
		}
	}
	return false
}

type claims struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
}

// idClaims reads the account out of the token response's id_token. It came
// straight from Google's token endpoint over TLS, authenticated with our
// client secret, so its payload is read without checking the signature, as
// Google's OpenID Connect guide allows.
func idClaims(tok *oauth2.Token) (claims, error) {
	raw, _ := tok.Extra("id_token").(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("no id_token in the token response")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims{}, errors.New("id_token payload is not base64url")
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Sub == "" {
		return claims{}, errors.New("id_token has no subject")
	}
	return c, nil
}

// exchangeErr keeps what an operator needs of an exchange error: the OAuth
// error code, not the response body.
func exchangeErr(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return "google error " + safeWord(re.ErrorCode)
	}
	return err.Error()
}

// safeWord returns s if it is a short OAuth error word, else a placeholder,
// so that nothing a browser sent lands in the log verbatim.
func safeWord(s string) string {
	if len(s) > 64 {
		return "(unreadable)"
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "(unreadable)"
		}
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
