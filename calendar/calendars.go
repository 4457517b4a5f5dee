package calendar

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
)

// The narrowest scopes calbot's calls need (the table in the package
// comment has the details).
const (
	// ScopeOwnEvents lets Day, Zone, Span, Insert, GetIn, DeleteIn and
	// Respond work on the calendars the user owns (the primary one too).
	ScopeOwnEvents = gcal.CalendarEventsOwnedScope
	// ScopeCalendarList lets Calendars list the user's calendars.
	ScopeCalendarList = gcal.CalendarCalendarlistReadonlyScope
	// ScopeAllEvents lets Span read calendars shared with the user and
	// subscribed ones such as holidays.
	ScopeAllEvents = gcal.CalendarEventsReadonlyScope
)

// CalendarInfo is one calendar in the user's calendar list.
type CalendarInfo struct {
	ID      string // what Span, Insert and Respond take
	Name    string // the user's own name for it, else its title
	Primary bool
	// AccessRole is the user's role: owner, writer, reader (freeBusyReader
	// calendars are not listed: their events cannot be read).
	AccessRole string
	// Writable: the user may add events to it (owner or writer).
	Writable bool
	Zone     string // IANA zone name; may be ""
}

// calendarListFields is what Calendars asks Google for.
const calendarListFields = "nextPageToken,items(id,summary,summaryOverride,primary,accessRole,timeZone)"

// Calendars returns the calendars in the user's list whose events the user
// can read, primary first, in Google's order otherwise. It needs the
// calendar.calendarlist.readonly scope (or a wider one): without it the
// error wraps ErrScope. Other errors are those of Day.
func (s *Service) Calendars(ctx context.Context, ts oauth2.TokenSource) ([]CalendarInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return nil, err
	}
	var (
		out   []CalendarInfo
		token string
	)
	for range maxPages {
		var res *gcal.CalendarList
		err := s.retry(ctx, "calendars", func() error {
			var err error
			res, err = svc.CalendarList.List().
				MinAccessRole("reader").
				ShowDeleted(false).
				MaxResults(250).
				PageToken(token).
				Fields(calendarListFields).
				Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, wrap("list calendars", err)
		}
		for _, it := range res.Items {
			c := CalendarInfo{
				ID: it.Id, Name: it.Summary, Primary: it.Primary, AccessRole: it.AccessRole,
				Writable: it.AccessRole == "owner" || it.AccessRole == "writer", Zone: it.TimeZone,
			}
			if it.SummaryOverride != "" {
				c.Name = it.SummaryOverride
			}
			if c.Primary {
				out = append([]CalendarInfo{c}, out...)
			} else {
				out = append(out, c)
			}
		}
		if token = res.NextPageToken; token == "" {
			return out, nil
		}
	}
	return nil, fmt.Errorf("list calendars: more than %d pages", maxPages)
}
