package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// These tests inject the faults of Telegram and Google that bots meet in
// production, through the fakes, and check that calbot keeps serving, loses
// nothing, doubles nothing, and tells the user.

func TestTelegram429OnSendIsRetried(t *testing.T) {
	h := newHarness(t)
	h.tg.FailNext("sendMessage", 1, telegramfake.TooManyRequests(1))
	if m := h.say(alice, "/help"); !strings.Contains(m.Text, "/connect") {
		t.Errorf("reply after a 429 = %q, want the /help text", m.Text)
	}
	if got := h.tg.Calls("sendMessage"); got != 2 {
		t.Errorf("sendMessage called %d times, want 2 (the 429, then the retry)", got)
	}
	if !strings.Contains(h.logs.String(), "retry_after=1") {
		t.Error("the log does not show calbot honouring retry_after")
	}
}

func TestGetUpdatesFailuresRecover(t *testing.T) {
	h := newHarness(t)
	h.tg.FailNext("getUpdates", 2, telegramfake.Fault{Code: 502, Description: "Bad Gateway"})
	if m := h.say(alice, "/help"); !strings.Contains(m.Text, "/connect") {
		t.Errorf("reply after getUpdates failures = %q", m.Text)
	}
	if n := strings.Count(h.logs.String(), "getUpdates failed"); n != 2 {
		t.Errorf("logged %d getUpdates failures, want 2", n)
	}
}

func TestGoogleFaults(t *testing.T) {
	tests := []struct {
		name      string
		n, status int
		reason    string
		want      string
		lists     int
	}{
		{"5xx retried", 2, 503, "backendError", "Today, Saturday", 3},
		{"403 rate limit retried", 1, 403, "rateLimitExceeded", "Today, Saturday", 2},
		{"429 retried", 1, 429, "rateLimitExceeded", "Today, Saturday", 2},
		{"down for good", 10, 500, "backendError", "Google is slow", 3},
		{"403 forbidden is not retried", 1, 403, "forbidden", "Something went wrong", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.seed(aliceG)
			h.connect(alice, aliceG)
			before := h.cal.Requests("list")
			h.cal.FailNext(tt.n, tt.status, tt.reason)
			if m := h.say(alice, "/today"); !strings.Contains(m.Text, tt.want) {
				t.Errorf("/today = %q, want %q", m.Text, tt.want)
			}
			if got := h.cal.Requests("list") - before; got != tt.lists {
				t.Errorf("list requests = %d, want %d", got, tt.lists)
			}
			h.cal.FailNext(0, 0, "")
			if m := h.say(alice, "/today"); !strings.Contains(m.Text, "Today, Saturday") {
				t.Errorf("/today after the fault = %q, want the agenda", m.Text)
			}
		})
	}
}

func TestTokenEndpointDownTellsUser(t *testing.T) {
	h := newHarness(t)
	h.seed(aliceG)
	h.connect(alice, aliceG)
	// Google drops the access token; the refresh then meets a broken token
	// endpoint. The grant is fine and must be kept.
	h.g.ExpireAccessTokens()
	h.g.FailNext(oauthfake.TokenPath, 1, 500, `{"error":"internal_failure"}`)
	if m := h.say(alice, "/today"); !strings.Contains(m.Text, "Google is slow") {
		t.Errorf("/today with the token endpoint down = %q, want Google is slow", m.Text)
	}
	if m := h.say(alice, "/today"); !strings.Contains(m.Text, "Today, Saturday") {
		t.Errorf("/today once the token endpoint is back = %q, want the agenda", m.Text)
	}
}

func TestChatsAreHandledConcurrently(t *testing.T) {
	h := newHarness(t)
	h.seed(aliceG)
	h.connect(alice, aliceG)
	h.connect(boris, borisG)
	arrived, release := h.cal.Hold("list")
	defer release()
	h.tg.SendText(alice, telegramfake.Private(alice), "/today")
	<-arrived // alice's /today now waits on Google
	if m := h.say(boris, "/today"); !strings.Contains(m.Text, "Сегодня") {
		t.Errorf("boris's /today = %q while alice's waits", m.Text)
	}
	release()
	if m := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "Today") {
		t.Errorf("alice's /today = %q", m.Text)
	}
}

func TestOneChatIsHandledInOrder(t *testing.T) {
	h := newHarness(t)
	h.seed(aliceG)
	h.connect(alice, aliceG)
	titles := []string{"First", "Second", "Third", "Fourth", "Fifth"}
	for _, title := range titles {
		h.tg.SendText(alice, telegramfake.Private(alice), "/add "+title+" tomorrow 10:00")
	}
	for _, title := range titles {
		if m := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "Added <b>"+title+"</b>") {
			t.Errorf("next reply = %q, want %s's confirmation", m.Text, title)
		}
	}
}

func TestShutdownFinishesWorkInFlight(t *testing.T) {
	h := newHarness(t)
	h.seed(aliceG)
	h.connect(alice, aliceG)
	arrived, release := h.cal.Hold("list")
	h.tg.SendText(alice, telegramfake.Private(alice), "/today")
	<-arrived
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	release()
	if m := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "Today") {
		t.Errorf("the /today in flight at shutdown got %q", m.Text)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve returned %v, want a clean stop", err)
	}
}

func TestShutdownIsBounded(t *testing.T) {
	h := newHarness(t, func(_ *harness, e *env) { e.ShutdownTimeout = "200ms" })
	h.seed(aliceG)
	h.connect(alice, aliceG)
	arrived, release := h.cal.Hold("list")
	defer release()
	h.tg.SendText(alice, telegramfake.Private(alice), "/today")
	<-arrived
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("serve returned %v, want a clean stop", err)
		}
	case <-ctx.Done():
		t.Fatal("a stuck handler held shutdown past SHUTDOWN_TIMEOUT")
	}
	if !strings.Contains(h.logs.String(), "stay queued for the next start") {
		t.Error("shutdown did not say the unfinished update stays queued")
	}
}

func TestRepliesArePacedUnderTelegramLimits(t *testing.T) {
	var gate *telegramfake.Gate
	h := newHarness(t, func(h *harness, e *env) {
		// Telegram's published limits, enforced in front of the fake: a
		// burst beyond them is answered 429. The per-chat gap allows 10%
		// for the jitter of requests on a loaded machine (-race); without
		// pacing the bot sends the three replies within milliseconds.
		gate = h.tg.Gate()
		gate.SetLimits(30, 900*time.Millisecond)
		srv := httptest.NewServer(gate)
		t.Cleanup(srv.Close)
		e.TelegramAPIURL = srv.URL
		e.TelegramGlobalRate, e.TelegramChatRate = "30", "1"
	})
	users := []telegramfake.User{alice, boris, {ID: 1003, FirstName: "Carol", LanguageCode: "en"}}
	for _, u := range users {
		for i := 0; i < 3; i++ {
			h.tg.SendText(u, telegramfake.Private(u), "/help")
		}
	}
	for _, u := range users {
		for i := 0; i < 3; i++ {
			if m := h.tg.WaitMessage(t, u.ID, waitFor); !strings.Contains(m.Text, "/connect") {
				t.Errorf("reply %d to %s = %q", i, u.FirstName, m.Text)
			}
		}
	}
	if n := gate.TooMany(); n != 0 {
		t.Errorf("Telegram answered %d sends with 429: the bot outpaced the limits", n)
	}
}
