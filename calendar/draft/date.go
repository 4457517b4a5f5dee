package draft

import (
	"strings"
	"time"
)

type dateKind int

const (
	dRelative dateKind = iota + 1 // days from today
	dWeekday                      // next such weekday
	dCalendar                     // day and month, maybe year
	dNextWeek                     // that weekday in the week after this one
)

// dateSpec is a date as written, before it is resolved against a clock.
type dateSpec struct {
	kind dateKind
	days int          // dRelative
	wd   time.Weekday // dWeekday, dNextWeek
	d    int          // dCalendar
	m    time.Month   // dCalendar
	y    int          // dCalendar; 0 means the next occurrence
}

const minYear, maxYear = 1900, 2199

// daysIn returns the number of days in month m of year y; y == 0 stands for
// any year, so February has 29.
func daysIn(m time.Month, y int) int {
	if m < 1 || m > 12 {
		return 0
	}
	if y == 0 {
		y = 2000
	}
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (s dateSpec) valid() bool {
	if s.kind != dCalendar {
		return true
	}
	if s.y != 0 && (s.y < minYear || s.y > maxYear) {
		return false
	}
	return s.d >= 1 && s.d <= daysIn(s.m, s.y)
}

// numericDate parses 2026-11-25, 25.11, 25.11.2026, 25.11.26 and 25/11. ok is
// false if s does not have the shape of a date; the error is set if it has
// the shape but names no date.
func numericDate(s string) (dateSpec, bool, Kind) {
	var parts []string
	sep := ""
	for _, c := range []string{".", "/", "-"} {
		if strings.Contains(s, c) {
			parts, sep = strings.Split(s, c), c
			break
		}
	}
	n := len(parts)
	if n < 2 || n > 3 || (sep == "-" && n != 3) {
		return dateSpec{}, false, 0
	}
	var v [3]int
	for i, p := range parts {
		max := 2
		if (sep == "-" && i == 0) || (sep != "-" && i == 2) {
			max = 4
		}
		x, ok := digits(p, max)
		if !ok {
			return dateSpec{}, false, 0
		}
		v[i] = x
	}
	var spec dateSpec
	switch sep {
	case "-":
		if len(parts[0]) != 4 {
			return dateSpec{}, false, 0
		}
		spec = dateSpec{kind: dCalendar, y: v[0], m: time.Month(v[1]), d: v[2]}
	default:
		spec = dateSpec{kind: dCalendar, d: v[0], m: time.Month(v[1])}
		if n == 3 {
			switch len(parts[2]) {
			case 2:
				spec.y = 2000 + v[2]
			case 4:
				spec.y = v[2]
			default:
				return dateSpec{}, false, 0
			}
		}
		if sep == "/" {
			// Day first unless that is impossible; 11/12 could be either.
			switch {
			case v[0] <= 12 && v[1] <= 12 && v[0] != v[1]:
				return dateSpec{}, false, KindAmbiguous
			case v[1] > 12 && v[0] <= 12:
				spec.d, spec.m = v[1], time.Month(v[0])
			}
		}
	}
	if !spec.valid() {
		return dateSpec{}, false, KindBadDate
	}
	return spec, true, 0
}

// dayNumber parses the day in "25 ноября", "Nov 25th", "25-го ноября".
func dayNumber(s string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th", "-го", "-е", "-ое"} {
		if t, ok := strings.CutSuffix(s, suf); ok {
			s = t
			break
		}
	}
	return digits(s, 2)
}

// dayRange parses "25-28".
func dayRange(s string) (a, b int, ok bool) {
	x, y, ok := cutDash(s)
	if !ok {
		return 0, 0, false
	}
	a, ok1 := digits(x, 2)
	b, ok2 := digits(y, 2)
	return a, b, ok1 && ok2
}

// date matches date words at i: relative days, weekdays, numeric dates and
// dates with month names, including "25-28 ноября" and "Nov 25-28".
func (p *parser) date(i int, c ctx) (piece, bool, error) {
	toks := p.toks
	t := toks[i].norm
	pc := piece{kind: pDate, at: i, hi: i + 1}
	if n, ok := relativeDays[t]; ok {
		pc.from = dateSpec{kind: dRelative, days: n}
		return pc, true, nil
	}
	if words := p.norms(i, 4); len(words) >= 3 {
		if words[0] == "the" {
			words, pc.hi = words[1:], pc.hi+1
		}
		if len(words) >= 3 && words[0] == "day" && words[1] == "after" && words[2] == "tomorrow" {
			pc.from, pc.hi = dateSpec{kind: dRelative, days: 2}, pc.hi+2
			return pc, true, nil
		}
		pc.hi = i + 1
	}
	if i+1 < len(toks) {
		if wd, ok := weekdays[toks[i+1].norm]; ok {
			if nextWords[t] {
				pc.from, pc.hi = dateSpec{kind: dNextWeek, wd: wd}, i+2
				return pc, true, nil
			}
			if thisWords[t] {
				pc.from, pc.hi = dateSpec{kind: dWeekday, wd: wd}, i+2
				return pc, true, nil
			}
		}
	}
	if wd, ok := weekdays[t]; ok {
		if shortWeekdays[t] && !p.weekdayContext(i, c) {
			return piece{}, false, nil
		}
		pc.from = dateSpec{kind: dWeekday, wd: wd}
		return pc, true, nil
	}
	if clockConnectors[c.conn] && isDottedClock(t) {
		return piece{}, false, errAt(KindAmbiguous, toks[i].raw)
	}
	spec, ok, bad := numericDate(t)
	if bad != 0 {
		return piece{}, false, errAt(bad, toks[i].raw)
	}
	if ok {
		pc.from = spec
		return pc, true, nil
	}
	return p.monthDate(i)
}

