package calendarfake_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	gcal "google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"

	"github.com/calbot/calbot/calendar/calendarfake"
)

const bob = "bob@example.com"

func meeting(org string, attendees ...string) *gcal.Event {
	e := timed("meet01", "Planning", "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")
	e.Organizer = &gcal.EventOrganizer{Email: org}
	for i := 0; i+1 < len(attendees); i += 2 {
		e.Attendees = append(e.Attendees, &gcal.EventAttendee{Email: attendees[i], ResponseStatus: attendees[i+1]})
	}
	return e
}

func statuses(e *gcal.Event) map[string]string {
	out := map[string]string{}
	for _, a := range e.Attendees {
		out[a.Email] = a.ResponseStatus
	}
	return out
}

// TestSelfPerCalendar: "self" says whether an entry is the calendar serving
// this copy, so two copies of one meeting differ.
func TestSelfPerCalendar(t *testing.T) {
	s := calendarfake.New(t, auth)
	_, team, _ := s.AddStandardCalendars(alice)
	m := meeting(bob, bob, "accepted", alice, "needsAction", team, "accepted")
	s.Add(alice, m)
	s.AddTo(alice, team, m)
	svc := client(t, s, "tok-alice")
	for _, tt := range []struct{ cal, self string }{{"primary", alice}, {team, team}} {
		got, err := svc.Events.Get(tt.cal, "meet01").Do()
		if err != nil {
			t.Fatalf("get from %s: %v", tt.cal, err)
		}
		var selves []string
		for _, a := range got.Attendees {
			if a.Self {
				selves = append(selves, a.Email)
			}
		}
		if !cmp.Equal(selves, []string{tt.self}) || got.Organizer.Self || got.Reminders == nil || !got.Reminders.UseDefault {
			t.Errorf("get from %s: self %v, organizer self %v, reminders %+v; want [%s], false, useDefault", tt.cal, selves, got.Organizer.Self, got.Reminders, tt.self)
		}
	}
}

