package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/storage"
)

// The /settings message has pages, each a keyboard under the same text.
// A button's payload is "s" and the page letter, then ":" and an action
// on that page, if any: "sa" opens the agenda page, "sa:@450" sets the
// agenda at 07:30. Every payload fits, signed, in Telegram's 64 bytes.
const (
	pageMain      = "sm"
	pageAgenda    = "sa"
	pageReminders = "sr"
	pageQuiet     = "sq"
	pageZone      = "sz"
	pageLang      = "sl"
	pageCalendars = "sc"
	pageInvites   = "si"
)

// Times offered as buttons; others are typed (/settings agenda 06:45).
var (
	agendaTimes = []int{7 * 60, 8 * 60, 9 * 60, 10 * 60}
	quietFroms  = []int{21 * 60, 22 * 60, 23 * 60}
	quietTos    = []int{6 * 60, 7 * 60, 8 * 60}
)

// settingsCommand answers /settings: with no arguments, the settings message
// and its buttons; with arguments, the change they name, then the message.
func (b *Bot) settingsCommand(ctx context.Context, c chat, args string) {
	if args == "" {
		set := b.settings(c.id)
		b.reply(ctx, c, settingsText(c.lang, set), b.settingsKeyboard(c, pageMain, set))
		return
	}
	ch, err := parseSetting(args, b.zoneLookup())
	if err != nil {
		c.mark(outcomeBadInput)
		if body, ok := zoneRefused(c.lang, err, b.now()); ok {
			b.reply(ctx, c, body, nil)
			return
		}
		b.reply(ctx, c, text(c.lang, msgSettingsBad, htmlArg(args))+"\n\n"+text(c.lang, msgSettingsUsage), nil)
		return
	}
	set, err := b.updateSettings(c.id, ch.apply)
	if err != nil {
		b.fail(ctx, c, "store settings", err)
		return
	}
	lang := c.lang
	if set.Lang != "" {
		lang = set.Lang
	}
	c.lang = lang
	head := text(lang, msgSettingsSaved)
	if ch.zone != nil {
		head = text(lang, msgZoneSet, htmlArg(zoneLabel(ch.zoneName, ch.zone)), clock(b.now().In(ch.zone)))
	}
	b.reply(ctx, c, head+"\n\n"+settingsText(lang, set), b.settingsKeyboard(c, pageMain, set))
}

// updateSettings applies fn to the chat's settings, stores them, tells the
// planner, and returns them as stored.
func (b *Bot) updateSettings(chatID int64, fn func(*storage.Settings)) (storage.Settings, error) {
	var out storage.Settings
	err := b.cfg.Chats.UpdateSettings(chatID, func(s *storage.Settings) {
		fn(s)
		out = *s
	})
	if err != nil {
		return storage.Settings{}, err
	}
	b.touch(chatID)
	return out, nil
}

// settingsButton is a signed settings button for c.
func (b *Bot) settingsButton(c chat, label, payload string) tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardButtonData(label, signCallback(b.cfg.CallbackKey, c.id, c.userID, payload))
}

func tick(on bool, label string) string {
	if on {
		return "✓ " + label
	}
	return label
}

