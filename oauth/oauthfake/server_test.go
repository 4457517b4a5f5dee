package oauthfake

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

func TestUnexpectedRequests(t *testing.T) {
	tests := []struct {
		name, method, path, contentType, body string
		wantStatus                            int
	}{
		{"unknown path", "GET", "/oauth2/v4/token", "", "", http.StatusNotFound},
		{"GET token", "GET", TokenPath, "", "", http.StatusMethodNotAllowed},
		{"GET revoke", "GET", RevokePath, "", "", http.StatusMethodNotAllowed},
		{"JSON body", "POST", TokenPath, "application/json", `{"grant_type":"refresh_token"}`, http.StatusBadRequest},
		{"params in query", "POST", TokenPath + "?grant_type=refresh_token", "application/x-www-form-urlencoded", "", http.StatusBadRequest},
		{"no grant_type", "POST", TokenPath, "application/x-www-form-urlencoded", url.Values{"client_id": {testClientID}, "client_secret": {testSecret}}.Encode(), http.StatusBadRequest},
		{"wrong secret", "POST", TokenPath, "application/x-www-form-urlencoded", url.Values{"client_id": {testClientID}, "client_secret": {"x"}, "grant_type": {"refresh_token"}}.Encode(), http.StatusUnauthorized},
		{"no client", "POST", TokenPath, "application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=1", http.StatusBadRequest},
		{"revoke without token", "POST", RevokePath, "application/x-www-form-urlencoded", "", http.StatusBadRequest},
		{"token in revoke query", "POST", RevokePath + "?token=1//0x", "", "", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := setup(t)
			req, err := http.NewRequest(tt.method, s.URL()+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.wantStatus)
			}
			if len(s.TakeUnexpected()) == 0 {
				t.Errorf("%s %s not recorded in Unexpected", tt.method, tt.path)
			}
		})
	}
}

func TestUnexpectedHasNoSecrets(t *testing.T) {
	s, cfg := setup(t)
	cfg.ClientSecret = "wrong-secret"
	l := begin(cfg)
	cb, err := s.Approve(l.url, DefaultAccount)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	code := callbackQuery(t, cb, l.state).Get("code")
	cfg.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
	got := strings.Join(s.TakeUnexpected(), "\n")
	for _, secret := range []string{"wrong-secret", testSecret, code, l.verifier} {
		if strings.Contains(got, secret) {
			t.Errorf("Unexpected() reveals a secret: %q", got)
		}
	}
}

func TestFailNext(t *testing.T) {
	s, cfg := setup(t)
	tok := connect(t, s, cfg)
	s.FailNext(TokenPath, 1, http.StatusServiceUnavailable, `{"error":"internal_failure"}`)
	ts := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken})
	_, err := ts.Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("first refresh error = %v, want 503", err)
	}
	if _, err := ts.Token(); err != nil {
		t.Errorf("second refresh: %v", err)
	}
	if n := s.Requests("refresh_token"); n != 2 {
		t.Errorf("Requests(refresh_token) = %d, want 2", n)
	}
	noUnexpected(t, s)
}

// TestSandboxHandler serves the fake the way the sandbox mode would: built
// by NewServer and mounted under a prefix of another server.
func TestSandboxHandler(t *testing.T) {
	s := NewServer(testClientID, testSecret, testRedirect)
	mux := http.NewServeMux()
	mux.Handle("/google/", http.StripPrefix("/google", s.Handler()))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	if s.URL() != "" {
		t.Errorf("URL() = %q for an unstarted server, want empty", s.URL())
	}
	cfg := &oauth2.Config{
		ClientID: testClientID, ClientSecret: testSecret, RedirectURL: testRedirect,
		Scopes: []string{"openid", "email", calendarScope},
		Endpoint: oauth2.Endpoint{
			AuthURL:   ts.URL + "/google" + AuthPath,
			TokenURL:  ts.URL + "/google" + TokenPath,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	c := browser()
	l := begin(cfg)
	id, _, page := consentForm(t, c, l.url)
	if !strings.Contains(page, `action="consent"`) {
		t.Fatalf("consent form does not post to a relative URL:\n%s", page)
	}
	resp, err := c.PostForm(ts.URL+"/google"+ConsentPath, url.Values{"consent": {id}, "action": {"allow"}})
	if err != nil {
		t.Fatalf("POST consent: %v", err)
	}
	resp.Body.Close()
	code := callbackQuery(t, resp.Header.Get("Location"), l.state).Get("code")
	if _, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier)); err != nil {
		t.Errorf("Exchange: %v", err)
	}
	noUnexpected(t, s)
}

func TestConcurrentUse(t *testing.T) {
	s, cfg := setup(t)
	tok := connect(t, s, cfg)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			fresh, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				t.Errorf("refresh: %v", err)
				return
			}
			s.AccessTokenOwner(fresh.AccessToken)
			s.ExpireAccessTokens()
			s.LastAuthRequest()
			s.Requests("refresh_token")
		})
		wg.Go(func() {
			if _, err := s.Approve(begin(cfg).url, DefaultAccount); err != nil {
				t.Errorf("Approve: %v", err)
			}
		})
	}
	wg.Wait()
	if n := s.Requests("refresh_token"); n != 8 {
		t.Errorf("Requests(refresh_token) = %d, want 8", n)
	}
	noUnexpected(t, s)
}
