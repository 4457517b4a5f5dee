package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/storage"
)

// TestAddToChosenCalendar: /add writes to the calendar chosen in /settings,
// and its Undo button, whose data cannot hold that calendar's id, deletes
// the event there; an Undo of the primary calendar works as before.
func TestAddToChosenCalendar(t *testing.T) {
	r, _ := newViewRig(t, ann, &fakeCalendars{t: t})
	work, _, _ := r.cal.AddStandardCalendars(email(ann))
	choose := func(id string) {
		t.Helper()
		if err := r.db.UpdateSettings(ann.ID, func(s *storage.Settings) {
			s.Calendars = []storage.Calendar{{ID: "primary", Shown: true, Writable: true}, {ID: work, Name: "Work", Shown: true, Writable: true}}
			s.AddTo = id
		}); err != nil {
			t.Fatal(err)
		}
	}
	live := func(calendarID string) (n int) {
		for _, e := range r.cal.EventsIn(calendarID) {
			if e.Status != "cancelled" {
				n++
			}
		}
		return n
	}
	choose(work)
	added := r.say(ann, "/add Lunch tomorrow 13:00")
	if live(work) != 1 || live(email(ann)) != 0 {
		t.Fatalf("after /add: %d events in Work, %d in primary; want 1, 0", live(work), live(email(ann)))
	}
	r.pressLabel(ann, added, text("en", msgUndoButton))
	if n := live(work); n != 0 {
		t.Errorf("after Undo Work has %d live events, want 0", n)
	}
	if got := r.tg.WaitMessage(t, ann.ID, time.Second); !strings.Contains(got.Text, "Undone") {
		t.Errorf("after Undo the message is %q", got.Text)
	}

	choose("")
	added = r.say(ann, "/add Dinner tomorrow 19:00")
	if b, ok := added.Button(text("en", msgUndoButton)); !ok || !strings.HasPrefix(*b.CallbackData, undoPayload("")) {
		t.Fatalf("/add to the primary calendar replied %q with %+v; want an Undo in the old format", added.Text, added.Markup)
	}
	r.pressLabel(ann, added, text("en", msgUndoButton))
	r.tg.WaitMessage(t, ann.ID, time.Second) // the edit
	if n := live(email(ann)); n != 0 {
		t.Errorf("after Undo the primary calendar has %d live events, want 0", n)
	}

	// The note behind a button expires with it.
	choose(work)
	added = r.say(ann, "/add Tea tomorrow 17:00")
	r.bot.now = func() time.Time { return rigNow.Add(undoNoteTTL + time.Hour) }
	b, _ := added.Button(text("en", msgUndoButton))
	if a := r.press(ann, added, *b.CallbackData); a.Text != text("en", msgUndoExpired) {
		t.Errorf("an expired Undo answered %q", a.Text)
	}
	if n := live(work); n != 1 {
		t.Errorf("an expired Undo left %d events in Work, want 1", n)
	}
}

// TestAddToSharedCalendarAsksScope: /add to a calendar shared with write
// access, which events.owned does not reach, asks for the scope that does,
// and adds nothing.
func TestAddToSharedCalendarAsksScope(t *testing.T) {
	r, g := newViewRig(t, ann, &fakeCalendars{t: t})
	r.cal.AddCalendar(email(ann), calendarfake.Calendar{ID: "family@group.calendar.google.com", Summary: "Family", AccessRole: "writer"})
	r.cal.SetScopes(func(string) []string { return []string{calendarfake.ScopeEventsOwned} })
	if err := r.db.UpdateSettings(ann.ID, func(s *storage.Settings) { s.AddTo = "family@group.calendar.google.com" }); err != nil {
		t.Fatal(err)
	}
	got := r.say(ann, "/add Picnic tomorrow 12:00")
	if !strings.HasPrefix(got.Text, "Nothing added yet") || len(g.scopes) != 1 || g.scopes[0] != CalendarWriteScope {
		t.Errorf("/add to a shared calendar replied %q, asked %v", got.Text, g.scopes)
	}
	if _, ok := got.Button(text("en", msgAddWriteGrow)); !ok {
		t.Errorf("no sign-in button: %+v", got.Markup)
	}
	if n := len(r.cal.EventsIn("family@group.calendar.google.com")); n != 0 {
		t.Errorf("%d events added", n)
	}
}
