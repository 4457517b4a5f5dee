package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

func TestTokenSourceNotLinked(t *testing.T) {
	e := newEnv(t)
	tok, err := e.flow.TokenSource(chatA).Token()
	if !errors.Is(err, ErrNotLinked) {
		t.Errorf("Token() of a chat never linked = %v, %v; want ErrNotLinked", tok, err)
	}
	if l, err := e.flow.Account(chatA); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Account(%d) = %v, %v; want ErrNotLinked", chatA, l, err)
	}
	if got := e.g.Requests("refresh_token"); got != 0 {
		t.Errorf("Requests(refresh_token) = %d, want 0", got)
	}
}

func TestTokenSourceUsesStoredToken(t *testing.T) {
	e := newEnv(t)
	l := e.connect(chatA, userA, alice)
	for i := range 3 {
		tok, err := e.flow.TokenSource(chatA).Token()
		if err != nil || tok.AccessToken != l.AccessToken {
			t.Fatalf("Token() #%d = %v, %v; want the stored access token", i, tok, err)
		}
	}
	if got := e.g.Requests("refresh_token"); got != 0 {
		t.Errorf("Requests(refresh_token) = %d, want 0 while the stored token is valid", got)
	}
}

func TestTokenSourceRefreshesOnce(t *testing.T) {
	e := newEnv(t)
	old := e.connect(chatA, userA, alice)
	e.expireStored(chatA)

	const n = 50
	toks := make([]*oauth2.Token, n)
	errs := make([]error, n)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-ready
			toks[i], errs[i] = e.flow.TokenSource(chatA).Token()
		})
	}
	close(ready)
	wg.Wait()

	if got := e.g.Requests("refresh_token"); got != 1 {
		t.Errorf("Requests(refresh_token) = %d after %d concurrent Token calls, want 1", got, n)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Token() #%d: %v", i, errs[i])
		}
		if toks[i].AccessToken != toks[0].AccessToken {
			t.Errorf("Token() #%d = %q, #0 = %q; want one refreshed token for all", i, toks[i].AccessToken, toks[0].AccessToken)
		}
	}
	fresh := toks[0].AccessToken
	if fresh == old.AccessToken {
		t.Fatalf("Token() returned the expired access token")
	}
	if acct, _, ok := e.g.AccessTokenOwner(fresh); !ok || acct != alice {
		t.Errorf("refreshed token belongs to %v (ok %v), want %v", acct, ok, alice)
	}

	l := e.link(chatA)
	if l.AccessToken != fresh || l.RefreshToken != old.RefreshToken || !l.Expiry.After(e.clock.Now()) {
		t.Errorf("stored after refresh: access %q, refresh %q, expiry %v; want %q, %q, after %v",
			l.AccessToken, l.RefreshToken, l.Expiry, fresh, old.RefreshToken, e.clock.Now())
	}
	if l.Sub != old.Sub || l.Email != old.Email || l.Scope != old.Scope {
		t.Errorf("refresh changed the account: %v, want %v", l, old)
	}
	if tok, err := e.flow.TokenSource(chatA).Token(); err != nil || tok.AccessToken != fresh {
		t.Errorf("Token() after the refresh = %v, %v; want %q", tok, err, fresh)
	}
	if got := e.g.Requests("refresh_token"); got != 1 {
		t.Errorf("Requests(refresh_token) = %d, want still 1", got)
	}
}

// TestTokenSourceFollowsClock: the source must judge expiry by Config.Now,
// like the rest of the Flow, not by the wall clock.
func TestTokenSourceFollowsClock(t *testing.T) {
	e := newEnv(t)
	old := e.connect(chatA, userA, alice)
	if tok, err := e.flow.TokenSource(chatA).Token(); err != nil || tok.AccessToken != old.AccessToken {
		t.Fatalf("Token() = %v, %v; want the stored access token", tok, err)
	}

	e.g.ExpireAccessTokens()
	e.clock.Advance(2 * time.Hour) // Google's tokens live 3599s
	tok, err := e.flow.TokenSource(chatA).Token()
	if err != nil {
		t.Fatalf("Token() after expiry: %v", err)
	}
	if got := e.g.Requests("refresh_token"); got != 1 {
		t.Errorf("Requests(refresh_token) = %d two hours (by Config.Now) after the token was issued, want 1", got)
	}
	if _, _, ok := e.g.AccessTokenOwner(tok.AccessToken); !ok {
		t.Errorf("Token() = %q, which Google no longer accepts", tok.AccessToken)
	}
	// The refreshed token is good for another hour by the same clock.
	if _, err := e.flow.TokenSource(chatA).Token(); err != nil {
		t.Fatalf("Token() again: %v", err)
	}
	if got := e.g.Requests("refresh_token"); got > 1 {
		t.Errorf("Requests(refresh_token) = %d, want 1: the refreshed token must count as fresh", got)
	}
}

