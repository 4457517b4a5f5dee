package oauthfake

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

func TestExchange(t *testing.T) {
	s, cfg := setup(t)
	l := begin(cfg)
	cb, err := s.Approve(l.url, DefaultAccount)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	q := callbackQuery(t, cb, l.state)
	wantScope := "openid " + emailScope + " " + calendarScope
	if got := q.Get("scope"); got != wantScope {
		t.Errorf("callback scope = %q, want %q", got, wantScope)
	}
	auth := s.LastAuthRequest()
	if auth.Get("access_type") != "offline" || auth.Get("prompt") != "consent" {
		t.Errorf("auth request access_type=%q prompt=%q, want offline, consent", auth.Get("access_type"), auth.Get("prompt"))
	}

	tok, err := cfg.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3599 {
		t.Errorf("token refresh=%q type=%q expires_in=%d, want a refresh token, Bearer, 3599", tok.RefreshToken, tok.TokenType, tok.ExpiresIn)
	}
	if got := tok.Extra("scope"); got != wantScope {
		t.Errorf("token scope = %v, want %q", got, wantScope)
	}
	idToken, _ := tok.Extra("id_token").(string)
	claims := idClaims(t, idToken)
	for k, want := range map[string]any{"iss": Issuer, "aud": testClientID, "sub": DefaultAccount.Sub, "email": DefaultAccount.Email, "email_verified": true} {
		if claims[k] != want {
			t.Errorf("id_token %s = %v, want %v", k, claims[k], want)
		}
	}
	acct, scopes, ok := s.AccessTokenOwner(tok.AccessToken)
	if !ok || acct != DefaultAccount || strings.Join(scopes, " ") != wantScope {
		t.Errorf("AccessTokenOwner = %v, %q, %v; want %v, %q, true", acct, scopes, ok, DefaultAccount, wantScope)
	}
	if n := s.Requests("authorization_code"); n != 1 {
		t.Errorf("Requests(authorization_code) = %d, want 1", n)
	}
	noUnexpected(t, s)
}

func TestExchangeAuthInHeader(t *testing.T) {
	s, cfg := setup(t)
	cfg.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if tok := connect(t, s, cfg); tok.AccessToken == "" {
		t.Error("no access token")
	}
	noUnexpected(t, s)
}

// attempt is one exchange that a test row spoils before it is sent.
type attempt struct {
	s        *Server
	cfg      *oauth2.Config
	code     string
	verifier string
}

func TestExchangeErrors(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		spoil      func(t *testing.T, a *attempt)
		wantCode   string
		wantStatus int
		unexpected bool // recorded in Unexpected
	}{
		{"reused code", func(t *testing.T, a *attempt) {
			if _, err := a.cfg.Exchange(t.Context(), a.code, oauth2.VerifierOption(a.verifier)); err != nil {
				t.Fatalf("first Exchange: %v", err)
			}
		}, "invalid_grant", 400, true},
		{"unknown code", func(t *testing.T, a *attempt) { a.code = "4/0Anope" }, "invalid_grant", 400, true},
		{"expired code", func(t *testing.T, a *attempt) {
			a.s.SetClock(func() time.Time { return now.Add(codeTTL) })
		}, "invalid_grant", 400, false},
		{"wrong verifier", func(t *testing.T, a *attempt) { a.verifier = oauth2.GenerateVerifier() }, "invalid_grant", 400, true},
		{"no verifier", func(t *testing.T, a *attempt) { a.verifier = "" }, "invalid_grant", 400, true},
		{"wrong redirect", func(t *testing.T, a *attempt) { a.cfg.RedirectURL += "/" }, "redirect_uri_mismatch", 400, true},
		{"secret with newline", func(t *testing.T, a *attempt) { a.cfg.ClientSecret += "\n" }, "invalid_client", 401, true},
		{"unknown client", func(t *testing.T, a *attempt) { a.cfg.ClientID = "other" }, "invalid_client", 401, true},
		{"no secret", func(t *testing.T, a *attempt) { a.cfg.ClientSecret = "" }, "invalid_request", 400, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			s.SetClock(func() time.Time { return now })
			l := begin(cfg)
			cb, err := s.Approve(l.url, DefaultAccount)
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			a := &attempt{s: s, cfg: cfg, code: callbackQuery(t, cb, l.state).Get("code"), verifier: l.verifier}
			tt.spoil(t, a)
			var opts []oauth2.AuthCodeOption
			if a.verifier != "" {
				opts = append(opts, oauth2.VerifierOption(a.verifier))
			}
			s.TakeUnexpected()
			_, err = cfg.Exchange(t.Context(), a.code, opts...)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != tt.wantCode || re.Response.StatusCode != tt.wantStatus {
				t.Fatalf("Exchange error = %v, want %d %q", err, tt.wantStatus, tt.wantCode)
			}
			u := s.TakeUnexpected()
			if got := len(u) > 0; got != tt.unexpected {
				t.Errorf("recorded as unexpected = %v, want %v (%q)", got, tt.unexpected, u)
			}
		})
	}
}

