package oauth

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

// checkPageHeaders checks what every page a browser gets from /oauth/* must
// carry: nothing cached, no referrer leaked, nothing loaded from elsewhere.
func checkPageHeaders(t testing.TB, what string, resp response) {
	t.Helper()
	for _, h := range []struct{ name, want string }{
		{"Cache-Control", "no-store"},
		{"Referrer-Policy", "no-referrer"},
		{"Content-Type", "text/html; charset=utf-8"},
		{"X-Content-Type-Options", "nosniff"},
	} {
		if got := resp.header.Get(h.name); got != h.want {
			t.Errorf("%s: %s = %q, want %q", what, h.name, got, h.want)
		}
	}
	if csp := resp.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("%s: Content-Security-Policy = %q, want default-src 'none'", what, csp)
	}
	for _, ext := range []string{"http", "src=", "href=", "//"} {
		if strings.Contains(resp.body, ext) {
			t.Errorf("%s: page contains %q, want no external reference:\n%s", what, ext, resp.body)
		}
	}
}

// checkBrowserCookie checks the cookie that binds a login to the browser.
func checkBrowserCookie(t testing.TB, resp response) {
	t.Helper()
	var found bool
	for _, c := range (&http.Response{Header: resp.header}).Cookies() {
		if !strings.HasPrefix(c.Name, "calbot_login_") {
			continue
		}
		found = true
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/oauth/" || c.MaxAge <= 0 {
			t.Errorf("browser cookie = %+v, want HttpOnly, Secure, SameSite=Lax, Path=/oauth/, a Max-Age", c)
		}
	}
	if !found {
		t.Errorf("no browser cookie set: %q", resp.header.Values("Set-Cookie"))
	}
}

