package draft

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Freq is how often a recurring draft repeats.
type Freq int

// The frequencies a /add phrase can ask for.
const (
	Daily Freq = iota + 1
	Weekly
)

// MaxInterval is the largest "every N days/weeks".
const MaxInterval = 99

// Repeat says how a recurring draft repeats: what its RRULE says, kept in
// parts so that the reply can put it in words.
type Repeat struct {
	Freq Freq
	// Interval is 1 for every day or week, 2 for every other, and so on.
	Interval int
	// Days are the weekdays of a Weekly rule, Monday first; never empty
	// for Weekly.
	Days []time.Weekday
	// Until is the midnight (in the draft's location) that starts the last
	// day the series may start on, or zero for a series without end.
	Until time.Time
}

var byDay = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// rrule returns r as an RFC 5545 RRULE line for a series whose first
// instance starts at start. UNTIL is the end of r.Until's day in start's
// location, in UTC for timed events and as a date for all-day ones.
func (r Repeat) rrule(start time.Time, allDay bool) string {
	var b strings.Builder
	b.WriteString("RRULE:FREQ=")
	if r.Freq == Daily {
		b.WriteString("DAILY")
	} else {
		b.WriteString("WEEKLY")
	}
	if r.Interval > 1 {
		fmt.Fprintf(&b, ";INTERVAL=%d", r.Interval)
	}
	if r.Freq == Weekly {
		codes := make([]string, len(r.Days))
		for k, d := range r.Days {
			codes[k] = byDay[d]
		}
		b.WriteString(";BYDAY=" + strings.Join(codes, ","))
	}
	if !r.Until.IsZero() {
		if allDay {
			b.WriteString(";UNTIL=" + r.Until.Format("20060102"))
		} else {
			y, m, d := r.Until.Date()
			last := wall(y, m, d+1, clock{}, start.Location()).Add(-time.Second)
			b.WriteString(";UNTIL=" + last.UTC().Format("20060102T150405Z"))
		}
	}
	return b.String()
}

// repeat matches a rule: "every day", "every 2 weeks", "every other day",
// "every weekday", "every Monday and Thursday", "every morning" (the part of
// the day is left for part), "on Mondays", "каждый понедельник", "каждую
// неделю", "каждые 3 дня", "ежедневно", "еженедельно", "по будням", "по
// средам и пятницам".
func (p *parser) repeat(i int, c ctx) (piece, bool, error) {
	t := p.toks[i].norm
	pc := piece{kind: pRepeat, at: i, hi: i + 1, interval: 1}
	switch {
	case t == "ежедневно":
		pc.freq = Daily
		return pc, true, nil
	case t == "еженедельно":
		pc.freq = Weekly
		return pc, true, nil
	case t == "по" || c.conn == "on":
		j := i
		if t == "по" {
			j++
		}
		if j >= len(p.toks) {
			return piece{}, false, nil
		}
		if g, ok := weekdayGroups[p.toks[j].norm]; ok && p.toks[j].norm != "будни" && p.toks[j].norm != "выходные" {
			pc.freq, pc.days, pc.hi = Weekly, g, j+1
			return pc, true, nil
		}
		days, hi := p.weekdayList(j, pluralWeekdays)
		if len(days) == 0 {
			return piece{}, false, nil
		}
		pc.freq, pc.days, pc.hi = Weekly, days, hi
		return pc, true, nil
	case !everyWords[t]:
		return piece{}, false, nil
	}
	j := i + 1
	if j < len(p.toks) && otherWords[p.toks[j].norm] {
		pc.interval, j = 2, j+1
	} else if j+1 < len(p.toks) {
		if n, ok := digits(p.toks[j].norm, 2); ok && n >= 1 && (dayUnits[p.toks[j+1].norm] || weekUnits[p.toks[j+1].norm]) {
			pc.interval, j = n, j+1
		}
	}
	if j >= len(p.toks) {
		return piece{}, false, nil
	}
	w := p.toks[j].norm
	pc.hi = j + 1
	switch {
	case dayUnits[w]:
		pc.freq = Daily
	case weekUnits[w]:
		pc.freq = Weekly
	case w == "будний" && j+1 < len(p.toks) && p.toks[j+1].norm == "день":
		pc.freq, pc.days, pc.hi = Weekly, workWeek, j+2
	case weekdayGroups[w] != nil:
		pc.freq, pc.days = Weekly, weekdayGroups[w]
	case partNouns[w] != 0 && pc.interval == 1:
		pc.freq, pc.hi = Daily, j // "every morning": part reads "morning"
	default:
		days, hi := p.weekdayList(j, weekdays)
		if len(days) == 0 {
			days, hi = p.weekdayList(j, pluralWeekdays)
		}
		if len(days) == 0 {
			return piece{}, false, nil
		}
		pc.freq, pc.days, pc.hi = Weekly, days, hi
	}
	if pc.days != nil && len(pc.days) > 1 && pc.interval > 1 {
		return piece{}, false, errAt(KindAmbiguous, p.text(pc))
	}
	return pc, true, nil
}

// weekdayList reads weekdays from j on, joined by "and"/"и" or commas:
// "Monday, Wednesday and Friday", "средам и пятницам". It returns them
// Monday first, without repeats, and the index after the last one.
func (p *parser) weekdayList(j int, names map[string]time.Weekday) ([]time.Weekday, int) {
	var days []time.Weekday
	hi := j
	for k := j; k < len(p.toks); k++ {
		wd, ok := names[p.toks[k].norm]
		if !ok {
			if andWords[p.toks[k].norm] && len(days) > 0 && k+1 < len(p.toks) {
				if _, next := names[p.toks[k+1].norm]; next {
					continue
				}
			}
			break
		}
		if !slices.Contains(days, wd) {
			days = append(days, wd)
		}
		hi = k + 1
	}
	slices.SortFunc(days, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	return days, hi
}

// repeating reports whether a rule was found already: only then do
// "until", "до" and "по" before a date end a series.
func (p *parser) repeating() bool {
	for _, pc := range p.pieces {
		if pc.kind == pRepeat {
			return true
		}
	}
	return false
}

// until matches "until 31.12", "till Friday", "до 31 декабря", "по 25.12"
// after a rule.
func (p *parser) until(i int) (piece, bool, error) {
	if !untilWords[p.toks[i].norm] || i+1 >= len(p.toks) || !p.repeating() {
		return piece{}, false, nil
	}
	pc, ok, err := p.date(i+1, ctx{})
	if err != nil || !ok || pc.kind != pDate {
		return piece{}, false, err
	}
	pc.kind, pc.lo = pUntil, i
	return pc, true, nil
}
