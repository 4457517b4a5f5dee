package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
)

func TestShutdownKeepsUnfinishedUpdateQueued(t *testing.T) {
	r := newRig(t, func(c *Config) { c.ShutdownTimeout = 50 * time.Millisecond })
	stop := r.start()
	arrived, release := r.cal.Hold("list")
	defer release()
	r.tg.SendText(alice, telegramfake.Private(alice), "/today")
	waitClosed(t, arrived, "/today asks Google")
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	_, queued, _, err := r.db.Inbox()
	if err != nil || len(queued) != 1 {
		t.Fatalf("after the stop the inbox holds %d updates (%v), want the unfinished /today", len(queued), err)
	}
	if got := r.tg.Messages(alice.ID); len(got) != 0 {
		t.Errorf("the cut /today still sent %q", got[0].Text)
	}

	// The next start replays it.
	release()
	r.b = New(r.b.cfg)
	r.start()
	if m := r.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "calendar today") {
		t.Errorf("the replayed /today got %q", m.Text)
	}
	eventually(t, "the replayed update leaves the inbox", func() bool {
		_, q, _, _ := r.db.Inbox()
		return len(q) == 0
	})
}
