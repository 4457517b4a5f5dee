package bot

import (
	"context"
	"errors"
	"html"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/draft"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// askTTL is how long a bare /add waits for its phrase.
const askTTL = 10 * time.Minute

// handle runs one update under its own deadline.
func (b *Bot) handle(ctx context.Context, u tgbotapi.Update) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.HandlerTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("handler panicked", "update_id", u.UpdateID, "panic", r)
		}
	}()
	switch {
	case u.Message != nil:
		b.handleMessage(ctx, u.Message)
	case u.CallbackQuery != nil:
		b.handleCallback(ctx, u.CallbackQuery)
	}
}

// chat is what a handler needs to know about where a message came from.
type chat struct {
	id, userID int64
	lang       string
	msgID      int
	private    bool
	outcome    *string // where a failure records itself for the metrics; may be nil
	// who is the user, whom /connect names on the sign-in page.
	who oauth.Person
}

// mark records how the command ended, if anyone is counting.
func (c chat) mark(outcome string) {
	if c.outcome != nil {
		*c.outcome = outcome
	}
}

func (b *Bot) handleMessage(ctx context.Context, m *tgbotapi.Message) {
	if m.From == nil || m.Chat == nil || m.From.IsBot {
		return
	}
	outcome := outcomeOK
	c := chat{id: m.Chat.ID, userID: m.From.ID, lang: langOf(m.From.LanguageCode), msgID: m.MessageID, private: m.Chat.IsPrivate(), outcome: &outcome,
		who: oauth.Person{ID: m.From.ID, FirstName: m.From.FirstName, Username: m.From.UserName}}
	b.noteLang(c)
	name, at, args, isCmd := parseCommand(m.Text)
	if isCmd && at != "" && !strings.EqualFold(at, b.self.UserName) {
		return // addressed to another bot in a group
	}
	if isCmd || c.private {
		c.lang = b.replyLang(c.id, c.lang)
	}
	start := time.Now()
	label := ""
	switch {
	case isCmd && knownCommands[name]:
		label = name
	case isCmd:
		label = "other"
	case c.private && m.Location != nil:
		label = "location"
	case c.private:
		label = "text"
	}
	defer func() { b.cfg.Metrics.observe(label, outcome, time.Since(start)) }()
	if !isCmd {
		if !c.private {
			return // chatter in a group is not for us
		}
		if m.Location != nil {
			b.sharedLocation(ctx, c, m.Location)
			return
		}
		asked, err := b.cfg.Chats.TakeAwait(c.id, b.now())
		if err != nil {
			b.fail(ctx, c, "read pending question", err)
			return
		}
		if asked && strings.TrimSpace(m.Text) != "" {
			b.add(ctx, c, m.Text)
			return
		}
		b.reply(ctx, c, text(c.lang, msgHint), nil)
		return
	}
	switch name {
	case "start":
		if args == "connect" && c.private {
			b.connect(ctx, c)
			return
		}
		b.reply(ctx, c, text(c.lang, msgHelp), nil)
	case "help":
		b.reply(ctx, c, text(c.lang, msgHelp), nil)
	case "connect", "today", "tomorrow", "week", "next", "settings", "add", "disconnect", "cancel":
		if !c.private {
			c.mark(outcomePrivateOnly)
			b.toPrivate(ctx, c, name)
			return
		}
		switch name {
		case "connect":
			b.connect(ctx, c)
		case "today":
			b.viewDays(ctx, c, 0)
		case "tomorrow":
			b.viewDays(ctx, c, 1)
		case "week":
			b.week(ctx, c)
		case "next":
			b.next(ctx, c)
		case "settings":
			b.settingsCommand(ctx, c, args)
		case "add":
			b.addCommand(ctx, c, args)
		case "disconnect":
			b.disconnect(ctx, c)
		case "cancel":
			b.cancel(ctx, c)
		}
	default:
		if c.private {
			b.reply(ctx, c, text(c.lang, msgHint), nil)
		}
	}
}

