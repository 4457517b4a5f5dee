package bot

import (
	"context"
	"html"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/schedule"
)

// remind sends a reminder of d.Event. All-day and declined events are
// never reminded, whatever the scheduler says.
func (b *Bot) remind(ctx context.Context, lang string, d schedule.Due) {
	ev := d.Event
	if ev.AllDay || ev.Response == calendar.Declined {
		b.log.Warn("reminder of an all-day or declined event dropped", "chat_id", d.ChatID)
		return
	}
	h, key := held{Due: d}, newButtonKey()
	if err := b.putHeld(d.ChatID, key, h, ev.End); err != nil {
		b.log.Warn("store reminder buttons failed; sent without them", "chat_id", d.ChatID, "err", err)
		key = ""
	}
	zone, now := b.zoneOfDue(d), b.now()
	b.sendDue(ctx, d, reminderText(lang, h, zone, now), b.reminderKeyboard(lang, d.ChatID, key, h, now))
}

// reminderText renders a reminder as Telegram HTML: the linked title, the
// time range in zone with how far off it is from now, the location, and
// the invitation, answer, snooze and lateness notes.
func reminderText(lang string, h held, zone *time.Location, now time.Time) string {
	ev := h.Due.Event
	start, end, now := ev.Start.In(zone), ev.End.In(zone), now.In(zone)
	when := clock(start) + "–" + clock(end)
	if !sameDay(start, end) {
		when = clock(start) + "–" + shortDay(lang, end, now) + " " + clock(end)
	}
	switch {
	case sameDay(start, now):
	case sameDay(start, now.AddDate(0, 0, 1)):
		when = text(lang, msgTomorrow) + ", " + when
	default:
		when = dayLabel(lang, start, now) + ", " + when
	}
	var b strings.Builder
	b.WriteString("⏰ <b>" + titleLink(lang, ev) + "</b>\n")
	b.WriteString(when + " (" + html.EscapeString(zone.String()) + "), " + relStart(lang, start, end, now))
	if loc := oneLine(ev.Location, maxLocationRunes); loc != "" {
		b.WriteString("\n📍 " + html.EscapeString(loc))
	}
	switch {
	case h.Answered != "":
		b.WriteString("\n" + answeredText(lang, h.Answered))
	case invitation(ev):
		b.WriteString("\n" + text(lang, msgInvitation))
	}
	if !h.Snoozed.IsZero() {
		b.WriteString("\n" + text(lang, msgSnoozedUntil, clock(h.Snoozed.In(zone))))
	}
	if h.Due.Late {
		b.WriteString("\n\n" + text(lang, msgRemindLate))
	}
	return b.String()
}

// invitation reports whether ev awaits the user's answer: they are invited,
// have not answered, and are not its organizer.
func invitation(ev calendar.Event) bool {
	return ev.Response == calendar.NeedsAction && !ev.Organizer
}

func answeredText(lang string, r calendar.Response) string {
	switch r {
	case calendar.Accepted:
		return text(lang, msgAnsweredAccepted)
	case calendar.Tentative:
		return text(lang, msgAnsweredTentative)
	}
	return text(lang, msgAnsweredDeclined)
}

// relStart says how far start is from now: "in 3 min", "starts now",
// "started 5 min ago".
func relStart(lang string, start, end, now time.Time) string {
	d := start.Sub(now)
	switch {
	case d >= 30*time.Second:
		return text(lang, msgRemindIn, span(lang, d))
	case d > -time.Minute:
		return text(lang, msgRemindNow)
	case now.Before(end):
		return text(lang, msgRemindStarted, span(lang, -d))
	}
	return text(lang, msgRemindEnded)
}

// span is d rounded to minutes: "3 min", "1 h", "1 h 30 min".
func span(lang string, d time.Duration) string {
	m := int((d + 30*time.Second) / time.Minute)
	switch {
	case m < 60:
		return text(lang, msgMinutes, m)
	case m%60 == 0:
		return text(lang, msgHours, m/60)
	}
	return text(lang, msgHours, m/60) + " " + text(lang, msgMinutes, m%60)
}

// Button payloads of scheduled messages, each followed by ":" and a short
// key (newButtonKey): snooze by 5 or 10 minutes or until the start, and
// the three answers to an invitation. Agenda answers add ":" and the
// invitation's index.
const (
	paySnooze5     = "z5"
	paySnooze10    = "z10"
	paySnoozeStart = "z0"
	payAccept      = "ra"
	payMaybe       = "rt"
	payDecline     = "rd"
)

var answers = map[string]calendar.Response{payAccept: calendar.Accepted, payMaybe: calendar.Tentative, payDecline: calendar.Declined}

