package bot

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/schedule"
	"github.com/calbot/calbot/storage"
)

// maxInvites bounds the invitations of an agenda that get answer buttons;
// inviteRunes cuts their titles in the list under the agenda.
const (
	maxInvites  = 3
	inviteRunes = 60
	// inviteRoom is kept free in an agenda for the list of invitations.
	inviteRoom = 3 * (inviteRunes*6 + 40)
)

// agenda sends the morning agenda of d.Date, listed and formatted the way
// /today does it, with Accept / Maybe / Decline for its invitations. A
// revoked grant sends nothing here: the scheduler tells the chat once.
func (b *Bot) agenda(ctx context.Context, lang string, d schedule.Due) {
	at := d.Date.Add(12 * time.Hour) // midday: the same date in any zone
	if d.Date.IsZero() {
		at = b.now()
	}
	day, multi, err := b.listDay(ctx, d.ChatID, at)
	switch {
	case err == nil:
	case errors.Is(err, oauth.ErrRevoked), errors.Is(err, oauth.ErrNotLinked):
		b.log.Info("agenda skipped: the chat is not linked", "chat_id", d.ChatID, "err", err)
		return
	default:
		b.log.Warn("agenda: list the day failed", "chat_id", d.ChatID, "err", err)
		b.sendDue(ctx, d, text(lang, msgAgendaFailed), nil)
		return
	}
	day.Events = slices.DeleteFunc(day.Events, func(ev calendar.Event) bool { return ev.Response == calendar.Declined })
	if len(day.Events) == 0 && b.settings(d.ChatID).Agenda.SkipEmpty {
		return
	}
	h := held{Due: d}
	var end time.Time
	for _, ev := range day.Events {
		if invitation(ev) {
			h.Invites = append(h.Invites, ev)
			end = later(end, ev.End)
		}
	}
	more := max(len(h.Invites)-maxInvites, 0)
	h.Invites = h.Invites[:len(h.Invites)-more]
	h.Answers = make([]calendar.Response, len(h.Invites))
	h.Body = agendaText(lang, day, d, more, len(h.Invites) > 0, multi)
	key := ""
	if len(h.Invites) > 0 {
		key = newButtonKey()
		if err := b.putHeld(d.ChatID, key, h, end); err != nil {
			b.log.Warn("store agenda buttons failed; sent without them", "chat_id", d.ChatID, "err", err)
			key = ""
		}
	}
	b.sendDue(ctx, d, agendaWithInvites(lang, h), b.agendaKeyboard(lang, d.ChatID, key, h))
}

// agendaText is the agenda without its invitation list: a greeting that
// names the day and zone, the day's events as /today shows them, a note
// when it is late, and how many invitations have no buttons.
func agendaText(lang string, day calendar.Day, d schedule.Due, more int, invites, multi bool) string {
	zone := html.EscapeString(day.Zone.String())
	label := dayLabel(lang, day.Date, day.Date)
	var s string
	if len(day.Events) == 0 {
		s = text(lang, msgAgendaEmpty, label, zone)
	} else {
		limit := maxReply
		if invites {
			limit -= inviteRoom
		}
		s = dayEvents(lang, text(lang, msgAgendaHeader, label, zone), day, limit, multi)
	}
	if more > 0 {
		s += "\n\n" + text(lang, msgAgendaMoreInvites, more)
	}
	if d.Late && !d.At.IsZero() {
		s += "\n\n" + text(lang, msgAgendaLate, clock(d.At.In(day.Zone)))
	}
	return s
}

// agendaWithInvites is h.Body with the list of its invitations, each with
// its number (for the buttons) or the answer given.
func agendaWithInvites(lang string, h held) string {
	if len(h.Invites) == 0 {
		return h.Body
	}
	var b strings.Builder
	b.WriteString(h.Body + "\n\n" + text(lang, msgAgendaInvites))
	for i, ev := range h.Invites {
		title := html.EscapeString(oneLine(eventTitle(lang, ev), inviteRunes))
		fmt.Fprintf(&b, "\n%d. %s", i+1, title)
		if i < len(h.Answers) && h.Answers[i] != "" {
			b.WriteString(" — " + answeredText(lang, h.Answers[i]))
		}
	}
	return b.String()
}

