package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth"
)

func connected(u telegramfake.User, email string) oauth.Result {
	return oauth.Result{Outcome: oauth.Connected, ChatID: u.ID, UserID: u.ID, Lang: u.LanguageCode, Email: email}
}

// TestNotifyReturnsAtOnce: the browser's request only stores the result; the
// Google call and the message run in the chat's queue, after the chat's
// earlier updates.
func TestNotifyReturnsAtOnce(t *testing.T) {
	r := newRig(t, nil)
	r.start()
	// A /today of the same chat is stuck on Google.
	arrived, release := r.cal.Hold("list")
	defer release()
	r.tg.SendText(alice, telegramfake.Private(alice), "/today")
	waitClosed(t, arrived, "/today asks Google")

	done := make(chan struct{})
	go func() { r.b.Notify(context.Background(), connected(alice, "alice@example.com")); close(done) }()
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("Notify waited for the chat's queue")
	}
	if ev, _, err := r.db.Events(); err != nil || len(ev) != 1 {
		t.Fatalf("stored events after Notify = %d (%v), want 1", len(ev), err)
	}
	release()
	if m := r.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "calendar today") {
		t.Errorf("first message = %q, want the /today that came first", m.Text)
	}
	if m := r.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "Connected as <b>alice@example.com</b>") || !strings.Contains(m.Text, "Europe/Moscow") {
		t.Errorf("second message = %q, want Connected as alice with the calendar's zone", m.Text)
	}
	eventually(t, "the told event leaves the store", func() bool {
		ev, _, _ := r.db.Events()
		return len(ev) == 0
	})
}

// TestNotifySurvivesARestart: a result stored while calbot is down (or
// stopping) is told by the next Run.
func TestNotifySurvivesARestart(t *testing.T) {
	r := newRig(t, nil)
	r.tg.SendText(boris, telegramfake.Private(boris), "привет") // the chat becomes known
	r.b.Notify(context.Background(), connected(boris, "boris@example.com"))
	if got := r.tg.Messages(boris.ID); len(got) != 0 {
		t.Fatalf("Notify without Run sent %q", got[0].Text)
	}
	r.b = New(r.b.cfg) // as after a crash
	r.start()
	if m := r.tg.WaitMessage(t, boris.ID, waitFor); !strings.Contains(m.Text, "Подключено: <b>boris@example.com</b>") {
		t.Errorf("first message after the restart = %q, want the stored sign-in result first", m.Text)
	}
	eventually(t, "the told event leaves the store", func() bool {
		ev, _, _ := r.db.Events()
		return len(ev) == 0
	})
}

// recordingEvents notes how many messages the chat had been sent when an
// event was deleted.
type recordingEvents struct {
	EventStore
	sentAtDelete func() int
	mu           sync.Mutex
	at           []int
}

func (e *recordingEvents) DeleteEvent(id uint64) error {
	e.mu.Lock()
	e.at = append(e.at, e.sentAtDelete())
	e.mu.Unlock()
	return e.EventStore.DeleteEvent(id)
}

// TestSignInForgottenBeforeOffer: the sign-in event is deleted as soon as
// "Connected" is sent, before the agenda offer, so a crash between the two
// repeats neither.
func TestSignInForgottenBeforeOffer(t *testing.T) {
	rec := &recordingEvents{}
	r := newRig(t, func(c *Config) {
		rec.EventStore = c.Store
		c.Events = rec
		c.Planner = &fakePlanner{}
	})
	rec.sentAtDelete = func() int { return len(r.tg.Messages(alice.ID)) }
	r.tg.SendText(alice, telegramfake.Private(alice), "/help") // the chat becomes known
	r.start()
	r.tg.WaitMessage(t, alice.ID, waitFor) // /help's reply
	r.b.Notify(context.Background(), connected(alice, "alice@example.com"))
	if m := r.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "Connected as") {
		t.Fatalf("message = %q, want Connected", m.Text)
	}
	if m := r.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "08:00") {
		t.Fatalf("message = %q, want the agenda offer", m.Text)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.at) != 1 || rec.at[0] != 2 {
		t.Errorf("event deletions at message counts %v, want one, after /help and Connected (2) and before the offer", rec.at)
	}
}
