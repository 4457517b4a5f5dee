package bot

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/calbot/calbot/calendar"
)

var (
	weekdays = map[string][7]string{
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		"ru": {"воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"},
	}
	// Russian dates take the genitive: 21 ноября.
	months = map[string][12]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	}
)

// maxReply keeps an agenda under Telegram's 4096-character message limit,
// with room for the "and N more" line.
const maxReply = 3800

// An event's title and location are cut to these many characters (runes),
// and a link longer than maxLinkBytes escaped is left out, so that one event
// always fits in an agenda with room to spare (under 2,700 bytes, even
// if every character needs escaping) and never pushes out the rest.
const (
	maxTitleRunes    = 150
	maxLocationRunes = 150
	maxLinkBytes     = 1024
	maxCalendarRunes = 40
)

// oneLine makes s one line of at most max runes: runs of white space
// (newlines included) become one space, and what is cut ends in "…". It
// works on the raw text, before HTML escaping, so that no entity is cut in
// half.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max-1]), " ") + "…"
}

// dayLabel names a date the way people say it: "Saturday, 21 November"
// ("суббота, 21 ноября"), with the year when it is not ref's year.
func dayLabel(lang string, d, ref time.Time) string {
	if _, ok := weekdays[lang]; !ok {
		lang = "en"
	}
	s := fmt.Sprintf("%s, %d %s", weekdays[lang][d.Weekday()], d.Day(), months[lang][d.Month()-1])
	if d.Year() != ref.Year() {
		s += fmt.Sprintf(" %d", d.Year())
	}
	return s
}

// shortDay is dayLabel without the weekday: "21 November".
func shortDay(lang string, d, ref time.Time) string {
	if _, ok := months[lang]; !ok {
		lang = "en"
	}
	s := fmt.Sprintf("%d %s", d.Day(), months[lang][d.Month()-1])
	if d.Year() != ref.Year() {
		s += fmt.Sprintf(" %d", d.Year())
	}
	return s
}

func clock(t time.Time) string { return t.Format("15:04") }

// formatAgenda renders a day's events as Telegram HTML: all-day events first,
// then by start, each with its times, linked title and location. Every piece
// of calendar text is escaped.
func formatAgenda(lang string, day calendar.Day) string {
	return formatDay(lang, msgTodayHeader, msgTodayEmpty, day, false)
}

// formatDay is formatAgenda under the header head (empty when there is
// nothing); multi names each event's calendar.
func formatDay(lang string, head, empty msg, day calendar.Day, multi bool) string {
	zone := html.EscapeString(day.Zone.String())
	label := dayLabel(lang, day.Date, day.Date)
	if len(day.Events) == 0 {
		return text(lang, empty, label, zone)
	}
	return dayEvents(lang, text(lang, head, label, zone), day, maxReply, multi)
}

// dayEvents is header followed by the day's events, cut to limit bytes with
// an "and N more" line; multi names each event's calendar.
func dayEvents(lang, header string, day calendar.Day, limit int, multi bool) string {
	var b strings.Builder
	b.WriteString(header)
	for i, ev := range day.Events {
		line := "\n\n" + eventLineIn(lang, ev, day, multi)
		if b.Len()+len(line) > limit {
			b.WriteString("\n\n" + text(lang, msgTodayMore, len(day.Events)-i))
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

func eventLine(lang string, ev calendar.Event, day calendar.Day) string {
	return eventLineIn(lang, ev, day, false)
}

// eventLineIn is an event's head line and its location.
func eventLineIn(lang string, ev calendar.Event, day calendar.Day, multi bool) string {
	line := eventHead(lang, ev, day, multi)
	if loc := oneLine(ev.Location, maxLocationRunes); loc != "" {
		line += "\n📍 " + html.EscapeString(loc)
	}
	return line
}

// eventHead is an event's times on day, its linked title, whether it
// awaits the user's answer, and its calendar when multi.
func eventHead(lang string, ev calendar.Event, day calendar.Day, multi bool) string {
	line := "<b>" + eventWhen(lang, ev, day) + "</b>  " + titleLink(lang, ev)
	if ev.Response == calendar.NeedsAction {
		line += "  " + text(lang, msgNeedsAnswer)
	}
	if name := oneLine(ev.CalendarName, maxCalendarRunes); multi && name != "" {
		line += "  · <i>" + html.EscapeString(name) + "</i>"
	}
	return line
}

// eventWhen is an event's times as seen from day.
func eventWhen(lang string, ev calendar.Event, day calendar.Day) string {
	start, end := day.Date, day.Date.AddDate(0, 0, 1)
	switch {
	case ev.AllDay && ev.End.After(end):
		// End is exclusive: the last day is the one before it.
		return text(lang, msgAllDayUntil, shortDay(lang, ev.End.AddDate(0, 0, -1), day.Date))
	case ev.AllDay:
		return text(lang, msgAllDay)
	case ev.Start.Before(start) && ev.End.After(end):
		return text(lang, msgContinues)
	case ev.Start.Before(start):
		return text(lang, msgUntil, clock(ev.End))
	case ev.End.After(end):
		endDay := text(lang, msgTomorrow)
		if ev.End.After(end.AddDate(0, 0, 1)) {
			endDay = shortDay(lang, ev.End, day.Date)
		}
		return clock(ev.Start) + "–" + endDay + " " + clock(ev.End)
	default:
		return clock(ev.Start) + "–" + clock(ev.End)
	}
}

// titleLink is the escaped title, linked to the event when the link is a
// plain https URL.
func titleLink(lang string, ev calendar.Event) string {
	title := html.EscapeString(eventTitle(lang, ev))
	if safeLink(ev.Link) && len(html.EscapeString(ev.Link)) <= maxLinkBytes {
		return `<a href="` + html.EscapeString(ev.Link) + `">` + title + `</a>`
	}
	return title
}

func safeLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// eventTitle is the event's title on one line, cut to maxTitleRunes, or
// "(no title)". It is not escaped.
func eventTitle(lang string, ev calendar.Event) string {
	title := oneLine(ev.Title, maxTitleRunes)
	if title == "" {
		title = text(lang, msgNoTitle)
	}
	return title
}

// formatAdded confirms a created event: title, date, time and zone.
func formatAdded(lang string, ev calendar.Event, zone *time.Location, now time.Time) string {
	title := html.EscapeString(eventTitle(lang, ev))
	if ev.AllDay {
		label := dayLabel(lang, ev.Start, now)
		if last := ev.End.AddDate(0, 0, -1); !sameDay(last, ev.Start) {
			label += " – " + dayLabel(lang, last, now)
		}
		return text(lang, msgAddedAllDay, title, label)
	}
	start, end := ev.Start.In(zone), ev.End.In(zone)
	times := clock(start) + "–" + clock(end)
	if !sameDay(start, end) {
		times = clock(start) + "–" + shortDay(lang, end, now) + " " + clock(end)
	}
	return text(lang, msgAdded, title, dayLabel(lang, start, now), times, html.EscapeString(zone.String()))
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
