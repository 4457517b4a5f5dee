package schedule

import (
	"slices"
	"sync"
	"testing"

	"github.com/calbot/calbot/storage"
)

// TestConfiguredOnly: with Configured, start reads the settings of the
// chats that have some, and still catches up their missed agendas at once;
// a chat without settings is made at its first read and reminded as usual,
// or forgotten before it.
func TestConfiguredOnly(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	h := newHarness(t, at(3, 8, 30), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
	h.chat(2, storage.Settings{})
	h.chat(3, storage.Settings{}) // disconnected before its first read
	h.chat(4, storage.Settings{}) // touched before its first read (/add)
	meeting := event("m", at(3, 9, 0))
	h.src.set(2, meeting)
	h.src.set(3, event("n", at(3, 9, 0)))
	added := event("o", at(3, 8, 40))
	h.src.set(4, added)
	h.start()
	cfg := h.s.cfg
	var mu sync.Mutex
	var read []int64
	settings := cfg.Settings
	cfg.Settings = func(id int64) (storage.Settings, error) {
		mu.Lock()
		read = append(read, id)
		mu.Unlock()
		return settings(id)
	}
	cfg.Configured = func() ([]int64, error) { return []int64{1, 7}, nil } // 7: settings left unlinked
	h.s = New(cfg)
	if err := h.s.start(h.now); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if !slices.Equal(read, []int64{1}) {
		t.Errorf("settings read at start: %v, want [1]", read)
	}
	mu.Unlock()
	if len(h.s.chats) != 1 || len(h.s.lazy) != 3 || h.s.totalCost != 4 {
		t.Errorf("after start: %d chats, %d lazy, cost %d; want 1, 3, 4", len(h.s.chats), len(h.s.lazy), h.s.totalCost)
	}
	h.s.Forget(3)
	h.s.Touch(4)

	h.runUntil(h.now)
	got := h.take()
	if len(got) != 2 || got[0].d.Key != AgendaKey(1, at(3, 0, 0).In(berlin)) || !got[0].d.Late ||
		got[1].d.Key != ReminderKey(4, added, DefaultLead) {
		t.Fatalf("handed at start: %v, want chat 1's agenda, late, and chat 4's reminder (due 08:30)", got)
	}
	h.runUntil(at(3, 9, 0))
	got = h.take()
	if len(got) != 1 || got[0].d.Key != ReminderKey(2, meeting, DefaultLead) || !got[0].at.Equal(at(3, 8, 50)) {
		t.Errorf("handed later: %v, want chat 2's reminder at 08:50", got)
	}
	if h.s.totalCost != 3 || len(h.s.lazy) != 0 {
		t.Errorf("at the end: cost %d, %d lazy; want 3, 0", h.s.totalCost, len(h.s.lazy))
	}
	if _, ok := h.s.chats[7]; ok {
		t.Errorf("chat 7 (settings, no link) is planned for")
	}
}
