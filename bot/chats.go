package bot

import (
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// ChatStore keeps what the bot remembers about a chat besides its link: a
// question waiting for its answer, and the chat's settings, a record the bot
// owns. *storage.DB is one.
type ChatStore interface {
	Await(chatID int64, until time.Time) error
	TakeAwait(chatID int64, now time.Time) (bool, error)
	Settings(chatID int64) (storage.Settings, error)
	UpdateSettings(chatID int64, fn func(*storage.Settings)) error
}

// settings returns the chat's settings; a record that cannot be read is
// logged and treated as empty, since everything in it can be learned again.
func (b *Bot) settings(chatID int64) storage.Settings {
	s, err := b.cfg.Chats.Settings(chatID)
	if err != nil {
		b.log.Warn("read chat settings failed", "chat_id", chatID, "err", err)
		return storage.Settings{}
	}
	return s
}

// zoneOf returns the zone the settings remember, or nil if none (or one
// that no longer loads).
func zoneOf(s storage.Settings) *time.Location {
	if s.Zone != "" {
		if loc, err := calendar.LoadZone(s.Zone); err == nil {
			return loc
		}
	}
	return nil
}

// saveZone remembers the calendar's zone so the next /today asks Google
// once. known is the zone the settings held.
func (b *Bot) saveZone(chatID int64, known string, zone *time.Location) {
	if zone == nil || zone.String() == known {
		return
	}
	changed := false
	err := b.cfg.Chats.UpdateSettings(chatID, func(s *storage.Settings) {
		changed = s.Zone != zone.String() // known may be older than the record
		s.Zone = zone.String()
	})
	if err != nil {
		b.log.Warn("save calendar zone failed", "chat_id", chatID, "err", err)
		return
	}
	if changed {
		b.touch(chatID) // the agenda and reminders follow the calendar's zone
	}
}
