package bot

import (
	"fmt"
	"strings"
)

// msg names a reply. Every reply the bot sends is in catalog, in English and
// Russian; handlers never write user-facing text inline.
type msg int

const (
	msgHelp msg = iota
	msgHint
	msgGroupOnlyPrivate
	msgOpenPrivate
	msgConnect
	msgConnectLocal
	msgConnectButton
	msgAlreadyLinked
	msgConnected
	msgConnectedReplaced
	msgConnectedZone
	msgConnectDenied
	msgConnectMissingScope
	msgConnectFailed
	msgNotConnected
	msgRevoked
	msgGoogleSlow
	msgInternal
	msgTodayHeader
	msgTodayEmpty
	msgTodayMore
	msgAllDay
	msgAllDayUntil
	msgUntil
	msgContinues
	msgAddAsk
	msgAddCancelled
	msgNothingToCancel
	msgAdded
	msgAddedAllDay
	msgOpenInCalendar
	msgUndoButton
	msgUndone
	msgUndoneToast
	msgUndoNotYours
	msgUndoGone
	msgUndoFailed
	msgDisconnected
	msgDisconnectedLocalOnly
	msgNoTitle
	msgAddErrEmpty
	msgAddErrTooLong
	msgAddErrNoTitle
	msgAddErrNoWhen
	msgAddErrNoStart
	msgAddErrBadDate
	msgAddErrBadTime
	msgAddErrBadRange
	msgAddErrAmbiguous
	msgAddExamples
	msgTomorrow
	msgButtonInvalid
	msgUndoNotOurs
	msgEventIDTaken
	msgAddedRepeat
	msgAddedRepeatAllDay
	msgRepeatUntil
	msgRepeatNextDay
	msgRepeatDaily
	msgRepeatDays
	msgRepeatWorkdays
	msgRepeatOn
	msgRepeatWeeks
	msgAnd
	msgUnusedWord
	msgUnusedRead
	msgUnusedKeep
	msgUnusedDate
	msgDisconnectedKept
	msgConnectTooOften
	msgConnectedReplacedKept
	msgConnectedReplacedNotRevoked
	msgSlowDown
	msgRemindIn
	msgRemindNow
	msgRemindStarted
	msgRemindEnded
	msgMinutes
	msgHours
	msgRemindLate
	msgInvitation
	msgAnsweredAccepted
	msgAnsweredTentative
	msgAnsweredDeclined
	msgSnoozedUntil
	msgJoin
	msgOpen
	msgSnooze5
	msgSnooze10
	msgSnoozeStart
	msgAccept
	msgMaybe
	msgDecline
	msgSnoozedToast
	msgSnoozeStarted
	msgSnoozeFailed
	msgRSVPToast
	msgRSVPReadOnly
	msgRSVPGone
	msgRSVPFailed
	msgAgendaHeader
	msgAgendaEmpty
	msgAgendaLate
	msgAgendaFailed
	msgAgendaInvites
	msgAgendaMoreInvites
	msgAgendaOffer
	msgYes
	msgAnotherTime
	msgNo
	msgAgendaPickTime
	msgAgendaOn
	msgAgendaDeclined
	msgRSVPNotInvited
	msgRSVPScope
	msgTomorrowHeader
	msgTomorrowEmpty
	msgWeekHeader
	msgWeekNothing
	msgNextHeader
	msgNextNone
	msgNextStartsIn
	msgNextOnNow
	msgSpanDays
	msgSpanHours
	msgSpanMinutes
	msgNeedsAnswer
	msgJoinButton
	msgOpenButton
	msgSettingsTitle
	msgSetAgenda
	msgSetAgendaOn
	msgEveryDay
	msgWeekdaysOnly
	msgEmptyLine
	msgEmptySkip
	msgOff
	msgSetReminders
	msgRemindersGoogle
	msgRemindersFixed
	msgSetQuiet
	msgQuietSilent
	msgQuietHold
	msgSetZone
	msgZoneCalendar
	msgZoneUnknown
	msgSetLang
	msgLangAuto
	msgSetCalendars
	msgCalendarsPrimary
	msgCalendarsShown
	msgSettingsUsage
	msgSettingsBad
	msgSettingsSaved
	msgZoneSet
	msgZoneHowTo
	msgBtnAgenda
	msgBtnReminders
	msgBtnQuiet
	msgBtnZone
	msgBtnLang
	msgBtnCalendars
	msgBtnBack
	msgBtnOn
	msgBtnOff
	msgBtnEveryDay
	msgBtnWeekdays
	msgBtnEmptyLine
	msgBtnEmptySkip
	msgBtnGoogle
	msgBtnFrom
	msgBtnTo
	msgBtnSilent
	msgBtnHold
	msgBtnAuto
	msgBtnAddHere
	msgCalendarsPick
	msgCalendarsScope
	msgCalendarsGrow
	msgCalendarsUnsupported
	msgCalendarsSkipped
	msgCalendarsReadScope
	numMsgs
)