func TestConnect(t *testing.T) {
	tests := []struct {
		name, lang     string
		acceptLanguage string
		wantLang       string
	}{
		{"english chat", "en", "ru-RU,ru;q=0.9", "en"},
		{"russian chat", "ru", "en-US", "ru"},
		{"unknown chat language, russian browser", "", "ru-RU,ru;q=0.9", "ru"},
		{"unknown chat language, other browser", "de", "de-DE", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			start := e.begin(chatA, userA, tt.lang)
			if !strings.HasPrefix(start, e.app.URL+"/oauth/start?state=") {
				t.Fatalf("Begin = %q, want %s/oauth/start?state=…", start, e.app.URL)
			}
			state := queryParam(t, start, "state")

			resp := e.get(e.pressed(start, userA))
			if resp.status != http.StatusFound {
				t.Fatalf("GET start = %d, want 302\n%s", resp.status, resp.body)
			}
			checkBrowserCookie(t, resp)
			for _, h := range []string{"Cache-Control: no-store", "Referrer-Policy: no-referrer"} {
				name, want, _ := strings.Cut(h, ": ")
				if got := resp.header.Get(name); got != want {
					t.Errorf("GET start: %s = %q, want %q", name, got, want)
				}
			}
			auth := resp.header.Get("Location")
			if !strings.HasPrefix(auth, e.g.AuthURL()+"?") {
				t.Fatalf("GET start redirects to %q, want %s", auth, e.g.AuthURL())
			}
			p, err := e.db.Pending(e.nonce(state), e.clock.Now())
			if err != nil {
				t.Fatalf("pending login after GET start: %v", err)
			}
			if strings.Contains(start, p.Verifier) || strings.Contains(auth, p.Verifier) {
				t.Errorf("the PKCE verifier left the server: %q / %q", start, auth)
			}
			for _, q := range []struct{ name, want string }{
				{"client_id", testClientID},
				{"redirect_uri", e.app.URL + "/oauth/callback"},
				{"response_type", "code"},
				{"access_type", "offline"},
				{"prompt", "consent"},
				{"code_challenge_method", "S256"},
				{"state", state},
			} {
				if got := queryParam(t, auth, q.name); got != q.want {
					t.Errorf("auth URL %s = %q, want %q", q.name, got, q.want)
				}
			}
			scopes := strings.Fields(queryParam(t, auth, "scope"))
			slices.Sort(scopes)
			if want := []string{"email", "https://www.googleapis.com/auth/calendar.events.owned", "openid"}; !slices.Equal(scopes, want) {
				t.Errorf("auth URL scope = %q, want %q", scopes, want)
			}

			cb := e.approve(auth, alice)
			code := queryParam(t, cb, "code")
			resp = e.get(cb, "Accept-Language", tt.acceptLanguage)
			if resp.status != http.StatusOK {
				t.Fatalf("GET callback = %d, want 200\n%s", resp.status, resp.body)
			}
			checkPageHeaders(t, "callback", resp)
			title := pages[tt.wantLang][pageConnected].Title
			if !strings.Contains(resp.body, title) || !strings.Contains(resp.body, alice.Email) {
				t.Errorf("callback page does not say %q and %s:\n%s", title, alice.Email, resp.body)
			}
			if strings.Contains(resp.body, code) {
				t.Errorf("callback page echoes the code:\n%s", resp.body)
			}

			if name := tgUser(userA).Name(); !strings.Contains(resp.body, name) {
				t.Errorf("callback page does not name the Telegram account %q:\n%s", name, resp.body)
			}
			want := []Result{{Outcome: Connected, ChatID: chatA, UserID: userA, Lang: tt.lang, Email: alice.Email, Person: tgUser(userA)}}
			if diff := cmp.Diff(want, e.gotResults()); diff != "" {
				t.Errorf("OnResult calls (-want +got):\n%s", diff)
			}
			l := e.link(chatA)
			if l.ChatID != chatA || l.UserID != userA || l.Sub != alice.Sub || l.Email != alice.Email || l.Lang != tt.lang {
				t.Errorf("stored link = %+v, want chat %d, user %d, %s %s, lang %q", l, chatA, userA, alice.Sub, alice.Email, tt.lang)
			}
			if !strings.Contains(" "+l.Scope+" ", " "+CalendarScope+" ") {
				t.Errorf("stored scope = %q, want it to include %s", l.Scope, CalendarScope)
			}
			if l.RefreshToken == "" || e.g.Revoked(l.RefreshToken) {
				t.Errorf("stored refresh token %q is empty or revoked", l.RefreshToken)
			}
			if acct, _, ok := e.g.AccessTokenOwner(l.AccessToken); !ok || acct != alice {
				t.Errorf("stored access token belongs to %v (ok %v), want %v", acct, ok, alice)
			}
			if !l.Expiry.After(e.clock.Now()) || !l.LinkedAt.Equal(e.clock.Now()) {
				t.Errorf("stored expiry %v, linked at %v; want after and at %v", l.Expiry, l.LinkedAt, e.clock.Now())
			}
			if got, err := e.flow.Account(chatA); err != nil || got.Email != alice.Email {
				t.Errorf("Account(%d) = %v, %v; want %s", chatA, got, err, alice.Email)
			}
			for _, r := range []struct {
				kind string
				want int
			}{{"authorization_code", 1}, {"refresh_token", 0}, {"revoke", 0}} {
				if got := e.g.Requests(r.kind); got != r.want {
					t.Errorf("Requests(%q) = %d, want %d", r.kind, got, r.want)
				}
			}
			if _, err := e.db.Pending(e.nonce(state), e.clock.Now()); err == nil {
				t.Errorf("pending login still there after the callback")
			}
		})
	}
}

// TestStartIsSafeToFetchTwice: Telegram fetches links to build previews, and
// people tap twice.
func TestStartIsSafeToFetchTwice(t *testing.T) {
	e := newEnv(t)
	start := e.begin(chatA, userA, "en")
	// A preview fetches the bare link: it is refused and changes nothing.
	if resp := e.fetch(e.browser(), http.MethodGet, start, nil); resp.status != http.StatusForbidden {
		t.Fatalf("GET bare start = %d, want 403", resp.status)
	}
	pressed := e.pressed(start, userA)
	if resp := e.do(http.MethodHead, pressed); resp.status != http.StatusNoContent || len(resp.header.Values("Set-Cookie")) != 0 {
		t.Errorf("HEAD start = %d, cookies %q; want 204 and none", resp.status, resp.header.Values("Set-Cookie"))
	}
	var locs []string
	for range 2 {
		resp := e.get(pressed)
		if resp.status != http.StatusFound {
			t.Fatalf("GET start = %d, want 302\n%s", resp.status, resp.body)
		}
		locs = append(locs, resp.header.Get("Location"))
	}
	if locs[0] != locs[1] {
		t.Errorf("start redirects to different places: %q", locs)
	}
	if resp := e.get(e.approve(locs[1], alice)); resp.status != http.StatusOK {
		t.Fatalf("callback after fetches of start = %d, want 200\n%s", resp.status, resp.body)
	}
	if got := e.link(chatA).Email; got != alice.Email {
		t.Errorf("linked %q, want %q", got, alice.Email)
	}
	if got := e.g.Requests("authorization_code"); got != 1 {
		t.Errorf("Requests(authorization_code) = %d, want 1", got)
	}
}

