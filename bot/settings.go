package bot

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// settingsAgendaAt is the agenda's time when it is turned on without one.
const settingsAgendaAt = 8 * 60

// Quiet hours turned on without times are 22:00-07:00.
const defaultQuietFrom, defaultQuietTo = 22 * 60, 7 * 60

// reminderChoices are the fixed lead times /settings offers as buttons;
// typed arguments may name others up to maxLead.
var reminderChoices = []int{5, 10, 15, 30, 60}

const (
	maxLead  = 24 * 60
	maxLeads = 5
)

// errSetting: a /settings argument could not be read; nothing changes.
var errSetting = errors.New("bad settings argument")

// change is one edit of a chat's settings, read from /settings arguments.
type change struct {
	apply func(*storage.Settings)
	// zone is set when the change sets a time zone, to confirm it, with
	// zoneName, how the user named it ("Berlin", "UTC+03:00").
	zone     *time.Location
	zoneName string
}

// ZoneLookup turns what the user typed after "/settings zone" into a zone
// and a name to show for it; zone.Parse is the one in use. Its errors are
// a *zone.AmbiguousError or wrap zone.ErrUnknown.
type ZoneLookup func(s string) (loc *time.Location, name string, err error)

// errZoneNoName: the zone is a fixed offset without an IANA name (UTC+5:30),
// which the chat's settings cannot keep.
var errZoneNoName = errors.New("zone has no IANA name")

// zoneError is a /settings zone that names no zone the chat can keep. It
// is an errSetting.
type zoneError struct {
	typed string // what the user typed
	err   error  // a *zone.AmbiguousError, or wraps zone.ErrUnknown or errZoneNoName
}

func (e *zoneError) Error() string   { return "zone " + e.typed + ": " + e.err.Error() }
func (e *zoneError) Unwrap() []error { return []error{errSetting, e.err} }

// parseSetting reads the arguments of /settings (without the command). It
// never changes anything itself; the returned change does, and only when err
// is nil.
func parseSetting(args string, lookup ZoneLookup) (change, error) {
	f := strings.Fields(args)
	if len(f) < 2 {
		return change{}, errSetting
	}
	what, rest := strings.ToLower(f[0]), f[1:]
	for i := range rest {
		if what != "zone" {
			rest[i] = strings.ToLower(rest[i])
		}
	}
	switch what {
	case "agenda":
		return parseAgenda(rest)
	case "reminders", "reminder":
		return parseReminders(rest)
	case "quiet":
		return parseQuiet(rest)
	case "zone", "tz":
		typed := strings.Join(rest, " ")
		loc, name, err := lookup(typed)
		if err != nil {
			return change{}, &zoneError{typed: typed, err: err}
		}
		if _, err := calendar.LoadZone(loc.String()); err != nil {
			return change{}, &zoneError{typed: name, err: errZoneNoName}
		}
		return change{apply: func(s *storage.Settings) { s.ZoneOverride = loc.String() }, zone: loc, zoneName: name}, nil
	case "lang", "language":
		if len(rest) != 1 || !slices.Contains([]string{"auto", "en", "ru"}, rest[0]) {
			return change{}, errSetting
		}
		lang := rest[0]
		if lang == "auto" {
			lang = ""
		}
		return change{apply: func(s *storage.Settings) { s.Lang = lang }}, nil
	case "invitations", "invites":
		if len(rest) != 1 || rest[0] != "notify" && rest[0] != "quiet" {
			return change{}, errSetting
		}
		notify := rest[0] == "notify"
		return change{apply: func(s *storage.Settings) { s.NotifyOrganizer = notify }}, nil
	}
	return change{}, errSetting
}

