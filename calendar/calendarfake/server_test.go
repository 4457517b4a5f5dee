package calendarfake_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/calbot/calbot/calendar/calendarfake"
)

const alice = "alice@example.com"

// auth knows one token, "tok-alice".
func auth(bearer string) (string, bool) {
	if bearer == "tok-alice" {
		return alice, true
	}
	return "", false
}

// client returns a real Calendar client talking to s with the given token.
func client(t testing.TB, s *calendarfake.Server, token string) *gcal.Service {
	t.Helper()
	hc := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}),
	}}
	svc, err := gcal.NewService(context.Background(), option.WithHTTPClient(hc), option.WithEndpoint(s.URL()))
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc
}

func timed(id, title, start, end string) *gcal.Event {
	return &gcal.Event{Id: id, Summary: title,
		Start: &gcal.EventDateTime{DateTime: start}, End: &gcal.EventDateTime{DateTime: end}}
}

func allDay(id, title, start, end string) *gcal.Event {
	return &gcal.Event{Id: id, Summary: title,
		Start: &gcal.EventDateTime{Date: start}, End: &gcal.EventDateTime{Date: end}}
}

func recurring(e *gcal.Event, tz, rule string) *gcal.Event {
	e.Recurrence = []string{rule}
	if e.Start.DateTime != "" {
		e.Start.TimeZone, e.End.TimeZone = tz, tz
	}
	return e
}

func ids(items []*gcal.Event) []string {
	var out []string
	for _, e := range items {
		out = append(out, e.Id)
	}
	return out
}

