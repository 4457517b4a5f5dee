package calendar

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
)

// maxPages bounds how many pages of 2,500 events one list may take.
const maxPages = 8

// Day returns the events of the local day containing now, in the calendar's
// zone. zone is the caller's guess of that zone (nil means UTC): when it is
// right, Day sends one request per page; when Google reports another zone,
// Day lists again for the day in that zone, and Day.Zone tells the caller
// what to remember. Errors wrap ErrUnavailable when Google is down or slow;
// errors of ts are returned unretried, reachable with errors.As.
func (s *Service) Day(ctx context.Context, ts oauth2.TokenSource, now time.Time, zone *time.Location) (Day, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return Day{}, err
	}
	if zone == nil {
		zone = time.UTC
	}
	for try := 0; ; try++ {
		date := midnight(now, zone)
		page, err := s.list(ctx, svc, "primary", date, date.AddDate(0, 0, 1))
		if err != nil {
			return Day{}, wrap("list events", err)
		}
		cal := loadZone(page.TimeZone, zone)
		if cal.String() == zone.String() || try > 0 {
			// On a second mismatch (the zone changed between the two
			// requests) the window was computed in zone, so keep it.
			events, err := convert(page.Items, zone, "primary", popups(page.DefaultReminders))
			if err != nil {
				return Day{}, err
			}
			return Day{Zone: zone, Date: date, Events: events}, nil
		}
		zone = cal
	}
}

// Zone returns the zone of the primary calendar. It lists events rather than
// reading calendar settings because the events.owned scope allows only that.
func (s *Service) Zone(ctx context.Context, ts oauth2.TokenSource) (*time.Location, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return nil, err
	}
	var res *gcal.Events
	err = s.retry(ctx, "zone", func() error {
		var err error
		res, err = svc.Events.List("primary").MaxResults(1).Fields("timeZone").Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, wrap("get calendar zone", err)
	}
	loc, err := time.LoadLocation(res.TimeZone)
	if err != nil || res.TimeZone == "" {
		return nil, fmt.Errorf("get calendar zone: unknown zone %q", res.TimeZone)
	}
	return loc, nil
}

// listFields is what list asks Google for: exactly what fromAPI reads.
const listFields = "nextPageToken,summary,timeZone,defaultReminders(method,minutes)," +
	"items(id,status,summary,location,htmlLink,iCalUID,start,end,extendedProperties/private," +
	"attendees(email,self,organizer,responseStatus),organizer(self),creator(self)," +
	"hangoutLink,conferenceData/entryPoints(entryPointType,uri),reminders)"

// list returns the non-deleted event instances of calendarID overlapping
// [from, to), with the calendar's zone name and default reminders of the
// first page, following pages.
func (s *Service) list(ctx context.Context, svc *gcal.Service, calendarID string, from, to time.Time) (*gcal.Events, error) {
	var (
		all   *gcal.Events
		token string
	)
	for range maxPages {
		var res *gcal.Events
		err := s.retry(ctx, "list", func() error {
			var err error
			res, err = svc.Events.List(calendarID).
				SingleEvents(true).
				OrderBy("startTime").
				TimeMin(from.Format(time.RFC3339)).
				TimeMax(to.Format(time.RFC3339)).
				ShowDeleted(false).
				MaxResults(s.pageSize).
				PageToken(token).
				Fields(listFields).
				Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = res
		} else {
			all.Items = append(all.Items, res.Items...)
		}
		if token = res.NextPageToken; token == "" {
			return all, nil
		}
	}
	return nil, fmt.Errorf("more than %d pages of events", maxPages)
}

// loadZone loads the zone Google named, or returns fallback if it cannot.
func loadZone(name string, fallback *time.Location) *time.Location {
	if name == "" {
		return fallback
	}
	loc, err := LoadZone(name)
	if err != nil {
		return fallback
	}
	return loc
}

// zones caches loaded time zones: time.LoadLocation parses the zone's data
// anew on every call, and every /today needs one.
var zones sync.Map // name → *time.Location

// LoadZone is time.LoadLocation with a cache. Zones that fail to load are
// not cached.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// midnight returns the start of the local day containing t in loc.
func midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// convert turns API events of calendarID into Events in loc, drops
// cancelled ones and sorts them: all-day first, then by start, then by
// title. defaults are the calendar's popup reminders.
func convert(items []*gcal.Event, loc *time.Location, calendarID string, defaults []time.Duration) ([]Event, error) {
	events := make([]Event, 0, len(items))
	for _, it := range items {
		if it.Status == "cancelled" || it.Start == nil {
			continue
		}
		ev, err := fromAPI(it, loc)
		if err != nil {
			return nil, err
		}
		ev.CalendarID = calendarID
		ev.Reminders = reminders(it.Reminders, defaults)
		events = append(events, ev)
	}
	slices.SortStableFunc(events, func(a, b Event) int {
		if a.AllDay != b.AllDay {
			if a.AllDay {
				return -1
			}
			return 1
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Title, b.Title)
	})
	return events, nil
}

// fromAPI converts one API event, placing its times in loc.
func fromAPI(it *gcal.Event, loc *time.Location) (Event, error) {
	ev := Event{
		ID: it.Id, Title: it.Summary, Location: it.Location, Link: it.HtmlLink, Marker: markerOf(it),
		ICalUID: it.ICalUID, JoinURL: joinURL(it),
	}
	ev.Response, ev.Organizer = response(it)
	end := it.End
	if end == nil {
		end = it.Start
	}
	var err error
	if it.Start.Date != "" {
		ev.AllDay = true
		if ev.Start, err = time.ParseInLocation(time.DateOnly, it.Start.Date, loc); err != nil {
			return Event{}, fmt.Errorf("event %s: parse start: %w", it.Id, err)
		}
		ev.End = ev.Start.AddDate(0, 0, 1)
		if end.Date != "" {
			if ev.End, err = time.ParseInLocation(time.DateOnly, end.Date, loc); err != nil {
				return Event{}, fmt.Errorf("event %s: parse end: %w", it.Id, err)
			}
		}
		return ev, nil
	}
	if ev.Start, err = time.Parse(time.RFC3339, it.Start.DateTime); err != nil {
		return Event{}, fmt.Errorf("event %s: parse start: %w", it.Id, err)
	}
	ev.End = ev.Start
	if end.DateTime != "" {
		if ev.End, err = time.Parse(time.RFC3339, end.DateTime); err != nil {
			return Event{}, fmt.Errorf("event %s: parse end: %w", it.Id, err)
		}
	}
	ev.Start, ev.End = ev.Start.In(loc), ev.End.In(loc)
	return ev, nil
}
