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
	msgCalendarsSkipped
	msgCalendarsReadScope
	msgZoneAmbiguous
	msgZoneChoice
	msgZoneNotFound
	msgZoneNoName
	msgZoneFromLocation
	msgZoneNoLocation
	msgGrowConnected
	msgFeatureCalendarList
	msgFeatureSharedRead
	msgFeatureSharedWrite
	msgGrowMissing
	msgGrowDenied
	msgGrowOtherAccount
	msgGrowFailed
	msgUndoExpired
	msgAddWriteScope
	msgAddWriteGrow
	msgSetInvites
	msgInvitesNotify
	msgInvitesQuiet
	msgBtnInvites
	msgBtnInvitesNotify
	msgBtnInvitesQuiet
	msgInvitesPick
	msgCalendarsReadGrow
	numMsgs
)

// catalog holds the replies. Arguments are HTML-escaped by the caller;
// the texts themselves are Telegram HTML.
var catalog = map[string]*[numMsgs]string{"en": &catalogEN, "ru": &catalogRU}

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