// settingsKeyboard is the keyboard of a settings page.
func (b *Bot) settingsKeyboard(c chat, page string, s storage.Settings) *tgbotapi.InlineKeyboardMarkup {
	l := c.lang
	btn := func(label, payload string) tgbotapi.InlineKeyboardButton { return b.settingsButton(c, label, payload) }
	back := tgbotapi.NewInlineKeyboardRow(btn(text(l, msgBtnBack), pageMain))
	var rows [][]tgbotapi.InlineKeyboardButton
	switch page {
	case pageAgenda:
		a := s.Agenda
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(tick(a.On, text(l, msgBtnOn)), "sa:on"), btn(tick(!a.On, text(l, msgBtnOff)), "sa:off")))
		var times []tgbotapi.InlineKeyboardButton
		for _, t := range agendaTimes {
			times = append(times, btn(tick(a.On && a.At == t, hhmm(t)), "sa:@"+strconv.Itoa(t)))
		}
		rows = append(rows, times,
			tgbotapi.NewInlineKeyboardRow(btn(tick(!a.Weekdays, text(l, msgBtnEveryDay)), "sa:all"), btn(tick(a.Weekdays, text(l, msgBtnWeekdays)), "sa:wd")),
			tgbotapi.NewInlineKeyboardRow(btn(tick(!a.SkipEmpty, text(l, msgBtnEmptyLine)), "sa:line"), btn(tick(a.SkipEmpty, text(l, msgBtnEmptySkip)), "sa:skip")))
	case pageReminders:
		r := s.Reminders
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(tick(!r.Off && len(r.Leads) == 0, text(l, msgBtnGoogle)), "sr:g"), btn(tick(r.Off, text(l, msgBtnOff)), "sr:off")))
		var leads []tgbotapi.InlineKeyboardButton
		for _, n := range reminderChoices {
			leads = append(leads, btn(tick(!r.Off && slices.Contains(r.Leads, n), strconv.Itoa(n)), "sr:"+strconv.Itoa(n)))
		}
		rows = append(rows, leads)
	case pageQuiet:
		q := s.Quiet
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(tick(q.On, text(l, msgBtnOn)), "sq:on"), btn(tick(!q.On, text(l, msgBtnOff)), "sq:off")))
		var from, to []tgbotapi.InlineKeyboardButton
		for _, t := range quietFroms {
			from = append(from, btn(tick(q.On && q.From == t, text(l, msgBtnFrom, hhmm(t))), "sq:f"+strconv.Itoa(t)))
		}
		for _, t := range quietTos {
			to = append(to, btn(tick(q.On && q.To == t, text(l, msgBtnTo, hhmm(t))), "sq:t"+strconv.Itoa(t)))
		}
		rows = append(rows, from, to,
			tgbotapi.NewInlineKeyboardRow(btn(tick(!q.Hold, text(l, msgBtnSilent)), "sq:silent"), btn(tick(q.Hold, text(l, msgBtnHold)), "sq:hold")))
	case pageLang:
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(tick(s.Lang == "", text(l, msgBtnAuto)), "sl:auto"),
			btn(tick(s.Lang == "en", "English"), "sl:en"), btn(tick(s.Lang == "ru", "Русский"), "sl:ru")))
	case pageInvites:
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(btn(tick(s.NotifyOrganizer, text(l, msgBtnInvitesNotify)), "si:notify"),
			btn(tick(!s.NotifyOrganizer, text(l, msgBtnInvitesQuiet)), "si:quiet")))
	case pageCalendars:
		for i, cal := range s.Calendars {
			if i >= maxCalendarRows {
				break
			}
			name := oneLine(cmpOr(cal.Name, cal.ID), maxCalendarRunes)
			row := tgbotapi.NewInlineKeyboardRow(btn(tick(cal.Shown, name), "sc:s"+strconv.Itoa(i)))
			if cal.Writable {
				label := text(l, msgBtnAddHere)
				if isAddTo(s, cal) {
					label = "● " + label
				}
				row = append(row, btn(label, "sc:w"+strconv.Itoa(i)))
			}
			rows = append(rows, row)
		}
	default:
		rows = append(rows,
			tgbotapi.NewInlineKeyboardRow(btn(text(l, msgBtnAgenda), pageAgenda), btn(text(l, msgBtnReminders), pageReminders)),
			tgbotapi.NewInlineKeyboardRow(btn(text(l, msgBtnQuiet), pageQuiet), btn(text(l, msgBtnZone), pageZone)),
			tgbotapi.NewInlineKeyboardRow(btn(text(l, msgBtnLang), pageLang), btn(text(l, msgBtnCalendars), pageCalendars)),
			tgbotapi.NewInlineKeyboardRow(btn(text(l, msgBtnInvites), pageInvites)))
		kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
		return &kb
	}
	rows = append(rows, back)
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// maxCalendarRows bounds the calendars page; Telegram allows 100 buttons.
const maxCalendarRows = 40

func isAddTo(s storage.Settings, cal storage.Calendar) bool {
	return s.AddTo == cal.ID || s.AddTo == "" && cal.ID == "primary"
}

