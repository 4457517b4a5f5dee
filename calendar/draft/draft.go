// Package draft turns the words of a /add command, in English or Russian,
// into an event draft: "Lunch tomorrow 13:00-14:00", "Отпуск 25 ноября".
// The grammar is described in docs/ADD_GRAMMAR.md. Parsing is pure: the
// result depends only on the text and the clock passed in.
package draft

import (
	"strings"
	"time"
)

const (
	// MaxLen is the longest phrase Parse reads, in bytes.
	MaxLen = 512
	// MaxDuration is the longest timed event.
	MaxDuration = 14 * 24 * time.Hour
	// MaxDays is the most days an all-day event may span.
	MaxDays = 31
)

// Draft is an event described by a /add phrase, resolved against a clock.
type Draft struct {
	Title  string
	AllDay bool
	// Timed: Start/End are instants in now's location (End > Start).
	// All-day: Start is midnight of the first day, End is midnight after the
	// last day (exclusive), both in now's location. For a recurring draft
	// they are the first instance.
	Start, End time.Time
	// Repeat is how a recurring draft repeats, or nil for a single event.
	Repeat *Repeat
	// RRULE is Repeat as an RFC 5545 line ("RRULE:FREQ=WEEKLY;BYDAY=MO"),
	// computed in now's location; "" for a single event.
	RRULE string
}

// Equal reports whether d and o have the same title, kind and rule and
// start and end at the same instants, whatever their locations.
func (d Draft) Equal(o Draft) bool {
	return d.Title == o.Title && d.AllDay == o.AllDay && d.Start.Equal(o.Start) && d.End.Equal(o.End) && d.RRULE == o.RRULE
}

// Parse reads a /add phrase such as "Lunch tomorrow 13:00-14:00" relative to
// now; the draft's times are in now's location. Every error it returns is an
// *Error whose Kind says what is wrong. With KindUnusedWord it also returns
// the reading that keeps the word in the title, if the rest of the phrase
// makes one (else a zero Draft). Parse never panics and reads at most
// MaxLen bytes.
func Parse(text string, now time.Time) (Draft, error) {
	d, _, err := parse(text, now)
	return d, err
}

// parse is Parse, also returning the parser so that tests can see which
// words made the title.
func parse(text string, now time.Time) (Draft, *parser, error) {
	if len(text) > MaxLen {
		return Draft{}, nil, errAt(KindTooLong, "")
	}
	p := &parser{toks: tokenize(text)}
	if len(p.toks) == 0 {
		return Draft{}, p, errAt(KindEmpty, "")
	}
	if err := p.scan(); err != nil {
		return Draft{}, p, err
	}
	unused := p.unused()
	w, err := p.collect()
	if err != nil {
		if unused >= 0 {
			return Draft{}, p, p.unusedErr(unused, now)
		}
		return Draft{}, p, err
	}
	title := p.title()
	if title == "" {
		return Draft{}, p, errAt(KindNoTitle, "")
	}
	d, err := w.resolve(p, now)
	if err != nil {
		if unused >= 0 {
			return Draft{}, p, p.unusedErr(unused, now)
		}
		return Draft{}, p, err
	}
	d.Title = title
	if unused >= 0 {
		return d, p, p.unusedErr(unused, now)
	}
	return d, p, nil
}

// used marks the words that belong to a piece.
func (p *parser) used() []bool {
	used := make([]bool, len(p.toks))
	for _, pc := range p.pieces {
		for j := pc.lo; j < pc.hi; j++ {
			used[j] = true
		}
	}
	return used
}

// title joins the words that are not part of a piece.
func (p *parser) title() string {
	used := p.used()
	var words []string
	for j, t := range p.toks {
		if !used[j] {
			words = append(words, t.raw)
		}
	}
	return strings.TrimFunc(strings.Join(words, " "), func(r rune) bool {
		return strings.ContainsRune(" ,.;:-–—…", r)
	})
}

// when is what the pieces of a phrase say, one of each at most.
type when struct {
	date  *piece // pDate other than a weekday, or pDateRange
	wd    *piece // pDate with a weekday
	tm    *piece // pTime or pTimeRange
	dur   *piece
	mom   *piece // pMoment
	part  *piece // pPart
	rep   *piece // pRepeat
	until *piece // pUntil
}

// collect sorts the pieces into a when and rejects combinations that make
// no sense.
func (p *parser) collect() (when, error) {
	var w when
	for k := range p.pieces {
		pc := &p.pieces[k]
		slot := &w.date
		switch {
		case pc.kind == pDate && pc.from.kind == dWeekday:
			slot = &w.wd
		case pc.kind == pTime || pc.kind == pTimeRange:
			slot = &w.tm
		case pc.kind == pDuration:
			slot = &w.dur
		case pc.kind == pMoment:
			slot = &w.mom
		case pc.kind == pPart:
			slot = &w.part
		case pc.kind == pRepeat:
			slot = &w.rep
		case pc.kind == pUntil:
			slot = &w.until
		}
		if *slot != nil {
			return w, errAt(KindAmbiguous, p.text(*pc))
		}
		*slot = pc
	}
	dateRange := w.date != nil && w.date.kind == pDateRange
	switch {
	case w.tm != nil && w.tm.kind == pTimeRange && w.dur != nil:
		return w, errAt(KindAmbiguous, p.text(*w.dur))
	case w.mom != nil && (w.date != nil || w.wd != nil || w.tm != nil || w.part != nil || w.rep != nil):
		return w, errAt(KindAmbiguous, p.text(*w.mom))
	case dateRange && w.rep == nil && w.tm != nil:
		return w, errAt(KindAmbiguous, p.text(*w.tm))
	case dateRange && w.rep == nil && w.part != nil:
		return w, errAt(KindAmbiguous, p.text(*w.part))
	case dateRange && w.wd != nil:
		return w, errAt(KindAmbiguous, p.text(*w.wd))
	case dateRange && w.until != nil:
		return w, errAt(KindAmbiguous, p.text(*w.until))
	case w.part != nil && w.part.from.kind != 0 && (w.date != nil || w.wd != nil):
		return w, errAt(KindAmbiguous, p.text(*w.part))
	case w.rep != nil && w.wd != nil && (w.rep.freq == Daily || len(w.rep.days) > 0):
		return w, errAt(KindAmbiguous, p.text(*w.wd))
	case w.dur != nil && w.tm == nil && w.part == nil && w.mom == nil:
		return w, errAt(KindNoStart, p.text(*w.dur))
	case w.date == nil && w.wd == nil && w.tm == nil && w.mom == nil && w.part == nil && w.rep == nil:
		return w, errAt(KindNoWhen, "")
	case w.tm != nil && w.tm.start.h == 24:
		return w, errAt(KindBadTime, p.text(*w.tm))
	}
	return w, nil
}
