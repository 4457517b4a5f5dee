package storage

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// SettingsVersion is the layout of Settings this code writes. A record of a
// newer layout is an error rather than misread.
const SettingsVersion = 2

// Settings is what the bot remembers about a chat besides its link: the
// calendar's time zone now, more (agenda, reminders, language) later. The
// bot owns this record; the link (tokens, account) is oauth's. It is sealed
// like the link, bound to its chat.
type Settings struct {
	Version int    `json:"v"`
	Zone    string `json:"zone,omitempty"` // the calendar's time zone, as last seen

	// Version 2: what the chat chose in /settings. The zero value of each is
	// the default, so a version 1 record reads as "nothing chosen yet".

	// ZoneOverride is the IANA zone the user chose for every view, agenda,
	// reminder and /add; "" follows the calendar's zone (Zone).
	ZoneOverride string `json:"zone_override,omitempty"`
	// Lang is "en" or "ru" as chosen; "" follows the Telegram client.
	Lang      string    `json:"lang,omitempty"`
	Agenda    Agenda    `json:"agenda,omitzero"`
	Reminders Reminders `json:"reminders,omitzero"`
	Quiet     Quiet     `json:"quiet,omitzero"`
	// Calendars are the user's calendars as last listed, with whether each
	// is shown; empty means the primary calendar alone.
	Calendars []Calendar `json:"calendars,omitempty"`
	// AddTo is the calendar /add writes to; "" is the primary calendar.
	AddTo string `json:"add_to,omitempty"`
	// NotifyOrganizer: answering an invitation tells its organizer
	// (sendUpdates=all) instead of silently changing the answer.
	NotifyOrganizer bool `json:"notify_organizer,omitempty"`
	// ClientLang is the language Telegram last reported for the chat's
	// user; messages calbot sends first use it while Lang is "".
	ClientLang string `json:"client_lang,omitempty"`
}

// Shown returns the calendars the chat reads: those ticked, or the primary
// calendar alone when none is.
func (s Settings) Shown() []Calendar {
	var out []Calendar
	for _, c := range s.Calendars {
		if c.Shown {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		out = []Calendar{{ID: "primary", Shown: true}}
	}
	return out
}

// Agenda is the morning agenda of a chat.
type Agenda struct {
	On bool `json:"on,omitempty"`
	// At is the local time of day, in minutes after midnight (480 is 08:00).
	At int `json:"at,omitempty"`
	// Weekdays sends it Monday to Friday only; otherwise every day.
	Weekdays bool `json:"weekdays,omitempty"`
	// SkipEmpty sends nothing on a day without events, instead of one line.
	SkipEmpty bool `json:"skip_empty,omitempty"`
	// Offered is set once the chat was asked whether it wants the agenda.
	Offered bool `json:"offered,omitempty"`
}

// Reminders say when a chat is reminded of its timed events.
type Reminders struct {
	// Off turns reminders off.
	Off bool `json:"off,omitempty"`
	// Leads are fixed lead times in minutes; empty means each event's own
	// Google popup reminders, else the calendar's defaults, else 10.
	Leads []int `json:"leads,omitempty"`
}

// Quiet is a chat's quiet hours, in local minutes after midnight; From may
// be after To (22:00-07:00 spans midnight).
type Quiet struct {
	On       bool `json:"on,omitempty"`
	From, To int
	// Hold makes messages due in quiet hours wait until they end instead of
	// arriving silently.
	Hold bool `json:"hold,omitempty"`
}

// Calendar is one of the user's calendars as the chat sees it.
type Calendar struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Shown bool   `json:"shown,omitempty"`
	// Writable: the user may add events to it (owner or writer).
	Writable bool `json:"writable,omitempty"`
}

// bucketSettings holds Settings, sealed, under the chat id.
var bucketSettings = []byte("settings")

func settingsAD(chatID int64) []byte { return append([]byte("settings:"), chatKey(chatID)...) }

// Settings returns the settings of chatID, or zero Settings if it has none.
// A chat linked before settings had their own record gets the zone its link
// still carries.
func (db *DB) Settings(chatID int64) (Settings, error) {
	var s Settings
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return db.readSettings(tx, chatID, &s)
	})
	if err != nil {
		return Settings{}, fmt.Errorf("read settings of chat %d: %w", chatID, err)
	}
	return s, nil
}

// UpdateSettings applies fn to the settings of chatID (zero Settings if none)
// and stores them, in one transaction. The first write also moves a zone
// left in the chat's link by older versions into the settings, so that one
// record holds it.
func (db *DB) UpdateSettings(chatID int64, fn func(*Settings)) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		var s Settings
		if err := db.readSettings(tx, chatID, &s); err != nil {
			return err
		}
		fn(&s)
		s.Version = SettingsVersion
		sealed, err := db.seal(s, settingsAD(chatID))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketSettings).Put(chatKey(chatID), sealed); err != nil {
			return err
		}
		return db.dropLinkZone(tx, chatID)
	})
	if err != nil {
		return fmt.Errorf("store settings of chat %d: %w", chatID, err)
	}
	return nil
}

func (db *DB) readSettings(tx *bbolt.Tx, chatID int64, s *Settings) error {
	if v := tx.Bucket(bucketSettings).Get(chatKey(chatID)); v != nil {
		if err := db.open(v, settingsAD(chatID), s); err != nil {
			return err
		}
		if s.Version > SettingsVersion {
			return fmt.Errorf("settings are version %d, newer than this calbot understands (%d): upgrade calbot", s.Version, SettingsVersion)
		}
		return nil
	}
	// Older versions kept the zone in the link. Only the zone is decoded:
	// the scheduler reads a chat without settings (most chats) like this
	// at its first read after each start, and tokens are most of a link.
	if v := tx.Bucket(bucketLinks).Get(chatKey(chatID)); v != nil {
		var l struct {
			Zone string `json:"zone"`
		}
		if err := db.open(v, linkAD(chatID), &l); err == nil {
			s.Zone = l.Zone
		}
	}
	return nil
}

// dropLinkZone clears the zone an older version left in the chat's link, if
// any. A link that does not open is left alone for its owner to report.
func (db *DB) dropLinkZone(tx *bbolt.Tx, chatID int64) error {
	b := tx.Bucket(bucketLinks)
	v := b.Get(chatKey(chatID))
	if v == nil {
		return nil
	}
	var l Link
	if err := db.open(v, linkAD(chatID), &l); err != nil || l.Zone == "" {
		return nil
	}
	l.Zone = ""
	sealed, err := db.seal(l, linkAD(chatID))
	if err != nil {
		return fmt.Errorf("reseal link: %w", err)
	}
	return b.Put(chatKey(chatID), sealed)
}