func TestList(t *testing.T) {
	seed := []*gcal.Event{
		timed("late00", "late", "2026-11-21T23:30:00+03:00", "2026-11-22T00:30:00+03:00"),
		timed("early0", "early", "2026-11-21T09:00:00+03:00", "2026-11-21T10:00:00+03:00"),
		timed("before", "ends at midnight", "2026-11-20T23:00:00+03:00", "2026-11-21T00:00:00+03:00"),
		timed("cross0", "from yesterday", "2026-11-20T23:00:00+03:00", "2026-11-21T01:00:00+03:00"),
		timed("after0", "tomorrow", "2026-11-22T00:00:00+03:00", "2026-11-22T01:00:00+03:00"),
		allDay("holid0", "holiday", "2026-11-21", "2026-11-22"),
		allDay("trip00", "trip", "2026-11-19", "2026-11-24"),
		recurring(timed("daily0", "standup", "2026-11-19T10:00:00+03:00", "2026-11-19T10:15:00+03:00"), "Europe/Moscow", "RRULE:FREQ=DAILY;COUNT=5"),
		recurring(timed("weekly", "review", "2026-11-07T12:00:00+03:00", "2026-11-07T13:00:00+03:00"), "Europe/Moscow", "RRULE:FREQ=WEEKLY"),
		recurring(timed("over00", "too few", "2026-11-18T10:00:00+03:00", "2026-11-18T11:00:00+03:00"), "Europe/Moscow", "RRULE:FREQ=DAILY;COUNT=2"),
		recurring(allDay("bday00", "birthday", "2025-11-21", "2025-11-22"), "", "RRULE:FREQ=WEEKLY;INTERVAL=52;COUNT=3"),
	}
	tests := []struct {
		name   string
		single bool
		order  string
		want   []string
	}{
		{"instances by start", true, "startTime", []string{
			"trip00", "cross0", "holid0", "early0", "daily0_20261121T070000Z", "weekly_20261121T090000Z", "late00",
		}},
		{"instances unordered", true, "", []string{
			"late00", "early0", "cross0", "holid0", "trip00", "daily0_20261121T070000Z", "weekly_20261121T090000Z",
		}},
		{"masters", false, "", []string{
			"late00", "early0", "cross0", "holid0", "trip00", "daily0", "weekly",
		}},
	}
	s := calendarfake.New(t, auth)
	s.SetZone(alice, "Europe/Moscow")
	for _, e := range seed {
		s.Add(alice, e)
	}
	svc := client(t, s, "tok-alice")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := svc.Events.List("primary").SingleEvents(tt.single).
				TimeMin("2026-11-21T00:00:00+03:00").TimeMax("2026-11-22T00:00:00+03:00")
			if tt.order != "" {
				call = call.OrderBy(tt.order)
			}
			res, err := call.Do()
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if res.TimeZone != "Europe/Moscow" {
				t.Errorf("TimeZone = %q, want Europe/Moscow", res.TimeZone)
			}
			if diff := cmp.Diff(tt.want, ids(res.Items)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListInstanceFields(t *testing.T) {
	s := calendarfake.New(t, auth)
	s.SetZone(alice, "America/New_York")
	// Wall-clock 09:00 stays 09:00 across the DST change on 2026-11-01.
	s.Add(alice, recurring(timed("daily0", "standup", "2026-10-31T09:00:00-04:00", "2026-10-31T09:30:00-04:00"), "America/New_York", "RRULE:FREQ=DAILY;COUNT=3"))
	res, err := client(t, s, "tok-alice").Events.List(alice).SingleEvents(true).OrderBy("startTime").Do()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var got []string
	for _, e := range res.Items {
		got = append(got, e.Id+" "+e.Start.DateTime+" "+e.RecurringEventId)
	}
	want := []string{
		"daily0_20261031T130000Z 2026-10-31T09:00:00-04:00 daily0",
		"daily0_20261101T140000Z 2026-11-01T09:00:00-05:00 daily0",
		"daily0_20261102T140000Z 2026-11-02T09:00:00-05:00 daily0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instances (-want +got):\n%s", diff)
	}
}

func TestListPages(t *testing.T) {
	s := calendarfake.New(t, auth)
	for _, id := range []string{"aaaaa", "bbbbb", "ccccc", "ddddd", "eeeee"} {
		s.Add(alice, timed(id, id, "2026-11-21T09:00:00Z", "2026-11-21T10:00:00Z"))
	}
	var got []string
	pages := 0
	err := client(t, s, "tok-alice").Events.List("primary").MaxResults(2).Pages(context.Background(), func(res *gcal.Events) error {
		pages++
		got = append(got, ids(res.Items)...)
		return nil
	})
	if err != nil {
		t.Fatalf("pages: %v", err)
	}
	if want := []string{"aaaaa", "bbbbb", "ccccc", "ddddd", "eeeee"}; pages != 3 || !cmp.Equal(got, want) {
		t.Errorf("got %d pages %v, want 3 pages %v", pages, got, want)
	}
	if n := s.Requests("list"); n != 3 {
		t.Errorf("Requests(list) = %d, want 3", n)
	}
}

func TestInsertGetDelete(t *testing.T) {
	s := calendarfake.New(t, auth)
	svc := client(t, s, "tok-alice")
	ev := timed("abcdef0123", "Lunch", "2026-11-21T13:00:00+03:00", "2026-11-21T14:00:00+03:00")
	ev.Start.TimeZone, ev.End.TimeZone = "Europe/Moscow", "Europe/Moscow"

	got, err := svc.Events.Insert("primary", ev).SendUpdates("none").Do()
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	if got.Id != ev.Id || got.Status != "confirmed" || !strings.HasPrefix(got.HtmlLink, "https://www.google.com/calendar/event?eid=") || got.Created == "" {
		t.Errorf("insert = %+v, want id, status, htmlLink and created filled", got)
	}
	_, err = svc.Events.Insert("primary", ev).SendUpdates("none").Do()
	if code, reason := apiError(err); code != 409 || reason != "duplicate" {
		t.Errorf("second insert: %v, want 409 duplicate", err)
	}
	if e, err := svc.Events.Get("primary", ev.Id).Do(); err != nil || e.Summary != "Lunch" {
		t.Errorf("get = %v, %v; want Lunch", e, err)
	}
	if err := svc.Events.Delete("primary", ev.Id).SendUpdates("none").Do(); err != nil {
		t.Fatalf("delete: %v", err)
	}
	err = svc.Events.Delete("primary", ev.Id).SendUpdates("none").Do()
	if code, reason := apiError(err); code != 410 || reason != "deleted" {
		t.Errorf("second delete: %v, want 410 deleted", err)
	}
	err = svc.Events.Delete("primary", "nosuchevent").SendUpdates("none").Do()
	if code, reason := apiError(err); code != 404 || reason != "notFound" {
		t.Errorf("delete unknown: %v, want 404 notFound", err)
	}
	if e, err := svc.Events.Get("primary", ev.Id).Do(); err != nil || e.Status != "cancelled" {
		t.Errorf("get deleted = %v, %v; want status cancelled", e, err)
	}
	if stored := s.Events(alice); len(stored) != 1 || stored[0].Status != "cancelled" {
		t.Errorf("Events = %v, want the one cancelled event", stored)
	}
	if n := s.Requests("insert"); n != 2 {
		t.Errorf("Requests(insert) = %d, want 2", n)
	}
}

func TestDeleteInstance(t *testing.T) {
	s := calendarfake.New(t, auth)
	s.Add(alice, recurring(timed("daily0", "standup", "2026-11-19T10:00:00Z", "2026-11-19T10:15:00Z"), "UTC", "RRULE:FREQ=DAILY;COUNT=3"))
	svc := client(t, s, "tok-alice")
	if err := svc.Events.Delete("primary", "daily0_20261120T100000Z").SendUpdates("none").Do(); err != nil {
		t.Fatalf("delete instance: %v", err)
	}
	res, err := svc.Events.List("primary").SingleEvents(true).Do()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if want := []string{"daily0_20261119T100000Z", "daily0_20261121T100000Z"}; !cmp.Equal(ids(res.Items), want) {
		t.Errorf("after delete: %v, want %v", ids(res.Items), want)
	}
	err = svc.Events.Delete("primary", "daily0_20261120T100000Z").SendUpdates("none").Do()
	if code, _ := apiError(err); code != 410 {
		t.Errorf("second delete: %v, want 410", err)
	}
}

func TestAuth(t *testing.T) {
	s := calendarfake.New(t, auth)
	_, err := client(t, s, "stolen").Events.List("primary").Do()
	if code, reason := apiError(err); code != 401 || reason != "authError" {
		t.Errorf("list with bad token: %v, want 401 authError", err)
	}
	res, err := http.Get(s.URL() + "calendars/primary/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("list without token: status %d, want 401", res.StatusCode)
	}
}

func TestFailNext(t *testing.T) {
	tests := []struct {
		name, reason string
		status       int
	}{
		{"server error", "backendError", 503},
		{"rate limit", "rateLimitExceeded", 403},
		{"too many", "rateLimitExceeded", 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := calendarfake.New(t, auth)
			svc := client(t, s, "tok-alice")
			s.FailNext(2, tt.status, tt.reason)
			for range 2 {
				_, err := svc.Events.List("primary").Do()
				if code, reason := apiError(err); code != tt.status || reason != tt.reason {
					t.Errorf("list = %v, want %d %s", err, tt.status, tt.reason)
				}
			}
			if _, err := svc.Events.List("primary").Do(); err != nil {
				t.Errorf("third list: %v", err)
			}
			if n := s.Requests("list"); n != 3 {
				t.Errorf("Requests(list) = %d, want 3", n)
			}
		})
	}
}