// monthDate matches "25 ноября", "Nov 25", "25-28 Nov", "Nov 25-28", each
// with an optional year.
func (p *parser) monthDate(i int) (piece, bool, error) {
	toks := p.toks
	if i+1 >= len(toks) {
		return piece{}, false, nil
	}
	var m time.Month
	var dayTok string
	if mm, ok := months[toks[i].norm]; ok {
		m, dayTok = mm, toks[i+1].norm
	} else if mm, ok := months[toks[i+1].norm]; ok {
		m, dayTok = mm, toks[i].norm
	} else {
		return piece{}, false, nil
	}
	pc := piece{kind: pDate, at: i, hi: i + 2}
	a, b, isRange := dayRange(dayTok)
	if !isRange {
		d, ok := dayNumber(dayTok)
		if !ok {
			return piece{}, false, nil
		}
		a = d
	}
	y := 0
	if pc.hi < len(toks) {
		if v, ok := digits(toks[pc.hi].norm, 4); ok && len(toks[pc.hi].norm) == 4 {
			y, pc.hi = v, pc.hi+1
			if pc.hi < len(toks) && yearWords[toks[pc.hi].norm] {
				pc.hi++
			}
		}
	}
	pc.from = dateSpec{kind: dCalendar, d: a, m: m, y: y}
	if isRange {
		pc.kind = pDateRange
		pc.to = dateSpec{kind: dCalendar, d: b, m: m, y: y}
	}
	if !pc.from.valid() || (isRange && !pc.to.valid()) {
		return piece{}, false, errAt(KindBadDate, p.text(pc))
	}
	return pc, true, nil
}

// weekdayContext reports whether the short English weekday at i is meant as
// one: after "on" or "this", as the last word, or next to another date or
// time word. So "Gym mon 1pm", "Fri 27 Nov" and "Exam sat" name days,
// "the sun rises" does not.
func (p *parser) weekdayContext(i int, c ctx) bool {
	if c.conn == "on" || i == len(p.toks)-1 {
		return true
	}
	if (i > 0 && looksWhen(p.toks[i-1].norm)) || looksWhen(p.toks[i+1].norm) {
		return true
	}
	_, ok, _ := p.monthDate(i + 1) // "Fri 27 Nov"
	return ok
}

// looksWhen is a cheap guess whether s is a date, time or duration word.
func looksWhen(s string) bool {
	if _, ok := relativeDays[s]; ok {
		return true
	}
	if _, ok := months[s]; ok {
		return true
	}
	if _, ok := weekdays[s]; ok && !shortWeekdays[s] {
		return true
	}
	if s == "at" || s == "-" {
		return true
	}
	if _, _, ok, bad := clockToken(s); ok || bad {
		return true
	}
	if a, b, ok := cutDash(s); ok { // "10:00-11:30", "1-2pm"
		_, _, okA, _ := clockToken(a)
		_, _, okB, _ := clockToken(b)
		if okA || okB {
			return true
		}
	}
	if _, ok, bad := numericDate(s); ok || bad != 0 {
		return true
	}
	_, ok := gluedDuration(s)
	return ok
}

// isDottedClock reports whether s looks like a time written with a dot,
// "10.30", which Parse refuses to guess about after "в" or "at".
func isDottedClock(s string) bool {
	h, m, ok := strings.Cut(s, ".")
	hh, ok1 := digits(h, 2)
	mm, ok2 := digits(m, 2)
	return ok && ok1 && ok2 && len(m) == 2 && hh <= 23 && mm <= 59
}

// day is a calendar date as midnight UTC, for date arithmetic.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// resolve returns the date s names counting from base (today, or the first
// day of a range): relative days from base, the next weekday on or after base,
// and for a calendar date without a year its next occurrence on or after base.
func (s dateSpec) resolve(base time.Time) (time.Time, bool) {
	switch s.kind {
	case dRelative:
		return base.AddDate(0, 0, s.days), true
	case dWeekday:
		return base.AddDate(0, 0, (int(s.wd)-int(base.Weekday())+7)%7), true
	case dNextWeek:
		return nextWeek(base, s.wd), true
	}
	if s.y != 0 {
		return day(s.y, s.m, s.d), s.valid()
	}
	// 29.02 comes back within eight years; other dates within one.
	for y := base.Year(); y <= base.Year()+8; y++ {
		if s.d <= daysIn(s.m, y) {
			if d := day(y, s.m, s.d); !d.Before(base) {
				return d, true
			}
		}
	}
	return time.Time{}, false
}