func TestTokenSourceRevoked(t *testing.T) {
	e := newEnv(t)
	e.connect(chatA, userA, alice)
	e.connect(chatB, userB, bob)
	e.g.RevokeAll(alice.Sub)
	e.expireStored(chatA)
	e.expireStored(chatB)

	_, err := e.flow.TokenSource(chatA).Token()
	if !errors.Is(err, ErrRevoked) {
		t.Fatalf("Token() of a revoked grant = %v, want ErrRevoked", err)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("Token() error %v does not carry Google's invalid_grant", err)
	}
	e.noLink(chatA)
	if _, err := e.flow.Account(chatA); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Account after revocation = %v, want ErrNotLinked", err)
	}
	if _, err := e.flow.TokenSource(chatA).Token(); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Token() again = %v, want ErrNotLinked", err)
	}
	if got := e.g.Requests("refresh_token"); got != 1 {
		t.Errorf("Requests(refresh_token) = %d, want 1: a dead grant is not tried again", got)
	}

	// Another chat's grant is not touched.
	if tok, err := e.flow.TokenSource(chatB).Token(); err != nil {
		t.Errorf("Token() of chat %d = %v, %v; want a token", chatB, tok, err)
	}
	if got := e.link(chatB).Email; got != bob.Email {
		t.Errorf("chat %d linked to %q, want %q", chatB, got, bob.Email)
	}
}

func TestDisconnect(t *testing.T) {
	tests := []struct {
		name    string
		linked  bool
		setup   func(e *env, l storage.Link)
		want    Revocation
		revokes int // requests to Google's revocation endpoint
		wantErr error
	}{
		{"revoked at google", true, func(*env, storage.Link) {}, Revoked, 1, nil},
		{"already revoked by the user", true, func(e *env, l storage.Link) { e.g.RevokeAll(l.Sub) }, Revoked, 1, nil},
		{"google fails", true, func(e *env, _ storage.Link) {
			e.g.FailNext(oauthfake.RevokePath, 1, http.StatusInternalServerError, "<html>oops</html>")
		}, RevokeFailed, 1, nil},
		{"another chat uses the account", true, func(e *env, _ storage.Link) { e.connect(chatB, userB, alice) }, KeptInUse, 0, nil},
		{"another chat uses another account", true, func(e *env, _ storage.Link) { e.connect(chatB, userB, bob) }, Revoked, 1, nil},
		{"not linked", false, nil, 0, 0, ErrNotLinked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var l storage.Link
			if tt.linked {
				l = e.connect(chatA, userA, alice)
				// A cached token must not outlive the link.
				if _, err := e.flow.TokenSource(chatA).Token(); err != nil {
					t.Fatalf("Token(): %v", err)
				}
				tt.setup(e, l)
			}

			got, err := e.flow.Disconnect(context.Background(), chatA)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("Disconnect(%d) = %v, %v; want %v, %v", chatA, got, err, tt.want, tt.wantErr)
			}
			e.noLink(chatA)
			if _, err := e.flow.TokenSource(chatA).Token(); !errors.Is(err, ErrNotLinked) {
				t.Errorf("Token() after Disconnect = %v, want ErrNotLinked", err)
			}
			if got := e.g.Requests("revoke"); got != tt.revokes {
				t.Errorf("Requests(revoke) = %d, want %d", got, tt.revokes)
			}
			if tt.linked && tt.want == Revoked && !e.g.Revoked(l.RefreshToken) {
				t.Errorf("refresh token not revoked at Google")
			}
			if tt.want == KeptInUse {
				// The other chat's grant must still work at Google.
				e.expireStored(chatB)
				if _, err := e.flow.TokenSource(chatB).Token(); err != nil {
					t.Errorf("chat %d lost its grant: %v", chatB, err)
				}
			}
		})
	}
}

