package bot

import (
	"context"
	"errors"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// CalendarListScope is the Google scope calendarList.list needs beyond what
// /connect asks for; listing calendars in /settings asks for it then.
const CalendarListScope = oauth.CalendarListScope

// CalendarReadScope lets calbot read events of calendars the user does not
// own (shared ones, holidays), which /connect's events.owned does not.
const CalendarReadScope = oauth.SharedEventsScope

// CalendarWriteScope lets /add write to a calendar that another user shares
// with write access, which events.owned does not reach.
const CalendarWriteScope = oauth.SharedWriteScope

// refreshCalendars reads the user's calendar list from Google into the
// settings (loadCalendars). When the grant lacks the scope, it explains why
// and sends the sign-in button for it; ok is false when the press has been
// answered.
func (b *Bot) refreshCalendars(ctx context.Context, q *tgbotapi.CallbackQuery, c chat, set storage.Settings) (storage.Settings, bool) {
	got, err := b.loadCalendars(ctx, c)
	switch {
	case err == nil:
		return got, true
	case errors.Is(err, calendar.ErrScope):
		b.answer(ctx, q.ID, "", false)
		b.askScope(ctx, c, CalendarListScope, msgCalendarsScope)
	default:
		b.answer(ctx, q.ID, "", false)
		b.calendarFailed(ctx, c, "list calendars", err)
	}
	return set, false
}

// loadCalendars reads the user's calendar list from Google into the
// chat's settings, keeping what the chat chose for calendars it already
// knew, and returns the settings as stored.
func (b *Bot) loadCalendars(ctx context.Context, c chat) (storage.Settings, error) {
	var infos []calendar.CalendarInfo
	err := b.google(c.id, func(ts oauth2.TokenSource) (err error) {
		infos, err = b.calendars().Calendars(ctx, ts)
		return err
	})
	if err != nil {
		return storage.Settings{}, err
	}
	return b.updateSettings(c.id, func(s *storage.Settings) { s.Calendars = mergeCalendars(s.Calendars, infos) })
}

// mergeCalendars is the list as Google gives it now, with the choices made
// for calendars already known; a new calendar is shown only if primary.
// The primary calendar is stored as "primary", as Google accepts it.
func mergeCalendars(old []storage.Calendar, infos []calendar.CalendarInfo) []storage.Calendar {
	was := map[string]storage.Calendar{}
	for _, c := range old {
		was[c.ID] = c
	}
	out := make([]storage.Calendar, 0, len(infos))
	for _, in := range infos {
		id := in.ID
		if in.Primary {
			id = "primary"
		}
		c := storage.Calendar{ID: id, Name: in.Name, Writable: in.Writable, Shown: in.Primary}
		if o, ok := was[id]; ok {
			c.Shown = o.Shown
		}
		out = append(out, c)
	}
	// Primary first, as Google's own list does not promise it.
	for i, c := range out {
		if c.ID == "primary" && i > 0 {
			copy(out[1:i+1], out[:i])
			out[0] = c
		}
	}
	return out
}

// askScope explains why calbot wants scope (why) and sends the secure
// sign-in button for just that scope, labelled with what it allows.
func (b *Bot) askScope(ctx context.Context, c chat, scope string, why msg) {
	label := msgCalendarsGrow
	if scope == CalendarReadScope {
		label = msgCalendarsReadGrow
	}
	b.askScopeWith(ctx, c, scope, why, label)
}

// askScopeWith is askScope with the sign-in button labelled label.
func (b *Bot) askScopeWith(ctx context.Context, c chat, scope string, why, label msg) {
	in, err := b.cfg.Accounts.Grow(ctx, c.id, c.who, c.lang, scope)
	if errors.Is(err, oauth.ErrTooManySignIns) {
		c.mark(outcomeBadInput)
		b.reply(ctx, c, text(c.lang, msgConnectTooOften), nil)
		return
	}
	if err != nil {
		b.calendarFailed(ctx, c, "begin scope sign-in", err)
		return
	}
	body, kb := signInButton(c.lang, in, label)
	b.reply(ctx, c, text(c.lang, why)+body, kb)
}

// signInButton is the way to open a sign-in link: a login_url button, a
// URL button, or, for a host Telegram will not take in a button (local
// development), the link as text, previews off.
func signInButton(lang string, in oauth.SignIn, label msg) (string, *tgbotapi.InlineKeyboardMarkup) {
	var button tgbotapi.InlineKeyboardButton
	switch {
	case in.LoginURL:
		button = tgbotapi.InlineKeyboardButton{Text: text(lang, label), LoginURL: &tgbotapi.LoginURL{URL: in.URL}}
	case hostHasDot(in.URL):
		button = tgbotapi.NewInlineKeyboardButtonURL(text(lang, label), in.URL)
	default:
		return "\n\n" + htmlEscape(in.URL), nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(button))
	return "", &kb
}
