package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/storage"
)

// staleTokens hands out a token Google refuses until ExpireToken is called.
type staleTokens struct {
	mu      sync.Mutex
	token   string
	expired int
}

func (s *staleTokens) PassingTokenSource(int64) oauth2.TokenSource { return s }
func (s *staleTokens) ExpireToken(int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expired++
	s.token = "fresh"
}
func (s *staleTokens) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &oauth2.Token{AccessToken: s.token, Expiry: time.Now().Add(time.Hour)}, nil
}

func TestCalSourceMergesShownCalendars(t *testing.T) {
	const acct = "alice@example.com"
	fake := calendarfake.New(t, func(bearer string) (string, bool) { return acct, bearer == "fresh" })
	work, team, _ := fake.AddStandardCalendars(acct)
	from := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	at := func(h int) *gcal.EventDateTime {
		return &gcal.EventDateTime{DateTime: from.Add(time.Duration(h) * time.Hour).Format(time.RFC3339)}
	}
	fake.Add(acct, &gcal.Event{Id: "standup1", ICalUID: "standup@example.com", Summary: "Standup", Start: at(9), End: at(10)})
	fake.AddTo(acct, team, &gcal.Event{Id: "standup2", ICalUID: "standup@example.com", Summary: "Standup", Start: at(9), End: at(10)})
	fake.AddTo(acct, work, &gcal.Event{Id: "review01", Summary: "Review", Start: at(11), End: at(12)})
	fake.AddTo(acct, team, &gcal.Event{Id: "declined", Summary: "Offsite", Start: at(13), End: at(14),
		Attendees: []*gcal.EventAttendee{{Email: acct, ResponseStatus: "declined"}, {Email: "team@example.com", Organizer: true}}})

	set := storage.Settings{Calendars: []storage.Calendar{
		{ID: acct, Shown: true}, {ID: work, Shown: true}, {ID: team, Shown: true},
		{ID: "gone@group.calendar.google.com", Shown: true}, {ID: "hidden@group.calendar.google.com"},
	}}
	tests := []struct {
		name     string
		settings storage.Settings
		want     []string // titles with their calendar
	}{
		{"shown calendars merged, a copy dropped, a gone one left out, declined kept",
			set, []string{"Standup@" + acct, "Review@" + work, "Offsite@" + team}},
		{"none ticked reads the primary one", storage.Settings{}, []string{"Standup@primary"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := &staleTokens{token: "stale"}
			src := calSource{cal: calendar.New(fake.URL(), http.DefaultClient), tokens: tokens,
				log: slog.New(slog.DiscardHandler)}
			var ids []string
			for _, c := range tt.settings.Shown() {
				ids = append(ids, c.ID)
			}
			evs, err := src.Upcoming(context.Background(), 1, ids, from, from.Add(24*time.Hour))
			if err != nil {
				t.Fatalf("Upcoming: %v", err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.Title+"@"+e.CalendarID)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Upcoming = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Upcoming = %q, want %q", got, tt.want)
				}
			}
			if tokens.expired != 1 {
				t.Errorf("ExpireToken called %d times after Google refused the token, want once", tokens.expired)
			}
		})
	}
}

func TestCalSourceErrorsSurvive(t *testing.T) {
	const acct = "alice@example.com"
	fake := calendarfake.New(t, func(string) (string, bool) { return acct, true })
	fake.FailNext(20, 503, "backendError")
	src := calSource{cal: calendar.New(fake.URL(), http.DefaultClient), tokens: &staleTokens{token: "fresh"},
		log: slog.New(slog.DiscardHandler)}
	now := time.Now()
	if _, err := src.Upcoming(context.Background(), 1, []string{"primary"}, now, now.Add(time.Hour)); !errors.Is(err, calendar.ErrUnavailable) {
		t.Errorf("Upcoming with Google down = %v, want it to wrap calendar.ErrUnavailable", err)
	}
}
