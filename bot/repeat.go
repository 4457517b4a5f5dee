package bot

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/draft"
)

// Word forms a rule needs in Russian: "каждый понедельник", "каждую
// среду", "каждое воскресенье"; "по понедельникам и средам".
var (
	ruEvery  = [7]string{"каждое воскресенье", "каждый понедельник", "каждый вторник", "каждую среду", "каждый четверг", "каждую пятницу", "каждую субботу"}
	ruOnDays = [7]string{"воскресеньям", "понедельникам", "вторникам", "средам", "четвергам", "пятницам", "субботам"}
)

// recurrence is what a draft sends as the event's recurrence.
func recurrence(d draft.Draft) []string {
	if d.RRULE == "" {
		return nil
	}
	return []string{d.RRULE}
}

// addedText confirms a created event, single or recurring.
func addedText(lang string, ev calendar.Event, d draft.Draft, zone *time.Location, now time.Time) string {
	if d.Repeat == nil {
		return formatAdded(lang, ev, zone, now)
	}
	return formatAddedRepeat(lang, ev, *d.Repeat, zone, now)
}

// formatAddedRepeat confirms a recurring event: "every Monday at
// 08:00–09:00, from 23 November, until 14 December (Europe/Moscow)".
func formatAddedRepeat(lang string, ev calendar.Event, r draft.Repeat, zone *time.Location, now time.Time) string {
	title := ev.Title
	if strings.TrimSpace(title) == "" {
		title = text(lang, msgNoTitle)
	}
	title = html.EscapeString(title)
	start := ev.Start.In(zone)
	from := shortDay(lang, start, now)
	if !r.Until.IsZero() {
		from += text(lang, msgRepeatUntil, shortDay(lang, r.Until, now))
	}
	rule := ruleText(lang, r)
	if ev.AllDay {
		return text(lang, msgAddedRepeatAllDay, title, rule, from)
	}
	end := ev.End.In(zone)
	times := clock(start) + "–" + clock(end)
	if !sameDay(start, end) {
		times = clock(start) + "–" + text(lang, msgRepeatNextDay, clock(end))
	}
	return text(lang, msgAddedRepeat, title, rule, times, from, html.EscapeString(zone.String()))
}

// ruleText says how a series repeats: "every day", "every 2 weeks on
// Monday", "по будням", "каждую среду".
func ruleText(lang string, r draft.Repeat) string {
	if lang != "ru" {
		lang = "en"
	}
	if r.Freq == draft.Daily {
		if r.Interval <= 1 {
			return text(lang, msgRepeatDaily)
		}
		return text(lang, msgRepeatDays, count(lang, r.Interval, "день", "дня", "дней"))
	}
	workWeek := len(r.Days) == 5
	for _, d := range r.Days {
		workWeek = workWeek && d != time.Saturday && d != time.Sunday
	}
	if workWeek && r.Interval <= 1 {
		return text(lang, msgRepeatWorkdays)
	}
	var names []string
	for _, d := range r.Days {
		if lang == "ru" {
			names = append(names, ruOnDays[d])
		} else {
			names = append(names, weekdays["en"][d])
		}
	}
	days := list(lang, names)
	switch {
	case r.Interval > 1:
		return text(lang, msgRepeatWeeks, count(lang, r.Interval, "неделю", "недели", "недель"), days)
	case lang == "ru" && len(r.Days) == 1:
		return ruEvery[r.Days[0]]
	}
	return text(lang, msgRepeatOn, days)
}

// count is "2" in English and "2 недели" in Russian, for the rule texts.
func count(lang string, n int, one, few, many string) string {
	if lang != "ru" {
		return fmt.Sprint(n)
	}
	word := many
	switch {
	case n%100 >= 11 && n%100 <= 14:
	case n%10 == 1:
		word = one
	case n%10 >= 2 && n%10 <= 4:
		word = few
	}
	return fmt.Sprintf("%d %s", n, word)
}

// list joins names as "Monday, Wednesday and Friday".
func list(lang string, names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + text(lang, msgAnd) + " " + names[len(names)-1]
}

// unusedReply explains a phrase that left a date word in its title: what it
// would have meant read literally, how to keep the word in the title, and
// how to say it as a date instead.
func unusedReply(lang string, err error, d draft.Draft, zone *time.Location, now time.Time) (string, bool) {
	var pe *draft.Error
	if !errors.As(err, &pe) || pe.Kind != draft.KindUnusedWord {
		return "", false
	}
	s := text(lang, msgUnusedWord, html.EscapeString(pe.Token))
	if d.Title != "" {
		ev := calendar.Event{Title: d.Title, AllDay: d.AllDay, Start: d.Start, End: d.End}
		s += "\n\n" + text(lang, msgUnusedRead, html.EscapeString(d.Title), whenText(lang, ev, zone, now))
	}
	if pe.Keep != "" {
		s += "\n\n" + text(lang, msgUnusedKeep, html.EscapeString(pe.Keep))
	}
	return s + "\n\n" + text(lang, msgUnusedDate), true
}

// whenText is the date and time of a single event, as the /add reply
// gives them: "Saturday, 21 November, 10:00–11:00 (Europe/Moscow)".
func whenText(lang string, ev calendar.Event, zone *time.Location, now time.Time) string {
	if ev.AllDay {
		label := dayLabel(lang, ev.Start, now)
		if last := ev.End.AddDate(0, 0, -1); !sameDay(last, ev.Start) {
			label += " – " + dayLabel(lang, last, now)
		}
		return label + ", " + text(lang, msgAllDay)
	}
	start, end := ev.Start.In(zone), ev.End.In(zone)
	times := clock(start) + "–" + clock(end)
	if !sameDay(start, end) {
		times = clock(start) + "–" + shortDay(lang, end, now) + " " + clock(end)
	}
	return dayLabel(lang, start, now) + ", " + times + " (" + html.EscapeString(zone.String()) + ")"
}