// catalog holds the replies. Arguments are HTML-escaped by the caller;
// the texts themselves are Telegram HTML.
var catalog = map[string][numMsgs]string{
	"en": {
		msgHelp: "<b>calbot</b> links this chat to your Google Calendar.\n\n" +
			"/connect — link your Google account\n" +
			"/today — today's events\n" +
			"/tomorrow — tomorrow's events\n" +
			"/week — the next 7 days\n" +
			"/next — the next event, with its Join button\n" +
			"/add — add an event, e.g. <code>/add Lunch tomorrow 13:00-14:00</code>\n" +
			"/settings — agenda, reminders, quiet hours, time zone, language, calendars\n" +
			"/disconnect — unlink and revoke access\n" +
			"/cancel — stop waiting for an /add phrase\n" +
			"/help — this message",
		msgHint:             "I didn't understand that. Send /help to see what I can do.",
		msgGroupOnlyPrivate: "For your privacy, calendar commands work only in a private chat with me. Tap the button to open it.",
		msgOpenPrivate:      "Open private chat",
		msgConnect: "Tap the button to sign in with Google and let calbot see and add events in your calendars.\n\n" +
			"The link is yours alone: it works once, for 10 minutes.",
		msgConnectLocal: "Open this link to sign in with Google and let calbot see and add events in your calendars:\n%s\n\n" +
			"The link is yours alone: it works once, for 10 minutes.",
		msgConnectButton:       "Connect Google Calendar",
		msgAlreadyLinked:       "This chat is already linked to <b>%s</b>. To link a different account, use the button below: the current link will be replaced and its access revoked.",
		msgConnected:           "Connected as <b>%s</b>. Not you? /disconnect",
		msgConnectedReplaced:   "Connected as <b>%s</b> (replaces %s). Not you? /disconnect",
		msgConnectedZone:       "Your calendar's time zone is %s. Try /today or <code>/add Lunch tomorrow 13:00</code>.",
		msgConnectDenied:       "Google sign-in was cancelled, so nothing was linked. Send /connect to try again.",
		msgConnectMissingScope: "calbot did not get access to your calendar: the Google Calendar box was not ticked on Google's page. Send /connect again and tick it.",
		msgConnectFailed:       "Google sign-in did not finish and nothing was stored. Send /connect to try again.",
		msgNotConnected:        "No Google Calendar is linked to this chat yet. Send /connect to link one.",
		msgRevoked: "Google says calbot's access to your calendar was revoked or has expired, so I removed the link. Send /connect to link again.\n\n" +
			"If this keeps happening every few days, tell the bot's operator: their Google app is still in Testing mode, where access expires after 7 days.",
		msgGoogleSlow:      "Google is slow to answer right now. Please try again in a minute.",
		msgInternal:        "Something went wrong on my side. Please try again; if it keeps failing, tell the bot's operator.",
		msgTodayHeader:     "<b>Today, %s</b> (%s)",
		msgTodayEmpty:      "Nothing on your calendar today, %s (%s).",
		msgTodayMore:       "…and %d more. Open Google Calendar to see them all.",
		msgAllDay:          "all day",
		msgAllDayUntil:     "all day, until %s",
		msgUntil:           "until %s",
		msgContinues:       "continues all day",
		msgAddAsk:          "What and when? Send it in one message, for example:\n<code>Lunch tomorrow 13:00-14:00</code>\n<code>Dentist 25.11 9:30 1h</code>\nor /cancel.",
		msgAddCancelled:    "OK, I'm not waiting for an event any more.",
		msgNothingToCancel: "There was nothing to cancel.",
		msgAdded:           "Added <b>%s</b>\n%s, %s (%s)",
		msgAddedAllDay:     "Added <b>%s</b>\n%s, all day",
		msgOpenInCalendar:  "Open in Google Calendar",
		msgUndoButton:      "Undo",
		msgUndone:          "Undone: the event was deleted from your calendar.",
		msgUndoneToast:     "Deleted",
		msgUndoNotYours:    "Only the person who added this event can undo it.",
		msgUndoGone:        "That event is already gone.",
		msgUndoFailed:      "Couldn't delete it right now. Please try again.",
		msgDisconnected:    "Disconnected <b>%s</b>. calbot's access was revoked at Google and nothing about your calendar is stored any more.",
		msgDisconnectedLocalOnly: "Disconnected <b>%s</b> here, but Google could not be reached to revoke access. " +
			"To finish, remove calbot at https://myaccount.google.com/permissions.",
		msgDisconnectedKept: "Disconnected <b>%s</b> from this chat. Another chat of this bot still uses that Google account, " +
			"so calbot's access at Google was kept for it. Nothing about your calendar is stored for this chat any more.",
		msgConnectTooOften:       "You asked for many sign-in links in a short time. Wait a few minutes, then send /connect again.",
		msgConnectedReplacedKept: "Connected as <b>%s</b> (replaces %s, which another chat still uses, so its access was kept). Not you? /disconnect",
		msgConnectedReplacedNotRevoked: "Connected as <b>%s</b> (replaces %s). Google could not be reached to revoke the access of %s: " +
			"remove calbot at https://myaccount.google.com/permissions for that account if you no longer want it. Not you? /disconnect",
		msgNoTitle:         "(no title)",
		msgAddErrEmpty:     "Tell me what and when, for example <code>/add Lunch tomorrow 13:00-14:00</code>.",
		msgAddErrTooLong:   "That's too long for an event. Keep it to a short title and a time.",
		msgAddErrNoTitle:   "What is the event called? Put a title before the date, for example <code>/add Lunch tomorrow 13:00</code>.",
		msgAddErrNoWhen:    "When is it? Add a date or a time, for example <code>/add %s tomorrow 13:00</code>.",
		msgAddErrNoStart:   "A length needs a start time, for example <code>/add Call 15:00 30m</code>.",
		msgAddErrBadDate:   "There's no such date: <code>%s</code>.",
		msgAddErrBadTime:   "There's no such time: <code>%s</code>. Use 24-hour <code>13:00</code> or <code>1pm</code>.",
		msgAddErrBadRange:  "The end must be after the start, and an event can last at most 14 days (31 for all-day events): <code>%s</code>.",
		msgAddErrAmbiguous: "I can't tell which one you mean: <code>%s</code>. Give one date and one time (or one range).",
		msgAddExamples: "Examples:\n<code>/add Lunch tomorrow 13:00-14:00</code>\n<code>/add Call mom friday 7pm</code>\n<code>/add Standup 9:30 15m</code>\n" +
			"<code>/add Vacation Nov 25</code> (all day)\n<code>/add Yoga every Monday 8am</code>",
		msgTomorrow:      "tomorrow",
		msgButtonInvalid: "This button doesn't work any more.",
		msgUndoNotOurs:   "This event is not one calbot created, so I left it alone.",
		msgEventIDTaken: "Nothing was added: an event that calbot did not create already holds the id meant for this one. " +
			"Send the phrase again in a new message.",
		msgAddedRepeat:       "Added <b>%s</b>\n%s at %s, from %s (%s)",
		msgAddedRepeatAllDay: "Added <b>%s</b>\n%s, all day, from %s",
		msgRepeatUntil:       ", until %s",
		msgRepeatNextDay:     "%s the next day",
		msgRepeatDaily:       "every day",
		msgRepeatDays:        "every %s days",
		msgRepeatWorkdays:    "every weekday",
		msgRepeatOn:          "every %s",
		msgRepeatWeeks:       "every %s weeks on %s",
		msgAnd:               "and",
		msgUnusedWord:        "I'm not sure how you meant <b>%s</b>, so I added nothing.",
		msgUnusedRead:        "Read as part of the title, it would be <b>%s</b>, %s.",
		msgUnusedKeep:        "If the word belongs to the title, put the title in quotes:\n<code>/add %s</code>",
		msgUnusedDate: "If it says when, write it in a form I know, for example <code>every Monday 8:00</code>, <code>in 30 minutes</code>, " +
			"<code>next Friday</code>, <code>tomorrow evening</code>, <code>until 31.12</code> or a date such as <code>25.11</code>.",
		msgSlowDown:             "You are sending messages faster than I can answer, so I skipped some. Wait a few seconds, then send the command again.",
		msgRemindIn:             "in %s",
		msgRemindNow:            "starts now",
		msgRemindStarted:        "started %s ago",
		msgRemindEnded:          "has ended",
		msgMinutes:              "%d min",
		msgHours:                "%d h",
		msgRemindLate:           "<i>Late: I could not send this on time.</i>",
		msgInvitation:           "✉️ Invitation: you have not answered yet.",
		msgAnsweredAccepted:     "✅ You accepted.",
		msgAnsweredTentative:    "❔ You answered maybe.",
		msgAnsweredDeclined:     "❌ You declined.",
		msgSnoozedUntil:         "💤 Snoozed until %s.",
		msgJoin:                 "Join",
		msgOpen:                 "Open",
		msgSnooze5:              "💤 5 min",
		msgSnooze10:             "💤 10 min",
		msgSnoozeStart:          "💤 Until it starts",
		msgAccept:               "Accept",
		msgMaybe:                "Maybe",
		msgDecline:              "Decline",
		msgSnoozedToast:         "Snoozed until %s",
		msgSnoozeStarted:        "It has already started.",
		msgSnoozeFailed:         "Couldn't snooze right now. Please try again.",
		msgRSVPToast:            "Answer sent",
		msgRSVPReadOnly:         "Google doesn't let calbot answer this invitation: calbot may only read the calendar it is in. Answer it in Google Calendar.",
		msgRSVPGone:             "That event is gone from your calendar.",
		msgRSVPFailed:           "Couldn't send your answer right now. Please try again.",
		msgAgendaHeader:         "☀️ <b>Good morning — today, %s</b> (%s)",
		msgAgendaEmpty:          "☀️ Good morning — nothing on your calendar today, %s (%s).",
		msgAgendaLate:           "<i>Late: this was due at %s, and I could not send it then.</i>",
		msgAgendaFailed:         "☀️ Good morning. I couldn't read your calendar just now; try /today in a while.",
		msgAgendaInvites:        "✉️ Invitations to answer:",
		msgAgendaMoreInvites:    "…and %d more: answer them in Google Calendar.",
		msgAgendaOffer:          "Get today's agenda every morning at 08:00?",
		msgYes:                  "Yes",
		msgAnotherTime:          "Another time",
		msgNo:                   "No",
		msgAgendaPickTime:       "At what time? Tap one, or send <code>/settings agenda HH:MM</code>.",
		msgAgendaOn:             "Done: your agenda comes every morning at %s. Change it in /settings.",
		msgAgendaDeclined:       "OK, no morning agenda. You can turn it on in /settings.",
		msgRSVPNotInvited:       "You are not among this event's guests any more, or you organize it, so there is nothing to answer.",
		msgRSVPScope:            "Answering invitations in this calendar needs one more Google permission: open /settings → Calendars to grant it.",
		msgTomorrowHeader:       "<b>Tomorrow, %s</b> (%s)",
		msgTomorrowEmpty:        "Nothing on your calendar tomorrow, %s (%s).",
		msgWeekHeader:           "<b>The next 7 days</b> (%s)",
		msgWeekNothing:          "%s: nothing",
		msgNextHeader:           "<b>Next</b> (%s)",
		msgNextNone:             "Nothing on your calendar in the next 14 days (%s).",
		msgNextStartsIn:         "Starts in %s.",
		msgNextOnNow:            "On now, ends in %s.",
		msgSpanDays:             "%d d",
		msgSpanHours:            "%d h",
		msgSpanMinutes:          "%d min",
		msgNeedsAnswer:          "❔ invitation",
		msgJoinButton:           "Join",
		msgOpenButton:           "Open",
		msgSettingsTitle:        "<b>Settings</b>",
		msgSetAgenda:            "🌅 Morning agenda: %s",
		msgSetAgendaOn:          "%s, %s; %s",
		msgEveryDay:             "every day",
		msgWeekdaysOnly:         "weekdays",
		msgEmptyLine:            "an empty day in one line",
		msgEmptySkip:            "empty days skipped",
		msgOff:                  "off",
		msgSetReminders:         "⏰ Reminders: %s",
		msgRemindersGoogle:      "as set in Google Calendar",
		msgRemindersFixed:       "%s min before",
		msgSetQuiet:             "🌙 Quiet hours: %s",
		msgQuietSilent:          "%s–%s, messages arrive silently",
		msgQuietHold:            "%s–%s, messages wait until they end",
		msgSetZone:              "🌍 Time zone: %s",
		msgZoneCalendar:         "%s (the calendar's)",
		msgZoneUnknown:          "the calendar's",
		msgSetLang:              "🗣 Language: %s",
		msgLangAuto:             "auto (from Telegram)",
		msgSetCalendars:         "📅 Calendars: %s",
		msgCalendarsPrimary:     "the primary one",
		msgCalendarsShown:       "%s; /add writes to %s",
		msgSettingsUsage:        "Or type, for example: <code>/settings agenda 07:30</code>, <code>/settings agenda weekdays</code>, <code>/settings reminders 10 30</code>, <code>/settings quiet 22:00-07:00 hold</code>, <code>/settings zone Europe/Berlin</code>, <code>/settings lang ru</code>.",
		msgSettingsBad:          "I couldn't read <code>%s</code>, so nothing changed.",
		msgSettingsSaved:        "Saved.",
		msgZoneSet:              "Time zone set to <b>%s</b>. It is %s there now.",
		msgZoneHowTo:            "Send /settings zone and a city, a zone such as Europe/Berlin, or UTC+3.",
		msgBtnAgenda:            "🌅 Agenda",
		msgBtnReminders:         "⏰ Reminders",
		msgBtnQuiet:             "🌙 Quiet hours",
		msgBtnZone:              "🌍 Time zone",
		msgBtnLang:              "🗣 Language",
		msgBtnCalendars:         "📅 Calendars",
		msgBtnBack:              "« Back",
		msgBtnOn:                "On",
		msgBtnOff:               "Off",
		msgBtnEveryDay:          "Every day",
		msgBtnWeekdays:          "Weekdays",
		msgBtnEmptyLine:         "Empty day: one line",
		msgBtnEmptySkip:         "Empty day: skip",
		msgBtnGoogle:            "Google's",
		msgBtnFrom:              "from %s",
		msgBtnTo:                "to %s",
		msgBtnSilent:            "Silent",
		msgBtnHold:              "Hold",
		msgBtnAuto:              "Auto",
		msgBtnAddHere:           "/add here",
		msgCalendarsPick:        "Tick the calendars to show; /add writes to the one marked ●.",
		msgCalendarsScope:       "To list your calendars calbot needs one more permission from Google: to see the list of your calendars. Tap the button and tick the box on Google's page. If you leave it unticked, everything that works now keeps working.",
		msgCalendarsGrow:        "Allow the calendar list",
		msgCalendarsUnsupported: "This calbot cannot list your calendars yet, so it shows the primary one.",
		msgCalendarsSkipped:     "Not shown: %s (calbot cannot read it now; see /settings → Calendars).",
		msgCalendarsReadScope:   "To show calendars that others share with you, calbot needs one more permission from Google: to see events in all your calendars. Tap the button and tick the box on Google's page. If you leave it unticked, your own calendars keep working.",
	},
	"ru": {
		msgHelp: "<b>calbot</b> связывает этот чат с вашим Google Календарём.\n\n" +
			"/connect — подключить аккаунт Google\n" +
			"/today — события на сегодня\n" +
			"/tomorrow — события на завтра\n" +
			"/week — ближайшие 7 дней\n" +
			"/next — следующее событие и кнопка подключения\n" +
			"/add — добавить событие, например <code>/add Обед завтра 13:00-14:00</code>\n" +
			"/settings — сводка, напоминания, тихие часы, пояс, язык, календари\n" +
			"/disconnect — отключить и отозвать доступ\n" +
			"/cancel — не ждать фразу для /add\n" +
			"/help — эта справка",
		msgHint:             "Я не понял. Отправьте /help, чтобы узнать, что я умею.",
		msgGroupOnlyPrivate: "Ради вашей приватности команды календаря работают только в личном чате со мной. Нажмите кнопку, чтобы открыть его.",
		msgOpenPrivate:      "Открыть личный чат",
		msgConnect: "Нажмите кнопку, чтобы войти через Google и разрешить calbot просматривать и добавлять события в ваших календарях.\n\n" +
			"Ссылка только для вас: она работает один раз, 10 минут.",
		msgConnectLocal: "Откройте ссылку, чтобы войти через Google и разрешить calbot просматривать и добавлять события в ваших календарях:\n%s\n\n" +
			"Ссылка только для вас: она работает один раз, 10 минут.",
		msgConnectButton:       "Подключить Google Календарь",
		msgAlreadyLinked:       "Этот чат уже связан с <b>%s</b>. Чтобы подключить другой аккаунт, нажмите кнопку ниже: текущая связь будет заменена, а её доступ отозван.",
		msgConnected:           "Подключено: <b>%s</b>. Это не вы? /disconnect",
		msgConnectedReplaced:   "Подключено: <b>%s</b> (вместо %s). Это не вы? /disconnect",
		msgConnectedZone:       "Часовой пояс вашего календаря: %s. Попробуйте /today или <code>/add Обед завтра 13:00</code>.",
		msgConnectDenied:       "Вход через Google отменён, ничего не подключено. Отправьте /connect, чтобы попробовать снова.",
		msgConnectMissingScope: "calbot не получил доступ к календарю: на странице Google не была отмечена галочка Google Календаря. Отправьте /connect ещё раз и отметьте её.",
		msgConnectFailed:       "Вход через Google не завершился, ничего не сохранено. Отправьте /connect, чтобы попробовать снова.",
		msgNotConnected:        "К этому чату ещё не подключён Google Календарь. Отправьте /connect, чтобы подключить.",
		msgRevoked: "Google сообщает, что доступ calbot к календарю отозван или истёк, поэтому я удалил связь. Отправьте /connect, чтобы подключить снова.\n\n" +
			"Если это повторяется каждые несколько дней, сообщите владельцу бота: его приложение Google всё ещё в режиме тестирования, где доступ истекает через 7 дней.",
		msgGoogleSlow:      "Google сейчас отвечает медленно. Попробуйте ещё раз через минуту.",
		msgInternal:        "У меня что-то пошло не так. Попробуйте ещё раз; если ошибка повторяется, сообщите владельцу бота.",
		msgTodayHeader:     "<b>Сегодня, %s</b> (%s)",
		msgTodayEmpty:      "Сегодня, %s, в календаре ничего нет (%s).",
		msgTodayMore:       "…и ещё %d. Откройте Google Календарь, чтобы увидеть все.",
		msgAllDay:          "весь день",
		msgAllDayUntil:     "весь день, до %s",
		msgUntil:           "до %s",
		msgContinues:       "продолжается весь день",
		msgAddAsk:          "Что и когда? Напишите одним сообщением, например:\n<code>Обед завтра 13:00-14:00</code>\n<code>Стоматолог 25.11 9:30 1ч</code>\nили /cancel.",
		msgAddCancelled:    "Хорошо, больше не жду событие.",
		msgNothingToCancel: "Отменять нечего.",
		msgAdded:           "Добавлено: <b>%s</b>\n%s, %s (%s)",
		msgAddedAllDay:     "Добавлено: <b>%s</b>\n%s, весь день",
		msgOpenInCalendar:  "Открыть в Google Календаре",
		msgUndoButton:      "Отменить",
		msgUndone:          "Отменено: событие удалено из календаря.",
		msgUndoneToast:     "Удалено",
		msgUndoNotYours:    "Отменить событие может только тот, кто его добавил.",
		msgUndoGone:        "Этого события уже нет.",
		msgUndoFailed:      "Не получилось удалить. Попробуйте ещё раз.",
		msgDisconnected:    "Отключено: <b>%s</b>. Доступ calbot отозван в Google, данные о вашем календаре больше не хранятся.",
		msgDisconnectedLocalOnly: "Отключено здесь: <b>%s</b>, но Google не ответил, и доступ не отозван. " +
			"Чтобы завершить, удалите calbot на https://myaccount.google.com/permissions.",
		msgDisconnectedKept: "Отключено от этого чата: <b>%s</b>. Этот аккаунт Google всё ещё подключён в другом чате бота, " +
			"поэтому доступ calbot в Google для него сохранён. Для этого чата о вашем календаре больше ничего не хранится.",
		msgConnectTooOften:       "Вы запросили много ссылок для входа за короткое время. Подождите несколько минут и отправьте /connect снова.",
		msgConnectedReplacedKept: "Подключено: <b>%s</b> (вместо %s; он подключён в другом чате, поэтому его доступ сохранён). Это не вы? /disconnect",
		msgConnectedReplacedNotRevoked: "Подключено: <b>%s</b> (вместо %s). Google не ответил, и доступ %s не отозван: " +
			"удалите calbot на https://myaccount.google.com/permissions для того аккаунта, если он больше не нужен. Это не вы? /disconnect",
		msgNoTitle:         "(без названия)",
		msgAddErrEmpty:     "Напишите, что и когда, например <code>/add Обед завтра 13:00-14:00</code>.",
		msgAddErrTooLong:   "Слишком длинно для события. Оставьте короткое название и время.",
		msgAddErrNoTitle:   "Как называется событие? Напишите название перед датой, например <code>/add Обед завтра 13:00</code>.",
		msgAddErrNoWhen:    "Когда? Добавьте дату или время, например <code>/add %s завтра 13:00</code>.",
		msgAddErrNoStart:   "Для длительности нужно время начала, например <code>/add Звонок 15:00 30м</code>.",
		msgAddErrBadDate:   "Такой даты нет: <code>%s</code>.",
		msgAddErrBadTime:   "Такого времени нет: <code>%s</code>. Пишите <code>13:00</code> или <code>9:30</code>.",
		msgAddErrBadRange:  "Конец должен быть позже начала, а событие — не дольше 14 дней (31 для событий на весь день): <code>%s</code>.",
		msgAddErrAmbiguous: "Непонятно, что из этого имеется в виду: <code>%s</code>. Укажите одну дату и одно время (или один интервал).",
		msgAddExamples: "Примеры:\n<code>/add Обед завтра 13:00-14:00</code>\n<code>/add Стоматолог 25.11 9:30 1ч</code>\n<code>/add Созвон в пятницу 19:00</code>\n" +
			"<code>/add Отпуск 25 ноября</code> (весь день)\n<code>/add Йога каждый понедельник в 8:00</code>",
		msgTomorrow:      "завтра",
		msgButtonInvalid: "Эта кнопка больше не работает.",
		msgUndoNotOurs:   "Это событие создал не calbot, поэтому я его не трогаю.",
		msgEventIDTaken: "Ничего не добавлено: идентификатор, предназначенный для этого события, уже занят событием, которое создал не calbot. " +
			"Отправьте фразу ещё раз новым сообщением.",
		msgAddedRepeat:       "Добавлено: <b>%s</b>\n%s в %s, с %s (%s)",
		msgAddedRepeatAllDay: "Добавлено: <b>%s</b>\n%s, весь день, с %s",
		msgRepeatUntil:       " по %s",
		msgRepeatNextDay:     "%s следующего дня",
		msgRepeatDaily:       "каждый день",
		msgRepeatDays:        "каждые %s",
		msgRepeatWorkdays:    "по будням",
		msgRepeatOn:          "по %s",
		msgRepeatWeeks:       "каждые %s по %s",
		msgAnd:               "и",
		msgUnusedWord:        "Не уверен, что значит <b>%s</b>, поэтому ничего не добавил.",
		msgUnusedRead:        "Если это часть названия, получится <b>%s</b>, %s.",
		msgUnusedKeep:        "Если слово относится к названию, возьмите название в кавычки:\n<code>/add %s</code>",
		msgUnusedDate: "Если оно говорит, когда, напишите так, как я понимаю, например <code>каждый понедельник 8:00</code>, <code>через 30 минут</code>, " +
			"<code>в следующую пятницу</code>, <code>завтра вечером</code>, <code>до 31.12</code> или дату вроде <code>25.11</code>.",
		msgSlowDown:             "Вы пишете быстрее, чем я успеваю отвечать, поэтому часть сообщений я пропустил. Подождите несколько секунд и отправьте команду ещё раз.",
		msgRemindIn:             "через %s",
		msgRemindNow:            "начинается сейчас",
		msgRemindStarted:        "началось %s назад",
		msgRemindEnded:          "уже закончилось",
		msgMinutes:              "%d мин",
		msgHours:                "%d ч",
		msgRemindLate:           "<i>С опозданием: не смог отправить вовремя.</i>",
		msgInvitation:           "✉️ Приглашение: вы ещё не ответили.",
		msgAnsweredAccepted:     "✅ Вы приняли приглашение.",
		msgAnsweredTentative:    "❔ Вы ответили «может быть».",
		msgAnsweredDeclined:     "❌ Вы отклонили приглашение.",
		msgSnoozedUntil:         "💤 Отложено до %s.",
		msgJoin:                 "Подключиться",
		msgOpen:                 "Открыть",
		msgSnooze5:              "💤 5 мин",
		msgSnooze10:             "💤 10 мин",
		msgSnoozeStart:          "💤 До начала",
		msgAccept:               "Принять",
		msgMaybe:                "Может быть",
		msgDecline:              "Отклонить",
		msgSnoozedToast:         "Отложено до %s",
		msgSnoozeStarted:        "Событие уже началось.",
		msgSnoozeFailed:         "Не получилось отложить. Попробуйте ещё раз.",
		msgRSVPToast:            "Ответ отправлен",
		msgRSVPReadOnly:         "Google не даёт calbot ответить на это приглашение: календарь, в котором оно лежит, calbot может только читать. Ответьте в Google Календаре.",
		msgRSVPGone:             "Этого события больше нет в календаре.",
		msgRSVPFailed:           "Не получилось отправить ответ. Попробуйте ещё раз.",
		msgAgendaHeader:         "☀️ <b>Доброе утро — сегодня %s</b> (%s)",
		msgAgendaEmpty:          "☀️ Доброе утро — сегодня, %s, в календаре ничего нет (%s).",
		msgAgendaLate:           "<i>С опозданием: должно было прийти в %s, но я не смог отправить вовремя.</i>",
		msgAgendaFailed:         "☀️ Доброе утро. Сейчас не получилось прочитать календарь; попробуйте /today чуть позже.",
		msgAgendaInvites:        "✉️ Приглашения без ответа:",
		msgAgendaMoreInvites:    "…и ещё %d: ответьте в Google Календаре.",
		msgAgendaOffer:          "Присылать план на день каждое утро в 08:00?",
		msgYes:                  "Да",
		msgAnotherTime:          "В другое время",
		msgNo:                   "Нет",
		msgAgendaPickTime:       "В какое время? Выберите или отправьте <code>/settings agenda ЧЧ:ММ</code>.",
		msgAgendaOn:             "Готово: план на день будет приходить каждое утро в %s. Изменить можно в /settings.",
		msgAgendaDeclined:       "Хорошо, без утреннего плана. Включить можно в /settings.",
		msgRSVPNotInvited:       "Вас больше нет среди гостей этого события, или вы его организатор, так что отвечать не нужно.",
		msgRSVPScope:            "Чтобы отвечать на приглашения в этом календаре, нужно ещё одно разрешение Google: откройте /settings → Календари.",
		msgTomorrowHeader:       "<b>Завтра, %s</b> (%s)",
		msgTomorrowEmpty:        "Завтра, %s, в календаре ничего нет (%s).",
		msgWeekHeader:           "<b>Ближайшие 7 дней</b> (%s)",
		msgWeekNothing:          "%s: ничего",
		msgNextHeader:           "<b>Дальше</b> (%s)",
		msgNextNone:             "В ближайшие 14 дней в календаре ничего нет (%s).",
		msgNextStartsIn:         "Начнётся через %s.",
		msgNextOnNow:            "Идёт сейчас, закончится через %s.",
		msgSpanDays:             "%d дн.",
		msgSpanHours:            "%d ч",
		msgSpanMinutes:          "%d мин",
		msgNeedsAnswer:          "❔ приглашение",
		msgJoinButton:           "Подключиться",
		msgOpenButton:           "Открыть",
		msgSettingsTitle:        "<b>Настройки</b>",
		msgSetAgenda:            "🌅 Утренняя сводка: %s",
		msgSetAgendaOn:          "%s, %s; %s",
		msgEveryDay:             "каждый день",
		msgWeekdaysOnly:         "по будням",
		msgEmptyLine:            "пустой день одной строкой",
		msgEmptySkip:            "пустые дни пропускаются",
		msgOff:                  "выключено",
		msgSetReminders:         "⏰ Напоминания: %s",
		msgRemindersGoogle:      "как в Google Календаре",
		msgRemindersFixed:       "за %s мин",
		msgSetQuiet:             "🌙 Тихие часы: %s",
		msgQuietSilent:          "%s–%s, сообщения приходят без звука",
		msgQuietHold:            "%s–%s, сообщения ждут их окончания",
		msgSetZone:              "🌍 Часовой пояс: %s",
		msgZoneCalendar:         "%s (как в календаре)",
		msgZoneUnknown:          "как в календаре",
		msgSetLang:              "🗣 Язык: %s",
		msgLangAuto:             "авто (как в Telegram)",
		msgSetCalendars:         "📅 Календари: %s",
		msgCalendarsPrimary:     "основной",
		msgCalendarsShown:       "%s; /add пишет в %s",
		msgSettingsUsage:        "Или напишите, например: <code>/settings agenda 07:30</code>, <code>/settings agenda weekdays</code>, <code>/settings reminders 10 30</code>, <code>/settings quiet 22:00-07:00 hold</code>, <code>/settings zone Europe/Moscow</code>, <code>/settings lang en</code>.",
		msgSettingsBad:          "Не понял <code>%s</code>, поэтому ничего не изменил.",
		msgSettingsSaved:        "Сохранено.",
		msgZoneSet:              "Часовой пояс: <b>%s</b>. Сейчас там %s.",
		msgZoneHowTo:            "Отправьте /settings zone и город, пояс вроде Europe/Moscow или UTC+3.",
		msgBtnAgenda:            "🌅 Сводка",
		msgBtnReminders:         "⏰ Напоминания",
		msgBtnQuiet:             "🌙 Тихие часы",
		msgBtnZone:              "🌍 Часовой пояс",
		msgBtnLang:              "🗣 Язык",
		msgBtnCalendars:         "📅 Календари",
		msgBtnBack:              "« Назад",
		msgBtnOn:                "Вкл.",
		msgBtnOff:               "Выкл.",
		msgBtnEveryDay:          "Каждый день",
		msgBtnWeekdays:          "По будням",
		msgBtnEmptyLine:         "Пустой день: строка",
		msgBtnEmptySkip:         "Пустой день: пропуск",
		msgBtnGoogle:            "Как в Google",
		msgBtnFrom:              "с %s",
		msgBtnTo:                "до %s",
		msgBtnSilent:            "Без звука",
		msgBtnHold:              "Ждать",
		msgBtnAuto:              "Авто",
		msgBtnAddHere:           "/add сюда",
		msgCalendarsPick:        "Отметьте календари, которые показывать; /add пишет в отмеченный ●.",
		msgCalendarsScope:       "Чтобы показать список ваших календарей, calbot нужно ещё одно разрешение Google: видеть список календарей. Нажмите кнопку и отметьте галочку на странице Google. Если её не отмечать, всё, что работает сейчас, продолжит работать.",
		msgCalendarsGrow:        "Разрешить список календарей",
		msgCalendarsUnsupported: "Этот calbot пока не умеет показывать список календарей, поэтому показывает основной.",
		msgCalendarsSkipped:     "Не показан: %s (calbot сейчас не может его прочитать; см. /settings → Календари).",
		msgCalendarsReadScope:   "Чтобы показывать календари, которыми с вами поделились, calbot нужно ещё одно разрешение Google: видеть события во всех ваших календарях. Нажмите кнопку и отметьте галочку на странице Google. Если её не отмечать, ваши собственные календари продолжат работать.",
	},
}

// text returns reply m in lang, with args (already HTML-escaped) filled in.
func text(lang string, m msg, args ...any) string {
	t, ok := catalog[lang]
	if !ok {
		t = catalog["en"]
	}
	if len(args) == 0 {
		return t[m]
	}
	return fmt.Sprintf(t[m], args...)
}

// langOf picks the reply language from Telegram's language_code: Russian for
// "ru" (and regional forms like "ru-RU"), English otherwise.
func langOf(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "ru") {
		return "ru"
	}
	return "en"
}
