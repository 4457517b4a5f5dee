package main

import (
	"strings"
	"testing"
	"time"
)

// TestRecurringAdd adds a weekly series through the bot, sees its
// instances in /today on two Mondays and not on the Tuesday between, and
// Undo deletes the whole series.
func TestRecurringAdd(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	added := h.say(alice, "/add Yoga every Monday 8am until 14.12")
	if want := "every Monday at 08:00–09:00, from 23 November, until 14 December (Europe/Moscow)"; !strings.Contains(added.Text, want) {
		t.Fatalf("/add reply %q does not contain %q", added.Text, want)
	}
	events := h.cal.Events(aliceG.Email)
	if n := len(events); n != 1 || len(events[0].Recurrence) != 1 || !strings.HasPrefix(events[0].Recurrence[0], "RRULE:FREQ=WEEKLY;BYDAY=MO") {
		t.Fatalf("calendar holds %d events, want one weekly series: %+v", n, events)
	}
	days := []struct {
		name    string
		advance time.Duration
		yoga    bool
	}{
		{"first Monday", 49 * time.Hour, true},     // Mon 23 Nov 10:00
		{"Tuesday between", 24 * time.Hour, false}, // Tue 24 Nov
		{"next Monday", 6 * 24 * time.Hour, true},  // Mon 30 Nov
	}
	for _, d := range days {
		h.clock.Advance(d.advance)
		today := h.say(alice, "/today").Text
		if got := strings.Contains(today, "08:00–09:00</b>  ") && strings.Contains(today, "Yoga"); got != d.yoga {
			t.Errorf("%s: /today = %q; want Yoga shown: %v", d.name, today, d.yoga)
		}
	}
	// On Monday 30 November /week runs to Sunday 6 December: one instance,
	// then the next Monday's is past its window.
	if week := h.say(alice, "/week").Text; strings.Count(week, "Yoga") != 1 {
		t.Errorf("/week on Monday 30 Nov = %q; want the series once", week)
	}
	h.clock.Advance(24 * time.Hour) // Tue 1 Dec: /week runs to Mon 7 Dec
	if week := h.say(alice, "/week").Text; strings.Count(week, "Yoga") != 1 {
		t.Errorf("/week on Tuesday 1 Dec = %q; want the Monday 7 December instance", week)
	}
	undo, ok := added.Button("Undo")
	if !ok || undo.CallbackData == nil {
		t.Fatalf("/add reply has no Undo button: %+v", added.Markup)
	}
	h.tg.PressButton(alice, added, *undo.CallbackData)
	h.tg.WaitMessage(t, alice.ID, waitFor) // the reply, struck through
	for _, e := range h.cal.Events(aliceG.Email) {
		if e.Summary == "Yoga" && e.Status != "cancelled" {
			t.Error("the series is still in the calendar after Undo")
		}
	}
	if today := h.say(alice, "/today").Text; strings.Contains(today, "Yoga") {
		t.Errorf("/today after Undo still shows the series: %q", today)
	}
}