func TestUnexpected(t *testing.T) {
	const base = "/calendar/v3/calendars/primary/events"
	const body = `{"start":{"dateTime":"2026-11-21T13:00:00+03:00"},"end":{"dateTime":"2026-11-21T14:00:00+03:00"}}`
	tests := []struct {
		name, method, target, body string
	}{
		{"wrong path", "GET", "/calendar/calendars/primary/events", ""},
		{"startTime order of masters", "GET", base + "?orderBy=startTime", ""},
		{"timeMin without offset", "GET", base + "?timeMin=2026-11-21T00:00:00", ""},
		{"unknown parameter", "GET", base + "?q=lunch", ""},
		{"huge page", "GET", base + "?maxResults=5000", ""},
		{"forged page token", "GET", base + "?pageToken=xyz", ""},
		{"insert with invitations", "POST", base + "?sendUpdates=all", body},
		{"insert without sendUpdates", "POST", base, body},
		{"id with upper case", "POST", base + "?sendUpdates=none", `{"id":"ABCDEF","start":{"date":"2026-11-21"},"end":{"date":"2026-11-22"}}`},
		{"id too short", "POST", base + "?sendUpdates=none", `{"id":"abcd","start":{"date":"2026-11-21"},"end":{"date":"2026-11-22"}}`},
		{"date-time without offset", "POST", base + "?sendUpdates=none", `{"start":{"dateTime":"2026-11-21T13:00:00"},"end":{"dateTime":"2026-11-21T14:00:00"}}`},
		{"empty range", "POST", base + "?sendUpdates=none", `{"start":{"date":"2026-11-21"},"end":{"date":"2026-11-21"}}`},
		{"delete without sendUpdates", "DELETE", base + "/abcdef", ""},
		{"patch without sendUpdates", "PATCH", base + "/abcdef", `{}`},
		{"calendar list page too big", "GET", "/calendar/v3/users/me/calendarList?maxResults=1000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := calendarfake.NewServer(auth)
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			req, err := http.NewRequest(tt.method, srv.URL+tt.target, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer tok-alice")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode/100 != 4 || !strings.Contains(string(b), `"error"`) {
				t.Errorf("%s %s = %d %s, want a Google-style 4xx", tt.method, tt.target, res.StatusCode, b)
			}
			if u := s.Unexpected(); len(u) != 1 {
				t.Errorf("Unexpected() = %q, want one entry", u)
			}
		})
	}
}

