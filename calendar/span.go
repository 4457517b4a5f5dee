package calendar

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
)

// Span is what one calendar holds for a window of time.
type Span struct {
	Zone   *time.Location // the calendar's zone, as Google reports it
	Events []Event        // all-day first, then by start, then by title
	// DefaultReminders are the calendar's popup reminders for events that
	// use the defaults (already applied to Events' Reminders).
	DefaultReminders []time.Duration
}

// Span returns the events of calendarID ("" means "primary") that overlap
// [from, to), recurring ones expanded into instances. Cancelled instances
// are left out; declined ones are kept with Response Declined, for callers
// to filter. CalendarName is the calendar's title (the user's own name for
// it, from Calendars, may differ). Event times are placed in zone, or in the calendar's zone if
// zone is nil (all-day events become midnights of that zone). Span sends
// one request per 2,500 events. Errors are those of Day.
func (s *Service) Span(ctx context.Context, ts oauth2.TokenSource, calendarID string, from, to time.Time, zone *time.Location) (Span, error) {
	if calendarID == "" {
		calendarID = "primary"
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return Span{}, err
	}
	page, err := s.list(ctx, svc, calendarID, from, to)
	if err != nil {
		return Span{}, wrap("list events of "+calendarID, err)
	}
	cal := loadZone(page.TimeZone, time.UTC)
	if zone == nil {
		zone = cal
	}
	defaults := popups(page.DefaultReminders)
	events, err := convert(page.Items, zone, calendarID, defaults)
	if err != nil {
		return Span{}, err
	}
	for i := range events {
		events[i].CalendarName = page.Summary
	}
	return Span{Zone: cal, Events: events, DefaultReminders: defaults}, nil
}

// popups returns the minutes of the popup reminders among rs, in order.
func popups(rs []*gcal.EventReminder) []time.Duration {
	var out []time.Duration
	for _, r := range rs {
		if r != nil && r.Method == "popup" {
			out = append(out, time.Duration(r.Minutes)*time.Minute)
		}
	}
	return out
}

// reminders returns an event's popup reminders: its overrides, or the
// calendar's defaults when it uses them (Google omits reminders from a
// response only when the event uses the defaults).
func reminders(r *gcal.EventReminders, defaults []time.Duration) []time.Duration {
	if r == nil || r.UseDefault {
		return slices.Clone(defaults)
	}
	return popups(r.Overrides)
}

// response returns the user's own answer to the event (the attendee entry
// that is the calendar itself, "" if none) and whether the user organizes
// it: organizer.self, or an event without attendees created by the user.
func response(it *gcal.Event) (Response, bool) {
	var r Response
	for _, at := range it.Attendees {
		if at != nil && at.Self {
			r = Response(at.ResponseStatus)
			if r == "" {
				r = NeedsAction
			}
			break
		}
	}
	own := it.Organizer != nil && it.Organizer.Self ||
		len(it.Attendees) == 0 && (it.Creator == nil || it.Creator.Self)
	return r, own
}

// firstHTTPS finds the first https URL in free text such as a location.
var firstHTTPS = regexp.MustCompile(`https://[^\s<>"']+`)

// joinURL returns where to join the event: the conference's video entry
// point (Google allows at most one), else the Meet link, else the first
// https URL in the location.
func joinURL(it *gcal.Event) string {
	if it.ConferenceData != nil {
		for _, ep := range it.ConferenceData.EntryPoints {
			if ep != nil && ep.EntryPointType == "video" && strings.HasPrefix(ep.Uri, "https://") {
				return ep.Uri
			}
		}
	}
	if strings.HasPrefix(it.HangoutLink, "https://") {
		return it.HangoutLink
	}
	u := firstHTTPS.FindString(it.Location)
	return strings.TrimRight(u, ".,;:!?)]}")
}
