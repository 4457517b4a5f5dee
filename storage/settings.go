package storage

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// SettingsVersion is the layout of Settings this code writes. A record of a
// newer layout is an error rather than misread.
const SettingsVersion = 1

// Settings is what the bot remembers about a chat besides its link: the
// calendar's time zone now, more (agenda, reminders, language) later. The
// bot owns this record; the link (tokens, account) is oauth's. It is sealed
// like the link, bound to its chat.
type Settings struct {
	Version int    `json:"v"`
	Zone    string `json:"zone,omitempty"` // the calendar's time zone, as last seen
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
	// Older versions kept the zone in the link.
	if v := tx.Bucket(bucketLinks).Get(chatKey(chatID)); v != nil {
		var l Link
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