func TestCallbackIgnoresUnknownParams(t *testing.T) {
	e := newEnv(t)
	cb := e.approve(e.authURL(e.begin(chatA, userA, "en")), alice)
	cb = withQuery(t, cb,
		"iss", "https://evil.example", "authuser", "7", "prompt", "none",
		"hd", "example.com", "session_state", "<script>x</script>")
	resp := e.get(cb)
	if resp.status != http.StatusOK || !strings.Contains(resp.body, pages["en"][pageConnected].Title) {
		t.Fatalf("GET callback with extra params = %d, want 200 connected\n%s", resp.status, resp.body)
	}
	if strings.Contains(resp.body, "evil") || strings.Contains(resp.body, "script") {
		t.Errorf("page echoes query parameters:\n%s", resp.body)
	}
	if got := e.link(chatA).Email; got != alice.Email {
		t.Errorf("linked %q, want %q", got, alice.Email)
	}
}

func TestRelink(t *testing.T) {
	tests := []struct {
		name         string
		other        *oauthfake.Account // linked to chat B first, if not nil
		chat2        int64
		first, again oauthfake.Account
		wantReplaced string
		wantGrant    Revocation
		oldRevoked   bool
	}{
		{"same chat, other account", nil, chatA, alice, bob, alice.Email, Revoked, true},
		// Google revokes an account's whole grant: revoking the old token
		// would cut off the new one.
		{"same chat, same account", nil, chatA, alice, alice, alice.Email, KeptInUse, false},
		{"same chat, old account linked in another chat", &alice, chatA, alice, bob, alice.Email, KeptInUse, false},
		{"other chat", nil, chatB, alice, bob, "", Revoked, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var otherLink storage.Link
			if tt.other != nil {
				otherLink = e.connect(chatB, userB, *tt.other)
			}
			old := e.connect(chatA, userA, tt.first)
			// The first source caches the old grant; re-linking must drop it.
			if _, err := e.flow.TokenSource(chatA).Token(); err != nil {
				t.Fatalf("Token before re-link: %v", err)
			}
			cur := e.connect(tt.chat2, userA, tt.again)

			results := e.gotResults()
			last := results[len(results)-1]
			want := Result{Outcome: Connected, ChatID: tt.chat2, UserID: userA, Lang: "en", Email: tt.again.Email, Person: tgUser(userA),
				Replaced: tt.wantReplaced, ReplacedGrant: tt.wantGrant}
			if last != want {
				t.Errorf("last result = %+v, want %+v", last, want)
			}
			if cur.Sub != tt.again.Sub {
				t.Errorf("chat %d linked to %s, want %s", tt.chat2, cur.Sub, tt.again.Sub)
			}
			if got := e.g.Revoked(old.RefreshToken); got != tt.oldRevoked {
				t.Errorf("old refresh token revoked = %v, want %v", got, tt.oldRevoked)
			}
			if e.g.Revoked(cur.RefreshToken) {
				t.Errorf("new refresh token revoked")
			}
			if tt.other != nil && e.g.Revoked(otherLink.RefreshToken) {
				t.Errorf("chat %d's grant was revoked by chat %d's re-link", chatB, chatA)
			}
			tok, err := e.flow.TokenSource(tt.chat2).Token()
			if err != nil || tok.AccessToken != cur.AccessToken {
				t.Errorf("Token of chat %d after re-link = %v, %v; want the new grant's access token", tt.chat2, tok, err)
			}
			if tt.chat2 != chatA {
				if got := e.link(chatA); got.RefreshToken != old.RefreshToken {
					t.Errorf("chat %d's link changed when chat %d linked", chatA, tt.chat2)
				}
			}
		})
	}
}
