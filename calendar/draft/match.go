package draft

import "time"

type pieceKind int

const (
	pDate      pieceKind = iota + 1 // from
	pDateRange                      // from, to
	pTime                           // start
	pTimeRange                      // start, end
	pDuration                       // dur
	pBare                           // a bare number inside a range: bare
	pMoment                         // now plus dur: "in 30 minutes"
	pPart                           // a part of the day: part, and from if it says today
	pRepeat                         // a rule: freq, interval, days
	pUntil                          // the last day of a series: from
)

// piece is a run of words that say when: toks[lo:hi], where toks[lo:at] is
// an optional connector.
type piece struct {
	kind       pieceKind
	from, to   dateSpec
	start, end clock
	mer        string // the meridiem word that set start, for "1-2pm"
	dur        time.Duration
	bare       int
	part       int // pPart: partMorning…
	freq       Freq
	interval   int
	days       []time.Weekday
	lo, at, hi int
}

// ctx is what precedes the words being matched.
type ctx struct {
	conn string // the connector just before, normalized
	rng  bool   // inside a range
}

// clockish reports whether a bare number here may be an hour.
func (c ctx) clockish() bool { return c.rng || clockConnectors[c.conn] }

type parser struct {
	toks   []token
	pieces []piece
}

// text returns the words of pc without its connector, as typed.
func (p *parser) text(pc piece) string { return joinRaw(p.toks, pc.at, pc.hi) }

// norms returns up to n normalized words from i on.
func (p *parser) norms(i, n int) []string {
	var out []string
	for j := i; j < len(p.toks) && j < i+n; j++ {
		out = append(out, p.toks[j].norm)
	}
	return out
}

// scan finds the pieces left to right, each as long as possible. Every
// word is looked at a bounded number of times, so the work is linear.
func (p *parser) scan() error {
	for i := 0; i < len(p.toks); {
		pc, ok, err := p.at(i)
		if err != nil {
			return err
		}
		if !ok || pc.kind == pBare {
			i++
			continue
		}
		p.pieces = append(p.pieces, pc)
		i = pc.hi
	}
	return nil
}

// at matches a piece at i, taking a connector before it along.
func (p *parser) at(i int) (piece, bool, error) {
	if p.toks[i].quoted {
		return piece{}, false, nil
	}
	if pc, ok, err := p.until(i); ok || err != nil {
		return pc, ok, err
	}
	conn := p.toks[i].norm
	if connectors[conn] && i+1 < len(p.toks) {
		c := ctx{conn: conn}
		pc, ok, err := p.rangeAt(i+1, c)
		if err == nil && !ok {
			pc, ok, err = p.simple(i+1, c)
		}
		if err != nil || (ok && pc.kind != pBare) {
			pc.lo = i
			return pc, ok, err
		}
	}
	pc, ok, err := p.rangeAt(i, ctx{})
	if err == nil && !ok {
		pc, ok, err = p.simple(i, ctx{})
	}
	pc.lo = pc.at
	return pc, ok, err
}

// simple matches one date, time or duration at i, or inside a range a bare
// number whose meaning the other end decides.
func (p *parser) simple(i int, c ctx) (piece, bool, error) {
	if pc, ok, err := p.repeat(i, c); ok || err != nil {
		return pc, ok, err
	}
	if pc, ok, err := p.relative(i, c); ok || err != nil {
		return pc, ok, err
	}
	if pc, ok, err := p.part(i, c); ok || err != nil {
		return pc, ok, err
	}
	if pc, ok, err := p.date(i, c); ok || err != nil {
		return pc, ok, err
	}
	if pc, ok, err := p.clock(i, c); ok || err != nil {
		return pc, ok, err
	}
	if c.conn == "for" || c.conn == "на" {
		if pc, ok, err := p.anyDuration(i); ok || err != nil {
			return pc, ok, err
		}
	} else if pc, ok, err := p.duration(i); ok || err != nil {
		return pc, ok, err
	}
	if n, ok := digits(p.toks[i].norm, 2); ok && c.rng {
		return piece{kind: pBare, bare: n, at: i, hi: i + 1}, true, nil
	}
	return piece{}, false, nil
}

// rangeAt matches a range at i: glued ("13:00-14:00", "25.11-28.11") or
// spaced ("13:00 - 14:00", "from 9 to 11", "с 25 по 28 ноября"). Bare
// numbers are allowed at both ends only after "from" or "с".
func (p *parser) rangeAt(i int, c ctx) (piece, bool, error) {
	if pc, ok, err := p.gluedRange(i, c); ok || err != nil {
		return pc, ok, err
	}
	lead := rangeLeads[c.conn]
	a, ok, err := p.simple(i, ctx{conn: c.conn, rng: lead})
	if err != nil || !ok || a.hi+1 >= len(p.toks) {
		return piece{}, false, err
	}
	sep := p.toks[a.hi].norm
	if !rangeSeps[sep] || (a.kind != pTime && a.kind != pDate && a.kind != pBare) {
		return piece{}, false, nil
	}
	b, ok, err := p.simple(a.hi+1, ctx{conn: sep, rng: lead})
	if err != nil || !ok {
		return piece{}, false, err
	}
	pc, ok := join(a, b, lead, dateOnlySeps[sep])
	if ok {
		pc.hi = b.hi
	}
	return pc, ok, nil
}

