package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStartChecksWhoOpenedTheLink: a login_url link works only with
// Telegram's fresh signature of the link's own user. Anything else gets a
// page and leaves the login usable by its owner.
func TestStartChecksWhoOpenedTheLink(t *testing.T) {
	signed := func(e *env, start string, fields url.Values) string {
		return signLogin(e.t, start, testBotToken, fields)
	}
	fields := func(e *env, id int64, age time.Duration) url.Values {
		return url.Values{"id": {strconv.FormatInt(id, 10)}, "first_name": {"X"}, "auth_date": {strconv.FormatInt(e.clock.Now().Add(-age).Unix(), 10)}}
	}
	tests := []struct {
		name string
		open func(e *env, start string) string
		want page
	}{
		{"forwarded button pressed by another user", func(e *env, start string) string { return e.pressed(start, userB) }, pageOtherAccount},
		{"bare link, not from Telegram", func(e *env, start string) string { return start }, pageOtherAccount},
		{"signed with another bot's token", func(e *env, start string) string {
			return signLogin(e.t, start, "999:other-bot-token-abcdefghijklmnopqrstu", fields(e, userA, 0))
		}, pageOtherAccount},
		{"identity edited after signing", func(e *env, start string) string {
			return withQuery(e.t, signed(e, start, fields(e, userB, 0)), "id", strconv.FormatInt(userA, 10))
		}, pageOtherAccount},
		{"hash of the right user, stale", func(e *env, start string) string { return signed(e, start, fields(e, userA, LoginMaxAge+time.Second)) }, pageOtherAccount},
		{"hash of the right user, from the future", func(e *env, start string) string { return signed(e, start, fields(e, userA, -5*time.Minute)) }, pageOtherAccount},
		{"hash not hex", func(e *env, start string) string { return withQuery(e.t, e.pressed(start, userA), "hash", "zz") }, pageOtherAccount},
		{"a field given twice", func(e *env, start string) string { return e.pressed(start, userA) + "&first_name=Y" }, pageOtherAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			start := e.begin(chatA, userA, "ru")
			stranger := e.browser()
			resp := e.fetch(stranger, http.MethodGet, tt.open(e, start), nil)
			if resp.status != http.StatusForbidden || !strings.Contains(resp.body, pages["ru"][tt.want].Title) {
				t.Fatalf("open = %d, want 403 and %q (in the login's language)\n%s", resp.status, pages["ru"][tt.want].Title, resp.body)
			}
			checkPageHeaders(t, "refused start", resp)
			if c := resp.header.Values("Set-Cookie"); len(c) != 0 {
				t.Errorf("a refused start set cookies: %q", c)
			}
			// Nothing changed: the owner can still sign in with the link.
			if resp := e.get(e.approve(e.authURL(start), alice)); resp.status != http.StatusOK {
				t.Fatalf("owner's callback after a refused start = %d\n%s", resp.status, resp.body)
			}
			if got := e.link(chatA).Email; got != alice.Email {
				t.Errorf("linked %q, want %q", got, alice.Email)
			}
		})
	}
}

// TestCallbackNeedsTheBrowserThatStarted: Google's consent URL forwarded to
// another browser, or a stranger's error=, gets a page and spends nothing.
func TestCallbackNeedsTheBrowserThatStarted(t *testing.T) {
	for _, check := range []Check{CheckTelegram, CheckPage} {
		tests := []struct {
			name string
			cb   func(e *env, auth string) string
		}{
			{"consent approved in another browser", func(e *env, auth string) string { return e.approve(auth, bob) }},
			{"error from another browser", func(e *env, auth string) string {
				return withQuery(e.t, e.approve(auth, bob), "code", "", "scope", "", "error", "access_denied")
			}},
		}
		for _, tt := range tests {
			t.Run(check.String()+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, func(c *Config) { c.Check = check })
				start := e.begin(chatA, userA, "en")
				auth := e.authURL(start) // the owner's browser
				victim := e.browser()
				resp := e.fetch(victim, http.MethodGet, tt.cb(e, auth), nil)
				if resp.status != http.StatusForbidden || !strings.Contains(resp.body, pages["en"][pageOtherBrowser].Title) {
					t.Fatalf("callback in another browser = %d, want 403 %q\n%s", resp.status, pages["en"][pageOtherBrowser].Title, resp.body)
				}
				e.noLink(chatA)
				if r := e.gotResults(); len(r) != 0 {
					t.Errorf("the chat was told %+v", r)
				}
				if got := e.g.Requests("authorization_code"); got != 0 {
					t.Errorf("the code was exchanged %d times", got)
				}
				// The owner's browser still finishes.
				if resp := e.get(e.approve(auth, alice)); resp.status != http.StatusOK {
					t.Fatalf("owner's callback = %d\n%s", resp.status, resp.body)
				}
				if got := e.link(chatA).Email; got != alice.Email {
					t.Errorf("linked %q, want %q", got, alice.Email)
				}
			})
		}
	}
}

