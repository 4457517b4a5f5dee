package calendar

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/calendar/calendarfake"
)

const bob = "bob@example.com"

// extras is what Span adds to an event beyond times and title.
type extras struct {
	ID, CalendarID, ICalUID string
	Response                Response
	Organizer               bool
	JoinURL                 string
	Reminders               []time.Duration
}

func extrasOf(events []Event) []extras {
	var out []extras
	for _, ev := range events {
		out = append(out, extras{ev.ID, ev.CalendarID, ev.ICalUID, ev.Response, ev.Organizer, ev.JoinURL, ev.Reminders})
	}
	return out
}

func people(orgSelf string, list ...string) (*gcal.EventOrganizer, []*gcal.EventAttendee) {
	org := &gcal.EventOrganizer{Email: orgSelf}
	var ats []*gcal.EventAttendee
	for i := 0; i+1 < len(list); i += 2 {
		ats = append(ats, &gcal.EventAttendee{Email: list[i], ResponseStatus: list[i+1], Organizer: list[i] == orgSelf})
	}
	return org, ats
}

func popupsOf(minutes ...int64) []*gcal.EventReminder {
	var out []*gcal.EventReminder
	for _, m := range minutes {
		out = append(out, &gcal.EventReminder{Method: "popup", Minutes: m})
	}
	return out
}