// TestNoSecretsInLogs runs what logs around tokens and looks for them.
func TestNoSecretsInLogs(t *testing.T) {
	e := newEnv(t)
	start := e.begin(chatA, userA, "en")
	p, err := e.db.Pending(e.nonce(queryParam(t, start, "state")), e.clock.Now())
	if err != nil {
		t.Fatalf("pending login: %v", err)
	}
	cb := e.approve(e.authURL(start), alice)
	if resp := e.get(cb); resp.status != http.StatusOK {
		t.Fatalf("callback = %d\n%s", resp.status, resp.body)
	}
	e.get(cb) // a replay, refused
	l := e.link(chatA)
	e.expireStored(chatA)
	fresh, err := e.flow.TokenSource(chatA).Token()
	if err != nil {
		t.Fatalf("Token(): %v", err)
	}
	e.g.FailNext(oauthfake.RevokePath, 1, http.StatusBadRequest, `{"error":"invalid_request"}`)
	if _, err := e.flow.Disconnect(context.Background(), chatA); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}

	logs := e.logs.String()
	for _, want := range []string{"chat connected", "revoke failed"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("logs lack %q; is the logger wired?\n%s", want, logs)
		}
	}
	for _, s := range []struct{ name, value string }{
		{"client secret", testSecret},
		{"code", queryParam(t, cb, "code")},
		{"PKCE verifier", p.Verifier},
		{"refresh token", l.RefreshToken},
		{"first access token", l.AccessToken},
		{"refreshed access token", fresh.AccessToken},
	} {
		if s.value == "" {
			t.Fatalf("%s is empty: nothing to look for", s.name)
		}
		if strings.Contains(logs, s.value) {
			t.Errorf("the %s was logged:\n%s", s.name, logs)
		}
	}
}

// TestPassingTokenSource: a pass through the chats (the scheduler's reads)
// uses stored access tokens without keeping them, uses what is cached, and
// refreshes through the cache: once, shared with the chat's commands.
func TestPassingTokenSource(t *testing.T) {
	e := newEnv(t)
	if _, err := e.flow.PassingTokenSource(chatA).Token(); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Token() of a chat never linked = %v; want ErrNotLinked", err)
	}
	a := e.connect(chatA, userA, alice)
	e.flow.forget(chatA) // a start: nothing cached
	for i := range 3 {
		tok, err := e.flow.PassingTokenSource(chatA).Token()
		if err != nil || tok.AccessToken != a.AccessToken {
			t.Fatalf("pass #%d: Token() = %v, %v; want the stored access token", i, tok, err)
		}
		if tok.RefreshToken != "" {
			t.Error("a passing token carries the refresh token")
		}
	}
	if n := e.flow.cached(); n != 0 {
		t.Errorf("%d chats cached after passing reads, want 0", n)
	}

	e.expireStored(chatA)
	tok, err := e.flow.PassingTokenSource(chatA).Token()
	if err != nil || tok.AccessToken == a.AccessToken {
		t.Fatalf("Token() of an expired grant = %v, %v; want a refreshed token", tok, err)
	}
	if got := e.g.Requests("refresh_token"); got != 1 {
		t.Errorf("Requests(refresh_token) = %d, want 1", got)
	}
	if n := e.flow.cached(); n != 1 {
		t.Errorf("%d chats cached after a refresh, want 1: the refreshed token is kept", n)
	}
	if again, err := e.flow.TokenSource(chatA).Token(); err != nil || again.AccessToken != tok.AccessToken {
		t.Errorf("a command after the refresh got %v, %v; want the refreshed token", again, err)
	}
	e.flow.ExpireToken(chatA) // Google refused it
	if fresh, err := e.flow.PassingTokenSource(chatA).Token(); err != nil || fresh.AccessToken == tok.AccessToken {
		t.Errorf("after ExpireToken: %v, %v; want another refresh", fresh, err)
	}
	if got := e.g.Requests("refresh_token"); got != 2 {
		t.Errorf("Requests(refresh_token) = %d, want 2", got)
	}
}