func parseAgenda(rest []string) (change, error) {
	var steps []func(*storage.Agenda)
	for _, w := range rest {
		switch w {
		case "off":
			steps = append(steps, func(a *storage.Agenda) { a.On = false })
		case "on":
			steps = append(steps, func(a *storage.Agenda) {
				if !a.On && a.At == 0 {
					a.At = settingsAgendaAt
				}
				a.On = true
			})
		case "weekdays":
			steps = append(steps, func(a *storage.Agenda) { a.Weekdays = true })
		case "daily", "everyday":
			steps = append(steps, func(a *storage.Agenda) { a.Weekdays = false })
		case "skip-empty":
			steps = append(steps, func(a *storage.Agenda) { a.SkipEmpty = true })
		case "show-empty":
			steps = append(steps, func(a *storage.Agenda) { a.SkipEmpty = false })
		default:
			at, ok := parseClock(w)
			if !ok {
				return change{}, errSetting
			}
			steps = append(steps, func(a *storage.Agenda) { a.On, a.At = true, at })
		}
	}
	return change{apply: func(s *storage.Settings) {
		for _, st := range steps {
			st(&s.Agenda)
		}
	}}, nil
}

func parseReminders(rest []string) (change, error) {
	if len(rest) == 1 && (rest[0] == "google" || rest[0] == "default") {
		return change{apply: func(s *storage.Settings) { s.Reminders = storage.Reminders{} }}, nil
	}
	if len(rest) == 1 && rest[0] == "off" {
		return change{apply: func(s *storage.Settings) { s.Reminders.Off = true }}, nil
	}
	var leads []int
	for _, w := range rest {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(w, "m"), "min"))
		if err != nil || n < 1 || n > maxLead {
			return change{}, errSetting
		}
		if !slices.Contains(leads, n) {
			leads = append(leads, n)
		}
	}
	if len(leads) == 0 || len(leads) > maxLeads {
		return change{}, errSetting
	}
	slices.Sort(leads)
	return change{apply: func(s *storage.Settings) { s.Reminders = storage.Reminders{Leads: leads} }}, nil
}

func parseQuiet(rest []string) (change, error) {
	if len(rest) == 1 && rest[0] == "off" {
		return change{apply: func(s *storage.Settings) { s.Quiet.On = false }}, nil
	}
	if len(rest) == 1 && rest[0] == "on" {
		return change{apply: func(s *storage.Settings) {
			if s.Quiet.From == s.Quiet.To {
				s.Quiet.From, s.Quiet.To = defaultQuietFrom, defaultQuietTo
			}
			s.Quiet.On = true
		}}, nil
	}
	if len(rest) < 1 || len(rest) > 2 {
		return change{}, errSetting
	}
	a, b, ok := strings.Cut(strings.ReplaceAll(rest[0], "–", "-"), "-")
	from, ok1 := parseClock(a)
	to, ok2 := parseClock(b)
	if !ok || !ok1 || !ok2 || from == to {
		return change{}, errSetting
	}
	var hold *bool
	if len(rest) == 2 {
		switch rest[1] {
		case "hold":
			hold = new(bool)
			*hold = true
		case "silent":
			hold = new(bool)
		default:
			return change{}, errSetting
		}
	}
	return change{apply: func(s *storage.Settings) {
		s.Quiet.On, s.Quiet.From, s.Quiet.To = true, from, to
		if hold != nil {
			s.Quiet.Hold = *hold
		}
	}}, nil
}

var clockRE = regexp.MustCompile(`^([01]?\d|2[0-3])[:.]([0-5]\d)$`)

// parseClock reads "7:30" or "07.30" as minutes after midnight.
func parseClock(s string) (int, bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	return h*60 + min, true
}

// effectiveZone is the zone the chat's views, /add and replies use: the
// override, else the calendar's as remembered; nil if neither is known.
func effectiveZone(s storage.Settings) *time.Location {
	if s.ZoneOverride != "" {
		if loc, err := calendar.LoadZone(s.ZoneOverride); err == nil {
			return loc
		}
	}
	return zoneOf(s)
}

// hhmm writes minutes after midnight as "07:30".
func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60%24, m%60) }

