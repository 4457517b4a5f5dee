package oauthfake

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestAuthErrors(t *testing.T) {
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	tests := []struct {
		name       string
		change     func(q url.Values)
		wantStatus int // the number on the page
		wantCode   string
	}{
		{"redirect with trailing slash", func(q url.Values) { q.Set("redirect_uri", testRedirect+"/") }, 400, "redirect_uri_mismatch"},
		{"redirect over http", func(q url.Values) { q.Set("redirect_uri", strings.Replace(testRedirect, "https", "http", 1)) }, 400, "redirect_uri_mismatch"},
		{"no redirect", func(q url.Values) { q.Del("redirect_uri") }, 400, "invalid_request"},
		{"unknown client", func(q url.Values) { q.Set("client_id", "other") }, 401, "invalid_client"},
		{"no client", func(q url.Values) { q.Del("client_id") }, 400, "invalid_request"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "token") }, 400, "invalid_request"},
		{"no scope", func(q url.Values) { q.Del("scope") }, 400, "invalid_request"},
		{"comma separated scopes", func(q url.Values) { q.Set("scope", "openid,email") }, 400, "invalid_scope"},
		{"short calendar scope", func(q url.Values) { q.Set("scope", "openid calendar") }, 400, "invalid_scope"},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, 400, "invalid_request"},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, 400, "invalid_request"},
		{"short challenge", func(q url.Values) { q.Set("code_challenge", challenge[:42]) }, 400, "invalid_request"},
		{"bad access_type", func(q url.Values) { q.Set("access_type", "Offline") }, 400, "invalid_request"},
		{"bad include_granted_scopes", func(q url.Values) { q.Set("include_granted_scopes", "yes") }, 400, "invalid_request"},
		{"repeated parameter", func(q url.Values) { q.Add("scope", "openid") }, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			u, _ := url.Parse(begin(cfg).url)
			q := u.Query()
			tt.change(q)
			u.RawQuery = q.Encode()

			_, err := s.Approve(u.String(), DefaultAccount)
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Status != tt.wantStatus || ae.Code != tt.wantCode {
				t.Errorf("Approve error = %v, want Error %d: %s", err, tt.wantStatus, tt.wantCode)
			}
			if _, err := s.Deny(u.String()); !errors.As(err, &ae) || ae.Code != tt.wantCode {
				t.Errorf("Deny error = %v, want %s", err, tt.wantCode)
			}
			resp, err := http.Get(u.String())
			if err != nil {
				t.Fatalf("GET auth page: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf("Error %d: %s", tt.wantStatus, tt.wantCode)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), want) {
				t.Errorf("GET auth page = %d, body without %q:\n%s", resp.StatusCode, want, body)
			}
			if len(s.TakeUnexpected()) == 0 {
				t.Error("invalid auth request not recorded in Unexpected")
			}
		})
	}
}

func TestApproveGranularConsent(t *testing.T) {
	tests := []struct {
		name      string
		grant     []string
		wantScope string
		wantID    bool
	}{
		{"everything", nil, "openid " + emailScope + " " + calendarScope, true},
		{"calendar unticked", []string{"openid", "email"}, "openid " + emailScope, true},
		{"no openid", []string{"email", calendarScope}, emailScope + " " + calendarScope, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			tok := connect(t, s, cfg, tt.grant...)
			if got := tok.Extra("scope"); got != tt.wantScope {
				t.Errorf("token scope = %v, want %q", got, tt.wantScope)
			}
			if _, got := tok.Extra("id_token").(string); got != tt.wantID {
				t.Errorf("has id_token = %v, want %v", got, tt.wantID)
			}
			if _, scopes, _ := s.AccessTokenOwner(tok.AccessToken); strings.Join(scopes, " ") != tt.wantScope {
				t.Errorf("AccessTokenOwner scopes = %q, want %q", scopes, tt.wantScope)
			}
		})
	}
}

func TestApproveRefusesUnrequestedScope(t *testing.T) {
	s, cfg := setup(t)
	if _, err := s.Approve(begin(cfg).url, DefaultAccount, "https://www.googleapis.com/auth/drive"); err == nil {
		t.Error("Approve granted a scope that was not requested")
	}
}