func TestRefreshTokenIssued(t *testing.T) {
	tests := []struct {
		name        string
		opts        []oauth2.AuthCodeOption
		wantRefresh bool
	}{
		{"offline, consent", []oauth2.AuthCodeOption{oauth2.AccessTypeOffline, oauth2.ApprovalForce}, true},
		{"offline, repeat consent without prompt", []oauth2.AuthCodeOption{oauth2.AccessTypeOffline}, false},
		{"online", []oauth2.AuthCodeOption{oauth2.ApprovalForce}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			connect(t, s, cfg) // the account already granted offline access once
			v := oauth2.GenerateVerifier()
			l := begin(cfg, append(tt.opts, oauth2.S256ChallengeOption(v))...)
			cb, err := s.Approve(l.url, DefaultAccount)
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			tok, err := cfg.Exchange(t.Context(), callbackQuery(t, cb, l.state).Get("code"), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if got := tok.RefreshToken != ""; got != tt.wantRefresh {
				t.Errorf("got refresh token = %v, want %v", got, tt.wantRefresh)
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	s, cfg := setup(t)
	tok := connect(t, s, cfg)
	s.ExpireAccessTokens()
	if _, _, ok := s.AccessTokenOwner(tok.AccessToken); ok {
		t.Fatal("access token still valid after ExpireAccessTokens")
	}
	fresh, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.RefreshToken != tok.RefreshToken {
		t.Errorf("refresh token changed to %q; Google sends none on refresh", fresh.RefreshToken)
	}
	if got, want := fresh.Extra("scope"), tok.Extra("scope"); got != want {
		t.Errorf("refreshed scope = %v, want %v", got, want)
	}
	if _, _, ok := s.AccessTokenOwner(fresh.AccessToken); !ok {
		t.Error("refreshed access token is not valid")
	}
	if n := s.Requests("refresh_token"); n != 1 {
		t.Errorf("Requests(refresh_token) = %d, want 1", n)
	}
	noUnexpected(t, s)
}

func TestAccessTokenExpiresByClock(t *testing.T) {
	s, cfg := setup(t)
	now := time.Now()
	s.SetClock(func() time.Time { return now })
	s.SetAccessTokenTTL(time.Minute)
	tok := connect(t, s, cfg)
	if tok.ExpiresIn != 60 {
		t.Errorf("expires_in = %d, want 60", tok.ExpiresIn)
	}
	s.SetClock(func() time.Time { return now.Add(time.Minute) })
	if _, _, ok := s.AccessTokenOwner(tok.AccessToken); ok {
		t.Error("access token valid after its TTL")
	}
}

func TestRevokedGrant(t *testing.T) {
	tests := []struct {
		name   string
		revoke func(t *testing.T, s *Server, tok *oauth2.Token)
	}{
		{"user removed the app", func(t *testing.T, s *Server, tok *oauth2.Token) { s.RevokeAll(DefaultAccount.Sub) }},
		{"refresh token revoked", func(t *testing.T, s *Server, tok *oauth2.Token) { revoke(t, s, tok.RefreshToken, http.StatusOK) }},
		{"access token revoked", func(t *testing.T, s *Server, tok *oauth2.Token) { revoke(t, s, tok.AccessToken, http.StatusOK) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			tok := connect(t, s, cfg)
			tt.revoke(t, s, tok)
			if !s.Revoked(tok.RefreshToken) {
				t.Error("Revoked(refresh token) = false, want true")
			}
			if _, _, ok := s.AccessTokenOwner(tok.AccessToken); ok {
				t.Error("access token still valid")
			}
			_, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if got := errorCode(t, err); got != "invalid_grant" {
				t.Errorf("refresh error = %v, want invalid_grant", err)
			}
			revoke(t, s, tok.RefreshToken, http.StatusBadRequest) // already revoked
			noUnexpected(t, s)
		})
	}
}

// revoke posts token to the revocation endpoint like calbot does and checks
// the status and Google's body.
func revoke(t testing.TB, s *Server, token string, wantStatus int) {
	t.Helper()
	resp, err := http.PostForm(s.RevokeURL(), url.Values{"token": {token}})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := "{}\n"
	if wantStatus != http.StatusOK {
		want = "{\n  \"error\": \"invalid_token\",\n  \"error_description\": \"Token expired or revoked\"\n}\n"
	}
	if resp.StatusCode != wantStatus || string(body) != want {
		t.Errorf("revoke = %d %q, want %d %q", resp.StatusCode, body, wantStatus, want)
	}
}

func TestRevokeUnknown(t *testing.T) {
	s, _ := setup(t)
	revoke(t, s, "1//0nope", http.StatusBadRequest)
	if diff := cmp.Diff([]string{"POST /revoke: unknown token"}, s.TakeUnexpected()); diff != "" {
		t.Errorf("Unexpected() mismatch (-want +got):\n%s", diff)
	}
	if n := s.Requests("revoke"); n != 1 {
		t.Errorf("Requests(revoke) = %d, want 1", n)
	}
}

func TestRefreshTokenLimit(t *testing.T) {
	s, cfg := setup(t)
	first := connect(t, s, cfg)
	for range maxRefreshTokens {
		connect(t, s, cfg)
	}
	if !s.Revoked(first.RefreshToken) {
		t.Errorf("oldest of %d refresh tokens still live, want it revoked", maxRefreshTokens+1)
	}
}

// TestRevokeTakesTheWholeAccount: Google revokes every token of an account
// and client at once, whichever token is revoked; other accounts keep theirs.
func TestRevokeTakesTheWholeAccount(t *testing.T) {
	other := Account{Sub: "100000000000000000009", Email: "other@example.com"}
	tests := []struct {
		name  string
		token func(first *oauth2.Token) string
	}{
		{"by refresh token", func(first *oauth2.Token) string { return first.RefreshToken }},
		{"by access token", func(first *oauth2.Token) string { return first.AccessToken }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			first, second := connect(t, s, cfg), connect(t, s, cfg)
			l := begin(cfg)
			cb, err := s.Approve(l.url, other)
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			theirs, err := cfg.Exchange(t.Context(), callbackQuery(t, cb, l.state).Get("code"), oauth2.VerifierOption(l.verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			revoke(t, s, tt.token(first), http.StatusOK)
			for _, c := range []struct {
				name string
				tok  *oauth2.Token
				want bool
			}{{"the revoked grant", first, true}, {"a second grant of the account", second, true}, {"another account's grant", theirs, false}} {
				if got := s.Revoked(c.tok.RefreshToken); got != c.want {
					t.Errorf("Revoked(%s) = %v, want %v", c.name, got, c.want)
				}
				if _, _, ok := s.AccessTokenOwner(c.tok.AccessToken); ok == c.want {
					t.Errorf("access token of %s valid = %v, want %v", c.name, ok, !c.want)
				}
			}
			noUnexpected(t, s)
		})
	}
}
