package oauth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/calbot/calbot/storage"
)

// grow starts a Grow for CalendarListScope in chatA and returns its link.
func (e *env) grow(lang string) string {
	e.t.Helper()
	in, err := e.flow.Grow(context.Background(), chatA, tgUser(userA), lang, CalendarListScope)
	if err != nil {
		e.t.Fatalf("Grow: %v", err)
	}
	return in.URL
}

// lastResult returns the only result told since the chat connected.
func (e *env) lastResult() Result {
	e.t.Helper()
	r := e.gotResults()
	if len(r) != 2 {
		e.t.Fatalf("results = %+v, want the connect and one more", r)
	}
	return r[1]
}

// unchanged fails the test if the chat's link differs from before.
func (e *env) unchanged(before storage.Link) {
	e.t.Helper()
	after := e.link(chatA)
	if after.RefreshToken != before.RefreshToken || after.Scope != before.Scope || after.Sub != before.Sub {
		e.t.Errorf("link changed: scope %q -> %q, refresh token replaced %v", before.Scope, after.Scope, after.RefreshToken != before.RefreshToken)
	}
	if e.g.Revoked(before.RefreshToken) {
		e.t.Errorf("the linked grant was revoked")
	}
}

func TestGrow(t *testing.T) {
	e := newEnv(t)
	before := e.connect(chatA, userA, alice)
	if ok, err := e.flow.Granted(chatA, CalendarListScope); ok || err != nil {
		t.Fatalf("Granted before Grow = %v, %v; want false", ok, err)
	}
	auth := e.authURL(e.grow("en"))
	if got := queryParam(t, auth, "include_granted_scopes"); got != "true" {
		t.Errorf("include_granted_scopes = %q, want true", got)
	}
	if got := queryParam(t, auth, "scope"); got != "openid email "+CalendarListScope {
		t.Errorf("Grow asks for scope %q, want only the identity and the new scope", got)
	}
	cb := e.approve(auth, alice)
	resp := e.get(cb)
	if resp.status != http.StatusOK || !strings.Contains(resp.body, pages["en"][pageGrown].Title) || !strings.Contains(resp.body, alice.Email) {
		t.Fatalf("callback = %d, want 200 %q naming %s\n%s", resp.status, pages["en"][pageGrown].Title, alice.Email, resp.body)
	}
	after := e.link(chatA)
	for _, s := range []string{CalendarScope, CalendarListScope} {
		if !strings.Contains(after.Scope, s) {
			t.Errorf("link scope %q lacks %s", after.Scope, s)
		}
	}
	if after.Sub != before.Sub || after.Email != before.Email || after.LinkedAt != before.LinkedAt {
		t.Errorf("link = %v, want the same account and link as before (%v)", after, before)
	}
	if ok, err := e.flow.Granted(chatA, CalendarListScope); !ok || err != nil {
		t.Errorf("Granted after Grow = %v, %v; want true", ok, err)
	}
	if r := e.lastResult(); r.Outcome != Connected || r.Grow != CalendarListScope || r.Email != alice.Email {
		t.Errorf("result = %+v, want Connected, Grow %s, %s", r, CalendarListScope, alice.Email)
	}
	// The chat's tokens now carry the new scope.
	tok, err := e.flow.TokenSource(chatA).Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if got := e.g.Scopes(tok.AccessToken); !slices.Contains(got, CalendarListScope) || !slices.Contains(got, CalendarScope) {
		t.Errorf("access token scopes = %q, want the old and the new", got)
	}
	if e.g.Requests("revoke") != 0 {
		t.Errorf("a grant was revoked")
	}
	// The state was used: a replayed callback changes nothing.
	if resp := e.get(cb); resp.status != http.StatusBadRequest || !strings.Contains(resp.body, pages["en"][pageInvalid].Title) {
		t.Errorf("replayed callback = %d, want 400 %q", resp.status, pages["en"][pageInvalid].Title)
	}
	if got := e.g.Requests("authorization_code"); got != 2 {
		t.Errorf("codes exchanged = %d, want 2 (connect and grow)", got)
	}
}

// TestGrowRefused: a Grow that does not end with the same account granting
// the new scope leaves the link exactly as it was.
func TestGrowRefused(t *testing.T) {
	tests := []struct {
		name    string
		finish  func(e *env, auth string) string
		status  int
		page    page
		outcome Outcome
		other   string
		revokes int
	}{
		{"another google account", func(e *env, auth string) string { return e.approve(auth, bob) },
			http.StatusForbidden, pageGrowOtherAccount, OtherAccount, bob.Email, 1},
		{"new scope unticked", func(e *env, auth string) string { return e.approve(auth, alice, "openid", "email") },
			http.StatusOK, pageGrowMissing, MissingScope, "", 0},
		{"cancelled", func(e *env, auth string) string {
			cb, err := e.g.Deny(auth)
			if err != nil {
				e.t.Fatal(err)
			}
			return cb
		}, http.StatusOK, pageGrowDenied, Denied, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			before := e.connect(chatA, userA, alice)
			resp := e.get(tt.finish(e, e.authURL(e.grow("ru"))))
			if resp.status != tt.status || !strings.Contains(resp.body, pages["ru"][tt.page].Title) || !strings.Contains(resp.body, alice.Email) {
				t.Fatalf("callback = %d, want %d %q naming %s\n%s", resp.status, tt.status, pages["ru"][tt.page].Title, alice.Email, resp.body)
			}
			if tt.other != "" && !strings.Contains(resp.body, tt.other) {
				t.Errorf("page does not name the account chosen, %s", tt.other)
			}
			e.unchanged(before)
			if ok, _ := e.flow.Granted(chatA, CalendarListScope); ok {
				t.Errorf("Granted = true after a refused Grow")
			}
			r := e.lastResult()
			if r.Outcome != tt.outcome || r.Grow != CalendarListScope || r.Other != tt.other {
				t.Errorf("result = %+v, want outcome %v, Grow set, Other %q", r, tt.outcome, tt.other)
			}
			// Only a grant of an account linked nowhere is given back.
			if got := e.g.Requests("revoke"); got != tt.revokes {
				t.Errorf("revoke requests = %d, want %d", got, tt.revokes)
			}
			// The chat's token still works as before.
			if _, err := e.flow.TokenSource(chatA).Token(); err != nil {
				t.Errorf("Token after a refused Grow: %v", err)
			}
		})
	}
}