func TestPatch(t *testing.T) {
	tests := []struct {
		name       string
		account    string // whose primary copy is patched
		body       string
		want       map[string]string // alice's copy after
		unexpected bool
	}{
		{"attendeesOmitted changes only the listed entry", alice,
			`{"attendees":[{"email":"alice@example.com","responseStatus":"accepted"}],"attendeesOmitted":true}`,
			map[string]string{bob: "accepted", alice: "accepted", "carol@example.com": "needsAction"}, false},
		{"an array replaces the array", bob,
			`{"attendees":[{"email":"bob@example.com","responseStatus":"accepted"},{"email":"alice@example.com","responseStatus":"needsAction"}]}`,
			map[string]string{bob: "accepted", alice: "needsAction"}, false},
		{"objects merge, other fields stay", alice, `{"location":"Room 2"}`,
			map[string]string{bob: "accepted", alice: "needsAction", "carol@example.com": "needsAction"}, false},
		{"an attendee cannot answer for another", alice,
			`{"attendees":[{"email":"carol@example.com","responseStatus":"accepted"}],"attendeesOmitted":true}`, nil, true},
		{"an attendee cannot drop guests", alice,
			`{"attendees":[{"email":"alice@example.com","responseStatus":"accepted"}]}`, nil, true},
		{"the organizer does not answer", bob,
			`{"attendees":[{"email":"bob@example.com","responseStatus":"declined"}],"attendeesOmitted":true}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := calendarfake.NewServer(func(b string) (string, bool) { return b, b != "" })
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			m := meeting(bob, bob, "accepted", alice, "needsAction", "carol@example.com", "needsAction")
			s.Add(alice, m)
			s.Add(bob, m)
			req, _ := http.NewRequest("PATCH", srv.URL+"/calendar/v3/calendars/primary/events/meet01?sendUpdates=none", strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tt.account)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if got := len(s.Unexpected()) > 0; got != tt.unexpected || (res.StatusCode == 200) == tt.unexpected {
				t.Fatalf("patch = %d %s, unexpected %q; want unexpected %v", res.StatusCode, b, s.Unexpected(), tt.unexpected)
			}
			if tt.want == nil {
				return
			}
			got := s.Events(alice)[0]
			if diff := cmp.Diff(tt.want, statuses(got)); diff != "" {
				t.Errorf("alice's copy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(statuses(got), statuses(s.Events(bob)[0])); diff != "" {
				t.Errorf("bob's copy differs from alice's (-alice +bob):\n%s", diff)
			}
		})
	}
}

// TestAccess: writing to a calendar shared read-only is refused with
// Google's 403 requiredAccessLevel; a token without the endpoint's scope
// gets 403 insufficientPermissions.
func TestAccess(t *testing.T) {
	s := calendarfake.New(t, auth)
	_, team, holidays := s.AddStandardCalendars(alice)
	var scopes []string
	s.SetScopes(func(string) []string { return scopes })
	svc := client(t, s, "tok-alice")
	ev := timed("", "x", "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z")
	tests := []struct {
		name   string
		scopes []string
		call   func() error
		code   int
		reason string
	}{
		{"insert into a read-only calendar", []string{calendarfake.ScopeCalendar},
			func() error { _, err := svc.Events.Insert(team, ev).SendUpdates("none").Do(); return err }, 403, "requiredAccessLevel"},
		{"insert into holidays", []string{calendarfake.ScopeCalendar},
			func() error { _, err := svc.Events.Insert(holidays, ev).SendUpdates("none").Do(); return err }, 403, "requiredAccessLevel"},
		{"calendar list without its scope", []string{calendarfake.ScopeEventsOwned},
			func() error { _, err := svc.CalendarList.List().Do(); return err }, 403, "insufficientPermissions"},
		{"calendar list with it", []string{calendarfake.ScopeCalendarListReadonly},
			func() error { _, err := svc.CalendarList.List().Do(); return err }, 0, ""},
		{"shared calendar with events.owned", []string{calendarfake.ScopeEventsOwned},
			func() error { _, err := svc.Events.List(team).Do(); return err }, 403, "insufficientPermissions"},
		{"insert with a read-only scope", []string{calendarfake.ScopeEventsReadonly},
			func() error { _, err := svc.Events.Insert("primary", ev).SendUpdates("none").Do(); return err }, 403, "insufficientPermissions"},
		{"calendar not in the list", []string{calendarfake.ScopeCalendar},
			func() error { _, err := svc.Events.List("nobody@example.com").Do(); return err }, 404, "notFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scopes = tt.scopes
			err := tt.call()
			var gerr *googleapi.Error
			switch {
			case tt.code == 0 && err != nil:
				t.Errorf("call = %v, want success", err)
			case tt.code != 0 && (!errors.As(err, &gerr) || gerr.Code != tt.code || len(gerr.Errors) != 1 || gerr.Errors[0].Reason != tt.reason):
				t.Errorf("call = %v, want %d %s", err, tt.code, tt.reason)
			}
		})
	}
}

func TestCalendarList(t *testing.T) {
	s := calendarfake.New(t, auth)
	work, team, holidays := s.AddStandardCalendars(alice)
	s.AddCalendar(alice, calendarfake.Calendar{ID: "busy@example.com", AccessRole: "freeBusyReader"})
	svc := client(t, s, "tok-alice")
	tests := []struct {
		role string
		want []string
	}{
		{"", []string{alice, work, team, holidays, "busy@example.com"}},
		{"reader", []string{alice, work, team, holidays}},
		{"owner", []string{alice, work}},
	}
	for _, tt := range tests {
		t.Run("min "+tt.role, func(t *testing.T) {
			var got []string
			err := svc.CalendarList.List().MinAccessRole(tt.role).MaxResults(2).Pages(context.Background(), func(l *gcal.CalendarList) error {
				for _, it := range l.Items {
					got = append(got, it.Id)
				}
				return nil
			})
			if err != nil || !cmp.Equal(got, tt.want) {
				t.Errorf("calendar list = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	got, err := svc.Events.List(work).Do()
	if err != nil || len(got.DefaultReminders) != 1 || got.DefaultReminders[0].Minutes != 15 || got.AccessRole != "owner" || got.Summary != "Work" {
		t.Errorf("events of work = %+v, %v; want Work's default reminder of 15 minutes", got, err)
	}
}
