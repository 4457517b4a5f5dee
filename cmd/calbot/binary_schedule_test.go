package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// holdProxy stands between calbot and the fake Telegram. Armed, it holds the
// at-th sendMessage from then on, unanswered and never passed on, and says
// so on held: calbot is then killed in the middle of a wave, with that
// message not sent.
type holdProxy struct {
	next http.Handler

	mu    sync.Mutex
	sent  int
	at    int
	held  chan struct{}
	gone  chan struct{} // closed once calbot was killed
	armed bool
}

// arm holds the at-th sendMessage from now on; held is closed when it
// comes, and closing gone lets it end, unanswered.
func (p *holdProxy) arm(at int) (held, gone chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent, p.at, p.armed, p.held, p.gone = 0, at, true, make(chan struct{}), make(chan struct{})
	return p.held, p.gone
}

func (p *holdProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/sendMessage") {
		p.mu.Lock()
		p.sent++
		hold, gone := p.armed && p.sent == p.at, p.gone
		if hold {
			p.armed = false
			close(p.held)
		}
		p.mu.Unlock()
		if hold {
			select {
			case <-r.Context().Done():
			case <-gone:
			}
			http.Error(w, "calbot was killed", http.StatusBadGateway)
			return
		}
	}
	p.next.ServeHTTP(w, r)
}

// TestBinaryScheduleSurvivesKill runs the compiled calbot with real time:
// six chats get their morning agenda and a reminder at the same minute. It
// is killed with SIGKILL twice, during the reminders and during the agendas,
// with a message half sent each time, and restarted: every chat gets one
// agenda and one reminder, none lost, none twice.
func TestBinaryScheduleSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the next minute")
	}
	addr := freeAddr(t)
	tg := telegramfake.New(t, testBotToken)
	proxy := &holdProxy{next: tg.Handler()}
	tgURL := httptest.NewServer(proxy)
	defer tgURL.Close()
	g := oauthfake.New(t, testClientID, testClientSecret, "https://"+addr+"/oauth/callback")
	cal := calendarfake.New(t, func(bearer string) (string, bool) {
		acct, _, ok := g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	cal.SetScopes(g.Scopes) // Google's scope checks, as in the harness
	dir := t.TempDir()
	environ := append(binaryEnv(addr, dir, tg, g, cal), "TELEGRAM_API_URL="+tgURL.URL, "TELEGRAM_GLOBAL_RATE=4", "LOG_LEVEL=debug")
	start := func() *process { return startBinary(t, dir, environ) }
	p := start()
	h := &harness{t: t, tg: tg, g: g, cal: cal, public: "https://" + addr, logs: p.stderr, web: newBrowser()}

	type member struct {
		user telegramfake.User
		acct oauthfake.Account
	}
	var chats []member
	for i := range 6 {
		m := member{
			telegramfake.User{ID: int64(3001 + i), FirstName: fmt.Sprintf("User%d", i), LanguageCode: "en"},
			oauthfake.Account{Sub: fmt.Sprintf("3000000000000000000%02d", i), Email: fmt.Sprintf("user%d@example.com", i)},
		}
		cal.SetZone(m.acct.Email, "Europe/Moscow")
		if status, _, msg := h.connect(m.user, m.acct); status != http.StatusOK || !strings.Contains(msg.Text, "Connected as") {
			t.Fatalf("connect %s = %d, %q", m.acct.Email, status, msg.Text)
		}
		tg.WaitMessage(t, m.user.ID, waitFor) // the agenda offer
		chats = append(chats, m)
	}

	// The wave's minute: the next one at least 8 s away. Each chat's event
	// starts a minute later and reminds a minute before.
	wave := time.Now().Add(8 * time.Second).Truncate(time.Minute).Add(time.Minute)
	for i, m := range chats {
		cal.Add(m.acct.Email, &gcal.Event{
			Id: fmt.Sprintf("sync%05d", i), Summary: fmt.Sprintf("Sync %d", i),
			Start:     &gcal.EventDateTime{DateTime: wave.Add(time.Minute).Format(time.RFC3339)},
			End:       &gcal.EventDateTime{DateTime: wave.Add(31 * time.Minute).Format(time.RFC3339)},
			Reminders: &gcal.EventReminders{Overrides: []*gcal.EventReminder{{Method: "popup", Minutes: 1}}, ForceSendFields: []string{"UseDefault"}},
		})
		if msg := h.say(m.user, "/settings agenda "+wave.In(moscow).Format("15:04")); !strings.Contains(msg.Text, "Saved") {
			t.Fatalf("/settings agenda = %q", msg.Text)
		}
	}

	// Twelve messages go out at the wave, four a second, reminders first.
	// The kill comes once the at-th is held and the ones before it are
	// recorded as done: a kill between Telegram's answer and that record (one
	// disk sync) would send a message twice, which no bot can rule out.
	kill := func(p *process, at int, held, gone chan struct{}, what string) {
		t.Helper()
		defer close(gone)
		select {
		case <-held:
		case <-time.After(time.Until(wave) + 20*time.Second):
			t.Fatalf("no %s was sent by %s; calbot said:\n%s", what, wave.Add(20*time.Second).Format(time.TimeOnly), p.stderr.String())
		}
		deadline := time.Now().Add(waitFor)
		for strings.Count(p.stderr.String(), "scheduled message done") < at-1 {
			if time.Now().After(deadline) {
				t.Fatalf("the %d messages before the %s were not recorded within %s; calbot said:\n%s", at-1, what, waitFor, p.stderr.String())
			}
			p.stderr.wait(deadline)
		}
		p.cmd.Process.Kill()
		p.wait(t, waitFor)
	}
	held, gone := proxy.arm(2)
	kill(p, 2, held, gone, "second reminder")
	p = start()
	held, gone = proxy.arm(7)
	kill(p, 7, held, gone, "agenda after the reminders")
	p = start()

	for _, m := range chats {
		var agendas, reminders int
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		for agendas == 0 || reminders == 0 {
			msg, err := tg.NextMessage(ctx, m.user.ID)
			if err != nil {
				t.Fatalf("chat %d got %d agendas and %d reminders: %v; calbot said:\n%s", m.user.ID, agendas, reminders, err, p.stderr.String())
			}
			agendas += countContaining([]telegramfake.SentMessage{msg}, "Good morning")
			reminders += countPrefixed([]telegramfake.SentMessage{msg}, "⏰")
		}
		cancel()
	}
	// Anything sent twice would have been queued before these replies.
	for _, m := range chats {
		if msg := h.say(m.user, "/help"); !strings.Contains(msg.Text, "/connect") {
			t.Errorf("chat %d: next message %q, want /help's reply", m.user.ID, msg.Text)
		}
		sent := tg.Messages(m.user.ID)
		if a, r := countContaining(sent, "Good morning"), countPrefixed(sent, "⏰"); a != 1 || r != 1 {
			t.Errorf("chat %d got %d agendas and %d reminders, want one of each", m.user.ID, a, r)
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Errorf("calbot exited %d after SIGTERM, want 0", code)
	}
	h.checkLogs()
}

// countPrefixed counts the messages whose text starts with s: "⏰" starts a
// reminder (the settings reply has it inside).
func countPrefixed(msgs []telegramfake.SentMessage, s string) int {
	n := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Text, s) {
			n++
		}
	}
	return n
}