// TestGrowLinkChecksWhoOpensIt: a forwarded Grow link, pressed by another
// Telegram user or finished in another browser, changes nothing.
func TestGrowLinkChecksWhoOpensIt(t *testing.T) {
	e := newEnv(t)
	before := e.connect(chatA, userA, alice)
	start := e.grow("en")
	if resp := e.fetch(e.browser(), http.MethodGet, e.pressed(start, userB), nil); resp.status != http.StatusForbidden ||
		!strings.Contains(resp.body, pages["en"][pageOtherAccount].Title) {
		t.Fatalf("grow link pressed by another user = %d, want 403 %q\n%s", resp.status, pages["en"][pageOtherAccount].Title, resp.body)
	}
	auth := e.authURL(start) // the owner passes the check
	if resp := e.fetch(e.browser(), http.MethodGet, e.approve(auth, bob), nil); resp.status != http.StatusForbidden ||
		!strings.Contains(resp.body, pages["en"][pageOtherBrowser].Title) {
		t.Fatalf("grow callback in another browser = %d, want 403 %q\n%s", resp.status, pages["en"][pageOtherBrowser].Title, resp.body)
	}
	e.unchanged(before)
	if got := e.g.Requests("authorization_code"); got != 1 {
		t.Errorf("codes exchanged = %d, want 1 (the connect)", got)
	}
	// The owner's browser still finishes.
	if resp := e.get(e.approve(auth, alice)); resp.status != http.StatusOK || !strings.Contains(resp.body, pages["en"][pageGrown].Title) {
		t.Fatalf("owner's grow callback = %d\n%s", resp.status, resp.body)
	}
}

func TestGrowErrors(t *testing.T) {
	e := newEnv(t)
	if _, err := e.flow.Grow(context.Background(), chatA, tgUser(userA), "en", CalendarListScope); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Grow of an unlinked chat = %v, want ErrNotLinked", err)
	}
	if _, err := e.flow.Granted(chatA, CalendarListScope); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Granted of an unlinked chat = %v, want ErrNotLinked", err)
	}
	e.connect(chatA, userA, alice)
	if _, err := e.flow.Grow(context.Background(), chatA, tgUser(userA), "en", "https://www.googleapis.com/auth/calendar"); !errors.Is(err, ErrUnknownScope) {
		t.Errorf("Grow of a scope calbot never asks = %v, want ErrUnknownScope", err)
	}
	// Grow shares Begin's limit: the connect above was one sign-in.
	for i := 2; i <= MaxSignIns; i++ {
		e.grow("en")
	}
	if _, err := e.flow.Grow(context.Background(), chatA, tgUser(userA), "en", CalendarListScope); !errors.Is(err, ErrTooManySignIns) {
		t.Errorf("Grow #%d within %v = %v, want ErrTooManySignIns", MaxSignIns+1, SignInWindow, err)
	}
}

// TestGrowAfterRelinkToAnotherAccount: the account is checked against the
// link at the callback, not when the Grow began.
func TestGrowAfterRelinkToAnotherAccount(t *testing.T) {
	e := newEnv(t)
	e.connect(chatA, userA, alice)
	auth := e.authURL(e.grow("en"))
	cb := e.approve(auth, alice)
	// Meanwhile the chat was linked to bob (a Grow's login is replaced by
	// a new /connect, so this is a direct store).
	l := e.link(chatA)
	l.Sub, l.Email = bob.Sub, bob.Email
	if _, _, err := e.db.PutLink(l); err != nil {
		t.Fatal(err)
	}
	if resp := e.get(cb); resp.status != http.StatusForbidden || !strings.Contains(resp.body, pages["en"][pageGrowOtherAccount].Title) {
		t.Fatalf("callback = %d, want 403 %q\n%s", resp.status, pages["en"][pageGrowOtherAccount].Title, resp.body)
	}
	if got := e.link(chatA); got.Sub != bob.Sub || strings.Contains(got.Scope, CalendarListScope) {
		t.Errorf("link = %v scope %q; want bob's, not grown", got, got.Scope)
	}
}

func TestHasScope(t *testing.T) {
	tests := []struct {
		name, granted, want string
		ok                  bool
	}{
		{"exact", "openid " + CalendarListScope, CalendarListScope, true},
		{"absent", "openid " + CalendarScope, CalendarListScope, false},
		{"full calendar covers all", "https://www.googleapis.com/auth/calendar", SharedWriteScope, true},
		{"readonly covers list", "https://www.googleapis.com/auth/calendar.readonly", CalendarListScope, true},
		{"readonly does not write", "https://www.googleapis.com/auth/calendar.readonly", SharedWriteScope, false},
		{"events covers events readonly", SharedWriteScope, SharedEventsScope, true},
		{"prefix is not a scope", CalendarListScope + "x", CalendarListScope, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasScope(tt.granted, tt.want); got != tt.ok {
				t.Errorf("hasScope(%q, %q) = %v, want %v", tt.granted, tt.want, got, tt.ok)
			}
		})
	}
}