// toPrivate answers a calendar command in a group with a button to the
// private chat: a sign-in link in a group could be used by anyone there.
func (b *Bot) toPrivate(ctx context.Context, c chat, name string) {
	u := "https://t.me/" + url.PathEscape(b.self.UserName)
	if name == "connect" {
		u += "?start=connect"
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL(text(c.lang, msgOpenPrivate), u)))
	b.reply(ctx, c, text(c.lang, msgGroupOnlyPrivate), &kb)
}

func (b *Bot) connect(ctx context.Context, c chat) {
	link, err := b.cfg.Accounts.Account(c.id)
	linked := err == nil
	if err != nil && !errors.Is(err, oauth.ErrNotLinked) {
		b.fail(ctx, c, "read link", err)
		return
	}
	in, err := b.cfg.Accounts.Begin(ctx, c.id, c.who, c.lang)
	if errors.Is(err, oauth.ErrTooManySignIns) {
		c.mark(outcomeBadInput)
		b.reply(ctx, c, text(c.lang, msgConnectTooOften), nil)
		return
	}
	if err != nil {
		b.fail(ctx, c, "begin sign-in", err)
		return
	}
	// A login_url button makes Telegram sign who pressed it. Telegram
	// rejects URL buttons to hosts without a dot (localhost): in local
	// development the link goes in the text, previews off.
	body, kb := text(c.lang, msgConnectLocal, html.EscapeString(in.URL)), (*tgbotapi.InlineKeyboardMarkup)(nil)
	if in.LoginURL {
		button := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.InlineKeyboardButton{
			Text: text(c.lang, msgConnectButton), LoginURL: &tgbotapi.LoginURL{URL: in.URL}}))
		body, kb = text(c.lang, msgConnect), &button
	} else if u, err := url.Parse(in.URL); err == nil && strings.Contains(u.Hostname(), ".") {
		button := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL(text(c.lang, msgConnectButton), in.URL)))
		body, kb = text(c.lang, msgConnect), &button
	}
	if linked {
		body = text(c.lang, msgAlreadyLinked, html.EscapeString(link.Email)) + "\n\n" + body
	}
	b.reply(ctx, c, body, kb)
}

// listDay lists the chat's shown calendars, merged, for the local day
// containing at in the chat's zone, as /today shows it; multi says the
// events name their calendars. The morning agenda uses it.
func (b *Bot) listDay(ctx context.Context, chatID int64, at time.Time) (day calendar.Day, multi bool, err error) {
	c := chat{id: chatID}
	set := b.settings(chatID)
	zone, err := b.chatZone(ctx, c, set)
	if err != nil {
		return calendar.Day{}, false, err
	}
	date := midnightIn(at, zone)
	v, err := b.window(ctx, c, set, zone, date, date.AddDate(0, 0, 1))
	if err != nil {
		return calendar.Day{}, false, err
	}
	return dayOf(v, date), v.multi, nil
}

func (b *Bot) addCommand(ctx context.Context, c chat, args string) {
	if _, ok := b.link(ctx, c); !ok {
		return
	}
	if args == "" {
		if err := b.cfg.Chats.Await(c.id, b.now().Add(askTTL)); err != nil {
			b.fail(ctx, c, "remember question", err)
			return
		}
		b.reply(ctx, c, text(c.lang, msgAddAsk), nil)
		return
	}
	b.add(ctx, c, args)
}

