package draft

import (
	"strings"
	"time"
)

// clock is a wall-clock time; h is 24 only for "24:00", allowed as a range end.
type clock struct{ h, m int }

func (c clock) minutes() int { return c.h*60 + c.m }

var namedClocks = map[string]clock{
	"noon": {12, 0}, "midnight": {0, 0}, "полдень": {12, 0}, "полночь": {0, 0},
}

// clockToken parses one word as a time: "13:00", "9:30", "24:00", "1pm",
// "1:30pm", "12a.m", "noon", "полночь". mer is the glued am/pm, if any. bad
// is set for words shaped like a time that name none: "25:00", "13pm".
func clockToken(s string) (c clock, mer string, ok, bad bool) {
	if c, ok := namedClocks[s]; ok {
		return c, "", true, false
	}
	body := s
	for _, suf := range []string{"a.m", "p.m", "am", "pm"} {
		if b, found := strings.CutSuffix(s, suf); found {
			body, mer = b, suf
			break
		}
	}
	hs, ms, colon := strings.Cut(body, ":")
	h, okH := digits(hs, 2)
	if !okH || (!colon && mer == "") {
		return clock{}, "", false, false
	}
	if colon {
		m, okM := digits(ms, 2)
		if !okM || len(ms) != 2 {
			return clock{}, "", false, false
		}
		c.m = m
	}
	c.h = h
	if mer != "" {
		if c.h, ok = applyMeridiem(h, mer); !ok {
			return clock{}, "", false, true
		}
	}
	if c.m > 59 || c.h > 24 || (c.h == 24 && c.m != 0) {
		return clock{}, "", false, true
	}
	return c, mer, true, false
}

// applyMeridiem turns a 12-hour h into 24-hour time. Russian: "утра" 1-11,
// "дня" 12 and 1-6, "вечера" 4-11, "ночи" 12 (midnight), 1-5 and 9-11.
func applyMeridiem(h int, mer string) (int, bool) {
	switch mer {
	case "am", "a.m":
		return h % 12, h >= 1 && h <= 12
	case "pm", "p.m":
		return h%12 + 12, h >= 1 && h <= 12
	case "утра":
		return h, h >= 1 && h <= 11
	case "дня":
		return h%12 + 12, h == 12 || (h >= 1 && h <= 6)
	case "вечера":
		return h + 12, h >= 4 && h <= 11
	case "ночи":
		if h >= 9 && h <= 11 {
			return h + 12, true
		}
		return h % 12, h == 12 || (h >= 1 && h <= 5)
	}
	return 0, false
}

// meridiemAt reports whether token j is a meridiem word here. "дня" is also
// the plural of "день" (2 дня = 2 days), so it counts only after a clock
// connector or inside a range: "в 3 дня", "с 1 до 3 дня".
func (p *parser) meridiemAt(j int, c ctx) bool {
	if j >= len(p.toks) {
		return false
	}
	w := p.toks[j].norm
	return meridiems[w] && (w != "дня" || c.clockish())
}

// clock matches a time at i: a clock word, optionally followed by a
// meridiem ("9:30 pm", "9:30 вечера"), or a bare hour followed by a meridiem
// ("7 pm", "10 утра"), by "часа" after a clock connector ("в 2 часа"), or on
// its own after a clock connector ("at 9", "в 9").
func (p *parser) clock(i int, c ctx) (piece, bool, error) {
	toks := p.toks
	t := toks[i].norm
	pc := piece{kind: pTime, at: i, hi: i + 1}
	cl, mer, ok, bad := clockToken(t)
	if bad {
		return piece{}, false, errAt(KindBadTime, toks[i].raw)
	}
	if ok {
		_, named := namedClocks[t]
		if mer == "" && !named && p.meridiemAt(i+1, c) {
			mer, pc.hi = toks[i+1].norm, i+2
			h, ok := applyMeridiem(cl.h, mer)
			if !ok {
				return piece{}, false, errAt(KindBadTime, p.text(pc))
			}
			cl.h = h
		}
		pc.start, pc.mer = cl, mer
		return pc, true, nil
	}
	h, isNum := digits(t, 2)
	if !isNum {
		return piece{}, false, nil
	}
	if c.clockish() && i+1 < len(toks) && clockHourWords[toks[i+1].norm] && h <= 23 {
		pc.hi = i + 2
	}
	if p.meridiemAt(pc.hi, c) {
		mer, pc.hi = toks[pc.hi].norm, pc.hi+1
		hh, ok := applyMeridiem(h, mer)
		if !ok {
			return piece{}, false, errAt(KindBadTime, p.text(pc))
		}
		h = hh
	}
	if pc.hi == i+1 && !(clockConnectors[c.conn] && h <= 23) && !(h <= 12 && p.nearPart(i)) {
		return piece{}, false, nil
	}
	pc.start, pc.mer = clock{h, 0}, mer
	return pc, true, nil
}