// TestPageCheck: without a linked domain, /oauth/start names the Telegram
// account and goes to Google only through its Continue button, which no
// other site can press.
func TestPageCheck(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Check = CheckPage })
	start := e.begin(chatA, userA, "en")
	page := e.get(start)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Telegram account "+tgUser(userA).Name()+".") {
		t.Fatalf("GET start = %d, want 200 naming %q\n%s", page.status, tgUser(userA).Name(), page.body)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+origin(e.g.AuthURL())) {
		t.Errorf("CSP = %q, want the form allowed to go to Google", csp)
	}
	// A preview fetched the page too: harmless.
	e.fetch(e.browser(), http.MethodGet, start, nil)

	form := url.Values{}
	for _, m := range formField.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], m[2])
	}
	tests := []struct {
		name    string
		browser *http.Client
		form    url.Values
	}{
		{"another site posts the form (no cookie)", e.browser(), form},
		{"a wrong confirm token", e.client, url.Values{"state": form["state"], "confirm": {"nope"}}},
		{"no confirm token", e.client, url.Values{"state": form["state"]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.fetch(tt.browser, http.MethodPost, e.app.URL+"/oauth/start", tt.form)
			if resp.status != http.StatusForbidden || resp.header.Get("Location") != "" {
				t.Errorf("POST = %d to %q, want 403", resp.status, resp.header.Get("Location"))
			}
		})
	}
	resp := e.cont(e.client, page)
	if resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.header.Get("Location"), e.g.AuthURL()+"?") {
		t.Fatalf("Continue = %d to %q, want 303 to Google", resp.status, resp.header.Get("Location"))
	}
	checkBrowserCookie(t, resp)
	if got := e.get(e.approve(resp.header.Get("Location"), alice)); got.status != http.StatusOK {
		t.Fatalf("callback = %d\n%s", got.status, got.body)
	}
}

func TestCheckFallsBackToPage(t *testing.T) {
	tests := []struct {
		public string
		works  bool
	}{
		{"https://calbot.example.com", true},
		{"https://127.0.0.1:8443", true},
		{"http://calbot.example.com", false},
		{"https://localhost:8443", false},
		{"http://localhost:8080", false},
		{"https://calbot.", false},
	}
	for _, tt := range tests {
		t.Run(tt.public, func(t *testing.T) {
			if got := LoginURLWorks(tt.public); got != tt.works {
				t.Errorf("LoginURLWorks(%q) = %v, want %v", tt.public, got, tt.works)
			}
			f := New(Config{PublicURL: tt.public, BotToken: testBotToken}, nil)
			if want := map[bool]Check{true: CheckTelegram, false: CheckPage}[tt.works]; f.Check() != want {
				t.Errorf("Check() = %v, want %v", f.Check(), want)
			}
		})
	}
}

