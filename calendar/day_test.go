package calendar

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/calendar/calendarfake"
)

const alice = "alice@example.com"

// env is a Service talking to a fake calendar for alice.
type env struct {
	svc    *Service
	fake   *calendarfake.Server
	ts     oauth2.TokenSource
	mu     sync.Mutex
	sleeps []time.Duration
}

func newEnv(t testing.TB) *env {
	t.Helper()
	fake := calendarfake.New(t, func(bearer string) (string, bool) {
		return alice, bearer == "tok-alice"
	})
	e := &env{fake: fake, ts: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok-alice"})}
	e.svc = New(fake.URL(), &http.Client{})
	e.svc.sleep = func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.sleeps = append(e.sleeps, d)
		return ctx.Err()
	}
	return e
}

func (e *env) slept() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sleeps
}

func load(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func timed(id, title, start, end string) *gcal.Event {
	return &gcal.Event{Id: id, Summary: title, Start: &gcal.EventDateTime{DateTime: start}, End: &gcal.EventDateTime{DateTime: end}}
}

func allDay(id, title, start, end string) *gcal.Event {
	return &gcal.Event{Id: id, Summary: title, Start: &gcal.EventDateTime{Date: start}, End: &gcal.EventDateTime{Date: end}}
}

// brief renders events as "id start-end" in their own zones, for diffs.
func brief(events []Event) []string {
	var out []string
	for _, ev := range events {
		layout := "2006-01-02T15:04Z07:00"
		if ev.AllDay {
			layout = "2006-01-02 MST"
		}
		out = append(out, fmt.Sprintf("%s %s %s..%s", ev.ID, ev.Start.Location(), ev.Start.Format(layout), ev.End.Format(layout)))
	}
	return out
}

func TestDay(t *testing.T) {
	moscowSeed := []*gcal.Event{
		timed("late", "late", "2026-11-22T23:30:00+03:00", "2026-11-23T00:30:00+03:00"),
		timed("bbb", "b", "2026-11-22T09:00:00+03:00", "2026-11-22T10:00:00+03:00"),
		timed("aaa", "a", "2026-11-22T09:00:00+03:00", "2026-11-22T09:30:00+03:00"),
		timed("early", "early", "2026-11-22T08:00:00+03:00", "2026-11-22T09:00:00+03:00"),
		timed("cross", "from yesterday", "2026-11-21T23:00:00+03:00", "2026-11-22T01:00:00+03:00"),
		timed("prev", "ends at midnight", "2026-11-21T22:00:00+03:00", "2026-11-22T00:00:00+03:00"),
		timed("next", "starts at midnight", "2026-11-23T00:00:00+03:00", "2026-11-23T01:00:00+03:00"),
		allDay("trip", "trip", "2026-11-20", "2026-11-25"),
		allDay("holiday", "holiday", "2026-11-22", "2026-11-23"),
		{Id: "standup", Summary: "standup", Recurrence: []string{"RRULE:FREQ=DAILY;COUNT=10"},
			Start: &gcal.EventDateTime{DateTime: "2026-11-19T10:00:00+03:00", TimeZone: "Europe/Moscow"},
			End:   &gcal.EventDateTime{DateTime: "2026-11-19T10:15:00+03:00", TimeZone: "Europe/Moscow"}},
	}
	moscowWant := []string{
		"trip Europe/Moscow 2026-11-20 MSK..2026-11-25 MSK",
		"holiday Europe/Moscow 2026-11-22 MSK..2026-11-23 MSK",
		"cross Europe/Moscow 2026-11-21T23:00+03:00..2026-11-22T01:00+03:00",
		"early Europe/Moscow 2026-11-22T08:00+03:00..2026-11-22T09:00+03:00",
		"aaa Europe/Moscow 2026-11-22T09:00+03:00..2026-11-22T09:30+03:00",
		"bbb Europe/Moscow 2026-11-22T09:00+03:00..2026-11-22T10:00+03:00",
		"standup_20261122T070000Z Europe/Moscow 2026-11-22T10:00+03:00..2026-11-22T10:15+03:00",
		"late Europe/Moscow 2026-11-22T23:30+03:00..2026-11-23T00:30+03:00",
	}
	// 2026-11-01 is 25 hours long in New York: the day ends at 05:00Z, not 04:00Z.
	newYorkSeed := []*gcal.Event{
		timed("before", "night", "2026-11-01T01:30:00-04:00", "2026-11-01T01:45:00-04:00"),
		timed("after", "night again", "2026-11-01T01:30:00-05:00", "2026-11-01T01:45:00-05:00"),
		timed("late", "late", "2026-11-01T23:30:00-05:00", "2026-11-01T23:45:00-05:00"),
		timed("tomorrow", "tomorrow", "2026-11-02T00:00:00-05:00", "2026-11-02T00:30:00-05:00"),
	}
	newYorkWant := []string{
		"before America/New_York 2026-11-01T01:30-04:00..2026-11-01T01:45-04:00",
		"after America/New_York 2026-11-01T01:30-05:00..2026-11-01T01:45-05:00",
		"late America/New_York 2026-11-01T23:30-05:00..2026-11-01T23:45-05:00",
	}
	tests := []struct {
		name     string
		tz       string
		seed     []*gcal.Event
		now      time.Time
		hint     string // "" means nil
		wantDate string
		want     []string
		lists    int
	}{
		// 22:30 UTC on the 21st is already the 22nd in Moscow.
		{"moscow, right hint", "Europe/Moscow", moscowSeed, time.Date(2026, 11, 21, 22, 30, 0, 0, time.UTC), "Europe/Moscow", "2026-11-22", moscowWant, 1},
		{"moscow, no hint", "Europe/Moscow", moscowSeed, time.Date(2026, 11, 21, 22, 30, 0, 0, time.UTC), "", "2026-11-22", moscowWant, 2},
		{"moscow, wrong hint", "Europe/Moscow", moscowSeed, time.Date(2026, 11, 21, 22, 30, 0, 0, time.UTC), "America/New_York", "2026-11-22", moscowWant, 2},
		{"new york dst end", "America/New_York", newYorkSeed, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), "America/New_York", "2026-11-01", newYorkWant, 1},
		{"empty day", "UTC", nil, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), "", "2026-11-01", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.SetZone(alice, tt.tz)
			for _, ev := range tt.seed {
				e.fake.Add(alice, ev)
			}
			var hint *time.Location
			if tt.hint != "" {
				hint = load(t, tt.hint)
			}
			day, err := e.svc.Day(context.Background(), e.ts, tt.now, hint)
			if err != nil {
				t.Fatalf("Day: %v", err)
			}
			if day.Zone.String() != tt.tz || day.Date.Format(time.DateOnly) != tt.wantDate || day.Date.Location() != day.Zone || day.Date.Hour() != 0 {
				t.Errorf("Day zone, date = %v, %v; want %s, midnight %s", day.Zone, day.Date, tt.tz, tt.wantDate)
			}
			if diff := cmp.Diff(tt.want, brief(day.Events)); diff != "" {
				t.Errorf("Day events (-want +got):\n%s", diff)
			}
			if n := e.fake.Requests("list"); n != tt.lists {
				t.Errorf("list requests = %d, want %d", n, tt.lists)
			}
		})
	}
}

