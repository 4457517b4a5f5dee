package calendar

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
)

// MarkerProperty is the private extended property that marks the events
// calbot created. Private properties belong to this calendar's copy of the
// event: attendees and other calendars never see them.
const MarkerProperty = "calbot"

// ErrNotOurs is returned when an event does not carry the marker it should:
// calbot did not create it for this chat, so calbot leaves it alone.
var ErrNotOurs = errors.New("event was not created by calbot for this chat")

// Marker returns the value of MarkerProperty for the events calbot creates
// for chatID: a MAC of the chat under key (EVENT key, derived from calbot's
// master key), so that nobody without the key can mark an event as calbot's,
// and a marker of one chat means nothing in another.
func Marker(key []byte, chatID int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("marker\x00"))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(chatID)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// EventID returns a 26-character event id (base32hex, lower case) for the
// event that messageID of chatID creates: a MAC under key, so that the same
// message always gives the same id (an insert repeated for a Telegram update
// delivered twice is harmless) while nobody without the key can tell the id
// a future message will use and plant an event under it.
func EventID(key []byte, chatID, messageID int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("event id\x00"))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(chatID)))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(messageID)))
	return idEncoding.EncodeToString(m.Sum(nil)[:16])
}

// markerOf returns the marker an API event carries, or "".
func markerOf(it *gcal.Event) string {
	if it.ExtendedProperties == nil {
		return ""
	}
	return it.ExtendedProperties.Private[MarkerProperty]
}

// sameMarker compares markers in constant time.
func sameMarker(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// DeleteMarked deletes the event with the given id only if it carries
// marker: it reads the event, checks, then deletes, without notifying anyone.
// It returns an error wrapping ErrNotOurs (and deletes nothing) if the event
// lacks the marker, and one wrapping ErrNotFound if it is gone.
func (s *Service) DeleteMarked(ctx context.Context, ts oauth2.TokenSource, id, marker string) error {
	return s.DeleteMarkedIn(ctx, ts, "primary", id, marker)
}

// DeleteMarkedIn is DeleteMarked for the calendar calendarID ("" means
// "primary").
func (s *Service) DeleteMarkedIn(ctx context.Context, ts oauth2.TokenSource, calendarID, id, marker string) error {
	if strings.TrimSpace(id) == "" || marker == "" {
		return errors.New("delete event: empty id or marker")
	}
	ev, err := s.GetIn(ctx, ts, calendarID, id, nil)
	if err != nil {
		return err
	}
	if !sameMarker(ev.Marker, marker) {
		return fmt.Errorf("delete event %s: %w", id, ErrNotOurs)
	}
	return s.DeleteIn(ctx, ts, calendarID, id)
}