// TestOneLiveSignInPerChat: a new /connect replaces the chat's earlier link,
// and a chat cannot start sign-ins without end.
func TestOneLiveSignInPerChat(t *testing.T) {
	e := newEnv(t)
	first := e.begin(chatA, userA, "en")
	other := e.begin(chatB, userB, "en")
	second := e.begin(chatA, userA, "en")
	if resp := e.get(e.pressed(first, userA)); resp.status != http.StatusBadRequest || !strings.Contains(resp.body, pages["en"][pageInvalid].Title) {
		t.Errorf("replaced link = %d, want 400 %q", resp.status, pages["en"][pageInvalid].Title)
	}
	for _, start := range []string{second, other} {
		if resp := e.get(e.pressed(start, userOf(t, start))); resp.status != http.StatusFound {
			t.Errorf("live link = %d, want 302", resp.status)
		}
	}
	for i := 3; i <= MaxSignIns; i++ {
		e.begin(chatA, userA, "en")
	}
	if _, err := e.flow.Begin(context.Background(), chatA, tgUser(userA), "en"); !errors.Is(err, ErrTooManySignIns) {
		t.Errorf("Begin #%d within %v = %v, want ErrTooManySignIns", MaxSignIns+1, SignInWindow, err)
	}
	e.clock.Advance(SignInWindow)
	e.begin(chatA, userA, "en")
}

func userOf(t testing.TB, start string) int64 {
	t.Helper()
	s, err := ParseState(flowKey, queryParam(t, start, "state"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s.UserID
}

// TestPartialGrantOfALinkedAccountIsKept: giving back a grant that lacks
// the calendar scope would, at Google, revoke the account's other grant.
func TestPartialGrantOfALinkedAccountIsKept(t *testing.T) {
	e := newEnv(t)
	l := e.connect(chatB, userB, alice)
	cb := e.approve(e.authURL(e.begin(chatA, userA, "en")), alice, "openid", "email")
	if resp := e.get(cb); !strings.Contains(resp.body, pages["en"][pageMissingScope].Title) {
		t.Fatalf("callback = %d\n%s", resp.status, resp.body)
	}
	if got := e.g.Requests("revoke"); got != 0 || e.g.Revoked(l.RefreshToken) {
		t.Errorf("revoke requests = %d, chat %d's grant revoked = %v; want none", got, chatB, e.g.Revoked(l.RefreshToken))
	}
}

// TestTokenCacheIsBounded: only linked chats are cached, and only so many.
func TestTokenCacheIsBounded(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.TokenCache = 2 })
	for _, chat := range []int64{chatA, chatB, 3003} {
		e.connect(chat, chat, alice)
	}
	for i := range int64(100) {
		if _, err := e.flow.TokenSource(9000 + i).Token(); !errors.Is(err, ErrNotLinked) {
			t.Fatalf("Token of an unknown chat = %v, want ErrNotLinked", err)
		}
		e.flow.ExpireToken(9000 + i)
	}
	if n := e.flow.cached(); n != 0 {
		t.Errorf("unknown chats cached %d sources, want 0", n)
	}
	for _, chat := range []int64{chatA, chatB, 3003, chatA} {
		if _, err := e.flow.TokenSource(chat).Token(); err != nil {
			t.Fatalf("Token(%d): %v", chat, err)
		}
	}
	if n := e.flow.cached(); n != 2 {
		t.Errorf("cached %d sources, want the bound, 2", n)
	}
}

// TestLastBrowserToPassTheCheckFinishes: the owner may open the link again
// in another browser; only that one can finish then.
func TestLastBrowserToPassTheCheckFinishes(t *testing.T) {
	e := newEnv(t)
	start := e.begin(chatA, userA, "en")
	first := e.authURL(start)
	second := e.browser()
	resp := e.fetch(second, http.MethodGet, e.pressed(start, userA), nil)
	if resp.status != http.StatusFound {
		t.Fatalf("start in the second browser = %d", resp.status)
	}
	if got := e.get(e.approve(first, alice)); got.status != http.StatusForbidden {
		t.Errorf("callback in the first browser = %d, want 403", got.status)
	}
	if got := e.fetch(second, http.MethodGet, e.approve(resp.header.Get("Location"), alice), nil); got.status != http.StatusOK {
		t.Errorf("callback in the second browser = %d, want 200\n%s", got.status, got.body)
	}
}