func TestSpanFields(t *testing.T) {
	video := &gcal.ConferenceData{EntryPoints: []*gcal.EntryPoint{
		{EntryPointType: "phone", Uri: "tel:+1-555-0100"},
		{EntryPointType: "video", Uri: "https://zoom.example/j/1"},
	}}
	phoneOnly := &gcal.ConferenceData{EntryPoints: []*gcal.EntryPoint{{EntryPointType: "phone", Uri: "tel:+1-555-0100"}}}
	m := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	tests := []struct {
		name string
		ev   *gcal.Event
		want extras
	}{
		{"own event, calendar defaults", &gcal.Event{},
			extras{Organizer: true, Reminders: []time.Duration{m(10), m(30)}}},
		{"video entry point beats meet link and location",
			&gcal.Event{ConferenceData: video, HangoutLink: "https://meet.google.com/abc", Location: "https://x.example/room"},
			extras{Organizer: true, JoinURL: "https://zoom.example/j/1", Reminders: []time.Duration{m(10), m(30)}}},
		{"meet link without a video entry point",
			&gcal.Event{ConferenceData: phoneOnly, HangoutLink: "https://meet.google.com/abc", Location: "https://x.example/room"},
			extras{Organizer: true, JoinURL: "https://meet.google.com/abc", Reminders: []time.Duration{m(10), m(30)}}},
		{"first https url in the location",
			&gcal.Event{Location: "Room 4 (or http://old.example, https://teams.example/l/9?x=1), floor 2"},
			extras{Organizer: true, JoinURL: "https://teams.example/l/9?x=1", Reminders: []time.Duration{m(10), m(30)}}},
		{"own overrides, popups only",
			&gcal.Event{Reminders: &gcal.EventReminders{Overrides: []*gcal.EventReminder{{Method: "email", Minutes: 60}, {Method: "popup", Minutes: 5}}, ForceSendFields: []string{"UseDefault"}}},
			extras{Organizer: true, Reminders: []time.Duration{m(5)}}},
		{"no reminders at all",
			&gcal.Event{Reminders: &gcal.EventReminders{ForceSendFields: []string{"UseDefault"}}},
			extras{Organizer: true}},
		{"invitation not answered",
			func() *gcal.Event {
				o, a := people(bob, bob, "accepted", alice, "needsAction", "carol@example.com", "declined")
				return &gcal.Event{Organizer: o, Attendees: a}
			}(),
			extras{Response: NeedsAction, Reminders: []time.Duration{m(10), m(30)}}},
		{"declined invitation is kept",
			func() *gcal.Event {
				o, a := people(bob, bob, "accepted", alice, "declined")
				return &gcal.Event{Organizer: o, Attendees: a}
			}(),
			extras{Response: Declined, Reminders: []time.Duration{m(10), m(30)}}},
		{"organizer with guests",
			func() *gcal.Event {
				o, a := people(alice, alice, "accepted", bob, "tentative")
				return &gcal.Event{Organizer: o, Attendees: a}
			}(),
			extras{Response: Accepted, Organizer: true, Reminders: []time.Duration{m(10), m(30)}}},
		{"someone else's event without guests",
			&gcal.Event{Organizer: &gcal.EventOrganizer{Email: bob}, Creator: &gcal.EventCreator{Email: bob}},
			extras{Reminders: []time.Duration{m(10), m(30)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.AddCalendar(alice, calendarfake.Calendar{ID: alice, Zone: "Europe/Berlin",
				DefaultReminders: append(popupsOf(10, 30), &gcal.EventReminder{Method: "email", Minutes: 1440})})
			tt.ev.Id, tt.ev.ICalUID = "ev001", "uid1@example.com"
			tt.ev.Start = &gcal.EventDateTime{DateTime: "2026-11-21T10:00:00+01:00"}
			tt.ev.End = &gcal.EventDateTime{DateTime: "2026-11-21T11:00:00+01:00"}
			e.fake.Add(alice, tt.ev)
			from := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
			span, err := e.svc.Span(context.Background(), e.ts, "", from, from.Add(24*time.Hour), nil)
			if err != nil {
				t.Fatalf("Span: %v", err)
			}
			if span.Zone.String() != "Europe/Berlin" || !cmp.Equal(span.DefaultReminders, []time.Duration{m(10), m(30)}) {
				t.Errorf("Span zone, defaults = %v, %v; want Europe/Berlin, [10m 30m]", span.Zone, span.DefaultReminders)
			}
			tt.want.ID, tt.want.CalendarID, tt.want.ICalUID = "ev001", "primary", "uid1@example.com"
			if diff := cmp.Diff([]extras{tt.want}, extrasOf(span.Events)); diff != "" {
				t.Errorf("Span events (-want +got):\n%s", diff)
			}
			if got := span.Events[0].Start.Location().String(); got != "Europe/Berlin" {
				t.Errorf("Span event start in %s, want the calendar's zone", got)
			}
		})
	}
}

func TestSpanPages(t *testing.T) {
	e := newEnv(t)
	e.svc.pageSize = 2
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	var want []string
	for i := range 5 {
		st := start.Add(time.Duration(i) * time.Hour)
		id := fmt.Sprintf("ev%03d", i)
		e.fake.Add(alice, timed(id, "", st.Format(time.RFC3339), st.Add(time.Hour).Format(time.RFC3339)))
		want = append(want, id)
	}
	span, err := e.svc.Span(context.Background(), e.ts, "primary", start, start.Add(24*time.Hour), time.UTC)
	if err != nil {
		t.Fatalf("Span: %v", err)
	}
	var got []string
	for _, ev := range span.Events {
		got = append(got, ev.ID)
	}
	if !cmp.Equal(got, want) {
		t.Errorf("Span ids = %v, want %v", got, want)
	}
	if n := e.fake.Requests("list"); n != 3 {
		t.Errorf("list requests = %d, want 3 pages of 2", n)
	}
}

// TestSpanCalendars reads other calendars than the primary one; the same
// meeting seen through two of them keeps one ICalUID, the key to show it once.
func TestSpanCalendars(t *testing.T) {
	e := newEnv(t)
	_, team, holidays := e.fake.AddStandardCalendars(alice)
	org, ats := people(bob, bob, "accepted", alice, "needsAction", team, "accepted")
	meeting := &gcal.Event{Id: "meet01", ICalUID: "meet01@example.com", Summary: "Planning", Organizer: org, Attendees: ats,
		Start: &gcal.EventDateTime{DateTime: "2026-11-21T10:00:00Z"}, End: &gcal.EventDateTime{DateTime: "2026-11-21T11:00:00Z"}}
	e.fake.AddTo(alice, "primary", meeting)
	e.fake.AddTo(alice, team, meeting)
	e.fake.AddTo(alice, holidays, allDay("hol01", "Unity Day", "2026-11-21", "2026-11-22"))
	from := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, calendar, title string
		want                  []extras
	}{
		{"primary", "primary", alice, []extras{{ID: "meet01", CalendarID: "primary", ICalUID: "meet01@example.com", Response: NeedsAction, Reminders: []time.Duration{10 * time.Minute}}}},
		{"shared read-only", team, "Team", []extras{{ID: "meet01", CalendarID: team, ICalUID: "meet01@example.com", Response: Accepted}}},
		{"holidays", holidays, "Holidays in Russia", []extras{{ID: "hol01", CalendarID: holidays, ICalUID: "hol01@google.com", Organizer: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span, err := e.svc.Span(context.Background(), e.ts, tt.calendar, from, from.Add(24*time.Hour), time.UTC)
			if err != nil {
				t.Fatalf("Span(%s): %v", tt.calendar, err)
			}
			if diff := cmp.Diff(tt.want, extrasOf(span.Events)); diff != "" {
				t.Errorf("Span(%s) (-want +got):\n%s", tt.calendar, diff)
			}
			if got := span.Events[0].CalendarName; got != tt.title {
				t.Errorf("Span(%s) calendar name = %q, want %q", tt.calendar, got, tt.title)
			}
		})
	}
	if _, err := e.svc.Span(context.Background(), e.ts, "gone@example.com", from, from.Add(time.Hour), nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Span of a calendar not in the list: %v, want ErrNotFound", err)
	}
}

func TestCalendars(t *testing.T) {
	tests := []struct {
		name  string
		extra int // more calendars, to span pages of 250
		want  int
	}{
		{"standard", 0, 4},
		{"two pages", 250, 254},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			work, team, holidays := e.fake.AddStandardCalendars(alice)
			e.fake.AddCalendar(alice, calendarfake.Calendar{ID: "busy@example.com", Summary: "Busy", AccessRole: "freeBusyReader"})
			for i := range tt.extra {
				e.fake.AddCalendar(alice, calendarfake.Calendar{ID: fmt.Sprintf("c%d@group.calendar.google.com", i), Summary: "x", AccessRole: "writer"})
			}
			got, err := e.svc.Calendars(context.Background(), e.ts)
			if err != nil {
				t.Fatalf("Calendars: %v", err)
			}
			if len(got) != tt.want {
				t.Fatalf("Calendars = %d calendars, want %d", len(got), tt.want)
			}
			want := []CalendarInfo{
				{ID: alice, Name: alice, Primary: true, AccessRole: "owner", Writable: true, Zone: "UTC"},
				{ID: work, Name: "Work", AccessRole: "owner", Writable: true, Zone: "UTC"},
				{ID: team, Name: "Team", AccessRole: "reader", Zone: "UTC"},
				{ID: holidays, Name: "Holidays in Russia", AccessRole: "reader", Zone: "UTC"},
			}
			if diff := cmp.Diff(want, got[:4]); diff != "" {
				t.Errorf("Calendars (-want +got):\n%s", diff)
			}
			if tt.extra > 0 && (!got[len(got)-1].Writable || e.fake.Requests("calendarList") != 2) {
				t.Errorf("last calendar %+v after %d requests, want writable after 2", got[len(got)-1], e.fake.Requests("calendarList"))
			}
		})
	}
}
