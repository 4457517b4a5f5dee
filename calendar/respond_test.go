package calendar

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/calendar/calendarfake"
)

// responses returns email → responseStatus of the stored event id in calID.
func responses(t testing.TB, f *calendarfake.Server, calID, id string) map[string]string {
	t.Helper()
	for _, e := range f.EventsIn(calID) {
		if e.Id == id {
			out := map[string]string{}
			for _, a := range e.Attendees {
				out[a.Email] = a.ResponseStatus
			}
			return out
		}
	}
	t.Fatalf("no event %s in %s", id, calID)
	return nil
}

func TestRespond(t *testing.T) {
	const carol = "carol@example.com"
	tests := []struct {
		name      string
		org       string
		attendees []string // email, status pairs
		calendar  string   // "team" for the shared read-only calendar
		r         Response
		notify    bool
		wantErr   error
		want      map[string]string // alice's primary copy after
		updates   []string          // sendUpdates of the patches sent
	}{
		{"accept quietly", bob, []string{bob, "accepted", alice, "needsAction", carol, "declined"}, "", Accepted, false, nil,
			map[string]string{bob: "accepted", alice: "accepted", carol: "declined"}, []string{"none"}},
		{"decline and tell", bob, []string{bob, "accepted", alice, "accepted", carol, "tentative"}, "", Declined, true, nil,
			map[string]string{bob: "accepted", alice: "declined", carol: "tentative"}, []string{"all"}},
		{"same answer again sends nothing", bob, []string{bob, "accepted", alice, "tentative"}, "", Tentative, true, nil,
			map[string]string{bob: "accepted", alice: "tentative"}, nil},
		{"organizer", alice, []string{alice, "accepted", bob, "needsAction"}, "", Declined, false, ErrOrganizer,
			map[string]string{alice: "accepted", bob: "needsAction"}, nil},
		{"not invited", bob, []string{bob, "accepted", carol, "needsAction"}, "", Accepted, false, ErrNotInvited,
			map[string]string{bob: "accepted", carol: "needsAction"}, nil},
		{"read-only calendar", bob, []string{bob, "accepted", "team@example.com", "needsAction"}, "team", Accepted, false, ErrReadOnly,
			nil, []string{"none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, team, _ := e.fake.AddStandardCalendars(alice)
			calID, arg := alice, ""
			if tt.calendar == "team" {
				calID, arg = team, team
			}
			org, ats := people(tt.org, tt.attendees...)
			meeting := &gcal.Event{Id: "meet01", ICalUID: "meet01@example.com", Organizer: org, Attendees: ats,
				Start: &gcal.EventDateTime{DateTime: "2026-11-21T10:00:00Z"}, End: &gcal.EventDateTime{DateTime: "2026-11-21T11:00:00Z"}}
			e.fake.AddTo(alice, calID, meeting)
			e.fake.AddTo(bob, "primary", meeting) // the organizer's copy

			err := e.svc.Respond(context.Background(), e.ts, arg, "meet01", tt.r, tt.notify)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Respond = %v, want %v", err, tt.wantErr)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, responses(t, e.fake, alice, "meet01")); diff != "" {
					t.Errorf("attendees after Respond (-want +got):\n%s", diff)
				}
				if tt.org == bob {
					if diff := cmp.Diff(tt.want, responses(t, e.fake, bob, "meet01")); diff != "" {
						t.Errorf("organizer's copy after Respond (-want +got):\n%s", diff)
					}
				}
			}
			if diff := cmp.Diff(tt.updates, e.fake.PatchUpdates()); diff != "" {
				t.Errorf("patches' sendUpdates (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRespondInstance answers one occurrence of a series: the others keep
// their answer.
func TestRespondInstance(t *testing.T) {
	e := newEnv(t)
	org, ats := people(bob, bob, "accepted", alice, "needsAction")
	e.fake.Add(alice, &gcal.Event{Id: "weekly1", Organizer: org, Attendees: ats, Recurrence: []string{"RRULE:FREQ=DAILY;COUNT=3"},
		Start: &gcal.EventDateTime{DateTime: "2026-11-21T10:00:00Z", TimeZone: "UTC"}, End: &gcal.EventDateTime{DateTime: "2026-11-21T11:00:00Z", TimeZone: "UTC"}})
	if err := e.svc.Respond(context.Background(), e.ts, "", "weekly1_20261122T100000Z", Accepted, false); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	from := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	span, err := e.svc.Span(context.Background(), e.ts, "", from, from.AddDate(0, 0, 3), nil)
	if err != nil {
		t.Fatalf("Span: %v", err)
	}
	var got []Response
	for _, ev := range span.Events {
		got = append(got, ev.Response)
	}
	if want := []Response{NeedsAction, Accepted, NeedsAction}; !cmp.Equal(got, want) {
		t.Errorf("responses = %v, want %v", got, want)
	}
}

// TestScopes runs each call with a grant of one scope, as the fake enforces
// them like Google; a call without its scope fails with ErrScope.
func TestScopes(t *testing.T) {
	const (
		owned      = ScopeOwnEvents
		listRO     = ScopeCalendarList
		eventsRO   = ScopeAllEvents
		publicRO   = calendarfake.ScopeEventsPublicReadonly
		calendarRO = calendarfake.ScopeReadonly
	)
	from := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	type calls struct{ team, holidays string }
	span := func(which func(calls) string) func(context.Context, *env, oauth2.TokenSource, calls) error {
		return func(ctx context.Context, e *env, ts oauth2.TokenSource, c calls) error {
			_, err := e.svc.Span(ctx, ts, which(c), from, from.Add(time.Hour), nil)
			return err
		}
	}
	primary := span(func(calls) string { return "" })
	team := span(func(c calls) string { return c.team })
	holidays := span(func(c calls) string { return c.holidays })
	list := func(ctx context.Context, e *env, ts oauth2.TokenSource, _ calls) error {
		_, err := e.svc.Calendars(ctx, ts)
		return err
	}
	respond := func(ctx context.Context, e *env, ts oauth2.TokenSource, _ calls) error {
		return e.svc.Respond(ctx, ts, "", "meet01", Accepted, false)
	}
	insert := func(ctx context.Context, e *env, ts oauth2.TokenSource, _ calls) error {
		_, err := e.svc.Insert(ctx, ts, NewEvent{Title: "x", Start: from, End: from.Add(time.Hour)})
		return err
	}
	tests := []struct {
		name   string
		scopes []string
		call   func(context.Context, *env, oauth2.TokenSource, calls) error
		ok     bool
	}{
		{"events.owned lists the primary calendar", []string{owned}, primary, true},
		{"events.owned inserts", []string{owned}, insert, true},
		{"events.owned answers an invitation", []string{owned}, respond, true},
		{"events.owned cannot read a shared calendar", []string{owned}, team, false},
		{"events.owned cannot list calendars", []string{owned}, list, false},
		{"calendarlist.readonly lists calendars", []string{owned, listRO}, list, true},
		{"events.readonly reads a shared calendar", []string{owned, eventsRO}, team, true},
		{"calendar.readonly reads a shared calendar", []string{calendarRO}, team, true},
		{"events.public.readonly reads holidays", []string{publicRO}, holidays, true},
		{"events.readonly cannot answer", []string{eventsRO}, respond, false},
		{"no scope at all", nil, primary, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var c calls
			_, c.team, c.holidays = e.fake.AddStandardCalendars(alice)
			org, ats := people(bob, bob, "accepted", alice, "needsAction")
			e.fake.Add(alice, &gcal.Event{Id: "meet01", Organizer: org, Attendees: ats,
				Start: &gcal.EventDateTime{DateTime: "2026-11-21T10:00:00Z"}, End: &gcal.EventDateTime{DateTime: "2026-11-21T11:00:00Z"}})
			e.fake.SetScopes(func(bearer string) []string { return tt.scopes })
			err := tt.call(context.Background(), e, e.ts, c)
			if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrScope) {
				t.Errorf("call with %v = %v, want ok %v (else ErrScope)", tt.scopes, err, tt.ok)
			}
		})
	}
}

func TestCalendarIDs(t *testing.T) {
	e := newEnv(t)
	work, team, _ := e.fake.AddStandardCalendars(alice)
	ctx := context.Background()
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	marker := Marker(testEventKey, 1)
	ev, err := e.svc.Insert(ctx, e.ts, NewEvent{CalendarID: work, ID: EventID(testEventKey, 1, 1), Title: "Review", Start: at, End: at.Add(time.Hour), Marker: marker})
	if err != nil || ev.CalendarID != work {
		t.Fatalf("Insert into work = %+v, %v", ev, err)
	}
	if n := len(e.fake.EventsIn(work)); n != 1 || len(e.fake.Events(alice)) != 0 {
		t.Errorf("work holds %d events, primary %d; want 1, 0", n, len(e.fake.Events(alice)))
	}
	if got, err := e.svc.GetIn(ctx, e.ts, work, ev.ID, nil); err != nil || got.Title != "Review" || got.CalendarID != work {
		t.Errorf("GetIn(work) = %+v, %v", got, err)
	}
	if err := e.svc.DeleteMarked(ctx, e.ts, ev.ID, marker); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteMarked in primary = %v, want ErrNotFound", err)
	}
	if err := e.svc.DeleteMarkedIn(ctx, e.ts, work, ev.ID, marker); err != nil {
		t.Errorf("DeleteMarkedIn(work) = %v", err)
	}
	if _, err := e.svc.Insert(ctx, e.ts, NewEvent{CalendarID: team, Title: "x", Start: at, End: at.Add(time.Hour)}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Insert into a read-only calendar = %v, want ErrReadOnly", err)
	}
}
