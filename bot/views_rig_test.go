package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// fakeCalendars serves spans and a calendar list from memory, for what
// calendarfake does not serve yet (several calendars, the calendar list).
// It checks that the token is the chat's account.
type fakeCalendars struct {
	t       *testing.T
	mu      sync.Mutex
	account string
	events  map[string][]calendar.Event // by calendar id
	list    []calendar.CalendarInfo
	scope   bool // the grant has the calendar-list scope
	refuse  map[string]error
	spans   []string
}

func (f *fakeCalendars) Span(ctx context.Context, ts oauth2.TokenSource, id string, from, to time.Time, zone *time.Location) (calendar.Span, error) {
	tok, err := ts.Token()
	if err != nil {
		return calendar.Span{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if tok.AccessToken != f.account {
		f.t.Errorf("Span with token %q, want %q", tok.AccessToken, f.account)
	}
	f.spans = append(f.spans, id+" "+from.Format(time.RFC3339)+" "+to.Format(time.RFC3339))
	if err := f.refuse[id]; err != nil {
		return calendar.Span{}, err
	}
	sp := calendar.Span{Zone: moscow}
	for _, ev := range f.events[id] {
		if ev.Start.Before(to) && ev.End.After(from) {
			ev.CalendarID = id
			sp.Events = append(sp.Events, ev)
		}
	}
	return sp, nil
}

func (f *fakeCalendars) Calendars(ctx context.Context, ts oauth2.TokenSource) ([]calendar.CalendarInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.scope {
		return nil, calendar.ErrScope
	}
	return f.list, nil
}

// growAccounts is rigAccounts that can ask for one more scope.
type growAccounts struct {
	*rigAccounts
	scopes []string
}

func (g *growAccounts) Grow(ctx context.Context, chatID int64, who oauth.Person, lang, scope string) (oauth.SignIn, error) {
	g.scopes = append(g.scopes, scope)
	return oauth.SignIn{URL: "https://calbot.example.org/oauth/start?s=grow"}, nil
}

// newViewRig is a handler rig whose views read cals and whose accounts can
// grow their scope; u is linked.
func newViewRig(t *testing.T, u telegramfake.User, cals *fakeCalendars) (*handlerRig, *growAccounts) {
	r := newHandlerRig(t)
	g := &growAccounts{rigAccounts: r.acct}
	r.bot.cfg.Calendars = cals
	r.bot.cfg.Accounts = g
	r.link(u)
	cals.account = email(u)
	return r, g
}

func TestMergedCalendarsDedupe(t *testing.T) {
	shared := calendar.Event{Title: "Design review", ICalUID: "x@google.com", Start: at(21, 11, 0), End: at(21, 12, 0)}
	cals := &fakeCalendars{t: t, events: map[string][]calendar.Event{
		"primary": {shared, {Title: "Declined lunch", Start: at(21, 13, 0), End: at(21, 14, 0), Response: calendar.Declined},
			{Title: "Offsite", Start: at(21, 15, 0), End: at(21, 16, 0), Response: calendar.NeedsAction}},
		"team@group": {shared, {Title: "Team sync", ICalUID: "y@google.com", Start: at(21, 10, 0), End: at(21, 10, 30)}},
		"hidden":     {{Title: "Not shown", Start: at(21, 9, 30), End: at(21, 10, 0)}},
	}}
	r, _ := newViewRig(t, ann, cals)
	if err := r.db.UpdateSettings(ann.ID, func(s *storage.Settings) {
		s.Calendars = []storage.Calendar{{ID: "primary", Name: "Ann", Shown: true}, {ID: "team@group", Name: "Team", Shown: true}, {ID: "hidden", Name: "Hidden"}}
	}); err != nil {
		t.Fatal(err)
	}
	got := r.say(ann, "/today").Text
	if n := strings.Count(got, "Design review"); n != 1 {
		t.Errorf("/today shows the shared event %d times, want once:\n%s", n, got)
	}
	for _, want := range []string{"Team sync  · <i>Team</i>", "Design review  · <i>Ann</i>", "Offsite  ❔ invitation"} {
		if !strings.Contains(got, want) {
			t.Errorf("/today lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Declined lunch", "Not shown"} {
		if strings.Contains(got, not) {
			t.Errorf("/today shows %q:\n%s", not, got)
		}
	}
	if i, j := strings.Index(got, "Team sync"), strings.Index(got, "Design review"); i > j {
		t.Errorf("/today is not in time order:\n%s", got)
	}
}

func TestNextJoinButton(t *testing.T) {
	cals := &fakeCalendars{t: t, events: map[string][]calendar.Event{"primary": {
		{Title: "Over", Start: at(21, 7, 0), End: at(21, 8, 0)},
		{Title: "Declined", Start: at(21, 9, 10), End: at(21, 9, 20), Response: calendar.Declined},
		{Title: "Call", Start: at(21, 9, 30), End: at(21, 10, 0), JoinURL: "https://meet.google.com/abc-defg-hij", Link: "https://www.google.com/calendar/event?eid=c"},
	}}}
	r, _ := newViewRig(t, ann, cals)
	m := r.say(ann, "/next")
	if !strings.Contains(m.Text, "Call") || !strings.Contains(m.Text, "Starts in 30 min.") {
		t.Errorf("/next = %q; want Call, starting in 30 min", m.Text)
	}
	if b, ok := m.Button("Join"); !ok || b.URL == nil || *b.URL != "https://meet.google.com/abc-defg-hij" {
		t.Errorf("/next has no Join button to the meeting: %+v", m.Markup)
	}
	if _, ok := m.Button("Open"); !ok {
		t.Errorf("/next has no Open button: %+v", m.Markup)
	}
}

func TestWeekAndTomorrowRead(t *testing.T) {
	cals := &fakeCalendars{t: t, events: map[string][]calendar.Event{"primary": {
		{Title: "Dentist", Start: at(24, 9, 0), End: at(24, 10, 0)},
		{Title: "Brunch", Start: at(22, 11, 0), End: at(22, 12, 0)},
	}}}
	r, _ := newViewRig(t, olga, cals)
	if got := r.say(olga, "/tomorrow").Text; !strings.Contains(got, "Завтра, воскресенье, 22 ноября") || !strings.Contains(got, "Brunch") {
		t.Errorf("/tomorrow = %q", got)
	}
	got := r.say(olga, "/week").Text
	for _, want := range []string{"Ближайшие 7 дней", "сб 21: ничего", "пн 23: ничего", "ср 25–пт 27: ничего", "Dentist"} {
		if !strings.Contains(got, want) {
			t.Errorf("/week lacks %q:\n%s", want, got)
		}
	}
	if want := "primary 2026-11-21T00:00:00+03:00 2026-11-28T00:00:00+03:00"; cals.spans[len(cals.spans)-1] != want {
		t.Errorf("/week read %q, want %q", cals.spans[len(cals.spans)-1], want)
	}
}

// TestSharedCalendarScope: a shown calendar the grant may not read is
// named, the rest is shown, and the bot asks for the scope that reads it.
func TestSharedCalendarScope(t *testing.T) {
	cals := &fakeCalendars{t: t, events: map[string][]calendar.Event{"primary": {{Title: "Mine", Start: at(21, 11, 0), End: at(21, 12, 0)}}},
		refuse: map[string]error{"shared@group": calendar.ErrScope, "gone@group": calendar.ErrNotFound}}
	r, g := newViewRig(t, ann, cals)
	if err := r.db.UpdateSettings(ann.ID, func(s *storage.Settings) {
		s.Calendars = []storage.Calendar{{ID: "primary", Name: "Ann", Shown: true}, {ID: "shared@group", Name: "Shared <x>", Shown: true}, {ID: "gone@group", Name: "Gone", Shown: true}}
	}); err != nil {
		t.Fatal(err)
	}
	got := r.say(ann, "/today").Text
	if !strings.Contains(got, "Mine") || !strings.Contains(got, "Not shown: Shared &lt;x&gt;, Gone") {
		t.Errorf("/today = %q", got)
	}
	ask := r.tg.WaitMessage(t, ann.ID, time.Second)
	if !strings.Contains(ask.Text, "share with you") || len(g.scopes) != 1 || g.scopes[0] != CalendarReadScope {
		t.Errorf("scope request = %q, scopes %v", ask.Text, g.scopes)
	}
	if _, ok := ask.Button("Allow shared calendars"); !ok {
		t.Errorf("the sign-in button does not say what it allows: %+v", ask.Markup)
	}
}

// TestDayByDayFallback: over calendarfake, views in
// an overridden zone see the whole window, whose days are not the
// calendar's.
func TestDayByDayFallback(t *testing.T) {
	r := newHandlerRig(t)
	r.link(ann)
	tokyo := mustZone(t, "Asia/Tokyo")
	for _, ev := range []struct {
		title string
		start time.Time
	}{
		{"Early Tokyo", time.Date(2026, 11, 22, 1, 0, 0, 0, tokyo)}, // 21 Nov in Moscow
		{"Late Tokyo", time.Date(2026, 11, 22, 23, 0, 0, 0, tokyo)}, // 22 Nov in Moscow
		{"Next day", time.Date(2026, 11, 23, 8, 0, 0, 0, tokyo)},    // not tomorrow in Tokyo
	} {
		r.cal.Add(email(ann), &gcal.Event{Summary: ev.title,
			Start: &gcal.EventDateTime{DateTime: ev.start.Format(time.RFC3339)}, End: &gcal.EventDateTime{DateTime: ev.start.Add(30 * time.Minute).Format(time.RFC3339)}})
	}
	r.say(ann, "/settings zone Asia/Tokyo")
	got := r.say(ann, "/tomorrow").Text
	for _, want := range []string{"Asia/Tokyo", "<b>01:00–01:30</b>", "Early Tokyo", "<b>23:00–23:30</b>", "Late Tokyo"} {
		if !strings.Contains(got, want) {
			t.Errorf("/tomorrow lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Next day") {
		t.Errorf("/tomorrow shows the day after:\n%s", got)
	}
}
