package schedule

import (
	"testing"
	"time"

	"github.com/calbot/calbot/calendar"
)

func TestSameEvents(t *testing.T) {
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ev := calendar.Event{ID: "e1", CalendarID: "primary", Title: "Standup", Start: start, End: start.Add(time.Hour), Reminders: []time.Duration{10 * time.Minute}}
	with := func(f func(*calendar.Event)) []calendar.Event {
		e := ev
		e.Reminders = []time.Duration{10 * time.Minute}
		f(&e)
		return []calendar.Event{e}
	}
	tests := []struct {
		name string
		b    []calendar.Event
		want bool
	}{
		{"same", with(func(*calendar.Event) {}), true},
		{"only what trim drops differs", trim(with(func(e *calendar.Event) { e.ICalUID, e.Marker, e.CalendarName = "u", "m", "Work" })), true},
		{"moved", with(func(e *calendar.Event) { e.Start = e.Start.Add(time.Minute) }), false},
		{"renamed", with(func(e *calendar.Event) { e.Title = "Retro" }), false},
		{"declined", with(func(e *calendar.Event) { e.Response = calendar.Declined }), false},
		{"other lead", with(func(e *calendar.Event) { e.Reminders = []time.Duration{5 * time.Minute} }), false},
		{"join link added", with(func(e *calendar.Event) { e.JoinURL = "https://meet.example/x" }), false},
		{"cancelled", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameEvents([]calendar.Event{ev}, tt.b); got != tt.want {
				t.Errorf("sameEvents(%v, %v) = %v, want %v", ev, tt.b, got, tt.want)
			}
		})
	}
}
