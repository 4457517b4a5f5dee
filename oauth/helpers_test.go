package oauth

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

const (
	testClientID = "123-abc.apps.googleusercontent.com"
	// testSecret is distinctive so that a search of the logs for it cannot
	// match by accident.
	testSecret = "GOCSPX-test-secret-Zq8v1Xw3"

	chatA, userA = int64(1001), int64(501)
	chatB, userB = int64(2002), int64(502)

	// testBotToken keys Telegram's login_url signatures.
	testBotToken = "123456:AAH-test-bot-token-Kq2mW7xZ0pLvR4sT9yU"
)

var (
	alice = oauthfake.Account{Sub: "100000000000000000001", Email: "alice@example.com"}
	bob   = oauthfake.Account{Sub: "100000000000000000002", Email: "bob@example.org"}

	flowKey = bytes.Repeat([]byte{7}, 32)
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a bytes.Buffer that handlers on other goroutines may log to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is calbot's side of a sign-in (a Flow serving /oauth/* on 127.0.0.1,
// with a real database) wired to a fake Google.
type env struct {
	t      testing.TB
	g      *oauthfake.Server
	flow   *Flow
	db     *storage.DB
	clock  *fakeClock
	app    *httptest.Server
	client *http.Client // the user's browser: keeps cookies, does not follow redirects
	logs   *syncBuffer

	mu      sync.Mutex
	results []Result

	// allowUnexpected turns off the check, at cleanup, that the fake saw
	// nothing a correct client never sends; for tests that misconfigure the
	// client on purpose.
	allowUnexpected bool
}

// newEnv starts a fake Google and a Flow that uses it. opts change the
// Flow's configuration before New sees it.
func newEnv(t testing.TB, opts ...func(*Config)) *env {
	t.Helper()
	// The app server must exist before the fake, which needs the exact
	// redirect URI; its handler is filled in below.
	mux := http.NewServeMux()
	app := httptest.NewTLSServer(mux)
	t.Cleanup(app.Close)

	// The clock starts at the real time: x/oauth2 computes expiries with
	// time.Now, and the fake and the Flow must agree with it.
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
	g := oauthfake.New(t, testClientID, testSecret, RedirectURL(app.URL))
	g.SetClock(clock.Now)

	db, err := storage.Open(filepath.Join(t.TempDir(), "calbot.db"), bytes.Repeat([]byte{9}, 32), storage.Options{})
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	e := &env{
		t:     t,
		g:     g,
		db:    db,
		clock: clock,
		app:   app,
		logs:  &syncBuffer{},
	}
	e.client = e.browser()
	cfg := Config{
		ClientID:     testClientID,
		ClientSecret: testSecret,
		AuthURL:      g.AuthURL(),
		TokenURL:     g.TokenURL(),
		RevokeURL:    g.RevokeURL(),
		PublicURL:    app.URL,
		StateKey:     flowKey,
		BotToken:     testBotToken,
		HTTPClient:   &http.Client{Timeout: 10 * time.Second},
		Now:          clock.Now,
		Logger:       slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnResult: func(_ context.Context, r Result) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.results = append(e.results, r)
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.flow = New(cfg, db)
	mux.HandleFunc("GET /oauth/start", e.flow.HandleStart)
	mux.HandleFunc("POST /oauth/start", e.flow.HandleContinue)
	mux.HandleFunc("GET /oauth/callback", e.flow.HandleCallback)

	t.Cleanup(func() {
		if e.allowUnexpected {
			g.TakeUnexpected() // checked by the test; the fake reports the rest
		}
		for _, secret := range []string{testSecret, testBotToken, strings.Split(testBotToken, ":")[1]} {
			if strings.Contains(e.logs.String(), secret) {
				t.Errorf("a secret was logged:\n%s", e.logs)
			}
		}
	})
	return e
}

// response is what the browser got.
type response struct {
	status int
	header http.Header
	body   string
}

// browser returns a new browser: it trusts the app's certificate, keeps
// cookies and does not follow redirects.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Transport:     e.app.Client().Transport,
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// get fetches rawURL in the user's browser, without following redirects.
// header holds optional request header pairs.
func (e *env) get(rawURL string, header ...string) response {
	e.t.Helper()
	return e.do(http.MethodGet, rawURL, header...)
}

func (e *env) do(method, rawURL string, header ...string) response {
	e.t.Helper()
	return e.fetch(e.client, method, rawURL, nil, header...)
}

// fetch sends a request with browser c; body, if not nil, is posted as a
// form.
func (e *env) fetch(c *http.Client, method, rawURL string, body url.Values, header ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, rawURL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(got)}
}

// begin starts a sign-in and returns the link the chat would get.
func (e *env) begin(chatID, userID int64, lang string) string {
	e.t.Helper()
	in, err := e.flow.Begin(context.Background(), chatID, tgUser(userID), lang)
	if err != nil {
		e.t.Fatalf("Begin(%d, %d, %q): %v", chatID, userID, lang, err)
	}
	if in.LoginURL != (e.flow.Check() == CheckTelegram) {
		e.t.Fatalf("Begin says LoginURL %v with check %v", in.LoginURL, e.flow.Check())
	}
	return in.URL
}

// tgUser is the Telegram user with id, as tests name them.
func tgUser(id int64) Person {
	return Person{ID: id, FirstName: "User " + strconv.FormatInt(id, 10), Username: "user" + strconv.FormatInt(id, 10)}
}

// pressed returns link as Telegram opens a login_url button that user
// pressed at the flow's now: with the user's identity signed.
func (e *env) pressed(link string, user int64) string {
	e.t.Helper()
	return signLogin(e.t, link, testBotToken, url.Values{
		"id": {strconv.FormatInt(user, 10)}, "first_name": {"User"}, "username": {"user" + strconv.FormatInt(user, 10)},
		"auth_date": {strconv.FormatInt(e.clock.Now().Unix(), 10)},
	})
}

// signLogin appends fields to link with Telegram's hash keyed by token, as
// https://core.telegram.org/widgets/login#checking-authorization describes.
func signLogin(t testing.TB, link, token string, fields url.Values) string {
	t.Helper()
	kv := []string{"hash", telegramfake.SignLogin(token, fields)}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		kv = append(kv, k, fields.Get(k))
	}
	return withQuery(t, link, kv...)
}

