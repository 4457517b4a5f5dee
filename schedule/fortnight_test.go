package schedule

import (
	"testing"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// TestFortnight runs two weeks across a DST change (Europe/Berlin, 25 October
// 2026) and in a zone without DST: every agenda once per local date at its
// local time, every reminder once at its moment, none for all-day or
// declined events.
func TestFortnight(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "Asia/Tokyo"} {
		t.Run(zone, func(t *testing.T) {
			loc := mustZone(t, zone)
			start := time.Date(2026, 10, 19, 0, 0, 0, 0, loc) // a Monday
			end := start.AddDate(0, 0, 14)
			h := newHarness(t, start, Config{})
			const a, b = 1, 2
			h.chat(a, storage.Settings{Zone: zone, Agenda: storage.Agenda{On: true, At: 8 * 60}})
			h.chat(b, storage.Settings{Zone: zone, Agenda: storage.Agenda{On: true, At: 7*60 + 30, Weekdays: true}, Reminders: storage.Reminders{Leads: []int{5, 60}}})
			standup := daily("standup", time.Date(2026, 10, 19, 9, 30, 0, 0, loc), 14, func(e *calendar.Event) { e.Reminders = []time.Duration{15 * time.Minute} })
			oneOff := calendar.Event{ID: "dentist", CalendarID: "primary", Start: time.Date(2026, 10, 21, 14, 0, 0, 0, loc), End: time.Date(2026, 10, 21, 15, 0, 0, 0, loc)}
			allDay := calendar.Event{ID: "holiday", CalendarID: "primary", AllDay: true, Start: time.Date(2026, 10, 22, 0, 0, 0, 0, loc), End: time.Date(2026, 10, 23, 0, 0, 0, 0, loc)}
			declined := calendar.Event{ID: "sales", CalendarID: "primary", Response: calendar.Declined, Start: time.Date(2026, 10, 22, 11, 0, 0, 0, loc), End: time.Date(2026, 10, 22, 12, 0, 0, 0, loc)}
			h.src.set(a, append(standup, oneOff, allDay, declined)...)
			lunch := daily("lunch", time.Date(2026, 10, 19, 12, 0, 0, 0, loc), 14, nil)
			h.src.set(b, lunch...)
			h.start()
			h.runUntil(end)

			want := map[string]time.Time{}
			for day := start; day.Before(end); day = day.AddDate(0, 0, 1) {
				want[AgendaKey(a, day)] = time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc)
				if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
					want[AgendaKey(b, day)] = time.Date(day.Year(), day.Month(), day.Day(), 7, 30, 0, 0, loc)
				}
			}
			for _, e := range standup {
				want[ReminderKey(a, e, 15*time.Minute)] = e.Start.Add(-15 * time.Minute)
			}
			want[ReminderKey(a, oneOff, DefaultLead)] = oneOff.Start.Add(-DefaultLead)
			for _, e := range lunch {
				for _, lead := range []time.Duration{5 * time.Minute, time.Hour} {
					want[ReminderKey(b, e, lead)] = e.Start.Add(-lead)
				}
			}
			checkExactly(t, h.take(), want)
		})
	}
}

// checkExactly fails unless got holds each key of want once, handed over
// on time at its moment, and nothing else.
func checkExactly(t *testing.T, got []handed, want map[string]time.Time) {
	t.Helper()
	seen := map[string]int{}
	for _, g := range got {
		seen[g.d.Key]++
		at, ok := want[g.d.Key]
		switch {
		case !ok:
			t.Errorf("handed %s (kind %v) at %v, want none", g.d.Key, g.d.Kind, g.at)
		case !g.d.At.Equal(at) || g.at.Sub(at) > time.Second || g.at.Before(at):
			t.Errorf("%s: At %v handed at %v, want %v", g.d.Key, g.d.At, g.at, at)
		case g.d.Late:
			t.Errorf("%s: Late, want on time", g.d.Key)
		}
		if seen[g.d.Key] == 2 {
			t.Errorf("%s handed twice", g.d.Key)
		}
	}
	for k, at := range want {
		if seen[k] == 0 {
			t.Errorf("%s (due %v) never handed over", k, at)
		}
	}
}