// settingsAction returns what a button's action does to the settings; ok is
// false for an action that names nothing (a forged or stale one).
func settingsAction(page, action string) (func(*storage.Settings), bool) {
	num := func(prefix string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimPrefix(action, prefix))
		return n, err == nil && strings.HasPrefix(action, prefix) && n >= 0 && n < 24*60
	}
	switch page + ":" + action {
	case "sa:on":
		return parseAgendaStep("on"), true
	case "sa:off":
		return parseAgendaStep("off"), true
	case "sa:all":
		return parseAgendaStep("daily"), true
	case "sa:wd":
		return parseAgendaStep("weekdays"), true
	case "sa:line":
		return parseAgendaStep("show-empty"), true
	case "sa:skip":
		return parseAgendaStep("skip-empty"), true
	case "sr:g":
		return func(s *storage.Settings) { s.Reminders = storage.Reminders{} }, true
	case "sr:off":
		return func(s *storage.Settings) { s.Reminders = storage.Reminders{Off: true} }, true
	case "sq:on":
		ch, _ := parseQuiet([]string{"on"})
		return ch.apply, true
	case "sq:off":
		return func(s *storage.Settings) { s.Quiet.On = false }, true
	case "sq:silent":
		return func(s *storage.Settings) { s.Quiet.Hold = false }, true
	case "sq:hold":
		return func(s *storage.Settings) { s.Quiet.Hold = true }, true
	case "sl:auto", "sl:en", "sl:ru":
		lang := strings.TrimPrefix(action, "auto")
		return func(s *storage.Settings) { s.Lang = lang }, true
	case "si:notify", "si:quiet":
		notify := action == "notify"
		return func(s *storage.Settings) { s.NotifyOrganizer = notify }, true
	}
	switch page {
	case pageAgenda:
		if at, ok := num("@"); ok {
			return func(s *storage.Settings) { s.Agenda.On, s.Agenda.At = true, at }, true
		}
	case pageReminders:
		if n, ok := num(""); ok && slices.Contains(reminderChoices, n) {
			return func(s *storage.Settings) { s.Reminders = toggleLead(s.Reminders, n) }, true
		}
	case pageQuiet:
		if t, ok := num("f"); ok {
			return func(s *storage.Settings) { quietTimes(&s.Quiet, t, -1) }, true
		}
		if t, ok := num("t"); ok {
			return func(s *storage.Settings) { quietTimes(&s.Quiet, -1, t) }, true
		}
	case pageCalendars:
		if i, ok := num("s"); ok {
			return func(s *storage.Settings) {
				if i < len(s.Calendars) {
					s.Calendars[i].Shown = !s.Calendars[i].Shown
				}
			}, true
		}
		if i, ok := num("w"); ok {
			return func(s *storage.Settings) {
				if i < len(s.Calendars) && s.Calendars[i].Writable {
					s.AddTo = s.Calendars[i].ID
					if s.AddTo == "primary" {
						s.AddTo = ""
					}
				}
			}, true
		}
	}
	return nil, false
}

func parseAgendaStep(w string) func(*storage.Settings) {
	ch, _ := parseAgenda([]string{w})
	return ch.apply
}

// toggleLead adds or removes a fixed lead time; with none left, reminders
// follow Google again.
func toggleLead(r storage.Reminders, n int) storage.Reminders {
	leads := slices.Clone(r.Leads)
	if i := slices.Index(leads, n); i >= 0 && !r.Off {
		leads = slices.Delete(leads, i, i+1)
	} else if len(leads) < maxLeads {
		leads = append(leads, n)
		slices.Sort(leads)
	}
	return storage.Reminders{Leads: leads}
}

// quietTimes sets quiet hours' start or end (-1 keeps it) and turns them on;
// the other end defaults when it was unset.
func quietTimes(q *storage.Quiet, from, to int) {
	if !q.On && q.From == q.To {
		q.From, q.To = defaultQuietFrom, defaultQuietTo
	}
	if from >= 0 {
		q.From = from
	}
	if to >= 0 {
		q.To = to
	}
	if q.From == q.To {
		q.To = (q.From + 60) % (24 * 60)
	}
	q.On = true
}

// settingsPress runs a press on the settings message: it applies the
// button's action, if any, and edits the message in place to show the page.
func (b *Bot) settingsPress(ctx context.Context, q *tgbotapi.CallbackQuery, c chat, payload string) {
	outcome, start := outcomeOK, time.Now()
	defer func() { b.cfg.Metrics.observe("settings_button", outcome, time.Since(start)) }()
	c.outcome = &outcome
	page, action, _ := strings.Cut(payload, ":")
	if page == pageZone {
		b.answer(ctx, q.ID, text(c.lang, msgZoneHowTo), true)
		return
	}
	set := b.settings(c.id)
	switch {
	case action != "":
		fn, ok := settingsAction(page, action)
		if !ok {
			b.answer(ctx, q.ID, text(c.lang, msgButtonInvalid), false)
			return
		}
		var err error
		if set, err = b.updateSettings(c.id, fn); err != nil {
			b.answer(ctx, q.ID, "", false)
			b.fail(ctx, c, "store settings", err)
			return
		}
	case page == pageCalendars:
		var ok bool
		if set, ok = b.refreshCalendars(ctx, q, c, set); !ok {
			return
		}
	}
	if set.Lang != "" {
		c.lang = set.Lang
	}
	b.answer(ctx, q.ID, "", false)
	body := settingsText(c.lang, set)
	switch page {
	case pageCalendars:
		body += "\n\n" + text(c.lang, msgCalendarsPick)
	case pageInvites:
		body += "\n\n" + text(c.lang, msgInvitesPick)
	}
	edit := tgbotapi.NewEditMessageTextAndMarkup(c.id, q.Message.MessageID, body, *b.settingsKeyboard(c, page, set))
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	if err := b.deliver(ctx, c.id, edit); err != nil && !notModified(err) {
		b.log.Warn("edit settings failed", "chat_id", c.id, "err", err)
	}
}

// notModified: Telegram refused an edit that would change nothing, as when
// a button that is already chosen is pressed again.
func notModified(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && strings.Contains(te.Message, "message is not modified")
}

// htmlArg escapes user text quoted back, on one short line.
func htmlArg(s string) string { return htmlEscape(oneLine(s, 60)) }
