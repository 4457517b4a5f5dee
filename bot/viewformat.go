package bot

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/calbot/calbot/calendar"
)

var shortWeekdays = map[string][7]string{
	"en": {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
	"ru": {"вс", "пн", "вт", "ср", "чт", "пт", "сб"},
}

// shortLabel names a date briefly: "Tue 24" ("вт 24").
func shortLabel(lang string, d time.Time) string {
	if _, ok := shortWeekdays[lang]; !ok {
		lang = "en"
	}
	return fmt.Sprintf("%s %d", shortWeekdays[lang][d.Weekday()], d.Day())
}

// formatWeek renders days as one compact block per day with events (times
// and titles, no locations) and folds runs of empty days into one line. It
// stays under maxReply and says how many events it left out.
func formatWeek(lang string, days []calendar.Day, multi bool) string {
	if len(days) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(text(lang, msgWeekHeader, html.EscapeString(days[0].Zone.String())))
	total := 0
	for _, d := range days {
		total += len(d.Events)
	}
	shown, emptyFrom := 0, -1
	flush := func(i int) {
		if emptyFrom < 0 {
			return
		}
		label := shortLabel(lang, days[emptyFrom].Date)
		if i-1 > emptyFrom {
			label += "–" + shortLabel(lang, days[i-1].Date)
		}
		b.WriteString("\n\n" + text(lang, msgWeekNothing, label))
		emptyFrom = -1
	}
	for i, d := range days {
		if len(d.Events) == 0 {
			if emptyFrom < 0 {
				emptyFrom = i
			}
			continue
		}
		flush(i)
		head := "\n\n<b>" + dayLabel(lang, d.Date, days[0].Date) + "</b>"
		for j, ev := range d.Events {
			line := "\n" + eventHead(lang, ev, d, multi)
			if j == 0 {
				line = head + line
			}
			if b.Len()+len(line) > maxReply {
				b.WriteString("\n\n" + text(lang, msgTodayMore, total-shown))
				return b.String()
			}
			b.WriteString(line)
			shown++
		}
	}
	flush(len(days))
	return b.String()
}

// formatNext renders the next event: its day, its line, and how soon it
// starts (or that it is on now).
func formatNext(lang string, ev calendar.Event, now time.Time, multi bool) string {
	zone := now.Location()
	date := midnightIn(ev.Start, zone)
	if ev.Start.Before(now) {
		date = midnightIn(now, zone)
	}
	day := calendar.Day{Zone: zone, Date: date}
	s := text(lang, msgNextHeader, html.EscapeString(zone.String())) + "\n\n" +
		dayLabel(lang, date, now) + "\n" + eventLineIn(lang, ev, day, multi) + "\n\n"
	if ev.Start.After(now) {
		return s + text(lang, msgNextStartsIn, inWords(lang, ev.Start.Sub(now)))
	}
	return s + text(lang, msgNextOnNow, inWords(lang, ev.End.Sub(now)))
}

// inWords says a duration in whole minutes, hours and days: "2 h 5 min".
func inWords(lang string, d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute) // round up: "in 1 min", never "in 0"
	days, hours, mins := m/(24*60), m/60%24, m%60
	var parts []string
	if days > 0 {
		parts = append(parts, text(lang, msgSpanDays, days))
	}
	if hours > 0 {
		parts = append(parts, text(lang, msgSpanHours, hours))
	}
	if mins > 0 && days == 0 || len(parts) == 0 {
		parts = append(parts, text(lang, msgSpanMinutes, mins))
	}
	return strings.Join(parts, " ")
}
