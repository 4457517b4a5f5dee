package schedule

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

var berlin = func() *time.Location { l, _ := time.LoadLocation("Europe/Berlin"); return l }()

func at(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, berlin) }

func event(id string, start time.Time) calendar.Event {
	return calendar.Event{ID: id, CalendarID: "primary", Title: id, Start: start, End: start.Add(time.Hour)}
}

// TestChanges: what the calendar says when the reminder's moment comes is
// what is reminded.
func TestChanges(t *testing.T) {
	meeting := event("m1", at(3, 14, 0))
	moved := meeting
	moved.Start, moved.End = at(3, 16, 0), at(3, 17, 0)
	declined := meeting
	declined.Response = calendar.Declined
	tests := []struct {
		name   string
		change []calendar.Event // the calendar from 10:00 on
		want   map[string]time.Time
	}{
		{"unchanged", []calendar.Event{meeting}, map[string]time.Time{ReminderKey(1, meeting, DefaultLead): at(3, 13, 50)}},
		{"moved", []calendar.Event{moved}, map[string]time.Time{ReminderKey(1, moved, DefaultLead): at(3, 15, 50)}},
		{"cancelled", nil, map[string]time.Time{}},
		{"declined", []calendar.Event{declined}, map[string]time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, at(3, 8, 0), Config{})
			h.chat(1, storage.Settings{Zone: "Europe/Berlin"})
			h.src.set(1, meeting)
			h.start()
			h.runUntil(at(3, 10, 0))
			h.src.set(1, tt.change...)
			h.runUntil(at(3, 20, 0))
			checkExactly(t, h.take(), tt.want)
		})
	}
}

// TestQuietHours: silent inside quiet hours, or held until they end.
func TestQuietHours(t *testing.T) {
	early := event("early", at(4, 6, 30)) // reminded 06:20, inside 22:00-07:00
	late := event("late", at(3, 23, 0))   // reminded 22:50
	soon := event("soon", at(4, 7, 5))    // reminded 06:55
	tests := []struct {
		name string
		hold bool
		// key -> handed at, late, silent
		want map[string][3]any
	}{
		{"silent", false, map[string][3]any{
			AgendaKey(1, at(4, 0, 0)):          {at(4, 6, 0), false, true},
			ReminderKey(1, early, DefaultLead): {at(4, 6, 20), false, true},
			ReminderKey(1, late, DefaultLead):  {at(3, 22, 50), false, true},
			ReminderKey(1, soon, DefaultLead):  {at(4, 6, 55), false, true},
			AgendaKey(1, at(5, 0, 0)):          {at(5, 6, 0), false, true},
		}},
		{"hold", true, map[string][3]any{
			AgendaKey(1, at(4, 0, 0)):         {at(4, 7, 0), true, false},
			ReminderKey(1, late, DefaultLead): {at(4, 7, 0), true, false}, // started: skipped
			ReminderKey(1, soon, DefaultLead): {at(4, 7, 0), true, false},
			AgendaKey(1, at(5, 0, 0)):         {at(5, 7, 0), true, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, at(3, 12, 0), Config{})
			h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 6 * 60},
				Quiet: storage.Quiet{On: true, From: 22 * 60, To: 7 * 60, Hold: tt.hold}})
			h.src.set(1, early, late, soon)
			h.start()
			h.runUntil(at(5, 12, 0))
			if tt.hold {
				delete(tt.want, ReminderKey(1, late, DefaultLead))
			}
			got := h.take()
			seen := map[string]bool{}
			for _, g := range got {
				w, ok := tt.want[g.d.Key]
				if !ok || seen[g.d.Key] {
					t.Errorf("handed %s at %v (again: %v)", g.d.Key, g.at, seen[g.d.Key])
					continue
				}
				seen[g.d.Key] = true
				if !g.at.Equal(w[0].(time.Time)) || g.d.Late != w[1].(bool) || g.d.Silent != w[2].(bool) {
					t.Errorf("%s handed at %v late=%v silent=%v, want %v", g.d.Key, g.at, g.d.Late, g.d.Silent, w)
				}
			}
			for k := range tt.want {
				if !seen[k] {
					t.Errorf("%s never handed over", k)
				}
			}
		})
	}
}

