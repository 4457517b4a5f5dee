package calendar

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
)

// NewEvent is an event to insert.
type NewEvent struct {
	// ID makes the insert idempotent: inserting the same ID twice yields one
	// event. Use EventID. If empty, Insert picks a random one.
	ID    string
	Title string
	// AllDay events take the dates of Start and End (midnights, End
	// exclusive) in their own location, which should be the calendar's zone.
	// Timed events are sent with the zone of Start's location.
	AllDay     bool
	Start, End time.Time
	// Marker, if set, goes into the event's MarkerProperty (see Marker), and
	// a repeated insert accepts an existing event only if it carries it.
	Marker string
	// CalendarID is the calendar to insert into; "" means "primary".
	CalendarID string
	// Recurrence makes a recurring event: RFC 5545 lines such as
	// "RRULE:FREQ=WEEKLY;BYDAY=MO", sent as the event's recurrence. Start
	// and End are then its first instance; a timed series needs a Start
	// whose location is an IANA zone, in which Google expands it.
	Recurrence []string
}

// base32hex as Google wants it for event ids: a-v and 0-9.
var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// Insert adds ev to its calendar (the primary one if ev.CalendarID is "")
// without notifying anyone and returns
// the stored event. If an event with ev.ID already exists (a repeated insert),
// Insert returns that event instead, provided it carries ev.Marker: otherwise
// someone else chose the id, and the error wraps ErrNotOurs. If it exists but
// was deleted, the error wraps ErrNotFound.
func (s *Service) Insert(ctx context.Context, ts oauth2.TokenSource, ev NewEvent) (Event, error) {
	if !ev.End.After(ev.Start) {
		return Event{}, fmt.Errorf("insert event: end %v is not after start %v", ev.End, ev.Start)
	}
	if len(ev.Recurrence) > 0 && !ev.AllDay && zoneName(ev.Start.Location()) == "" {
		return Event{}, fmt.Errorf("insert event: a recurring event needs a named zone, not %q", ev.Start.Location())
	}
	if ev.ID == "" {
		ev.ID = idEncoding.EncodeToString(randomBytes(16))
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return Event{}, err
	}
	loc := ev.Start.Location()
	body := toAPI(ev)
	calID := orPrimary(ev.CalendarID)
	var got *gcal.Event
	err = s.retry(ctx, "insert", func() error {
		var err error
		got, err = svc.Events.Insert(calID, body).SendUpdates("none").Context(ctx).Do()
		return err
	})
	if hasStatus(err, http.StatusConflict) {
		got, err := s.get(ctx, svc, calID, ev.ID, loc)
		if err == nil && !sameMarker(got.Marker, ev.Marker) {
			return Event{}, fmt.Errorf("insert event %s: the id is taken: %w", ev.ID, ErrNotOurs)
		}
		return got, err
	}
	if err != nil {
		return Event{}, wrap("insert event", err)
	}
	out, err := fromAPI(got, loc)
	out.CalendarID = calID
	return out, err
}

// orPrimary returns id, or "primary" if it is empty.
func orPrimary(id string) string {
	if id == "" {
		return "primary"
	}
	return id
}

// toAPI builds the request body for ev.
func toAPI(ev NewEvent) *gcal.Event {
	e := &gcal.Event{Id: ev.ID, Summary: ev.Title, Recurrence: ev.Recurrence}
	if ev.Marker != "" {
		e.ExtendedProperties = &gcal.EventExtendedProperties{Private: map[string]string{MarkerProperty: ev.Marker}}
	}
	if ev.AllDay {
		e.Start = &gcal.EventDateTime{Date: ev.Start.Format(time.DateOnly)}
		e.End = &gcal.EventDateTime{Date: ev.End.Format(time.DateOnly)}
		return e
	}
	tz := zoneName(ev.Start.Location())
	e.Start = &gcal.EventDateTime{DateTime: ev.Start.Format(time.RFC3339), TimeZone: tz}
	e.End = &gcal.EventDateTime{DateTime: ev.End.Format(time.RFC3339), TimeZone: tz}
	return e
}

// zoneName returns loc's IANA name, or "" if Google would not know it
// (time.Local, fixed zones); the offset in the time then says enough.
func zoneName(loc *time.Location) string {
	name := loc.String()
	if name == "Local" || name == "" {
		return ""
	}
	if _, err := time.LoadLocation(name); err != nil {
		return ""
	}
	return name
}

// Get returns the event with the given id from the primary calendar, its
// times in zone (nil means UTC). It returns an error wrapping ErrNotFound if
// there is no such event or it was deleted.
func (s *Service) Get(ctx context.Context, ts oauth2.TokenSource, id string, zone *time.Location) (Event, error) {
	return s.GetIn(ctx, ts, "primary", id, zone)
}

// GetIn is Get for the calendar calendarID ("" means "primary"). The
// event's Reminders are its overrides only: the calendar's defaults come
// with a list (Span), not with one event.
func (s *Service) GetIn(ctx context.Context, ts oauth2.TokenSource, calendarID, id string, zone *time.Location) (Event, error) {
	if zone == nil {
		zone = time.UTC
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return Event{}, err
	}
	return s.get(ctx, svc, orPrimary(calendarID), id, zone)
}

func (s *Service) get(ctx context.Context, svc *gcal.Service, calID, id string, loc *time.Location) (Event, error) {
	var got *gcal.Event
	err := s.retry(ctx, "get", func() error {
		var err error
		got, err = svc.Events.Get(calID, id).Context(ctx).Do()
		return err
	})
	if err != nil {
		return Event{}, wrap("get event "+id, err)
	}
	// Google keeps deleted events for a while and still returns them.
	if got.Status == "cancelled" {
		return Event{}, fmt.Errorf("get event %s: deleted: %w", id, ErrNotFound)
	}
	ev, err := fromAPI(got, loc)
	ev.CalendarID = calID
	ev.Reminders = reminders(got.Reminders, nil)
	return ev, err
}

// Delete removes the event with the given id from the primary calendar
// without notifying anyone. It returns an error wrapping ErrNotFound if the
// event does not exist or was already deleted, except when a retried request
// finds it deleted: then the earlier attempt did the work, and Delete
// returns nil.
func (s *Service) Delete(ctx context.Context, ts oauth2.TokenSource, id string) error {
	return s.DeleteIn(ctx, ts, "primary", id)
}

// DeleteIn is Delete for the calendar calendarID ("" means "primary").
func (s *Service) DeleteIn(ctx context.Context, ts oauth2.TokenSource, calendarID, id string) error {
	calID := orPrimary(calendarID)
	if strings.TrimSpace(id) == "" {
		return errors.New("delete event: empty id")
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return err
	}
	tried := false
	err = s.retry(ctx, "delete", func() error {
		err := svc.Events.Delete(calID, id).SendUpdates("none").Context(ctx).Do()
		if tried && hasStatus(err, http.StatusGone) {
			return nil
		}
		tried = true
		return err
	})
	if err != nil {
		return wrap("delete event "+id, err)
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return b
}