// join makes a range of two ends, or reports that they make none.
func join(a, b piece, lead, datesOnly bool) (piece, bool) {
	pc := piece{at: a.at, hi: b.hi}
	switch {
	case a.kind == pDate && b.kind == pDate:
		pc.kind, pc.from, pc.to = pDateRange, a.from, b.from
		return pc, true
	case a.kind == pBare && b.kind == pDate && b.from.kind == dCalendar:
		pc.kind, pc.to = pDateRange, b.from
		pc.from = dateSpec{kind: dCalendar, d: a.bare, m: b.from.m, y: b.from.y}
		return pc, pc.from.valid()
	case datesOnly:
		return piece{}, false
	case a.kind == pTime && b.kind == pTime:
		pc.kind, pc.start, pc.end = pTimeRange, a.start, b.start
		return pc, true
	case !lead:
		return piece{}, false
	case a.kind == pBare && b.kind == pTime:
		pc.kind, pc.start, pc.end = pTimeRange, inherit(a.bare, b), b.start
		return pc, a.bare <= 23
	case a.kind == pTime && b.kind == pBare:
		pc.kind, pc.start, pc.end = pTimeRange, a.start, clock{b.bare, 0}
		return pc, b.bare <= 24
	case a.kind == pBare && b.kind == pBare:
		pc.kind, pc.start, pc.end = pTimeRange, clock{a.bare, 0}, clock{b.bare, 0}
		return pc, a.bare <= 23 && b.bare <= 24
	}
	return piece{}, false
}

// inherit reads the bare start hour h of a range ending at b: with b's
// meridiem if that puts it before b ("1-2pm" is 13-14), else as a 24-hour
// hour ("11-1pm" is 11-13, "from 9 to 17:00" is 9-17).
func inherit(h int, b piece) clock {
	if b.mer != "" {
		if hh, ok := applyMeridiem(h, b.mer); ok && hh*60 < b.start.minutes() {
			return clock{hh, 0}
		}
	}
	return clock{h, 0}
}

// gluedRange matches ranges written as one word: "13:00-14:00", "1-2pm",
// "9:30-11", "25.11-28.11", "25-28.11", and "25-28 ноября" (two words).
func (p *parser) gluedRange(i int, c ctx) (piece, bool, error) {
	t := p.toks[i].norm
	x, y, ok := cutDash(t)
	if !ok {
		return piece{}, false, nil
	}
	ha, bareA := digits(x, 2)
	hb, bareB := digits(y, 2)
	if bareA && bareB && i+1 < len(p.toks) {
		if _, ok := months[p.toks[i+1].norm]; ok {
			return p.monthDate(i)
		}
	}
	pc := piece{at: i, hi: i + 1}
	// Times.
	ca, _, okA, badA := clockToken(x)
	cb, merB, okB, badB := clockToken(y)
	if badA || badB {
		return piece{}, false, errAt(KindBadTime, p.toks[i].raw)
	}
	switch {
	case okA && okB:
		pc.kind, pc.start, pc.end = pTimeRange, ca, cb
		return pc, true, nil
	case bareA && okB && (merB != "" || c.clockish()) && ha <= 23:
		pc.kind, pc.start, pc.end = pTimeRange, inherit(ha, piece{mer: merB, start: cb}), cb
		return pc, true, nil
	case okA && bareB && hb <= 24:
		pc.kind, pc.start, pc.end = pTimeRange, ca, clock{hb, 0}
		return pc, true, nil
	case bareA && bareB && c.clockish() && ha <= 23 && hb <= 24:
		pc.kind, pc.start, pc.end = pTimeRange, clock{ha, 0}, clock{hb, 0}
		return pc, true, nil
	}
	// Dates.
	da, okA, badDA := numericDate(x)
	db, okB, badDB := numericDate(y)
	if badDA != 0 || badDB != 0 {
		return piece{}, false, errAt(max(badDA, badDB), p.toks[i].raw)
	}
	switch {
	case okA && okB:
		pc.kind, pc.from, pc.to = pDateRange, da, db
		return pc, true, nil
	case bareA && okB:
		pc.kind, pc.from, pc.to = pDateRange, dateSpec{kind: dCalendar, d: ha, m: db.m, y: db.y}, db
		if !pc.from.valid() {
			return piece{}, false, errAt(KindBadDate, p.toks[i].raw)
		}
		return pc, true, nil
	}
	return piece{}, false, nil
}
