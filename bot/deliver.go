package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/schedule"
	"github.com/calbot/calbot/storage"
)

// Planner is the scheduler as the bot uses it; *schedule.Scheduler is one.
type Planner interface {
	Touch(chatID int64)
	Forget(chatID int64)
	Snooze(ctx context.Context, d schedule.Due, until time.Time) error
}

// Responder answers an invitation with the user's own attendee entry only;
// *calendar.Service is one. A refusal because the calendar is read-only
// wraps calendar.ErrReadOnly.
type Responder interface {
	Respond(ctx context.Context, ts oauth2.TokenSource, calendarID, eventID string, r calendar.Response, notify bool) error
}

// NoteStore keeps, per chat and for a while, what the short key in a
// button's data stands for: event ids can be 1,024 characters, and a
// button's data at most 64 bytes. *storage.DB is one.
type NoteStore interface {
	PutNote(chatID int64, key string, raw []byte, now, expires time.Time) error
	Note(chatID int64, key string, now time.Time) ([]byte, error)
}

// deliveredTTL is how long Deliver remembers a key it took; the scheduler
// never hands over a key older than its catch-up windows, which are hours.
const deliveredTTL = 14 * 24 * time.Hour

// Deliver takes a message the scheduler wants a chat to get. It stores d
// durably, at most once per d.Key, and queues it behind the chat's updates;
// it returns nil once d is stored, now or before (a Due handed over twice
// is one message). An error means d was not taken.
func (b *Bot) Deliver(_ context.Context, d schedule.Due) error {
	if d.Key == "" {
		return fmt.Errorf("deliver to chat %d: due message without a key", d.ChatID)
	}
	raw, err := json.Marshal(event{Due: &d})
	if err != nil {
		return fmt.Errorf("encode due message for chat %d: %w", d.ChatID, err)
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	id, added, err := b.cfg.Events.AddEventOnce("due:"+d.Key, raw, now, later(now, d.At).Add(deliveredTTL))
	if err != nil {
		return fmt.Errorf("store due message for chat %d: %w", d.ChatID, err)
	}
	if added && b.post != nil {
		b.post(storage.Event{ID: id, Raw: raw})
	}
	return nil
}

// dueJob sends a due message in its chat's queue, then forgets event id,
// unless the stop cut it short. Agendas are bulk: they yield to everything
// else, in the workers and in the pacer.
func (b *Bot) dueJob(id uint64, d schedule.Due, cutShort *atomic.Int64) job {
	return job{
		chat: d.ChatID,
		bulk: d.Kind == schedule.Agenda,
		run:  func(ctx context.Context) { b.handleDue(ctx, d) },
		done: func(finished bool) {
			if !finished {
				cutShort.Add(1)
				return
			}
			b.forget(id)
			b.log.Debug("scheduled message done", "chat_id", d.ChatID, "kind", int(d.Kind))
		},
	}
}

// handleDue sends one due message under the handler deadline.
func (b *Bot) handleDue(ctx context.Context, d schedule.Due) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.HandlerTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("due message panicked", "chat_id", d.ChatID, "panic", r)
		}
	}()
	if d.Kind != schedule.Revoked && !b.wants(d) {
		b.log.Info("due message dropped: the chat unlinked or turned it off since it was planned", "chat_id", d.ChatID, "kind", int(d.Kind))
		return
	}
	lang := b.chatLang(d.ChatID)
	switch d.Kind {
	case schedule.Reminder:
		b.remind(ctx, lang, d)
	case schedule.Agenda:
		b.agenda(withBulk(ctx), lang, d)
	case schedule.Revoked:
		b.sendDue(ctx, d, text(lang, msgRevoked), nil)
	default:
		b.log.Warn("due message of unknown kind dropped", "chat_id", d.ChatID, "kind", int(d.Kind))
	}
}

// wants reports whether the chat still wants d now: it is linked, and has
// not turned reminders or the agenda off since d was planned.
func (b *Bot) wants(d schedule.Due) bool {
	if _, err := b.cfg.Accounts.Account(d.ChatID); err != nil {
		return false
	}
	s := b.settings(d.ChatID)
	return !(d.Kind == schedule.Reminder && s.Reminders.Off || d.Kind == schedule.Agenda && !s.Agenda.On)
}