// button is a signed callback button for chatID, whose user is the chat.
func (b *Bot) button(chatID int64, label, payload string) tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardButtonData(label, signCallback(b.cfg.CallbackKey, chatID, chatID, payload))
}

// rsvpRow is the Accept / Maybe / Decline row; suffix follows the key.
func (b *Bot) rsvpRow(lang string, chatID int64, prefix, key, suffix string) []tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardRow(
		b.button(chatID, prefix+text(lang, msgAccept), payAccept+":"+key+suffix),
		b.button(chatID, prefix+text(lang, msgMaybe), payMaybe+":"+key+suffix),
		b.button(chatID, prefix+text(lang, msgDecline), payDecline+":"+key+suffix),
	)
}

// reminderKeyboard is Join and Open (links), Accept / Maybe / Decline for
// an unanswered invitation, and Snooze until the event starts. Without a
// key only the links are left; without a Planner or Responder, Snooze or
// the answers.
func (b *Bot) reminderKeyboard(lang string, chatID int64, key string, h held, now time.Time) *tgbotapi.InlineKeyboardMarkup {
	ev := h.Due.Event
	var rows [][]tgbotapi.InlineKeyboardButton
	var links []tgbotapi.InlineKeyboardButton
	if safeLink(ev.JoinURL) {
		links = append(links, tgbotapi.NewInlineKeyboardButtonURL(text(lang, msgJoin), ev.JoinURL))
	}
	if safeLink(ev.Link) {
		links = append(links, tgbotapi.NewInlineKeyboardButtonURL(text(lang, msgOpen), ev.Link))
	}
	if len(links) > 0 {
		rows = append(rows, links)
	}
	if key != "" && h.Answered == "" && invitation(ev) && b.cfg.Invitations != nil {
		rows = append(rows, b.rsvpRow(lang, chatID, "", key, ""))
	}
	if key != "" && h.Snoozed.IsZero() && now.Before(ev.Start) && b.cfg.Planner != nil {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			b.button(chatID, text(lang, msgSnooze5), paySnooze5+":"+key),
			b.button(chatID, text(lang, msgSnooze10), paySnooze10+":"+key),
			b.button(chatID, text(lang, msgSnoozeStart), paySnoozeStart+":"+key),
		))
	}
	if len(rows) == 0 {
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// snooze runs a Snooze press: the scheduler plans the reminder again, and
// the reminder says until when. After the start it only says so.
func (b *Bot) snooze(ctx context.Context, q *tgbotapi.CallbackQuery, lang, key string, by time.Duration) {
	chatID := q.Message.Chat.ID
	h, ok := b.getHeld(chatID, key)
	if !ok {
		b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
		return
	}
	ev, zone, now := h.Due.Event, b.zoneOfDue(h.Due), b.now()
	if !now.Before(ev.Start) {
		b.answer(ctx, q.ID, text(lang, msgSnoozeStarted), false)
		b.editHeld(ctx, q, lang, key, h, zone, now)
		return
	}
	until := ev.Start
	if by > 0 && now.Add(by).Before(until) {
		until = now.Add(by)
	}
	if b.cfg.Planner == nil {
		b.answer(ctx, q.ID, text(lang, msgSnoozeFailed), true)
		return
	}
	if err := b.cfg.Planner.Snooze(ctx, h.Due, until); err != nil {
		b.log.Warn("snooze failed", "chat_id", chatID, "err", err)
		b.answer(ctx, q.ID, text(lang, msgSnoozeFailed), true)
		return
	}
	h.Snoozed = until
	if err := b.putHeld(chatID, key, h, ev.End); err != nil {
		b.log.Warn("store snoozed reminder failed", "chat_id", chatID, "err", err)
	}
	b.answer(ctx, q.ID, text(lang, msgSnoozedToast, clock(until.In(zone))), false)
	b.editHeld(ctx, q, lang, key, h, zone, now)
}

// editHeld renders the message behind key again, as h now says.
func (b *Bot) editHeld(ctx context.Context, q *tgbotapi.CallbackQuery, lang, key string, h held, zone *time.Location, now time.Time) {
	var body string
	var kb *tgbotapi.InlineKeyboardMarkup
	if h.Due.Kind == schedule.Agenda {
		body, kb = agendaWithInvites(lang, h), b.agendaKeyboard(lang, q.Message.Chat.ID, key, h)
	} else {
		body, kb = reminderText(lang, h, zone, now), b.reminderKeyboard(lang, q.Message.Chat.ID, key, h, now)
	}
	edit := tgbotapi.NewEditMessageText(q.Message.Chat.ID, q.Message.MessageID, body)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	edit.ReplyMarkup = kb
	if err := b.deliver(ctx, q.Message.Chat.ID, edit); err != nil {
		b.log.Warn("edit scheduled message failed", "chat_id", q.Message.Chat.ID, "err", err)
	}
}
