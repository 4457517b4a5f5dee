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

// HandleCallback serves GET /oauth/callback, where Google sends the browser
// back. Only the browser that passed the check at /oauth/start may finish:
// any other gets a page and changes nothing, so a forwarded consent page or
// a stranger's error= cannot spend the login. The state is then used up
// first, so a replayed callback changes nothing; the code is exchanged
// exactly once, never retried.
func (f *Flow) HandleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s, p, err := f.lookup(q.Get("state"))
	if err == nil {
		if err = fromSameBrowser(r, s, p); err != nil {
			f.log.Info("sign-in callback refused", "chat_id", s.ChatID, "err", err)
			f.cfg.Metrics.connect("other_browser")
			renderPage(w, http.StatusForbidden, pageLang(p.Lang, r), pageOtherBrowser, pageData{})
			return
		}
		var taken storage.Pending
		if taken, err = f.take(s, func(p storage.Pending) error { return fromSameBrowser(r, s, p) }); err == nil {
			p = taken
		}
	}
	if errors.Is(err, errOtherBrowser) {
		// Another browser of the same user re-bound the login meanwhile.
		f.log.Info("sign-in callback refused", "chat_id", s.ChatID, "err", err)
		renderPage(w, http.StatusForbidden, pageLang(p.Lang, r), pageOtherBrowser, pageData{})
		return
	}
	if err != nil {
		f.log.Info("sign-in link refused", "step", "callback", "err", err)
		f.cfg.Metrics.connect("invalid_state")
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, pageData{})
		return
	}
	f.setCookie(w, browserCookie(s), "", -1)
	lang := pageLang(p.Lang, r)
	// The exchange must not die with the browser's connection: the code
	// cannot be used twice.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	res := Result{ChatID: p.ChatID, UserID: p.UserID, Lang: p.Lang, Person: person(p)}
	finish := func(status int, pg page, o Outcome) {
		res.Outcome = o
		f.cfg.OnResult(ctx, res)
		renderPage(w, status, lang, pg, pageData{Email: res.Email, Telegram: res.Person.Name(), Other: res.Other})
	}

	res.Grow = p.Grow
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			f.log.Info("sign-in denied by user", "chat_id", p.ChatID, "grow", p.Grow != "")
			f.cfg.Metrics.connect("denied")
			pg := pageDenied
			if p.Grow != "" {
				pg = pageGrowDenied
				if l, err := f.db.Link(p.ChatID); err == nil {
					res.Email = l.Email
				}
			}
			finish(http.StatusOK, pg, Denied)
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
	claims, claimsErr := idClaims(tok)
	if p.Grow != "" {
		f.grown(ctx, p, tok, scope, claims, claimsErr, &res, finish)
		return
	}
	// A grant calbot does not keep is given back, unless a stored link uses
	// the same account: Google would revoke that link's grant with it.
	giveBack := func() { f.revokeUnused(ctx, p.ChatID, claims.Sub, firstNonEmpty(tok.RefreshToken, tok.AccessToken)) }
	if !hasCalendarScope(scope) {
		f.log.Info("grant lacks the calendar scope", "chat_id", p.ChatID)
		f.cfg.Metrics.connect("missing_scope")
		giveBack()
		finish(http.StatusOK, pageMissingScope, MissingScope)
		return
	}
	if claimsErr != nil || tok.RefreshToken == "" {
		f.log.Warn("token response incomplete", "chat_id", p.ChatID, "err", claimsErr, "has_refresh_token", tok.RefreshToken != "")
		f.cfg.Metrics.connect("incomplete")
		giveBack()
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
		giveBack()
		finish(http.StatusInternalServerError, pageFailed, Failed)
		return
	}
	f.forget(p.ChatID)
	if replaced {
		res.Replaced = old.Email
		// The old grant is given back unless its account is still linked,
		// here (a re-link to the same account) or in another chat.
		res.ReplacedGrant = f.revokeUnused(ctx, p.ChatID, old.Sub, old.RefreshToken)
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