// settingsText is the /settings message: every choice of the chat, one per
// line, and how to type them.
func settingsText(lang string, s storage.Settings) string {
	var b strings.Builder
	b.WriteString(text(lang, msgSettingsTitle) + "\n\n")
	agenda := text(lang, msgOff)
	if s.Agenda.On {
		days, empty := text(lang, msgEveryDay), text(lang, msgEmptyLine)
		if s.Agenda.Weekdays {
			days = text(lang, msgWeekdaysOnly)
		}
		if s.Agenda.SkipEmpty {
			empty = text(lang, msgEmptySkip)
		}
		agenda = text(lang, msgSetAgendaOn, hhmm(s.Agenda.At), days, empty)
	}
	b.WriteString(text(lang, msgSetAgenda, agenda) + "\n")
	rem := text(lang, msgRemindersGoogle)
	switch {
	case s.Reminders.Off:
		rem = text(lang, msgOff)
	case len(s.Reminders.Leads) > 0:
		ns := make([]string, len(s.Reminders.Leads))
		for i, n := range s.Reminders.Leads {
			ns[i] = strconv.Itoa(n)
		}
		rem = text(lang, msgRemindersFixed, strings.Join(ns, ", "))
	}
	b.WriteString(text(lang, msgSetReminders, rem) + "\n")
	quiet := text(lang, msgOff)
	if s.Quiet.On {
		m := msgQuietSilent
		if s.Quiet.Hold {
			m = msgQuietHold
		}
		quiet = text(lang, m, hhmm(s.Quiet.From), hhmm(s.Quiet.To))
	}
	b.WriteString(text(lang, msgSetQuiet, quiet) + "\n")
	zone := text(lang, msgZoneUnknown)
	switch {
	case s.ZoneOverride != "":
		zone = html.EscapeString(s.ZoneOverride)
	case s.Zone != "":
		zone = text(lang, msgZoneCalendar, html.EscapeString(s.Zone))
	}
	b.WriteString(text(lang, msgSetZone, zone) + "\n")
	language := text(lang, msgLangAuto)
	switch s.Lang {
	case "en":
		language = "English"
	case "ru":
		language = "Русский"
	}
	b.WriteString(text(lang, msgSetLang, language) + "\n")
	cals := text(lang, msgCalendarsPrimary)
	if on := s.Shown(); len(s.Calendars) > 0 {
		names := make([]string, len(on))
		for i, c := range on {
			names[i] = html.EscapeString(oneLine(cmpOr(c.Name, c.ID), maxCalendarRunes))
		}
		cals = text(lang, msgCalendarsShown, strings.Join(names, ", "), html.EscapeString(oneLine(addToName(s), maxCalendarRunes)))
	}
	b.WriteString(text(lang, msgSetCalendars, cals) + "\n")
	invites := text(lang, msgInvitesQuiet)
	if s.NotifyOrganizer {
		invites = text(lang, msgInvitesNotify)
	}
	b.WriteString(text(lang, msgSetInvites, invites) + "\n\n")
	b.WriteString(text(lang, msgSettingsUsage))
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// addToName names the calendar /add writes to.
func addToName(s storage.Settings) string {
	for _, c := range s.Calendars {
		if c.ID == s.AddTo && s.AddTo != "" {
			return cmpOr(c.Name, c.ID)
		}
	}
	for _, c := range s.Calendars {
		if c.ID == "primary" {
			return cmpOr(c.Name, c.ID)
		}
	}
	return "primary"
}

func htmlEscape(s string) string { return html.EscapeString(s) }

func hostHasDot(s string) bool {
	u, err := url.Parse(s)
	return err == nil && strings.Contains(u.Hostname(), ".")
}

// replyLang is the language of the chat's replies: its choice in /settings,
// else telegram's (the language of the user's Telegram client).
func (b *Bot) replyLang(chatID int64, telegram string) string {
	if l := b.settings(chatID).Lang; l == "en" || l == "ru" {
		return l
	}
	return telegram
}

// isSettingsPayload reports whether a button's payload belongs to the
// /settings message.
func isSettingsPayload(p string) bool {
	page, _, _ := strings.Cut(p, ":")
	switch page {
	case pageMain, pageAgenda, pageReminders, pageQuiet, pageZone, pageLang, pageCalendars, pageInvites:
		return true
	}
	return false
}
