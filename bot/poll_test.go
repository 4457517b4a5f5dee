package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/bot/telegramfake"
)

func TestPollingHealthyFromStart(t *testing.T) {
	r := newRig(t, func(c *Config) { c.PollTimeout = 30 * time.Second })
	now := r.b.now()
	if r.b.Polling(now) {
		t.Error("Polling before Start = true, want false")
	}
	r.start()
	// A quiet bot: the first long poll waits its whole 30 s, and /healthz
	// must say ok meanwhile.
	eventually(t, "the first getUpdates is in flight", func() bool { return r.tg.Calls("getUpdates") >= 1 })
	if !r.b.Polling(now) {
		t.Error("Polling with the first long poll in flight = false, want true")
	}
}

func TestPollingStates(t *testing.T) {
	const poll = 30 * time.Second
	now := startAt
	tests := []struct {
		name           string
		since, lastOK  time.Duration // before now; 0: never
		previousFailed bool
		want           bool
	}{
		{"never polled", 0, 0, false, false},
		{"first poll in flight", time.Second, 0, false, true},
		{"poll in flight near its deadline", poll + pollGrace - time.Second, 0, false, true},
		{"poll in flight past its deadline", poll + pollGrace + time.Second, 0, false, false},
		{"retry in flight after a failure, nothing answered", time.Second, 0, true, false},
		{"retry in flight after a failure, answered lately", time.Second, time.Minute, true, true},
		{"answered within two polls", 0, 80 * time.Second, false, true},
		{"answered long ago", 0, 2 * time.Minute, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(Config{PollTimeout: poll, CallbackKey: rigCallbackKey, EventKey: rigEventKey})
			if tt.since > 0 {
				b.pollSince.Store(now.Add(-tt.since).UnixNano())
			}
			if tt.lastOK > 0 {
				b.lastOK.Store(now.Add(-tt.lastOK).UnixNano())
			}
			b.pollFailing.Store(tt.previousFailed)
			if got := b.Polling(now); got != tt.want {
				t.Errorf("Polling = %v, want %v", got, tt.want)
			}
		})
	}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestAcceptSkipsWhatDoesNotDecode(t *testing.T) {
	r := newRig(t, nil)
	raws := []json.RawMessage{
		raw(`{"update_id":10,"message":{"message_id":1,"from":{"id":1001},"chat":{"id":1001,"type":"private"},"text":"/help"}}`),
		raw(`{"update_id":11,"message":{"message_id":2,"chat":"secret plans","text":"secret plans"}}`),
		raw(`{"message":{"text":"secret plans"`),
		raw(`{"update_id":12,"message":{"message_id":3,"from":{"id":1002},"chat":{"id":1002,"type":"private"},"text":"/today"}}`),
		raw(`{"update_id":13,"message":{"message_id":4,"date":"secret plans"}}`),
	}
	batch, next, err := r.b.accept(context.Background(), raws, 10, func(int64) int { return 0 })
	if err != nil {
		t.Fatalf("accept = %v, want the good updates kept", err)
	}
	var ids []int
	for _, u := range batch {
		ids = append(ids, u.UpdateID)
	}
	if len(ids) != 2 || ids[0] != 10 || ids[1] != 12 || next != 14 {
		t.Errorf("accept = updates %v, offset %d; want [10 12], 14 (past the bad update 13)", ids, next)
	}
	off, queued, _, err := r.db.Inbox()
	if err != nil || off != 14 || len(queued) != 2 {
		t.Errorf("stored offset %d and %d updates (%v), want 14 and 2", off, len(queued), err)
	}
	logs := r.logs.String()
	if strings.Contains(logs, "secret plans") {
		t.Error("the log quotes an update's text")
	}
	for _, want := range []string{"update_id=11", "update_id=13", "has no readable update_id"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not say %q", want)
		}
	}
}

func TestAcceptSkipsWhatWasStoredBefore(t *testing.T) {
	r := newRig(t, nil)
	raws := []json.RawMessage{raw(`{"update_id":4}`), raw(`{"update_id":5}`)}
	batch, next, err := r.b.accept(context.Background(), raws, 5, func(int64) int { return 0 })
	if err != nil || len(batch) != 1 || batch[0].UpdateID != 5 || next != 6 {
		t.Errorf("accept = %d updates, offset %d, %v; want update 5 and offset 6", len(batch), next, err)
	}
}

