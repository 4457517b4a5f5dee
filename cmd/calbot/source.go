package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
)

// tokens are the linked accounts as calSource uses them; *oauth.Flow is one.
// The scheduler reads every chat in turn, so it passes through the token
// cache rather than filling it.
type tokens interface {
	PassingTokenSource(chatID int64) oauth2.TokenSource
	ExpireToken(chatID int64)
}

// calSource reads a chat's shown calendars for the scheduler
// (schedule.Source) through calendar.Service and the chat's linked account.
type calSource struct {
	cal    *calendar.Service
	tokens tokens
	log    *slog.Logger
}

// Upcoming returns the events of the chat's shown calendars, as the
// scheduler read them from its settings, overlapping [from, to), merged, an event seen through
// two calendars once, declined ones kept for the scheduler to leave out.
// Span already gives each event its calendar's default reminders. A shown
// calendar that is gone or beyond the grant's scopes is left out; any other
// failure fails the read, wrapping the cause (oauth.ErrRevoked,
// oauth.ErrNotLinked, calendar.ErrUnavailable) for the scheduler to branch on.
func (s calSource) Upcoming(ctx context.Context, chatID int64, ids []string, from, to time.Time) ([]calendar.Event, error) {
	ts := s.tokens.PassingTokenSource(chatID)
	var evs []calendar.Event
	for _, id := range ids {
		sp, err := s.cal.Span(ctx, ts, id, from, to, nil)
		if errors.Is(err, calendar.ErrUnauthorized) {
			// Google refused a token that looked valid, as right after a
			// revocation: a refresh either works or reveals it.
			s.tokens.ExpireToken(chatID)
			sp, err = s.cal.Span(ctx, ts, id, from, to, nil)
		}
		if id != "primary" && (errors.Is(err, calendar.ErrScope) || errors.Is(err, calendar.ErrNotFound)) {
			s.log.Info("shown calendar not readable", "chat_id", chatID, "err", err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read calendar of chat %d: %w", chatID, err)
		}
		evs = append(evs, sp.Events...)
	}
	return calendar.Dedupe(evs), nil
}
