package bot

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/calbot/calbot/storage"
)

// An event /add wrote to a calendar other than the primary one has an Undo
// button whose payload names the event only ("undc:" and its id): a
// calendar id may be far longer than a button's 64 bytes. The calendar is
// kept in the chat's notes (sealed, bound to the chat), under the event id.

// undoNoteTTL is how long an Undo button of such an event works.
const undoNoteTTL = 30 * 24 * time.Hour

// undoInPayload names an event /add wrote to the calendar the chat's note
// for it names.
func undoInPayload(eventID string) string { return "undc:" + eventID }

// parseUndoIn reads undoInPayload; ok is false for anything else.
func parseUndoIn(payload string) (eventID string, ok bool) {
	return parseEventPayload(payload, "undc:")
}

// undoNote is what the chat's note for an Undo button keeps.
type undoNote struct {
	CalendarID string `json:"cal"`
}

func undoNoteKey(eventID string) string { return "undo:" + eventID }

// putUndoNote remembers that eventID is in calendarID, for its Undo button.
func (b *Bot) putUndoNote(chatID int64, eventID, calendarID string) error {
	if b.cfg.Notes == nil {
		return errors.New("no note store")
	}
	raw, err := json.Marshal(undoNote{CalendarID: calendarID})
	if err != nil {
		return err
	}
	now := b.now()
	return b.cfg.Notes.PutNote(chatID, undoNoteKey(eventID), raw, now, now.Add(undoNoteTTL))
}

// undoNote returns the calendar the Undo button of eventID deletes from; ok
// is false when the note expired or never was.
func (b *Bot) undoNote(chatID int64, eventID string) (calendarID string, ok bool) {
	if b.cfg.Notes == nil {
		return "", false
	}
	raw, err := b.cfg.Notes.Note(chatID, undoNoteKey(eventID), b.now())
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			b.log.Warn("read undo note failed", "chat_id", chatID, "err", err)
		}
		return "", false
	}
	var n undoNote
	if err := json.Unmarshal(raw, &n); err != nil || n.CalendarID == "" {
		b.log.Warn("undo note does not decode", "chat_id", chatID)
		return "", false
	}
	return n.CalendarID, true
}