func TestDeny(t *testing.T) {
	s, cfg := setup(t)
	l := begin(cfg)
	cb, err := s.Deny(l.url)
	if err != nil {
		t.Fatalf("Deny: %v", err)
	}
	if q := callbackQuery(t, cb, l.state); q.Get("error") != "access_denied" || q.Has("code") {
		t.Errorf("Deny callback = %q, want error=access_denied and no code", cb)
	}
	noUnexpected(t, s)
}

// browser returns an HTTP client that stops at calbot's redirect URI
// instead of following it.
func browser() *http.Client {
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), testRedirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var (
	consentIDRE = regexp.MustCompile(`name="consent" value="([^"]+)"`)
	checkboxRE  = regexp.MustCompile(`type="checkbox" name="scope" value="([^"]+)"`)
)

// consentForm opens the consent page for authURL and returns the hidden
// consent id and the scopes offered as checkboxes.
func consentForm(t testing.TB, c *http.Client, authURL string) (id string, optional []string, page string) {
	t.Helper()
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("GET consent page: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := consentIDRE.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET consent page = %d, want 200 with a form:\n%s", resp.StatusCode, body)
	}
	for _, cb := range checkboxRE.FindAllSubmatch(body, -1) {
		optional = append(optional, string(cb[1]))
	}
	return string(m[1]), optional, string(body)
}

func TestConsentPage(t *testing.T) {
	bob := Account{Sub: "100000000000000000002", Email: "bob@example.com"}
	tests := []struct {
		name      string
		form      url.Values // besides the consent id
		wantError string
		wantScope string
	}{
		{"allow", url.Values{"action": {"allow"}, "scope": {calendarScope}}, "", "openid " + emailScope + " " + calendarScope},
		{"allow without calendar", url.Values{"action": {"allow"}}, "", "openid " + emailScope},
		{"cancel", url.Values{"action": {"deny"}, "scope": {calendarScope}}, "access_denied", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			s.SetPageAccount(bob)
			c := browser()
			l := begin(cfg)
			id, optional, page := consentForm(t, c, l.url)
			if len(optional) != 1 || optional[0] != calendarScope {
				t.Errorf("checkboxes = %q, want only %q", optional, calendarScope)
			}
			if !strings.Contains(page, bob.Email) {
				t.Errorf("consent page does not name %s", bob.Email)
			}
			form := cloneValues(tt.form)
			form.Set("consent", id)
			resp, err := c.PostForm(s.URL()+ConsentPath, form)
			if err != nil {
				t.Fatalf("POST consent: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("POST consent = %d, want 302", resp.StatusCode)
			}
			q := callbackQuery(t, resp.Header.Get("Location"), l.state)
			if got := q.Get("error"); got != tt.wantError {
				t.Errorf("callback error = %q, want %q", got, tt.wantError)
			}
			if tt.wantError != "" {
				noUnexpected(t, s)
				return
			}
			tok, err := cfg.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(l.verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if got := tok.Extra("scope"); got != tt.wantScope {
				t.Errorf("token scope = %v, want %q", got, tt.wantScope)
			}
			if acct, _, _ := s.AccessTokenOwner(tok.AccessToken); acct != bob {
				t.Errorf("token owner = %v, want %v", acct, bob)
			}
			noUnexpected(t, s)
		})
	}
}

func TestConsentPageSingleUse(t *testing.T) {
	s, cfg := setup(t)
	c := browser()
	id, _, _ := consentForm(t, c, begin(cfg).url)
	form := url.Values{"consent": {id}, "action": {"allow"}}
	for i, want := range []int{http.StatusFound, http.StatusBadRequest} {
		resp, err := c.PostForm(s.URL()+ConsentPath, form)
		if err != nil {
			t.Fatalf("POST consent #%d: %v", i+1, err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST consent #%d = %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if u := s.TakeUnexpected(); len(u) != 1 {
		t.Errorf("Unexpected() = %q, want the second POST", u)
	}
}