// TestZoneChange: a chat that changes zone mid-fortnight gets its agenda
// at the new local time and never twice for one local date.
func TestZoneChange(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	ny := mustZone(t, "America/New_York")
	h := newHarness(t, at(2, 0, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
	h.start()
	h.runUntil(at(4, 12, 0)) // Berlin agendas of the 2nd, 3rd, 4th
	h.update(1, func(s *storage.Settings) { s.ZoneOverride = "Asia/Tokyo" })
	h.s.Touch(1)
	h.runUntil(time.Date(2026, 11, 7, 9, 0, 0, 0, tokyo)) // Tokyo: 5th, 6th, 7th
	h.update(1, func(s *storage.Settings) { s.ZoneOverride = "America/New_York" })
	h.s.Touch(1)
	h.runUntil(time.Date(2026, 11, 9, 12, 0, 0, 0, ny)) // New York: the 7th is done; 8th, 9th
	want := map[string]time.Time{}
	for d := 2; d <= 4; d++ {
		want[AgendaKey(1, at(d, 0, 0))] = at(d, 8, 0)
	}
	for d := 5; d <= 7; d++ {
		want[AgendaKey(1, at(d, 0, 0))] = time.Date(2026, 11, d, 8, 0, 0, 0, tokyo)
	}
	for d := 8; d <= 9; d++ {
		want[AgendaKey(1, at(d, 0, 0))] = time.Date(2026, 11, d, 8, 0, 0, 0, ny)
	}
	checkExactly(t, h.take(), want)
}

// TestRestartMidWave: calbot killed during an agenda wave and started again
// on the same file: every agenda once.
func TestRestartMidWave(t *testing.T) {
	const chats = 300
	h := newHarness(t, at(3, 7, 0), Config{})
	for id := int64(1); id <= chats; id++ {
		h.chat(id, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
	}
	h.start()
	h.runUntil(at(3, 8, 0).Add(3 * time.Second))
	first := len(h.got)
	if first == 0 || first >= chats {
		t.Fatalf("%d agendas handed before the kill; want some, not all (paced)", first)
	}
	h.now = h.now.Add(20 * time.Second) // down 20 s
	h.start()
	h.runUntil(at(3, 9, 0))
	seen := map[string]int{}
	for _, g := range h.take() {
		seen[g.d.Key]++
	}
	for id := int64(1); id <= chats; id++ {
		if n := seen[AgendaKey(id, at(3, 0, 0))]; n != 1 {
			t.Errorf("chat %d got its agenda %d times, want 1", id, n)
		}
	}
}

// TestDowntime: after calbot was down, what is still worth sending is
// handed over late, the rest skipped.
func TestDowntime(t *testing.T) {
	meeting := event("m", at(3, 12, 0)) // reminded 11:50
	tests := []struct {
		name string
		up   time.Time // calbot starts again; down since 07:00
		want []string
	}{
		{"reminder in time, agenda too late", at(3, 11, 55), []string{ReminderKey(1, meeting, DefaultLead)}},
		{"reminder: event started", at(3, 12, 1), nil},
		{"agenda too late", at(3, 10, 30), []string{}},
		{"agenda just in time", at(3, 9, 59), []string{AgendaKey(1, at(3, 0, 0))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, at(3, 6, 0), Config{})
			h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
			h.src.set(1, meeting)
			h.start()
			h.runUntil(at(3, 7, 0))
			h.now = tt.up
			h.start()
			h.runUntil(tt.up.Add(5 * time.Minute))
			got := map[string]bool{}
			for _, g := range h.take() {
				got[g.d.Key] = true
				if !g.d.Late || g.at.Sub(tt.up) > 2*time.Minute {
					t.Errorf("%s handed at %v late=%v, want late, soon after start", g.d.Key, g.at, g.d.Late)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("handed %v, want %v", got, tt.want)
			}
			for _, k := range tt.want {
				if !got[k] {
					t.Errorf("%s not handed over; got %v", k, got)
				}
			}
		})
	}
}

// TestBudget: with many chats the reads per minute stay within the project
// budget, each chat is still read, and Google's "slow down" slows reading.
func TestBudget(t *testing.T) {
	tests := []struct {
		name       string
		chats, per int
		unavail    bool
	}{
		{"under budget", 500, 1000, false},
		{"stretched", 4000, 1000, false},
		{"rate limited", 500, 1000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := at(3, 0, 0)
			h := newHarness(t, start, Config{ProjectPerMinute: tt.per, Readers: 64})
			for id := int64(1); id <= int64(tt.chats); id++ {
				h.chat(id, storage.Settings{Zone: "Europe/Berlin"})
				if tt.unavail {
					h.src.setErr(id, fmt.Errorf("list: %w", calendar.ErrUnavailable))
				}
			}
			h.start()
			h.runUntil(start.Add(40 * time.Minute))
			perMinute := map[int64]int{}
			read := 0
			for _, calls := range h.src.calls {
				if len(calls) > 0 {
					read++
				}
				for _, c := range calls {
					perMinute[c.Sub(start).Milliseconds()/60000]++
				}
			}
			burst := tt.per / 30
			for m, n := range perMinute {
				if n > tt.per+burst {
					t.Errorf("minute %d: %d reads, budget %d", m, n, tt.per)
				}
			}
			if read != tt.chats {
				t.Errorf("%d of %d chats read in 40 min", read, tt.chats)
			}
			if tt.unavail {
				total := 0
				for _, n := range perMinute {
					total += n
				}
				// Unthrottled: 500 chats every 2 min for 40 min = 10,000.
				if total > 2500 {
					t.Errorf("%d reads while Google said slow down, want far fewer", total)
				}
			}
		})
	}
}

// TestRevoked: a revoked grant is told once and stops the chat's reads,
// until Touch after a new /connect.
func TestRevoked(t *testing.T) {
	h := newHarness(t, at(3, 6, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
	h.src.setErr(1, fmt.Errorf("token: %w", oauth.ErrRevoked))
	h.start()
	h.runUntil(at(3, 12, 0))
	got := h.take()
	if len(got) != 1 || got[0].d.Kind != Revoked {
		t.Fatalf("handed %v, want one Revoked and no agenda", got)
	}
	if n := len(h.src.calls[1]); n != 1 {
		t.Errorf("%d reads of a revoked chat, want 1", n)
	}
	h.src.setErr(1, nil)
	h.s.Touch(1)
	h.runUntil(at(4, 9, 0))
	got = h.take()
	if len(got) != 1 || got[0].d.Key != AgendaKey(1, at(4, 0, 0)) {
		t.Errorf("after Touch handed %v, want the agenda of the 4th", got)
	}
}

// TestSnooze: a snoozed reminder comes back once at its new time, even
// across a restart.
func TestSnooze(t *testing.T) {
	meeting := event("m", at(3, 12, 0))
	h := newHarness(t, at(3, 11, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin"})
	h.src.set(1, meeting)
	h.start()
	h.runUntil(at(3, 11, 51))
	got := h.take()
	if len(got) != 1 {
		t.Fatalf("handed %v, want the reminder", got)
	}
	if err := h.s.Snooze(context.Background(), got[0].d, at(3, 11, 55)); err != nil {
		t.Fatal(err)
	}
	h.runUntil(at(3, 11, 52))
	h.start() // restart: the snooze is read back from the file
	h.runUntil(at(3, 13, 0))
	got = h.take()
	want := ReminderKey(1, meeting, DefaultLead) + ":snooze:" + fmt.Sprint(at(3, 11, 55).Unix())
	if len(got) != 1 || got[0].d.Key != want || !got[0].at.Equal(at(3, 11, 55)) {
		t.Errorf("after snooze handed %v, want %s at 11:55", got, want)
	}
}

// TestDeliverFails: a Due the bot cannot take is tried again, not lost.
func TestDeliverFails(t *testing.T) {
	h := newHarness(t, at(3, 7, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
	h.start()
	h.refuse = true
	h.runUntil(at(3, 8, 5))
	h.mu.Lock()
	h.refuse = false
	h.mu.Unlock()
	h.runUntil(at(3, 9, 0))
	got := h.take()
	if len(got) != 1 || got[0].at.Sub(at(3, 8, 5)) > 5*time.Minute {
		t.Errorf("handed %v, want the agenda once, soon after the bot recovered", got)
	}
}

// TestForget: after /disconnect nothing more is handed over, snoozes
// included, and nothing of the chat is read back at the next start.
func TestForget(t *testing.T) {
	meeting := event("m", at(3, 12, 0))
	h := newHarness(t, at(3, 11, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 13 * 60}})
	h.src.set(1, meeting)
	h.start()
	h.runUntil(at(3, 11, 51))
	got := h.take()
	if len(got) != 1 {
		t.Fatalf("handed %v, want the reminder", got)
	}
	if err := h.s.Snooze(context.Background(), got[0].d, at(3, 11, 55)); err != nil {
		t.Fatal(err)
	}
	h.s.Forget(1)
	h.runUntil(at(3, 14, 0))
	if got := h.take(); len(got) != 0 {
		t.Errorf("after Forget handed %v, want nothing", got)
	}
	if planned, _, err := h.db.AllPlanned(); err != nil || len(planned) != 0 {
		t.Errorf("after Forget %d snoozes stored (%v), want none", len(planned), err)
	}
}