// add creates the event a phrase describes. The event id is a MAC of the
// chat and message ids, so an update delivered twice creates one event and
// nobody can tell the id in advance; the event carries the chat's marker, so
// Undo can tell it is calbot's.
func (b *Bot) add(ctx context.Context, c chat, phrase string) {
	if _, ok := b.link(ctx, c); !ok {
		return
	}
	set := b.settings(c.id)
	zone := effectiveZone(set)
	if zone == nil {
		err := b.google(c.id, func(ts oauth2.TokenSource) (err error) {
			zone, err = b.cfg.Calendar.Zone(ctx, ts)
			return err
		})
		if err != nil {
			b.calendarFailed(ctx, c, "read calendar zone", err)
			return
		}
		b.saveZone(c.id, set.Zone, zone)
	}
	now := b.now().In(zone)
	d, err := draft.Parse(phrase, now)
	if err != nil {
		c.mark(outcomeBadInput)
		if s, ok := unusedReply(c.lang, err, d, zone, now); ok {
			b.reply(ctx, c, s, nil)
			return
		}
		b.reply(ctx, c, parseError(c.lang, err, phrase), nil)
		return
	}
	var ev calendar.Event
	err = b.google(c.id, func(ts oauth2.TokenSource) (err error) {
		ev, err = b.cfg.Calendar.Insert(ctx, ts, calendar.NewEvent{
			ID: calendar.EventID(b.cfg.EventKey, c.id, int64(c.msgID)), Marker: calendar.Marker(b.cfg.EventKey, c.id), Title: d.Title, AllDay: d.AllDay, Start: d.Start, End: d.End,
			Recurrence: recurrence(d), CalendarID: set.AddTo,
		})
		return err
	})
	if errors.Is(err, calendar.ErrNotOurs) {
		c.mark(outcomeBadInput)
		b.log.Warn("event id taken by an event calbot did not create", "chat_id", c.id)
		b.reply(ctx, c, text(c.lang, msgEventIDTaken), nil)
		return
	}
	if errors.Is(err, calendar.ErrScope) {
		// A calendar shared with write access: events.owned does not reach it.
		c.mark(outcomeBadInput)
		b.askScopeWith(ctx, c, CalendarWriteScope, msgAddWriteScope, msgAddWriteGrow)
		return
	}
	if err != nil {
		b.calendarFailed(ctx, c, "insert event", err)
		return
	}
	var row []tgbotapi.InlineKeyboardButton
	if data, ok := b.undoData(c, ev.ID, set.AddTo); ok {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(text(c.lang, msgUndoButton), data))
	}
	if safeLink(ev.Link) {
		row = append(row, tgbotapi.NewInlineKeyboardButtonURL(text(c.lang, msgOpenInCalendar), ev.Link))
	}
	var kb *tgbotapi.InlineKeyboardMarkup
	if len(row) > 0 {
		m := tgbotapi.NewInlineKeyboardMarkup(row)
		kb = &m
	}
	b.reply(ctx, c, addedText(c.lang, ev, d, zone, now), kb)
}

// parseError explains why a phrase could not be read, with examples.
func parseError(lang string, err error, phrase string) string {
	var pe *draft.Error
	if !errors.As(err, &pe) {
		return text(lang, msgAddErrEmpty) + "\n\n" + text(lang, msgAddExamples)
	}
	tok := html.EscapeString(pe.Token)
	var s string
	switch pe.Kind {
	case draft.KindEmpty:
		s = text(lang, msgAddErrEmpty)
	case draft.KindTooLong:
		s = text(lang, msgAddErrTooLong)
	case draft.KindNoTitle:
		s = text(lang, msgAddErrNoTitle)
	case draft.KindNoWhen:
		// Show their own title back with a date added.
		title := []rune(strings.Join(strings.Fields(phrase), " "))
		if len(title) > 40 {
			title = append(title[:40], '…')
		}
		s = text(lang, msgAddErrNoWhen, html.EscapeString(string(title)))
	case draft.KindNoStart:
		s = text(lang, msgAddErrNoStart)
	case draft.KindBadDate:
		s = text(lang, msgAddErrBadDate, tok)
	case draft.KindBadTime:
		s = text(lang, msgAddErrBadTime, tok)
	case draft.KindBadRange:
		s = text(lang, msgAddErrBadRange, tok)
	default:
		s = text(lang, msgAddErrAmbiguous, tok)
	}
	return s + "\n\n" + text(lang, msgAddExamples)
}