func TestConcurrentInserts(t *testing.T) {
	s := calendarfake.New(t, auth)
	svc := client(t, s, "tok-alice")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ev := allDay("", "party", "2026-11-21", "2026-11-22")
			if _, err := svc.Events.Insert("primary", ev).SendUpdates("none").Do(); err != nil {
				t.Errorf("insert: %v", err)
			}
			if _, err := svc.Events.List("primary").Do(); err != nil {
				t.Errorf("list: %v", err)
			}
		})
	}
	wg.Wait()
	if n := len(s.Events(alice)); n != 8 {
		t.Errorf("stored %d events, want 8", n)
	}
}

// apiError returns the status and first reason of a Google API error.
func apiError(err error) (code int, reason string) {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return 0, ""
	}
	if len(gerr.Errors) > 0 {
		reason = gerr.Errors[0].Reason
	}
	return gerr.Code, reason
}

func TestExtendedProperties(t *testing.T) {
	s := calendarfake.New(t, auth)
	svc := client(t, s, "tok-alice")
	ev := timed("props01234", "Lunch", "2026-11-21T13:00:00+03:00", "2026-11-21T14:00:00+03:00")
	long := strings.Repeat("k", 45)
	ev.ExtendedProperties = &gcal.EventExtendedProperties{
		Private: map[string]string{"calbot": "m1", long: "dropped", "big": strings.Repeat("v", 1100)},
		Shared:  map[string]string{"team": "x"},
	}
	if _, err := svc.Events.Insert("primary", ev).SendUpdates("none").Do(); err != nil {
		t.Fatalf("insert: %v", err)
	}
	got, err := svc.Events.Get("primary", ev.Id).Do()
	if err != nil {
		t.Fatal(err)
	}
	p := got.ExtendedProperties
	if p == nil || p.Private["calbot"] != "m1" || p.Shared["team"] != "x" || p.Private["team"] != "" || p.Shared["calbot"] != "" {
		t.Fatalf("get: extendedProperties = %+v, want private and shared kept apart", p)
	}
	if _, ok := p.Private[long]; ok {
		t.Error("a 45-character key was stored; Google drops keys over 44 characters")
	}
	if n := len(p.Private["big"]); n != 1024 {
		t.Errorf("a 1100-character value came back with %d characters; Google cuts at 1024", n)
	}
	res, err := svc.Events.List("primary").Do()
	if err != nil || len(res.Items) != 1 || res.Items[0].ExtendedProperties.Private["calbot"] != "m1" {
		t.Errorf("list: %v; want the event with its private property", err)
	}
}

func TestListRules(t *testing.T) {
	tests := []struct {
		name, start, rule string
		allDay            bool
		want              []string
	}{
		{"weekdays", "2026-11-20T09:00:00+03:00", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=7",
			false, []string{"2026-11-20", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30"}},
		{"every other week on two days", "2026-11-23T09:00:00+03:00", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
			false, []string{"2026-11-23", "2026-11-26", "2026-12-07", "2026-12-10"}},
		{"every third day, counted", "2026-11-21T09:00:00+03:00", "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=3",
			false, []string{"2026-11-21", "2026-11-24", "2026-11-27"}},
		{"weekly until, in UTC", "2026-11-23T09:00:00+03:00", "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261207T205959Z",
			false, []string{"2026-11-23", "2026-11-30", "2026-12-07"}},
		{"all-day until a date, in the calendar's zone", "2026-11-28", "RRULE:FREQ=DAILY;UNTIL=20261201",
			true, []string{"2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := calendarfake.New(t, auth)
			s.SetZone(alice, "Europe/Moscow")
			e := timed("rule0", "r", tt.start, strings.Replace(tt.start, "T09:", "T10:", 1))
			if tt.allDay {
				e = allDay("rule0", "r", tt.start, tt.start)
				e.End.Date = "2026-11-29"
			}
			s.Add(alice, recurring(e, "Europe/Moscow", tt.rule))
			res, err := client(t, s, "tok-alice").Events.List("primary").SingleEvents(true).OrderBy("startTime").
				TimeMin("2026-11-20T00:00:00+03:00").TimeMax("2026-12-12T00:00:00+03:00").Do()
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			var got []string
			for _, in := range res.Items {
				got = append(got, in.Start.Date+in.Start.DateTime[:min(10, len(in.Start.DateTime))])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: instance days (-want +got):\n%s", tt.rule, diff)
			}
		})
	}
}
