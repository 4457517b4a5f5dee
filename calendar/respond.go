package calendar

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
)

// ErrNotInvited is returned by Respond when the user is not among the
// event's attendees, so has no invitation to answer.
var ErrNotInvited = errors.New("not invited to this event")

// ErrOrganizer is returned by Respond when the user organizes the event:
// organizers do not answer their own invitations. It also matches
// ErrNotInvited.
var ErrOrganizer = fmt.Errorf("%w: the user organizes it", ErrNotInvited)

// ErrReadOnly is returned when Google refuses a change because the user may
// only read the calendar (403 requiredAccessLevel or forbidden).
var ErrReadOnly = errors.New("the calendar is read-only for this user")

// ErrScope is returned when the user's grant lacks a scope the call needs
// (403 insufficientPermissions): ask for it with incremental consent.
var ErrScope = errors.New("google access lacks a needed scope")

// respondFields is what Respond reads of the event before answering.
const respondFields = "status,organizer(self),attendees(email,self,organizer,responseStatus)"

// Respond sets the user's own answer to the invitation eventID of
// calendarID ("" means "primary") to r (Accepted, Tentative or Declined),
// changing nothing else: it reads the event for the user's attendee entry,
// then patches that one entry with attendeesOmitted, as Google documents
// for updating only the participant's response. notify e-mails the
// organizer and guests (sendUpdates=all); otherwise nobody is told
// (sendUpdates=none). An answer already given is not sent again.
//
// Errors wrap ErrOrganizer (and ErrNotInvited) for the organizer's own
// event, ErrNotInvited when the user is not an attendee, ErrReadOnly when
// the calendar is read-only, ErrScope when the grant lacks the scope,
// ErrNotFound for a deleted event, and otherwise are those of Day.
func (s *Service) Respond(ctx context.Context, ts oauth2.TokenSource, calendarID, eventID string, r Response, notify bool) error {
	switch r {
	case Accepted, Tentative, Declined:
	default:
		return fmt.Errorf("respond to event %s: bad response %q", eventID, r)
	}
	calID := orPrimary(calendarID)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	svc, ctx, err := s.service(ctx, ts)
	if err != nil {
		return err
	}
	var ev *gcal.Event
	err = s.retry(ctx, "get", func() error {
		var err error
		ev, err = svc.Events.Get(calID, eventID).Fields(respondFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return wrap("respond to event "+eventID, err)
	}
	if ev.Status == "cancelled" {
		return fmt.Errorf("respond to event %s: deleted: %w", eventID, ErrNotFound)
	}
	if ev.Organizer != nil && ev.Organizer.Self {
		return fmt.Errorf("respond to event %s: %w", eventID, ErrOrganizer)
	}
	var self *gcal.EventAttendee
	for _, at := range ev.Attendees {
		if at != nil && at.Self {
			self = at
			break
		}
	}
	switch {
	case self == nil:
		return fmt.Errorf("respond to event %s: %w", eventID, ErrNotInvited)
	case self.Organizer:
		return fmt.Errorf("respond to event %s: %w", eventID, ErrOrganizer)
	case Response(self.ResponseStatus) == r:
		return nil
	}
	body := &gcal.Event{
		Attendees:        []*gcal.EventAttendee{{Email: self.Email, ResponseStatus: string(r)}},
		AttendeesOmitted: true,
	}
	send := "none"
	if notify {
		send = "all"
	}
	err = s.retry(ctx, "respond", func() error {
		_, err := svc.Events.Patch(calID, eventID, body).SendUpdates(send).Fields("id").Context(ctx).Do()
		return err
	})
	if err != nil {
		return wrap("respond to event "+eventID, err)
	}
	return nil
}