// authURL opens the start link as its user would, from Telegram or through
// the page, and returns the URL of Google's consent page.
func (e *env) authURL(start string) string {
	e.t.Helper()
	s, err := ParseState(flowKey, queryParam(e.t, start, "state"), e.clock.Now())
	if err != nil {
		e.t.Fatalf("ParseState: %v", err)
	}
	var resp response
	if e.flow.Check() == CheckTelegram {
		resp = e.get(e.pressed(start, s.UserID))
	} else {
		resp = e.cont(e.client, e.get(start))
	}
	loc := resp.header.Get("Location")
	if (resp.status != http.StatusFound && resp.status != http.StatusSeeOther) || !strings.HasPrefix(loc, e.g.AuthURL()+"?") {
		e.t.Fatalf("open %s = %d, Location %q; want a redirect to %s\n%s", start, resp.status, loc, e.g.AuthURL(), resp.body)
	}
	return loc
}

var formField = regexp.MustCompile(`name="(state|confirm)" value="([^"]*)"`)

// cont presses Continue on the confirm page (of CheckPage) in browser c.
func (e *env) cont(c *http.Client, page response) response {
	e.t.Helper()
	form := url.Values{}
	for _, m := range formField.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if form.Get("state") == "" {
		e.t.Fatalf("no Continue form on the page:\n%s", page.body)
	}
	return e.fetch(c, http.MethodPost, e.app.URL+"/oauth/start", form)
}

// approve presses Allow on Google's page as acct and returns where Google
// sends the browser back.
func (e *env) approve(authURL string, acct oauthfake.Account, grant ...string) string {
	e.t.Helper()
	cb, err := e.g.Approve(authURL, acct, grant...)
	if err != nil {
		e.t.Fatalf("Approve as %s: %v", acct.Email, err)
	}
	return cb
}

// connect runs a whole sign-in of acct for the chat and checks it succeeded.
func (e *env) connect(chatID, userID int64, acct oauthfake.Account) storage.Link {
	e.t.Helper()
	cb := e.approve(e.authURL(e.begin(chatID, userID, "en")), acct)
	if resp := e.get(cb); resp.status != http.StatusOK || !strings.Contains(resp.body, pages["en"][pageConnected].Title) {
		e.t.Fatalf("callback as %s = %d\n%s\nwant 200 and the connected page", acct.Email, resp.status, resp.body)
	}
	return e.link(chatID)
}

// link returns the chat's stored link and fails the test if there is none.
func (e *env) link(chatID int64) storage.Link {
	e.t.Helper()
	l, err := e.db.Link(chatID)
	if err != nil {
		e.t.Fatalf("db.Link(%d): %v", chatID, err)
	}
	return l
}

// noLink fails the test if the chat has a stored link.
func (e *env) noLink(chatID int64) {
	e.t.Helper()
	if l, err := e.db.Link(chatID); !errors.Is(err, storage.ErrNotFound) {
		e.t.Errorf("db.Link(%d) = %v, %v; want storage.ErrNotFound", chatID, l, err)
	}
}

// expireStored makes the chat's stored access token expired, by every
// clock, so that the next Token call of a source that has not cached it must
// refresh. Google is told to forget the access tokens too.
func (e *env) expireStored(chatID int64) {
	e.t.Helper()
	e.g.ExpireAccessTokens()
	err := e.db.UpdateLink(chatID, func(l *storage.Link) error {
		l.Expiry = e.clock.Now().Add(-time.Hour)
		return nil
	})
	if err != nil {
		e.t.Fatalf("expire stored token: %v", err)
	}
}

// gotResults returns what OnResult was told so far.
func (e *env) gotResults() []Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Result(nil), e.results...)
}

// withQuery returns rawURL with the query parameters in kv (pairs) set;
// an empty value deletes the parameter.
func withQuery(t testing.TB, rawURL string, kv ...string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parse %q: %v", rawURL, err)
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// queryParam returns parameter name of rawURL's query.
func queryParam(t testing.TB, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("parse %q: %v", rawURL, err)
	}
	return u.Query().Get(name)
}

// nonce returns the nonce of a state the flow signed.
func (e *env) nonce(state string) []byte {
	e.t.Helper()
	s, err := ParseState(flowKey, state, e.clock.Now())
	if err != nil {
		e.t.Fatalf("ParseState(%q): %v", state, err)
	}
	return s.Nonce[:]
}
