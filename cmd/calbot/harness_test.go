package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
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

// clock is the calbot's injected time, which tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects calbot's log across goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

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
	web    *http.Client // a browser that shows redirects instead of following them
	dbPath string
	stop   func() error // stops calbot (once) and returns what serve returned
}

// option changes the environment a harness starts calbot with; it may use
// the fakes, which exist by then.
type option func(*harness, *env)

func newHarness(t *testing.T, opts ...option) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, public: "http://" + ln.Addr().String(), clock: &clock{t: startAt}, logs: &syncBuffer{}}
	h.tg = telegramfake.New(t, testBotToken)
	h.g = oauthfake.New(t, testClientID, testClientSecret, h.public+"/oauth/callback")
	h.cal = calendarfake.New(t, func(bearer string) (string, bool) {
		acct, _, ok := h.g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	for _, a := range []oauthfake.Account{aliceG, borisG} {
		h.cal.SetZone(a.Email, "Europe/Moscow")
	}
	h.web = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
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
	go func() { done <- serve(ctx, cfg, deps{log: log, now: h.clock.Now, ln: ln}) }()
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
		h.checkLogs()
		if u := h.g.Unexpected(); len(u) > 0 {
			t.Errorf("fake Google saw requests a correct client never makes: %q", u)
		}
	})
	return h
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

// get fetches u like a browser that does not follow redirects.
func (h *harness) get(u string) (*http.Response, string) {
	h.t.Helper()
	resp, err := h.web.Get(u)
	if err != nil {
		h.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// connectLink sends /connect and returns the sign-in link of the button.
func (h *harness) connectLink(u telegramfake.User) string {
	h.t.Helper()
	m := h.say(u, "/connect")
	if m.Markup == nil || len(m.Markup.InlineKeyboard) == 0 || m.Markup.InlineKeyboard[0][0].URL == nil {
		h.t.Fatalf("/connect reply has no URL button: %+v", m)
	}
	if !m.DisablePreview {
		h.t.Error("/connect reply lets Telegram preview links")
	}
	return *m.Markup.InlineKeyboard[0][0].URL
}

// consent follows a sign-in link to Google's consent page and returns its URL.
func (h *harness) consent(link string) string {
	h.t.Helper()
	resp, _ := h.get(link)
	if resp.StatusCode != http.StatusFound {
		h.t.Fatalf("GET sign-in link = %s, want 302 to Google", resp.Status)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, h.g.AuthURL()+"?") {
		h.t.Fatalf("sign-in link redirects to %q, not to Google's consent page", loc)
	}
	return loc
}

// connect links u's chat to acct through the whole flow and returns the
// callback page and the bot's message.
func (h *harness) connect(u telegramfake.User, acct oauthfake.Account, grant ...string) (int, string, telegramfake.SentMessage) {
	h.t.Helper()
	cb, err := h.g.Approve(h.consent(h.connectLink(u)), acct, grant...)
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
