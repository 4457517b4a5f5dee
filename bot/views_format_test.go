package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calbot/calbot/calendar"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

// sampleWeek is 21-27 November 2026 in Moscow: events on some days, a run
// of empty days, an invitation, two calendars and a night crossing midnight.
func sampleWeek() view {
	return view{zone: moscow, multi: true, events: []calendar.Event{
		{Title: "Conference", AllDay: true, Start: at(20, 0, 0), End: at(23, 0, 0), CalendarName: "Work"},
		{Title: "Standup <team>", Start: at(21, 10, 0), End: at(21, 10, 15), CalendarName: "Work", Location: "Room 1"},
		{Title: "Party", Start: at(21, 22, 0), End: at(22, 2, 0), CalendarName: "Family", Response: calendar.NeedsAction},
		{Title: "Dentist", Start: at(26, 9, 30), End: at(26, 10, 30), CalendarName: "Family"},
	}}
}

// TestFormatViewsGolden renders /tomorrow, /week and /next in both languages,
// across midnight and across Berlin's DST change (25 October 2026).
func TestFormatViewsGolden(t *testing.T) {
	dstDay := time.Date(2026, 10, 24, 0, 0, 0, 0, berlin)
	dst := view{zone: berlin, events: []calendar.Event{
		{Title: "Late show", Start: time.Date(2026, 10, 24, 23, 0, 0, 0, berlin), End: time.Date(2026, 10, 25, 4, 0, 0, 0, berlin)},
		{Title: "Brunch", Start: time.Date(2026, 10, 25, 11, 0, 0, 0, berlin), End: time.Date(2026, 10, 25, 12, 0, 0, 0, berlin)},
		{Title: "Weekly", Start: time.Date(2026, 10, 31, 9, 0, 0, 0, berlin), End: time.Date(2026, 10, 31, 10, 0, 0, 0, berlin)},
	}}
	for _, lang := range []string{"en", "ru"} {
		var b strings.Builder
		w := sampleWeek()
		fmt.Fprintf(&b, "=== tomorrow\n%s\n", formatDay(lang, msgTomorrowHeader, msgTomorrowEmpty, dayOf(w, at(22, 0, 0)), w.multi))
		fmt.Fprintf(&b, "=== tomorrow, empty\n%s\n", formatDay(lang, msgTomorrowHeader, msgTomorrowEmpty, dayOf(w, at(28, 0, 0)), w.multi))
		fmt.Fprintf(&b, "=== week\n%s\n", formatWeek(lang, weekOf(w, at(21, 0, 0)), w.multi))
		fmt.Fprintf(&b, "=== week across DST\n%s\n", formatWeek(lang, weekOf(dst, dstDay), false))
		fmt.Fprintf(&b, "=== today across DST\n%s\n", formatDay(lang, msgTodayHeader, msgTodayEmpty, dayOf(dst, dstDay.AddDate(0, 0, 1)), false))
		next := calendar.Event{Title: "Call", Start: at(21, 9, 25), End: at(21, 10, 0), JoinURL: "https://meet.google.com/abc"}
		fmt.Fprintf(&b, "=== next, soon\n%s\n", formatNext(lang, next, rigNow, false))
		fmt.Fprintf(&b, "=== next, on now\n%s\n", formatNext(lang, calendar.Event{Title: "Workshop", Start: at(21, 8, 0), End: at(21, 11, 30)}, rigNow, false))
		fmt.Fprintf(&b, "=== next, in days\n%s\n", formatNext(lang, w.events[3], rigNow, true))
		golden(t, "views."+lang+".golden", b.String())
	}
}

func weekOf(v view, from time.Time) []calendar.Day {
	days := make([]calendar.Day, weekDays)
	for i := range days {
		days[i] = dayOf(v, from.AddDate(0, 0, i))
	}
	return days
}

// TestFormatWeekLong: a week of many long events stays within Telegram's
// limit and says how many it left out.
func TestFormatWeekLong(t *testing.T) {
	v := view{zone: moscow}
	for d := 21; d < 28; d++ {
		for i := 0; i < 60; i++ {
			v.events = append(v.events, calendar.Event{Title: strings.Repeat("<&>", 100), Start: at(d, 10, 0), End: at(d, 11, 0)})
		}
	}
	got := formatWeek("en", weekOf(v, at(21, 0, 0)), false)
	if n := len([]rune(got)); n > 4096 {
		t.Errorf("week is %d characters, over 4096", n)
	}
	if !strings.Contains(got, "more. Open Google Calendar") {
		t.Errorf("a cut week does not say how many are left out")
	}
}

func TestNextEvent(t *testing.T) {
	evs := []calendar.Event{
		{Title: "Holiday", AllDay: true, Start: at(21, 0, 0), End: at(22, 0, 0)},
		{Title: "Done", Start: at(21, 7, 0), End: at(21, 8, 0)},
		{Title: "Ends now", Start: at(21, 8, 0), End: at(21, 9, 0)},
		{Title: "Running", Start: at(21, 8, 30), End: at(21, 9, 30)},
		{Title: "Later", Start: at(21, 12, 0), End: at(21, 13, 0)},
	}
	if got, ok := nextEvent(evs, rigNow); !ok || got.Title != "Running" {
		t.Errorf("nextEvent = %q, %v; want Running", got.Title, ok)
	}
	if _, ok := nextEvent(evs[:3], rigNow); ok {
		t.Errorf("nextEvent found one among ended and all-day events")
	}
}