// flaky answers the first n calls of method with an error page as a proxy
// would, and passes the rest to next.
func flaky(t *testing.T, next http.Handler, method string, n int, status int, contentType, body string) *httptest.Server {
	var left atomic.Int64
	left.Store(int64(n))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/"+method) && left.Add(-1) >= 0 {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			w.Write([]byte(body))
			return
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const htmlPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

func TestDeliverRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     func(r *rig) string // sets the fault up; returns the API URL to use
		wantSent  bool
		wantCalls int // sendMessage requests that reached the fake
		wantSleep time.Duration
	}{
		{"json 502", func(r *rig) string {
			r.tg.FailNext("sendMessage", 2, telegramfake.Fault{Code: 502, Description: "Bad Gateway"})
			return r.tg.URL()
		}, true, 3, 0},
		{"html 502 from a proxy", func(r *rig) string {
			return flaky(r.t, r.tg.Handler(), "sendMessage", 2, http.StatusBadGateway, "text/html", htmlPage).URL
		}, true, 1, 0},
		{"html 503 without a content type", func(r *rig) string {
			return flaky(r.t, r.tg.Handler(), "sendMessage", 1, http.StatusServiceUnavailable, "", htmlPage).URL
		}, true, 1, 0},
		{"429 waits what telegram asks", func(r *rig) string {
			r.tg.FailNext("sendMessage", 1, telegramfake.TooManyRequests(7))
			return r.tg.URL()
		}, true, 2, 7 * time.Second},
		{"html 404 is not retried", func(r *rig) string {
			return flaky(r.t, r.tg.Handler(), "sendMessage", 1, http.StatusNotFound, "text/html", htmlPage).URL
		}, false, 0, 0},
		{"json 400 is not retried", func(r *rig) string {
			r.tg.FailNext("sendMessage", 1, telegramfake.Fault{Code: 400, Description: "Bad Request: chat not found"})
			return r.tg.URL()
		}, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.tg.SendText(alice, telegramfake.Private(alice), "hi") // the chat becomes known
			api := tt.fault(r)
			b := New(Config{Token: testToken, APIURL: api, Clock: r.clock, CallbackKey: rigCallbackKey, EventKey: rigEventKey})
			err := b.deliver(context.Background(), alice.ID, tgbotapi.NewMessage(alice.ID, "hello"))
			if sent := len(r.tg.Messages(alice.ID)) == 1; sent != tt.wantSent || (err == nil) != tt.wantSent {
				t.Errorf("deliver = %v, sent %v; want sent %v", err, sent, tt.wantSent)
			}
			if got := r.tg.Calls("sendMessage"); got != tt.wantCalls {
				t.Errorf("sendMessage reached Telegram %d times, want %d", got, tt.wantCalls)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("deliver's error %q contains the bot token", err)
			}
			if tt.wantSleep > 0 {
				if s := r.clock.slept(); len(s) == 0 || s[len(s)-1] != tt.wantSleep {
					t.Errorf("slept %v, want a last wait of %v", s, tt.wantSleep)
				}
			}
		})
	}
}

func TestGetUpdatesRecoversFromErrorPages(t *testing.T) {
	for _, tt := range []struct{ name, contentType, body string }{
		{"html", "text/html", htmlPage},
		{"json", "application/json", `{"ok":false,"error_code":502,"description":"Bad Gateway"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			cfg := r.b.cfg
			cfg.APIURL = flaky(t, r.tg.Handler(), "getUpdates", 3, http.StatusBadGateway, tt.contentType, tt.body).URL
			r.b = New(cfg)
			r.tg.SendText(alice, telegramfake.Private(alice), "/help")
			r.start()
			if m := r.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "/connect") {
				t.Errorf("reply after three 502s = %q, want the help", m.Text)
			}
			if s := r.clock.slept(); len(s) < 3 {
				t.Errorf("slept %v between polls, want a backoff after each of three failures", s)
			}
		})
	}
}

// TestStartIsBounded: a Telegram that drops packets (a firewall, a blocked
// host) must not hang the start with no output.
func TestStartIsBounded(t *testing.T) {
	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer silent.Close()
	defer close(release)
	b := New(Config{Token: testToken, APIURL: silent.URL, StartTimeout: 50 * time.Millisecond, CallbackKey: rigCallbackKey, EventKey: rigEventKey})
	done := make(chan error, 1)
	go func() { done <- b.Start(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "TELEGRAM_API_URL") || !strings.Contains(err.Error(), silent.URL) {
			t.Errorf("Start = %v, want an error that names TELEGRAM_API_URL and %s", err, silent.URL)
		}
		if err != nil && strings.Contains(err.Error(), testToken) {
			t.Error("Start's error contains the bot token")
		}
	case <-time.After(waitFor):
		t.Fatal("Start hung on a Telegram that does not answer")
	}
}
