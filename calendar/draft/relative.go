package draft

import "time"

// relative matches a moment counted from now: "in 30 minutes", "in an
// hour", "через полчаса" (pMoment), or a day counted from today: "in 3
// days", "in a week", "через неделю" (a pDate).
func (p *parser) relative(i int, c ctx) (piece, bool, error) {
	if !inWords[p.toks[i].norm] || i+1 >= len(p.toks) {
		return piece{}, false, nil
	}
	if days, n, ok := p.dayCount(i + 1); ok {
		return piece{kind: pDate, from: dateSpec{kind: dRelative, days: days}, at: i, hi: i + 1 + n}, true, nil
	}
	d, ok, err := p.anyDuration(i + 1)
	if !ok || err != nil {
		return piece{}, false, err
	}
	d.kind, d.at = pMoment, i
	return d, true, nil
}

// dayCount matches a number of days or weeks at j: "3 days", "a week",
// "2 недели", "неделю" (one week). "день" alone is not read: "через день"
// also means "every other day".
func (p *parser) dayCount(j int) (days, n int, ok bool) {
	if j >= len(p.toks) {
		return 0, 0, false
	}
	if p.toks[j].norm == "неделю" {
		return 7, 1, true
	}
	if j+1 >= len(p.toks) {
		return 0, 0, false
	}
	num, isNum := digits(p.toks[j].norm, 3)
	if oneWords[p.toks[j].norm] {
		num, isNum = 1, true
	}
	unit := p.toks[j+1].norm
	switch {
	case !isNum || num < 1:
		return 0, 0, false
	case dayUnits[unit]:
		return num, 2, true
	case weekUnits[unit]:
		return 7 * num, 2, true
	}
	return 0, 0, false
}

// anyDuration matches a duration at j, including those said in words that
// only count after "for", "на", "in" or "через": "an hour", "half an hour",
// "час".
func (p *parser) anyDuration(j int) (piece, bool, error) {
	if j >= len(p.toks) {
		return piece{}, false, nil
	}
	words := p.norms(j, 3)
	pc := piece{kind: pDuration, at: j}
	switch {
	case words[0] == "час":
		pc.dur, pc.hi = time.Hour, j+1
	case len(words) >= 2 && oneWords[words[0]] && (words[1] == "hour" || words[1] == "hr"):
		pc.dur, pc.hi = time.Hour, j+2
	case len(words) == 3 && words[0] == "half" && oneWords[words[1]] && words[2] == "hour":
		pc.dur, pc.hi = 30*time.Minute, j+3
	case words[0] == "минуту":
		pc.dur, pc.hi = time.Minute, j+1
	case len(words) >= 2 && words[0] == "a" && words[1] == "minute":
		pc.dur, pc.hi = time.Minute, j+2
	default:
		return p.duration(j)
	}
	return pc, true, nil
}

// part matches a part of the day: "tonight", "this morning", "утром",
// "вечером", "in the evening", and after a date or a rule "morning",
// "afternoon", "evening", "night" ("tomorrow morning", "every evening").
func (p *parser) part(i int, c ctx) (piece, bool, error) {
	t := p.toks[i].norm
	pc := piece{kind: pPart, at: i, hi: i + 1}
	next := ""
	if i+1 < len(p.toks) {
		next = p.toks[i+1].norm
	}
	switch {
	case t == "tonight":
		pc.part, pc.from = partEvening, dateSpec{kind: dRelative}
	case partAdverbs[t] != 0:
		pc.part = partAdverbs[t]
	case t == "this" && partNouns[next] != 0:
		pc.part, pc.from, pc.hi = partNouns[next], dateSpec{kind: dRelative}, i+2
	case t == "in" && next == "the" && i+2 < len(p.toks) && partNouns[p.toks[i+2].norm] != 0:
		pc.part, pc.hi = partNouns[p.toks[i+2].norm], i+3
	case partNouns[t] != 0 && p.afterWhen(i):
		pc.part = partNouns[t]
	default:
		return piece{}, false, nil
	}
	return pc, true, nil
}

// afterWhen reports whether the piece found last ends right before i and
// is a date or a rule, after which a bare part of the day counts.
func (p *parser) afterWhen(i int) bool {
	if len(p.pieces) == 0 {
		return false
	}
	last := p.pieces[len(p.pieces)-1]
	return last.hi == i && (last.kind == pDate || last.kind == pRepeat)
}

// inPart moves the clock c into part's window: "8 вечером" is 20:00, "9
// this morning" 09:00. A time with its own am/pm, or in 24-hour form, must
// already lie in the window. shifted says whether 12 hours were added.
func inPart(c clock, mer string, part int) (clock, bool, bool) {
	w := dayParts[part]
	in := func(h int) bool { return h >= w.from && h <= w.to }
	if in(c.h) {
		return c, false, true
	}
	if mer == "" && c.h < 12 && in(c.h+12) {
		return clock{c.h + 12, c.m}, true, true
	}
	return c, false, false
}

// nextWeek returns the day of weekday wd in the week after base's, weeks
// running Monday to Sunday: on Monday 23 Nov "next friday" is 4 Dec, on
// Saturday 21 Nov it is 27 Nov.
func nextWeek(base time.Time, wd time.Weekday) time.Time {
	monday := base.AddDate(0, 0, -((int(base.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7+(int(wd)+6)%7)
}
