package schedule

import (
	"slices"
	"time"

	"github.com/calbot/calbot/calendar"
)

// keptEvent is what the scheduler keeps of a calendar event until its chat's
// next read: what a reminder shows and what planning needs. It is 160
// bytes where a calendar.Event is 256, and it shares the strings Google's
// answers repeat (the primary calendar's id, the answers) instead of
// keeping a copy of each.
type keptEvent struct {
	id, calendarID, title, location, link, joinURL string
	start, end                                     int64 // Unix seconds
	reminders                                      []time.Duration
	response                                       calendar.Response
	organizer                                      bool
}

// keep returns what the scheduler keeps of e.
func keep(e *calendar.Event) keptEvent {
	k := keptEvent{
		id: e.ID, calendarID: e.CalendarID, title: e.Title, location: e.Location, link: e.Link, joinURL: e.JoinURL,
		start: e.Start.Unix(), end: e.End.Unix(), reminders: e.Reminders, response: e.Response, organizer: e.Organizer,
	}
	// The constants replace the copies decoded from each answer.
	if k.calendarID == "primary" {
		k.calendarID = "primary"
	}
	for _, r := range []calendar.Response{calendar.NeedsAction, calendar.Accepted, calendar.Tentative, calendar.Declined} {
		if k.response == r {
			k.response = r
		}
	}
	return k
}

// full is e as the calendar.Event a Due carries, its times in loc.
func (e *keptEvent) full(loc *time.Location) calendar.Event {
	return calendar.Event{
		ID: e.id, CalendarID: e.calendarID, Title: e.title, Location: e.location, Link: e.link, JoinURL: e.joinURL,
		Start: time.Unix(e.start, 0).In(loc), End: time.Unix(e.end, 0).In(loc),
		Reminders: e.reminders, Response: e.response, Organizer: e.organizer,
	}
}

// sameEvent reports whether a and b are the same as kept.
func sameEvent(a, b keptEvent) bool {
	return a.id == b.id && a.calendarID == b.calendarID && a.title == b.title && a.location == b.location &&
		a.link == b.link && a.joinURL == b.joinURL && a.start == b.start && a.end == b.end &&
		a.response == b.response && a.organizer == b.organizer && slices.Equal(a.reminders, b.reminders)
}