// agendaKeyboard has one Accept / Maybe / Decline row per unanswered
// invitation, numbered when there are several.
func (b *Bot) agendaKeyboard(lang string, chatID int64, key string, h held) *tgbotapi.InlineKeyboardMarkup {
	if key == "" || b.cfg.Invitations == nil {
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for i := range h.Invites {
		if i < len(h.Answers) && h.Answers[i] != "" {
			continue
		}
		prefix := ""
		if len(h.Invites) > 1 {
			prefix = strconv.Itoa(i+1) + ". "
		}
		rows = append(rows, b.rsvpRow(lang, chatID, prefix, key, ":"+strconv.Itoa(i)))
	}
	if len(rows) == 0 {
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// payOffer is the payload of the agenda offer's buttons: "ag:y", "ag:n",
// "ag:t" (another time) or "ag:" and a time in minutes after midnight.
const payOffer = "ag"

// offerTimes are the times "Another time" offers.
var offerTimes = []int{7 * 60, 7*60 + 30, 8 * 60, 8*60 + 30, 9 * 60}

// defaultAgendaAt is 08:00.
const defaultAgendaAt = 8 * 60

// offerAgenda asks a chat that just connected, once, whether it wants the
// morning agenda. Without a Planner nothing would send it, so it asks
// nothing.
func (b *Bot) offerAgenda(ctx context.Context, chatID int64, lang string) {
	if b.cfg.Planner == nil {
		return
	}
	offered := true
	err := b.cfg.Chats.UpdateSettings(chatID, func(s *storage.Settings) {
		offered = s.Agenda.Offered || s.Agenda.On
		s.Agenda.Offered = true
	})
	if err != nil {
		b.log.Warn("record agenda offer failed", "chat_id", chatID, "err", err)
		return
	}
	if offered {
		return
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		b.button(chatID, text(lang, msgYes), payOffer+":y"),
		b.button(chatID, text(lang, msgAnotherTime), payOffer+":t"),
		b.button(chatID, text(lang, msgNo), payOffer+":n"),
	))
	b.send(ctx, chatID, text(lang, msgAgendaOffer), &kb)
}

// offerPressed runs a press on the agenda offer.
func (b *Bot) offerPressed(ctx context.Context, q *tgbotapi.CallbackQuery, lang, choice string) {
	chatID := q.Message.Chat.ID
	edit := func(body string, kb *tgbotapi.InlineKeyboardMarkup) {
		e := tgbotapi.NewEditMessageText(chatID, q.Message.MessageID, body)
		e.ParseMode = tgbotapi.ModeHTML
		e.ReplyMarkup = kb
		if err := b.deliver(ctx, chatID, e); err != nil {
			b.log.Warn("edit agenda offer failed", "chat_id", chatID, "err", err)
		}
	}
	at := defaultAgendaAt
	switch choice {
	case "n":
		b.answer(ctx, q.ID, "", false)
		edit(text(lang, msgAgendaDeclined), nil)
		return
	case "t":
		var row []tgbotapi.InlineKeyboardButton
		for _, m := range offerTimes {
			row = append(row, b.button(chatID, fmt.Sprintf("%02d:%02d", m/60, m%60), payOffer+":"+strconv.Itoa(m)))
		}
		b.answer(ctx, q.ID, "", false)
		kb := tgbotapi.NewInlineKeyboardMarkup(row)
		edit(text(lang, msgAgendaPickTime), &kb)
		return
	case "y":
	default:
		m, err := strconv.Atoi(choice)
		if err != nil || !slices.Contains(offerTimes, m) {
			b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
			return
		}
		at = m
	}
	err := b.cfg.Chats.UpdateSettings(chatID, func(s *storage.Settings) {
		s.Agenda.On, s.Agenda.At, s.Agenda.Offered = true, at, true
	})
	if err != nil {
		b.log.Error("turn agenda on failed", "chat_id", chatID, "err", err)
		b.answer(ctx, q.ID, text(lang, msgInternal), true)
		return
	}
	if b.cfg.Planner != nil {
		b.cfg.Planner.Touch(chatID)
	}
	b.answer(ctx, q.ID, "", false)
	edit(text(lang, msgAgendaOn, fmt.Sprintf("%02d:%02d", at/60, at%60)), nil)
}