// amount parses "90", "1.5" or "1,5": whole and fractional part, the latter
// scaled to sixtieths so that 1.5 hours is 90 minutes.
func amount(s string, frac bool) (whole, sixtieths int, ok bool) {
	w, f, hasFrac := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	whole, ok = digits(w, 9)
	if !ok || !hasFrac {
		return whole, 0, ok
	}
	fv, okF := digits(f, 2)
	if !frac || !okF {
		return 0, 0, false
	}
	scale := 10
	if len(f) == 2 {
		scale = 100
	}
	return whole, fv * 60 / scale, true
}

// gluedDuration parses one-word durations: "1h", "90m", "1.5h", "1h30m",
// "1ч30", "45мин". isHour is set if the word ends with its hours part.
func gluedDuration(s string) (mins int, ok bool) {
	mins, _, ok = glued(s)
	return mins, ok
}

func glued(s string) (mins int, isHour, ok bool) {
	k := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != ',' })
	if k <= 0 {
		return 0, false, false
	}
	num, unit := s[:k], s[k:]
	if hourUnits[unit] {
		w, f, ok := amount(num, true)
		return w*60 + f, f == 0, ok
	}
	if minuteUnits[unit] {
		w, _, ok := amount(num, false)
		return w, false, ok
	}
	h, okH := digits(num, 9)
	for _, hu := range []string{"h", "ч"} {
		rest, found := strings.CutPrefix(unit, hu)
		if !found || !okH {
			continue
		}
		j := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if j < 0 {
			j = len(rest)
		}
		m, okM := digits(rest[:j], 2)
		if okM && (j == len(rest) || minuteUnits[rest[j:]]) {
			return h*60 + m, false, true
		}
	}
	return 0, false, false
}

// durPart matches one part of a duration at i and reports how many words it
// took and whether it was a whole number of hours that minutes may follow.
func (p *parser) durPart(i int) (mins int, isHour bool, n int, ok bool) {
	if i >= len(p.toks) {
		return 0, false, 0, false
	}
	t := p.toks[i].norm
	if t == "полчаса" {
		return 30, false, 1, true
	}
	if mins, isHour, ok := glued(t); ok {
		return mins, isHour, 1, true
	}
	if i+1 >= len(p.toks) {
		return 0, false, 0, false
	}
	unit := p.toks[i+1].norm
	if t == "полтора" && hourUnits[unit] {
		return 90, false, 2, true
	}
	if hourUnits[unit] {
		w, f, ok := amount(t, true)
		return w*60 + f, f == 0, 2, ok
	}
	if minuteUnits[unit] {
		w, _, ok := amount(t, false)
		return w, false, 2, ok
	}
	return 0, false, 0, false
}

// duration matches "1h", "90m", "1h30m", "1h 30m", "1.5h", "1ч 30м",
// "1 час 30 минут", "полчаса", "полтора часа".
func (p *parser) duration(i int) (piece, bool, error) {
	mins, isHour, n, ok := p.durPart(i)
	if !ok {
		return piece{}, false, nil
	}
	pc := piece{kind: pDuration, at: i, hi: i + n}
	if isHour {
		if m, h, n, ok := p.durPart(pc.hi); ok && !h && m < 60 {
			mins, pc.hi = mins+m, pc.hi+n
		}
	}
	if mins <= 0 || mins > int(MaxDuration/time.Minute) {
		return piece{}, false, errAt(KindBadRange, p.text(pc))
	}
	pc.dur = time.Duration(mins) * time.Minute
	return pc, true, nil
}

// nearPart reports whether a part of the day stands right before or after
// word i, so that a bare hour there is a time: "tonight 8", "9 вечером".
func (p *parser) nearPart(i int) bool {
	if n := len(p.pieces); n > 0 && p.pieces[n-1].kind == pPart && p.pieces[n-1].hi == i {
		return true
	}
	if i+1 >= len(p.toks) {
		return false
	}
	next := p.toks[i+1].norm
	if next == "tonight" || partAdverbs[next] != 0 {
		return true
	}
	if i+2 < len(p.toks) && (next == "this" || next == "in") {
		k := i + 2
		if next == "in" && p.toks[k].norm == "the" && k+1 < len(p.toks) {
			k++
		}
		return partNouns[p.toks[k].norm] != 0
	}
	return false
}