func TestDayFields(t *testing.T) {
	e := newEnv(t)
	ev := timed("lunch", "", "2026-11-21T13:00:00Z", "2026-11-21T14:00:00Z")
	ev.Location = "Cafe"
	e.fake.Add(alice, ev)
	day, err := e.svc.Day(context.Background(), e.ts, time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), nil)
	if err != nil || len(day.Events) != 1 {
		t.Fatalf("Day = %v, %v; want one event", day, err)
	}
	got := day.Events[0]
	if got.Title != "" || got.Location != "Cafe" || !strings.HasPrefix(got.Link, "https://www.google.com/calendar/event?eid=") {
		t.Errorf("event = %+v, want empty title, location Cafe and a link", got)
	}
}

func TestDayPages(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		st := start.Add(time.Duration(299-i) * time.Minute)
		e.fake.Add(alice, timed(fmt.Sprintf("ev%03d", i), "", st.Format(time.RFC3339), st.Add(time.Hour).Format(time.RFC3339)))
	}
	e.svc.pageSize = 250
	day, err := e.svc.Day(context.Background(), e.ts, start, time.UTC)
	if err != nil {
		t.Fatalf("Day: %v", err)
	}
	if len(day.Events) != 300 || day.Events[0].ID != "ev299" || day.Events[299].ID != "ev000" {
		t.Errorf("Day: %d events from %s, want 300 from ev299", len(day.Events), day.Events[0].ID)
	}
	if n := e.fake.Requests("list"); n != 2 {
		t.Errorf("list requests = %d, want 2", n)
	}
}

func TestZone(t *testing.T) {
	e := newEnv(t)
	e.fake.SetZone(alice, "Asia/Tokyo")
	loc, err := e.svc.Zone(context.Background(), e.ts)
	if err != nil || loc.String() != "Asia/Tokyo" {
		t.Errorf("Zone = %v, %v; want Asia/Tokyo", loc, err)
	}
}

func TestNewAddsSlash(t *testing.T) {
	e := newEnv(t)
	svc := New(strings.TrimSuffix(e.fake.URL(), "/"), nil)
	if _, err := svc.Zone(context.Background(), e.ts); err != nil {
		t.Errorf("Zone with base URL without slash: %v", err)
	}
}

func TestConvert(t *testing.T) {
	items := []*gcal.Event{
		timed("b", "Beta", "2026-11-21T09:00:00Z", "2026-11-21T10:00:00Z"),
		{Id: "gone", Status: "cancelled"},
		timed("a", "Alpha", "2026-11-21T09:00:00Z", "2026-11-21T10:00:00Z"),
		allDay("d", "Day", "2026-11-21", "2026-11-22"),
		timed("c", "Alpha", "2026-11-21T09:00:00Z", "2026-11-21T09:30:00Z"),
	}
	got, err := convert(items, time.UTC, "primary", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ev := range got {
		ids = append(ids, ev.ID)
	}
	// a and c tie on start and title: the API's order stays.
	if want := []string{"d", "a", "c", "b"}; !cmp.Equal(ids, want) {
		t.Errorf("convert order = %v, want %v", ids, want)
	}
	if _, err := convert([]*gcal.Event{timed("x", "", "9 am", "10 am")}, time.UTC, "primary", nil); err == nil {
		t.Error("convert of a bad date-time: no error")
	}
}

func BenchmarkConvert(b *testing.B) {
	moscow := load(b, "Europe/Moscow")
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, moscow)
	var items []*gcal.Event
	for i := range 50 {
		st := start.Add(time.Duration((i*37)%1440) * time.Minute)
		items = append(items, timed(fmt.Sprint(i), fmt.Sprint("event ", i%7), st.Format(time.RFC3339), st.Add(time.Hour).Format(time.RFC3339)))
	}
	items = append(items, allDay("all", "all day", "2026-11-21", "2026-11-22"))
	for b.Loop() {
		if _, err := convert(items, moscow, "primary", nil); err != nil {
			b.Fatal(err)
		}
	}
}
