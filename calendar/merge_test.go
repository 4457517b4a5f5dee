package calendar

import (
	"testing"
	"time"
)

func TestDedupe(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ev := func(uid, cal string, start time.Time) Event {
		return Event{ICalUID: uid, CalendarID: cal, Start: start, End: start.Add(time.Hour)}
	}
	tests := []struct {
		name string
		in   []Event
		want []string // calendar ids kept, in order
	}{
		{"copy in a shared calendar dropped", []Event{ev("a", "primary", at), ev("a", "team", at)}, []string{"primary"}},
		{"other occurrence kept", []Event{ev("a", "primary", at), ev("a", "team", at.Add(24*time.Hour))}, []string{"primary", "team"}},
		{"no uid kept", []Event{ev("", "primary", at), ev("", "team", at)}, []string{"primary", "team"}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dedupe(tt.in)
			var ids []string
			for _, e := range got {
				ids = append(ids, e.CalendarID)
			}
			if len(ids) != len(tt.want) {
				t.Fatalf("Dedupe = %v, want %v", ids, tt.want)
			}
			for i := range ids {
				if ids[i] != tt.want[i] {
					t.Errorf("Dedupe = %v, want %v", ids, tt.want)
				}
			}
		})
	}
}
