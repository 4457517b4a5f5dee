package schedule

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// fakeSource is a set of calendars in memory: each chat's events, already
// expanded, and an error to answer instead.
type fakeSource struct {
	mu     sync.Mutex
	events map[int64][]calendar.Event
	err    map[int64]error
	calls  map[int64][]time.Time // the from of each call
}

func newFakeSource() *fakeSource {
	return &fakeSource{events: map[int64][]calendar.Event{}, err: map[int64]error{}, calls: map[int64][]time.Time{}}
}

func (f *fakeSource) Upcoming(_ context.Context, chatID int64, _ []string, from, to time.Time) ([]calendar.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[chatID] = append(f.calls[chatID], from)
	if err := f.err[chatID]; err != nil {
		return nil, err
	}
	var out []calendar.Event
	for _, e := range f.events[chatID] {
		if e.Start.Before(to) && e.End.After(from) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeSource) set(chatID int64, events ...calendar.Event) {
	f.mu.Lock()
	f.events[chatID] = events
	f.mu.Unlock()
}

func (f *fakeSource) setErr(chatID int64, err error) {
	f.mu.Lock()
	f.err[chatID] = err
	f.mu.Unlock()
}

// handed is one Deliver call: the due and the simulated time of the call.
type handed struct {
	d  Due
	at time.Time
}

// harness runs a Scheduler on simulated time: each step at the moment the
// scheduler asked for, reads finished before time moves on.
type harness struct {
	t             testing.TB
	db            *storage.DB
	src           *fakeSource
	mu            sync.Mutex
	settings      map[int64]storage.Settings
	chats         []int64
	now           time.Time
	got           []handed
	refuse        bool // Deliver fails: the bot cannot take messages
	settingsReads int
	s             *Scheduler
	cfg           Config
}

func newHarness(t testing.TB, start time.Time, cfg Config) *harness {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	db, err := storage.Open(filepath.Join(t.TempDir(), "calbot.db"), key, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &harness{t: t, db: db, src: newFakeSource(), settings: map[int64]storage.Settings{}, now: start, cfg: cfg}
	return h
}

// chat adds a linked chat with settings st.
func (h *harness) chat(id int64, st storage.Settings) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settings[id] = st
	h.chats = append(h.chats, id)
}

func (h *harness) update(id int64, fn func(*storage.Settings)) {
	h.mu.Lock()
	st := h.settings[id]
	fn(&st)
	h.settings[id] = st
	h.mu.Unlock()
}

// start makes a new Scheduler on the harness's database, as calbot does
// at each start.
func (h *harness) start() {
	h.t.Helper()
	cfg := h.cfg
	cfg.DB, cfg.Source = h.db, h.src
	cfg.Settings = func(id int64) (storage.Settings, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.settingsReads++
		return h.settings[id], nil
	}
	cfg.Chats = func() ([]int64, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return append([]int64(nil), h.chats...), nil
	}
	cfg.Deliver = func(_ context.Context, d Due) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.refuse {
			return fmt.Errorf("bot store down")
		}
		h.got = append(h.got, handed{d: d, at: h.now})
		return nil
	}
	h.s = New(cfg)
	if err := h.s.start(h.now); err != nil {
		h.t.Fatal(err)
	}
}

// runUntil advances simulated time to end, stepping the scheduler at every
// moment it asks for.
func (h *harness) runUntil(end time.Time) {
	h.t.Helper()
	ctx := context.Background()
	for guard := 0; ; guard++ {
		if guard > 5_000_000 {
			h.t.Fatal("scheduler does not settle")
		}
		next := h.s.step(ctx, h.now)
		h.s.reads.Wait()
		h.s.mu.Lock()
		pending := len(h.s.results) > 0 || len(h.s.touched) > 0 || len(h.s.snoozed) > 0 || len(h.s.forgot) > 0
		h.s.mu.Unlock()
		if pending {
			continue
		}
		if next.IsZero() || next.After(end) {
			h.now = end
			h.s.step(ctx, h.now)
			return
		}
		if next.After(h.now) {
			h.now = next
		}
	}
}

// take returns what was handed over since the last take.
func (h *harness) take() []handed {
	h.mu.Lock()
	defer h.mu.Unlock()
	got := h.got
	h.got = nil
	return got
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// daily is a recurring event, expanded: one occurrence a day for n days at
// local h:m in loc, 30 minutes long.
func daily(id string, first time.Time, n int, extra func(*calendar.Event)) []calendar.Event {
	var out []calendar.Event
	for i := range n {
		start := time.Date(first.Year(), first.Month(), first.Day()+i, first.Hour(), first.Minute(), 0, 0, first.Location())
		e := calendar.Event{ID: fmt.Sprintf("%s_%s", id, start.UTC().Format("20060102T150405Z")), CalendarID: "primary", Title: id, Start: start, End: start.Add(30 * time.Minute)}
		if extra != nil {
			extra(&e)
		}
		out = append(out, e)
	}
	return out
}