// sendDue sends a scheduled message: HTML, previews off, and silent in
// quiet hours.
func (b *Bot) sendDue(ctx context.Context, d schedule.Due, body string, kb *tgbotapi.InlineKeyboardMarkup) {
	m := tgbotapi.NewMessage(d.ChatID, body)
	m.ParseMode = tgbotapi.ModeHTML
	m.DisableWebPagePreview = true
	m.DisableNotification = d.Silent
	if kb != nil {
		m.ReplyMarkup = kb
	}
	if err := b.deliver(ctx, d.ChatID, m); err != nil {
		b.log.Error("send scheduled message failed", "chat_id", d.ChatID, "kind", int(d.Kind), "err", err)
	}
}

// chatLang is the language of messages nobody asked for: the chat's
// choice, else what Telegram last said of its user, else English.
func (b *Bot) chatLang(chatID int64) string {
	s := b.settings(chatID)
	switch {
	case s.Lang != "":
		return langOf(s.Lang)
	case s.ClientLang != "":
		return langOf(s.ClientLang)
	}
	return "en"
}

// noteLang remembers the language Telegram reports for a linked private
// chat's user, for the messages calbot sends first. It writes only when
// the language changed, and keeps nothing for chats that are not linked.
func (b *Bot) noteLang(c chat) {
	if !c.private || b.settings(c.id).ClientLang == c.lang {
		return
	}
	if _, err := b.cfg.Accounts.Account(c.id); err != nil {
		return
	}
	if err := b.cfg.Chats.UpdateSettings(c.id, func(s *storage.Settings) { s.ClientLang = c.lang }); err != nil {
		b.log.Warn("save chat language failed", "chat_id", c.id, "err", err)
	}
}

// zoneOfDue is the zone a due message shows its times in: the chat's zone
// now, as the views use it (the override, else the calendar's), so that a
// zone chosen since d was planned is followed; else the zone d was planned
// in; else UTC.
func (b *Bot) zoneOfDue(d schedule.Due) *time.Location {
	if loc := effectiveZone(b.settings(d.ChatID)); loc != nil {
		return loc
	}
	if loc, err := calendar.LoadZone(d.Zone); err == nil && d.Zone != "" {
		return loc
	}
	return time.UTC
}

// held is what a short button key stands for: the due message the buttons
// belong to, and what the user did with it since.
type held struct {
	Due schedule.Due `json:"due"`
	// Answered: the user answered the reminder's invitation through us.
	Answered calendar.Response `json:"answered,omitempty"`
	// Snoozed: the reminder comes again then.
	Snoozed time.Time `json:"snoozed,omitzero"`
	// An agenda's text as sent, its invitations that carry buttons, and
	// the answers given to them.
	Body    string              `json:"body,omitempty"`
	Invites []calendar.Event    `json:"invites,omitempty"`
	Answers []calendar.Response `json:"answers,omitempty"`
}

// heldTTL keeps a note until a while after its event ends, for RSVP.
const heldTTL = 48 * time.Hour

// newButtonKey is a short random key: 72 bits, 12 characters.
func newButtonKey() string {
	var k [9]byte
	rand.Read(k[:])
	return base64.RawURLEncoding.EncodeToString(k[:])
}

// putHeld stores h under key until its end plus heldTTL.
func (b *Bot) putHeld(chatID int64, key string, h held, end time.Time) error {
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	now := b.now()
	return b.cfg.Notes.PutNote(chatID, key, raw, now, later(now, end).Add(heldTTL))
}

// getHeld reads what key stands for; ok is false if it expired or never was.
func (b *Bot) getHeld(chatID int64, key string) (held, bool) {
	var h held
	raw, err := b.cfg.Notes.Note(chatID, key, b.now())
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			b.log.Warn("read button note failed", "chat_id", chatID, "err", err)
		}
		return h, false
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		b.log.Warn("button note does not decode", "chat_id", chatID)
		return h, false
	}
	return h, true
}
