package bot

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

const (
	testToken = "123456789:AAFakeTokenForBotTestsOnly_abcdefgh"
	waitFor   = 10 * time.Second
)

var (
	alice   = telegramfake.User{ID: 1001, FirstName: "Alice", LanguageCode: "en"}
	boris   = telegramfake.User{ID: 1002, FirstName: "Борис", LanguageCode: "ru"}
	startAt = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
)

// fakeClock is a Clock whose Sleep returns at once and moves time on, so
// tests of waits never wait. It records what was slept.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: startAt} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return nil
}

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// syncBuffer collects the bot's log across goroutines.
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

// accounts links every chat to the Google account named in emails, with a
// token that calendarfake takes as that account.
type accounts struct{ emails map[int64]string }

func (a accounts) Begin(context.Context, int64, oauth.Person, string) (oauth.SignIn, error) {
	return oauth.SignIn{URL: "https://calbot.example.org/oauth/start?s=x"}, nil
}
func (a accounts) Grow(context.Context, int64, oauth.Person, string, string) (oauth.SignIn, error) {
	return oauth.SignIn{URL: "https://calbot.example.org/oauth/start?s=grow"}, nil
}
func (a accounts) Granted(int64, string) (bool, error) { return true, nil }
func (a accounts) Disconnect(context.Context, int64) (oauth.Revocation, error) {
	return oauth.Revoked, nil
}
func (a accounts) Account(chatID int64) (storage.Link, error) {
	email, ok := a.emails[chatID]
	if !ok {
		return storage.Link{}, oauth.ErrNotLinked
	}
	return storage.Link{ChatID: chatID, Email: email}, nil
}
func (a accounts) TokenSource(chatID int64) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: a.emails[chatID], Expiry: time.Now().Add(time.Hour)})
}
func (a accounts) ExpireToken(int64) {}

// rig is a Bot against fake Telegram and Google servers, with a real
// database in a temp dir.
type rig struct {
	t     *testing.T
	b     *Bot
	tg    *telegramfake.Server
	cal   *calendarfake.Server
	db    *storage.DB
	logs  *syncBuffer
	clock *fakeClock // the Clock, unless the options replaced it
}

// newRig builds a Bot; change adjusts its Config (e.g. to put a proxy in
// front of the fake Telegram). The database closes after the test.
func newRig(t *testing.T, change func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, logs: &syncBuffer{}, clock: newFakeClock()}
	r.tg = telegramfake.New(t, testToken)
	r.cal = calendarfake.New(t, nil)
	db, err := storage.Open(t.TempDir()+"/calbot.db", bytes.Repeat([]byte{7}, 32), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.db = db
	emails := map[int64]string{alice.ID: "alice@example.com", boris.ID: "boris@example.com"}
	for id, email := range emails {
		r.cal.SetZone(email, "Europe/Moscow")
		if _, _, err := db.PutLink(storage.Link{ChatID: id, UserID: id, Email: email, RefreshToken: "1//x", LinkedAt: startAt}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{
		Token: testToken, APIURL: r.tg.URL(), HTTPClient: &http.Client{},
		PollTimeout: time.Second, Accounts: accounts{emails}, Calendar: calendar.New(r.cal.URL(), nil),
		Store: db, CallbackKey: rigCallbackKey, EventKey: rigEventKey, Now: func() time.Time { return startAt }, Clock: r.clock,
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(r.logs, testLog{t}), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if change != nil {
		change(&cfg)
	}
	r.b = New(cfg)
	return r
}

// start runs Start and Run; stop cancels Run and returns what it returned
// (the test fails if it does not return within waitFor).
func (r *rig) start() (stop func() error) {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.b.Start(ctx); err != nil {
		r.t.Fatalf("Start: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.b.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(waitFor):
				r.t.Fatal("Run did not return after its context ended")
			}
		})
		return err
	}
	r.t.Cleanup(func() { stop() })
	return stop
}

// testLog sends the bot's log to t.Log, so a failing test shows it.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}

// eventually waits, up to waitFor, until cond holds, checking whenever the
// fake Telegram server changes or every few milliseconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}
