package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/schedule"
)

// scheduledButton runs a press of a button on a message calbot sent first
// (a reminder, an agenda, the agenda offer); payload is authentic. It
// reports whether payload was one of those. Like Undo, a press must find
// its data on the message's keyboard as it is now.
func (b *Bot) scheduledButton(ctx context.Context, q *tgbotapi.CallbackQuery, lang, payload string) bool {
	kind, rest, _ := strings.Cut(payload, ":")
	var run func()
	switch kind {
	case paySnooze5, paySnooze10, paySnoozeStart:
		by := map[string]time.Duration{paySnooze5: 5 * time.Minute, paySnooze10: 10 * time.Minute}[kind]
		run = func() { b.snooze(ctx, q, lang, rest, by) }
	case payAccept, payMaybe, payDecline:
		key, index, _ := strings.Cut(rest, ":")
		run = func() { b.rsvp(ctx, q, lang, key, index, answers[kind]) }
	case payOffer:
		run = func() { b.offerPressed(ctx, q, lang, rest) }
	default:
		return false
	}
	if !onKeyboard(q.Message, q.Data) {
		b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
		return true
	}
	b.noteLang(chat{id: q.Message.Chat.ID, lang: lang, private: true})
	run()
	return true
}

// rsvp answers the invitation behind key (index names it in an agenda)
// with r, through Google, and edits the message to show the answer. The
// organizer hears of it when the chat chose so in /settings.
func (b *Bot) rsvp(ctx context.Context, q *tgbotapi.CallbackQuery, lang, key, index string, r calendar.Response) {
	chatID := q.Message.Chat.ID
	h, ok := b.getHeld(chatID, key)
	ev, i := h.Due.Event, -1
	if ok && h.Due.Kind == schedule.Agenda {
		n, err := strconv.Atoi(index)
		if ok = err == nil && n >= 0 && n < len(h.Invites) && n < len(h.Answers); ok {
			ev, i = h.Invites[n], n
		}
	}
	if !ok || !invitation(ev) || b.cfg.Invitations == nil {
		b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
		return
	}
	notify, calendarID := b.settings(chatID).NotifyOrganizer, ev.CalendarID
	if calendarID == "" {
		calendarID = "primary"
	}
	err := b.google(chatID, func(ts oauth2.TokenSource) error {
		return b.cfg.Invitations.Respond(ctx, ts, calendarID, ev.ID, r, notify)
	})
	switch {
	case err == nil:
	case errors.Is(err, calendar.ErrReadOnly):
		b.answer(ctx, q.ID, text(lang, msgRSVPReadOnly), true)
		return
	case errors.Is(err, calendar.ErrNotFound):
		b.answer(ctx, q.ID, text(lang, msgRSVPGone), true)
		return
	case errors.Is(err, calendar.ErrNotInvited):
		b.answer(ctx, q.ID, text(lang, msgRSVPNotInvited), true)
		return
	case errors.Is(err, calendar.ErrScope):
		b.answer(ctx, q.ID, text(lang, msgRSVPScope), true)
		return
	case errors.Is(err, oauth.ErrRevoked), errors.Is(err, oauth.ErrNotLinked):
		b.answer(ctx, q.ID, "", false)
		b.calendarFailed(ctx, chat{id: chatID, userID: chatID, lang: lang, private: true}, "respond", err)
		return
	default:
		b.log.Warn("answer invitation failed", "chat_id", chatID, "err", err)
		b.answer(ctx, q.ID, text(lang, msgRSVPFailed), true)
		return
	}
	if i >= 0 {
		h.Answers[i] = r
	} else {
		h.Answered = r
	}
	if err := b.putHeld(chatID, key, h, ev.End); err != nil {
		b.log.Warn("store invitation answer failed", "chat_id", chatID, "err", err)
	}
	b.answer(ctx, q.ID, text(lang, msgRSVPToast), false)
	b.editHeld(ctx, q, lang, key, h, b.zoneOfDue(h.Due), b.now())
}
