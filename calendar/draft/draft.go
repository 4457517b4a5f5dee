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
	// last day (exclusive), both in now's location.
	Start, End time.Time
}

// Equal reports whether d and o have the same title and kind and start and
// end at the same instants, whatever their locations.
func (d Draft) Equal(o Draft) bool {
	return d.Title == o.Title && d.AllDay == o.AllDay && d.Start.Equal(o.Start) && d.End.Equal(o.End)
}

// Parse reads a /add phrase such as "Lunch tomorrow 13:00-14:00" relative to
// now; the draft's times are in now's location. Every error it returns is an
// *Error whose Kind says what is wrong. Parse never panics and reads at most
// MaxLen bytes.
func Parse(text string, now time.Time) (Draft, error) {
	if len(text) > MaxLen {
		return Draft{}, errAt(KindTooLong, "")
	}
	p := &parser{toks: tokenize(text)}
	if len(p.toks) == 0 {
		return Draft{}, errAt(KindEmpty, "")
	}
	if err := p.scan(); err != nil {
		return Draft{}, err
	}
	w, err := p.collect()
	if err != nil {
		return Draft{}, err
	}
	title := p.title()
	if title == "" {
		return Draft{}, errAt(KindNoTitle, "")
	}
	d, err := w.resolve(p, now)
	if err != nil {
		return Draft{}, err
	}
	d.Title = title
	return d, nil
}

// title joins the words that are not part of a piece.
func (p *parser) title() string {
	used := make([]bool, len(p.toks))
	for _, pc := range p.pieces {
		for j := pc.lo; j < pc.hi; j++ {
			used[j] = true
		}
	}
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
	date *piece // pDate other than a weekday, or pDateRange
	wd   *piece // pDate with a weekday
	tm   *piece // pTime or pTimeRange
	dur  *piece
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
		}
		if *slot != nil {
			return w, errAt(KindAmbiguous, p.text(*pc))
		}
		*slot = pc
	}
	switch {
	case w.tm != nil && w.tm.kind == pTimeRange && w.dur != nil:
		return w, errAt(KindAmbiguous, p.text(*w.dur))
	case w.date != nil && w.date.kind == pDateRange && w.tm != nil:
		return w, errAt(KindAmbiguous, p.text(*w.tm))
	case w.date != nil && w.date.kind == pDateRange && w.wd != nil:
		return w, errAt(KindAmbiguous, p.text(*w.wd))
	case w.dur != nil && w.tm == nil:
		return w, errAt(KindNoStart, p.text(*w.dur))
	case w.date == nil && w.wd == nil && w.tm == nil:
		return w, errAt(KindNoWhen, "")
	case w.tm != nil && w.tm.start.h == 24:
		return w, errAt(KindBadTime, p.text(*w.tm))
	}
	return w, nil
}

// resolve places w on the calendar as seen at now.
func (w when) resolve(p *parser, now time.Time) (Draft, error) {
	loc := now.Location()
	today := day(now.Date())
	first, last := today, today
	if w.date != nil {
		var ok bool
		if first, ok = w.date.from.resolve(today); !ok {
			return Draft{}, errAt(KindBadDate, p.text(*w.date))
		}
		last = first
		if w.date.kind == pDateRange {
			base := first
			if w.date.to.kind == dRelative {
				base = today
			}
			if last, ok = w.date.to.resolve(base); !ok {
				return Draft{}, errAt(KindBadDate, p.text(*w.date))
			}
			if last.Before(first) || last.Sub(first) >= MaxDays*24*time.Hour {
				return Draft{}, errAt(KindBadRange, p.text(*w.date))
			}
		}
		if w.wd != nil && first.Weekday() != w.wd.from.wd {
			return Draft{}, errAt(KindAmbiguous, p.text(*w.wd))
		}
	} else if w.wd != nil {
		first, _ = w.wd.from.resolve(today)
		last = first
	}
	at := func(d time.Time, c clock) time.Time { return wall(d.Year(), d.Month(), d.Day(), c, loc) }
	if w.tm == nil {
		return Draft{AllDay: true, Start: at(first, clock{}), End: at(last.AddDate(0, 0, 1), clock{})}, nil
	}
	tm := *w.tm
	start := at(first, tm.start)
	if w.date == nil && first.Equal(today) && start.Before(now) {
		// A time alone that has passed means tomorrow; a weekday that is
		// today with a time that has passed means next week.
		if w.wd != nil {
			first = first.AddDate(0, 0, 7)
		} else {
			first = first.AddDate(0, 0, 1)
		}
		start = at(first, tm.start)
	}
	end := start.Add(time.Hour)
	switch {
	case tm.kind == pTimeRange:
		endDay := first
		if tm.end.minutes() <= tm.start.minutes() {
			endDay = first.AddDate(0, 0, 1) // 22:00-01:00 ends the next day
		}
		if tm.end.minutes() == tm.start.minutes() {
			return Draft{}, errAt(KindBadRange, p.text(tm))
		}
		end = at(endDay, tm.end)
	case w.dur != nil:
		end = start.Add(w.dur.dur)
	}
	if !end.After(start) || end.Sub(start) > MaxDuration {
		return Draft{}, errAt(KindBadRange, p.text(tm))
	}
	return Draft{Start: start, End: end}, nil
}

// wall returns the instant of a wall-clock time in loc. A time that a
// daylight-saving gap skips (02:30 on a spring-forward night) is read with
// the offset from before the gap, as RFC 5545 says and calendars do, so it
// lands after the gap (03:30), never before it. A time that occurs twice
// takes its first occurrence.
func wall(y int, m time.Month, d int, c clock, loc *time.Location) time.Time {
	t := time.Date(y, m, d, c.h, c.m, 0, 0, loc)
	want := time.Date(y, m, d, c.h, c.m, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if gap := want.Sub(got); gap > 0 {
		t = t.Add(gap)
	}
	return t
}
