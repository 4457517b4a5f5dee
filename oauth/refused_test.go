package oauth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

// snapshot is everything a refused callback must leave alone.
type snapshot struct {
	LinkA, LinkB  storage.Link
	Results       []Result
	Codes, Revoke int
}

func (e *env) snapshot() snapshot {
	e.t.Helper()
	var s snapshot
	for _, c := range []struct {
		chat int64
		l    *storage.Link
	}{{chatA, &s.LinkA}, {chatB, &s.LinkB}} {
		l, err := e.db.Link(c.chat)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			e.t.Fatalf("db.Link(%d): %v", c.chat, err)
		}
		*c.l = l
	}
	s.Results = e.gotResults()
	s.Codes = e.g.Requests("authorization_code")
	s.Revoke = e.g.Requests("revoke")
	return s
}

func TestCallbackRefusesInvalidState(t *testing.T) {
	// Each row gets the callback URL that Google sent for a genuine sign-in
	// of chat A and returns the URL an attacker or a stale browser fetches.
	tests := []struct {
		name  string
		forge func(t testing.TB, e *env, cb string) string
		// genuineAfter: the refused attempt must not have used up the
		// genuine sign-in, whose callback then still works.
		genuineAfter bool
	}{
		{"no state", func(t testing.TB, e *env, cb string) string {
			return withQuery(t, cb, "state", "")
		}, true},
		{"random string", func(t testing.TB, e *env, cb string) string {
			return withQuery(t, cb, "state", "c3RhdGU")
		}, true},
		{"random bytes of the right length", func(t testing.TB, e *env, cb string) string {
			b := make([]byte, stateSize)
			rand.Read(b)
			return withQuery(t, cb, "state", base64.RawURLEncoding.EncodeToString(b))
		}, true},
		{"tampered byte", func(t testing.TB, e *env, cb string) string {
			b, err := base64.RawURLEncoding.DecodeString(queryParam(t, cb, "state"))
			if err != nil {
				t.Fatal(err)
			}
			b[3] ^= 0x20
			return withQuery(t, cb, "state", base64.RawURLEncoding.EncodeToString(b))
		}, true},
		{"signed with another key", func(t testing.TB, e *env, cb string) string {
			s, err := ParseState(flowKey, queryParam(t, cb, "state"), e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			return withQuery(t, cb, "state", SignState(bytes.Repeat([]byte{8}, 32), s))
		}, true},
		{"forged state first, genuine second", func(t testing.TB, e *env, cb string) string {
			return strings.Replace(cb, "state=", "state=AAAA&state=", 1)
		}, true},
		{"expired", func(t testing.TB, e *env, cb string) string {
			e.clock.Advance(LoginTTL + time.Second)
			return cb
		}, false},
		{"replayed", func(t testing.TB, e *env, cb string) string {
			if resp := e.get(cb); resp.status != http.StatusOK {
				t.Fatalf("first callback = %d, want 200\n%s", resp.status, resp.body)
			}
			return cb
		}, false},
		{"nonce of another chat's sign-in", func(t testing.TB, e *env, cb string) string {
			other := queryParam(t, e.begin(chatB, userB, "en"), "state")
			s, err := ParseState(flowKey, queryParam(t, cb, "state"), e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			copy(s.Nonce[:], e.nonce(other))
			return withQuery(t, cb, "state", SignState(flowKey, s))
		}, false},
		{"same chat, another user", func(t testing.TB, e *env, cb string) string {
			s, err := ParseState(flowKey, queryParam(t, cb, "state"), e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			s.UserID = userB
			return withQuery(t, cb, "state", SignState(flowKey, s))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			cb := e.approve(e.authURL(e.begin(chatA, userA, "en")), alice)
			bad := tt.forge(t, e, cb)
			before := e.snapshot()

			for _, path := range []string{"/oauth/start", "/oauth/callback"} {
				u := strings.Replace(bad, "/oauth/callback", path, 1)
				resp := e.get(u)
				if resp.status != http.StatusBadRequest || !strings.Contains(resp.body, pages["en"][pageInvalid].Title) {
					t.Errorf("GET %s = %d\n%s\nwant 400 and the invalid-link page", path, resp.status, resp.body)
				}
				checkPageHeaders(t, path, resp)
			}
			if diff := cmp.Diff(before, e.snapshot()); diff != "" {
				t.Errorf("a refused callback changed things (-before +after):\n%s", diff)
			}
			if before.LinkA.RefreshToken == "" {
				e.noLink(chatA)
			}
			e.noLink(chatB)

			if !tt.genuineAfter {
				return
			}
			if resp := e.get(cb); resp.status != http.StatusOK {
				t.Errorf("genuine callback after the refused one = %d, want 200\n%s", resp.status, resp.body)
			}
			if got := e.link(chatA).Email; got != alice.Email {
				t.Errorf("linked %q, want %q", got, alice.Email)
			}
		})
	}
}

func TestCallbackOutcomes(t *testing.T) {
	wrongSecret := func(c *Config) { c.ClientSecret = "GOCSPX-wrong-secret-Kp4" }
	tests := []struct {
		name string
		cfg  func(*Config)
		// google plays Google's part and returns the callback URL.
		google      func(t testing.TB, e *env, authURL string) string
		wantStatus  int
		wantPage    page
		wantOutcome Outcome
		wantCodes   int // token requests with grant_type=authorization_code
		wantRevokes int
		// wantUnexpected is a word each of the fake's complaints must
		// contain, when the client is misconfigured on purpose.
		wantUnexpected string
	}{
		{
			name: "user pressed cancel",
			google: func(t testing.TB, e *env, authURL string) string {
				cb, err := e.g.Deny(authURL)
				if err != nil {
					t.Fatal(err)
				}
				return cb
			},
			wantStatus: http.StatusOK, wantPage: pageDenied, wantOutcome: Denied,
		},
		{
			name: "calendar box unticked",
			google: func(t testing.TB, e *env, authURL string) string {
				return e.approve(authURL, alice, "openid", "email")
			},
			wantStatus: http.StatusOK, wantPage: pageMissingScope, wantOutcome: MissingScope,
			wantCodes: 1, wantRevokes: 1,
		},
		{
			name: "google reports an error",
			google: func(t testing.TB, e *env, authURL string) string {
				return withQuery(t, e.approve(authURL, alice), "code", "", "scope", "", "error", "server_error")
			},
			wantStatus: http.StatusBadGateway, wantPage: pageFailed, wantOutcome: Failed,
		},
		{
			name: "token endpoint fails",
			google: func(t testing.TB, e *env, authURL string) string {
				e.g.FailNext(oauthfake.TokenPath, 1, http.StatusInternalServerError, `{"error":"internal_failure"}`)
				return e.approve(authURL, alice)
			},
			wantStatus: http.StatusBadGateway, wantPage: pageFailed, wantOutcome: Failed,
			wantCodes: 1,
		},
		{
			name: "wrong client secret",
			cfg:  wrongSecret,
			google: func(t testing.TB, e *env, authURL string) string {
				return e.approve(authURL, alice)
			},
			wantStatus: http.StatusInternalServerError, wantPage: pageMisconfigured, wantOutcome: Failed,
			wantCodes: 1, wantUnexpected: "client authentication failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*Config)
			if tt.cfg != nil {
				opts = append(opts, tt.cfg)
			}
			e := newEnv(t, opts...)
			e.allowUnexpected = tt.wantUnexpected != ""
			cb := tt.google(t, e, e.authURL(e.begin(chatA, userA, "en")))

			resp := e.get(cb)
			if resp.status != tt.wantStatus || !strings.Contains(resp.body, pages["en"][tt.wantPage].Title) {
				t.Errorf("GET callback = %d\n%s\nwant %d and %q", resp.status, resp.body, tt.wantStatus, pages["en"][tt.wantPage].Title)
			}
			checkPageHeaders(t, "callback", resp)
			want := []Result{{Outcome: tt.wantOutcome, ChatID: chatA, UserID: userA, Lang: "en", Person: tgUser(userA)}}
			if diff := cmp.Diff(want, e.gotResults()); diff != "" {
				t.Errorf("OnResult calls (-want +got):\n%s", diff)
			}
			e.noLink(chatA)
			if n, err := e.db.CountLinks(); err != nil || n != 0 {
				t.Errorf("CountLinks = %d, %v; want 0", n, err)
			}
			if got := e.g.Requests("authorization_code"); got != tt.wantCodes {
				t.Errorf("Requests(authorization_code) = %d, want %d (an exchange is never retried)", got, tt.wantCodes)
			}
			if got := e.g.Requests("revoke"); got != tt.wantRevokes {
				t.Errorf("Requests(revoke) = %d, want %d", got, tt.wantRevokes)
			}
			if strings.Contains(e.logs.String(), "revoke of partial grant failed") {
				t.Errorf("the partial grant was not revoked:\n%s", e.logs)
			}
			if tt.wantUnexpected != "" {
				u := e.g.Unexpected()
				if len(u) != 1 || !strings.Contains(u[0], tt.wantUnexpected) {
					t.Errorf("fake Google complained %q, want one complaint about %q", u, tt.wantUnexpected)
				}
			}

			// The sign-in is used up: the same callback again changes nothing.
			if resp := e.get(cb); resp.status != http.StatusBadRequest || !strings.Contains(resp.body, pages["en"][pageInvalid].Title) {
				t.Errorf("replayed callback = %d, want 400 and the invalid-link page\n%s", resp.status, resp.body)
			}
			if got := len(e.gotResults()); got != 1 {
				t.Errorf("OnResult called %d times after a replay, want 1", got)
			}
			if got := e.g.Requests("authorization_code"); got != tt.wantCodes {
				t.Errorf("Requests(authorization_code) after a replay = %d, want %d", got, tt.wantCodes)
			}
		})
	}
}

// FuzzCallbackQuery sends arbitrary queries to the callback. None can name a
// pending sign-in, so every one must get the invalid-link page and change
// nothing.
func FuzzCallbackQuery(f *testing.F) {
	e := newEnv(f)
	// A state that verifies but names no pending sign-in, with what Google
	// sends alongside.
	var s State
	s.ChatID, s.UserID, s.Expires = chatA, userA, e.clock.Now().Add(LoginTTL)
	signed := SignState(flowKey, s)
	f.Add("state=" + signed + "&code=4%2F0AfakeCode&scope=openid+email+" + strings.ReplaceAll(CalendarScope, "/", "%2F") + "&iss=https%3A%2F%2Faccounts.google.com&authuser=0&prompt=consent")
	f.Add("state=" + signed + "&error=access_denied")
	f.Add("state=" + signed + "&state=" + signed + "&code=x")
	f.Add("")
	f.Add("state=%zz&code=%")
	f.Add("error=access_denied")
	f.Add(";;&&==state")

	var want bytes.Buffer
	{
		rec := httptest.NewRecorder()
		renderPage(rec, http.StatusBadRequest, "en", pageInvalid, pageData{})
		want.Write(rec.Body.Bytes())
	}
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/oauth/callback", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		e.flow.HandleCallback(rec, req)
		if rec.Code != http.StatusBadRequest || rec.Body.String() != want.String() {
			t.Fatalf("HandleCallback(%q) = %d\n%s\nwant 400 and the invalid-link page", raw, rec.Code, rec.Body)
		}
		if n, err := e.db.CountLinks(); err != nil || n != 0 {
			t.Fatalf("HandleCallback(%q) stored a link: CountLinks = %d, %v", raw, n, err)
		}
		if got := e.g.Requests("authorization_code"); got != 0 {
			t.Fatalf("HandleCallback(%q) reached the token endpoint", raw)
		}
		if got := e.gotResults(); len(got) != 0 {
			t.Fatalf("HandleCallback(%q) told the chat %+v", raw, got)
		}
	})
}