func (b *Bot) cancel(ctx context.Context, c chat) {
	asked, err := b.cfg.Chats.TakeAwait(c.id, b.now())
	if err != nil {
		b.fail(ctx, c, "forget question", err)
		return
	}
	if asked {
		b.reply(ctx, c, text(c.lang, msgAddCancelled), nil)
		return
	}
	b.reply(ctx, c, text(c.lang, msgNothingToCancel), nil)
}

func (b *Bot) disconnect(ctx context.Context, c chat) {
	link, ok := b.link(ctx, c)
	if !ok {
		return
	}
	grant, err := b.cfg.Accounts.Disconnect(ctx, c.id)
	if err == nil && b.cfg.Planner != nil {
		b.cfg.Planner.Forget(c.id)
	}
	switch {
	case errors.Is(err, oauth.ErrNotLinked):
		b.reply(ctx, c, text(c.lang, msgNotConnected), nil)
	case err != nil:
		b.fail(ctx, c, "disconnect", err)
	case grant == oauth.Revoked:
		b.reply(ctx, c, text(c.lang, msgDisconnected, html.EscapeString(link.Email)), nil)
	case grant == oauth.KeptInUse:
		b.reply(ctx, c, text(c.lang, msgDisconnectedKept, html.EscapeString(link.Email)), nil)
	default:
		b.reply(ctx, c, text(c.lang, msgDisconnectedLocalOnly, html.EscapeString(link.Email)), nil)
	}
}

// link returns the chat's link, or tells the chat it has none.
func (b *Bot) link(ctx context.Context, c chat) (storage.Link, bool) {
	l, err := b.cfg.Accounts.Account(c.id)
	if errors.Is(err, oauth.ErrNotLinked) || errors.Is(err, storage.ErrNotFound) {
		c.mark(outcomeNotLinked)
		b.reply(ctx, c, text(c.lang, msgNotConnected), nil)
		return l, false
	}
	if err != nil {
		b.fail(ctx, c, "read link", err)
		return l, false
	}
	return l, true
}

// calendarFailed tells the user what a failed Google call means for them.
func (b *Bot) calendarFailed(ctx context.Context, c chat, op string, err error) {
	switch {
	case errors.Is(err, oauth.ErrRevoked):
		c.mark(outcomeRevoked)
		b.log.Info("grant revoked at google", "chat_id", c.id, "op", op)
		b.reply(ctx, c, text(c.lang, msgRevoked), nil)
	case errors.Is(err, oauth.ErrNotLinked):
		c.mark(outcomeNotLinked)
		b.reply(ctx, c, text(c.lang, msgNotConnected), nil)
	case errors.Is(err, calendar.ErrUnavailable), errors.Is(err, oauth.ErrUnavailable):
		c.mark(outcomeUnavailable)
		b.log.Warn("google unavailable", "chat_id", c.id, "op", op, "err", err)
		b.reply(ctx, c, text(c.lang, msgGoogleSlow), nil)
	default:
		b.fail(ctx, c, op, err)
	}
}

// fail logs err for the operator and tells the user plainly.
func (b *Bot) fail(ctx context.Context, c chat, op string, err error) {
	c.mark(outcomeError)
	b.log.Error("command failed", "chat_id", c.id, "op", op, "err", err)
	b.reply(ctx, c, text(c.lang, msgInternal), nil)
}

// reply sends HTML text to the chat with link previews off.
func (b *Bot) reply(ctx context.Context, c chat, body string, kb *tgbotapi.InlineKeyboardMarkup) {
	b.send(ctx, c.id, body, kb)
}

func (b *Bot) send(ctx context.Context, chatID int64, body string, kb *tgbotapi.InlineKeyboardMarkup) {
	m := tgbotapi.NewMessage(chatID, body)
	m.ParseMode = tgbotapi.ModeHTML
	m.DisableWebPagePreview = true
	if kb != nil {
		m.ReplyMarkup = kb
	}
	if err := b.deliver(ctx, chatID, m); err != nil {
		b.log.Error("send message failed", "chat_id", chatID, "err", err)
	}
}
