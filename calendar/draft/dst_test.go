package draft

import (
	"testing"
	"time"
)

// TestParseDaylightSaving pins the daylight-saving rules of /add by hand,
// beside the golden corpus: Europe/Berlin springs forward on 29 March 2026
// (02:00 CET becomes 03:00 CEST) and falls back on 25 October 2026 (03:00
// CEST becomes 02:00 CET, so 02:00-03:00 happens twice).
func TestParseDaylightSaving(t *testing.T) {
	berlin := loadLocation(t, "Europe/Berlin")
	cet, cest := time.FixedZone("CET", 3600), time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name  string
		now   time.Time
		in    string
		start time.Time
		end   time.Time
		rule  string
	}{
		{"time in the gap lands after it", time.Date(2026, 3, 28, 12, 0, 0, 0, berlin), "Gap tomorrow 2:30",
			time.Date(2026, 3, 29, 3, 30, 0, 0, cest), time.Date(2026, 3, 29, 4, 30, 0, 0, cest), ""},
		{"duration across spring forward is elapsed", time.Date(2026, 3, 28, 12, 0, 0, 0, berlin), "Nap tomorrow 1:00 3h",
			time.Date(2026, 3, 29, 1, 0, 0, 0, cet), time.Date(2026, 3, 29, 5, 0, 0, 0, cest), ""},
		{"range across spring forward ends as written", time.Date(2026, 3, 28, 12, 0, 0, 0, berlin), "Shift tomorrow 01:00-04:00",
			time.Date(2026, 3, 29, 1, 0, 0, 0, cet), time.Date(2026, 3, 29, 4, 0, 0, 0, cest), ""},
		{"moment across spring forward", time.Date(2026, 3, 29, 1, 30, 0, 0, berlin), "Call in 2 hours",
			time.Date(2026, 3, 29, 4, 30, 0, 0, cest), time.Date(2026, 3, 29, 5, 30, 0, 0, cest), ""},
		{"repeated time takes the first", time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), "Twice tomorrow 2:30",
			time.Date(2026, 10, 25, 2, 30, 0, 0, cest), time.Date(2026, 10, 25, 2, 30, 0, 0, cet), ""},
		{"duration across fall back is elapsed", time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), "Nap tomorrow 1:00 for 3 hours",
			time.Date(2026, 10, 25, 1, 0, 0, 0, cest), time.Date(2026, 10, 25, 3, 0, 0, 0, cet), ""},
		{"range across fall back lasts an hour more", time.Date(2026, 10, 24, 12, 0, 0, 0, berlin), "Shift tomorrow 01:00-04:00",
			time.Date(2026, 10, 25, 1, 0, 0, 0, cest), time.Date(2026, 10, 25, 4, 0, 0, 0, cet), ""},
		{"moment across fall back", time.Date(2026, 10, 25, 1, 30, 0, 0, berlin), "Call in 2 hours",
			time.Date(2026, 10, 25, 2, 30, 0, 0, cet), time.Date(2026, 10, 25, 3, 30, 0, 0, cet), ""},
		{"series skipping its time starts the day after", time.Date(2026, 3, 28, 12, 0, 0, 0, berlin), "Bake every day 2:30 from tomorrow",
			time.Date(2026, 3, 30, 2, 30, 0, 0, cest), time.Date(2026, 3, 30, 3, 30, 0, 0, cest), "RRULE:FREQ=DAILY"},
		{"until is the end of that day in the zone", time.Date(2026, 3, 27, 12, 0, 0, 0, berlin), "Yoga every day 9:00 until 29.03",
			time.Date(2026, 3, 28, 9, 0, 0, 0, cet), time.Date(2026, 3, 28, 10, 0, 0, 0, cet), "RRULE:FREQ=DAILY;UNTIL=20260329T215959Z"},
		{"weekly series over fall back keeps its hour", time.Date(2026, 10, 20, 12, 0, 0, 0, berlin), "Yoga every Sunday 8:00 until 1 Nov",
			time.Date(2026, 10, 25, 8, 0, 0, 0, cet), time.Date(2026, 10, 25, 9, 0, 0, 0, cet), "RRULE:FREQ=WEEKLY;BYDAY=SU;UNTIL=20261101T225959Z"},
		{"evening on the short day", time.Date(2026, 3, 29, 0, 30, 0, 0, berlin), "Dinner tonight",
			time.Date(2026, 3, 29, 19, 0, 0, 0, cest), time.Date(2026, 3, 29, 20, 0, 0, 0, cest), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, tt.now)
			if err != nil || !got.Start.Equal(tt.start) || !got.End.Equal(tt.end) || got.RRULE != tt.rule {
				t.Errorf("Parse(%q) at %v = %v – %v %q, %v; want %v – %v %q",
					tt.in, tt.now, got.Start, got.End, got.RRULE, err, tt.start, tt.end, tt.rule)
			}
			if err == nil && (got.Start.Location() != berlin || got.End.Location() != berlin) {
				t.Errorf("Parse(%q) times not in %v", tt.in, berlin)
			}
		})
	}
}
