package main

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

const (
	testBotToken     = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
	testClientID     = "123-test.apps.googleusercontent.com"
	testClientSecret = "GOCSPX-fake-secret-for-tests"
	testSecretKey    = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // "0123456789abcdef0123456789abcdef"
	waitFor          = 10 * time.Second
)

var (
	alice   = telegramfake.User{ID: 1001, FirstName: "Alice", LanguageCode: "en"}
	boris   = telegramfake.User{ID: 1002, FirstName: "Борис", LanguageCode: "ru"}
	aliceG  = oauthfake.Account{Sub: "100000000000000000001", Email: "alice@example.com"}
	borisG  = oauthfake.Account{Sub: "100000000000000000002", Email: "boris@example.ru"}
	moscow  = mustZone("Europe/Moscow")
	startAt = time.Date(2026, 11, 21, 9, 0, 0, 0, moscow) // a Saturday
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// clock is the calbot's injected time, which tests move by hand. It is
// the scheduler's schedule.Clock too: Advance fires the timers it passes.
type clock struct {
	mu      sync.Mutex
	t       time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.t
	}
	c.waiters = kept
}

// After is like time.After on the test's time.
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.t
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.t.Add(d), ch: ch})
	return ch
}

// syncBuffer collects calbot's log across goroutines.
type syncBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	grown chan struct{} // closed and replaced by every Write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.grown != nil {
		close(b.grown)
		b.grown = nil
	}
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// wait returns after the next Write, or at deadline.
func (b *syncBuffer) wait(deadline time.Time) {
	b.mu.Lock()
	if b.grown == nil {
		b.grown = make(chan struct{})
	}
	grown := b.grown
	b.mu.Unlock()
	select {
	case <-grown:
	case <-time.After(time.Until(deadline)):
	}
}

// harness is calbot running in this process against fake Telegram and
// Google servers on 127.0.0.1, with a real database in a temp dir.
type harness struct {
	t      *testing.T
	tg     *telegramfake.Server
	g      *oauthfake.Server
	cal    *calendarfake.Server
	public string
	clock  *clock
	logs   *syncBuffer
	web    *http.Client // the users' browser: keeps cookies, shows redirects instead of following them
	dbPath string
	stop   func() error // stops calbot (once) and returns what serve returned
	// scheduled runs the scheduler on the test's clock; without it the
	// scheduler is left out, as its background reads would race with the
	// faults other tests inject.
	scheduled bool
}

// withScheduler runs calbot's scheduler, on the test's clock.
func withScheduler(h *harness, _ *env) { h.scheduled = true }

// option changes the environment a harness starts calbot with; it may use
// the fakes, which exist by then.
type option func(*harness, *env)

// newHarness starts calbot with an https PUBLIC_URL, as behind a reverse
// proxy that terminates TLS: /connect sends a login_url button.
func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	return newHarnessAt(t, "https", opts...)
}

// newHarnessAt starts calbot with PUBLIC_URL in scheme: "https" (login_url
// buttons, as in production), or "http", where Telegram takes no login_url
// and calbot shows a page naming the Telegram account instead.
func newHarnessAt(t *testing.T, scheme string, opts ...option) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, public: scheme + "://" + ln.Addr().String(), clock: &clock{t: startAt}, logs: &syncBuffer{}}
	h.tg = telegramfake.New(t, testBotToken)
	h.tg.SetClock(h.clock.Now)
	h.g = oauthfake.New(t, testClientID, testClientSecret, h.public+"/oauth/callback")
	h.cal = calendarfake.New(t, func(bearer string) (string, bool) {
		acct, _, ok := h.g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	// Google checks each call's scopes against the token's grant; so does
	// the fake, so a feature that needs more than /connect asked for fails
	// here as it would in production.
	h.cal.SetScopes(h.g.Scopes)
	for _, a := range []oauthfake.Account{aliceG, borisG} {
		h.cal.SetZone(a.Email, "Europe/Moscow")
	}
	h.web = newBrowser()
	h.dbPath = t.TempDir() + "/calbot.db"
	e := h.env()
	for _, o := range opts {
		o(h, &e)
	}
	cfg, err := e.validate()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(h.logs, testLog{t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, deps{log: log, now: h.clock.Now, ln: ln, clock: h.clock, noSchedule: !h.scheduled})
	}()
	var once sync.Once
	var stopErr error
	h.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(2 * waitFor):
				stopErr = errors.New("calbot did not stop within 20s of cancellation")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		h.checkLogs() // the fakes report unexpected requests themselves
	})
	return h
}

// newBrowser returns a browser that keeps cookies and shows redirects
// instead of following them. It reaches an https PUBLIC_URL as through a
// reverse proxy that terminates TLS: calbot itself serves plain http.
func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Transport:     tlsProxy{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// tlsProxy forwards https requests to 127.0.0.1 as plain http, as the
// proxy in front of calbot does.
type tlsProxy struct{}

func (tlsProxy) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "https" && strings.HasPrefix(r.URL.Host, "127.0.0.1:") {
		r = r.Clone(r.Context())
		r.URL.Scheme = "http"
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (h *harness) env() env {
	return env{
		TelegramBotToken: testBotToken, PublicURL: h.public,
		GoogleClientID: testClientID, GoogleClientSecret: testClientSecret,
		SecretKey: testSecretKey, HTTPAddr: "127.0.0.1:0", DBPath: h.dbPath, LogLevel: "debug",
		TelegramAPIURL: h.tg.URL(), GoogleAuthURL: h.g.AuthURL(), GoogleTokenURL: h.g.TokenURL(),
		GoogleRevokeURL: h.g.RevokeURL(), GoogleCalendarURL: h.cal.URL(),
		LogFormat: "text", ShutdownTimeout: "10s", Concurrency: "16",
		// Pacing has tests of its own; here it would only slow the story.
		TelegramGlobalRate: "0", TelegramChatRate: "0",
	}
}

// testLog sends calbot's log to t.Log, so a failing test shows it.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// checkLogs fails the test if a secret reached the log. The fakes' tokens
// have Google's shapes: codes 4/0A…, access ya29.…, refresh 1//0….
func (h *harness) checkLogs() {
	logs := h.logs.String()
	for _, secret := range []string{testBotToken, strings.Split(testBotToken, ":")[1], testClientSecret, testSecretKey, "ya29.", "1//0", "4/0A"} {
		if i := strings.Index(logs, secret); i >= 0 {
			// Show where, with the secret itself cut out.
			from, to := max(0, i-60), min(len(logs), i+len(secret)+20)
			h.t.Errorf("the log contains a secret (%.6s…) in %q", secret, logs[from:i]+"<SECRET>"+logs[i+len(secret):to])
		}
	}
}

// say sends text from u in its private chat and returns the bot's next
// message there.
func (h *harness) say(u telegramfake.User, text string) telegramfake.SentMessage {
	h.t.Helper()
	h.tg.SendText(u, telegramfake.Private(u), text)
	return h.tg.WaitMessage(h.t, u.ID, waitFor)
}

// get fetches u in the users' browser.
func (h *harness) get(u string) (*http.Response, string) {
	h.t.Helper()
	return h.fetch(h.web, u)
}

// fetch GETs u with browser c, which does not follow redirects.
func (h *harness) fetch(c *http.Client, u string) (*http.Response, string) {
	h.t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		h.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// connectLink sends /connect and returns the sign-in link of the button: a
// login_url button for an https PUBLIC_URL, a URL button for http.
func (h *harness) connectLink(u telegramfake.User) string {
	h.t.Helper()
	m := h.say(u, "/connect")
	if m.Markup == nil || len(m.Markup.InlineKeyboard) == 0 {
		h.t.Fatalf("/connect reply has no button: %+v", m)
	}
	if !m.DisablePreview {
		h.t.Error("/connect reply lets Telegram preview links")
	}
	b := m.Markup.InlineKeyboard[0][0]
	switch {
	case strings.HasPrefix(h.public, "https://") && b.LoginURL != nil:
		return b.LoginURL.URL
	case strings.HasPrefix(h.public, "http://") && b.URL != nil:
		return *b.URL
	}
	h.t.Fatalf("/connect button = %+v, want a login_url button for https, a URL button for http", b)
	return ""
}

// consent opens a sign-in link as u would, in browser c (h.web if nil): from
// Telegram's login_url button, or through the page that names the Telegram
// account. It returns the URL of Google's consent page.
func (h *harness) consent(u telegramfake.User, link string, c ...*http.Client) string {
	h.t.Helper()
	browser := h.web
	if len(c) > 0 {
		browser = c[0]
	}
	resp := h.open(browser, u, link)
	loc := resp.Header.Get("Location")
	if (resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther) || !strings.HasPrefix(loc, h.g.AuthURL()+"?") {
		h.t.Fatalf("sign-in link = %s to %q, want a redirect to Google's consent page", resp.Status, loc)
	}
	return loc
}

// open opens link as u pressing its button, in browser c, and presses
// Continue on the page if calbot shows one.
func (h *harness) open(c *http.Client, u telegramfake.User, link string) *http.Response {
	h.t.Helper()
	if strings.HasPrefix(h.public, "https://") {
		pressed, err := h.tg.LoginURL(u, link)
		if err != nil {
			h.t.Fatalf("press login_url: %v", err)
		}
		resp, _ := h.fetch(c, pressed)
		return resp
	}
	resp, page := h.fetch(c, link)
	if resp.StatusCode != http.StatusOK {
		return resp
	}
	form := url.Values{}
	for _, m := range formField.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if form.Get("state") == "" {
		h.t.Fatalf("sign-in page has no Continue form:\n%s", page)
	}
	resp, err := c.PostForm(h.public+"/oauth/start", form)
	if err != nil {
		h.t.Fatalf("POST Continue: %v", err)
	}
	resp.Body.Close()
	return resp
}

var formField = regexp.MustCompile(`name="(state|confirm)" value="([^"]*)"`)

// connect links u's chat to acct through the whole flow and returns the
// callback page and the bot's message.
func (h *harness) connect(u telegramfake.User, acct oauthfake.Account, grant ...string) (int, string, telegramfake.SentMessage) {
	h.t.Helper()
	cb, err := h.g.Approve(h.consent(u, h.connectLink(u)), acct, grant...)
	if err != nil {
		h.t.Fatalf("Approve: %v", err)
	}
	resp, body := h.get(cb)
	return resp.StatusCode, body, h.tg.WaitMessage(h.t, u.ID, waitFor)
}

// seed puts a typical Saturday into acct's calendar.
func (h *harness) seed(acct oauthfake.Account) {
	day := func(d, hh, mm int) string { return time.Date(2026, 11, d, hh, mm, 0, 0, moscow).Format(time.RFC3339) }
	for _, e := range []*gcal.Event{
		{Id: "standup01", Summary: "Standup <team> & co", Location: "Room 1", Start: &gcal.EventDateTime{DateTime: day(21, 10, 0)}, End: &gcal.EventDateTime{DateTime: day(21, 10, 15)}},
		{Id: "party001", Summary: "Party", Start: &gcal.EventDateTime{DateTime: day(20, 22, 0)}, End: &gcal.EventDateTime{DateTime: day(21, 2, 0)}},
		{Id: "holiday1", Summary: "Holiday", Start: &gcal.EventDateTime{Date: "2026-11-21"}, End: &gcal.EventDateTime{Date: "2026-11-22"}},
		{Id: "gym00001", Summary: "Gym", Start: &gcal.EventDateTime{DateTime: day(19, 8, 0)}, End: &gcal.EventDateTime{DateTime: day(19, 9, 0)}, Recurrence: []string{"RRULE:FREQ=DAILY;COUNT=5"}},
		{Id: "train001", Summary: "Night train", Start: &gcal.EventDateTime{DateTime: day(21, 23, 30)}, End: &gcal.EventDateTime{DateTime: day(22, 7, 0)}},
		{Id: "tomorrow", Summary: "Not today", Start: &gcal.EventDateTime{DateTime: day(22, 12, 0)}, End: &gcal.EventDateTime{DateTime: day(22, 13, 0)}},
	} {
		h.cal.Add(acct.Email, e)
	}
}

func mustQuery(t *testing.T, raw, key string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}
