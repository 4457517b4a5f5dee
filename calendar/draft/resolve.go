package draft

import (
	"slices"
	"time"
)

// resolve places w on the calendar as seen at now.
func (w when) resolve(p *parser, now time.Time) (Draft, error) {
	loc := now.Location()
	if w.mom != nil {
		start := now.Truncate(time.Minute).Add(w.mom.dur)
		end := start.Add(time.Hour)
		if w.dur != nil {
			end = start.Add(w.dur.dur)
		}
		return Draft{Start: start, End: end}, nil
	}
	today := day(now.Date())
	first, last := today, today
	explicit := w.date != nil // a date that is never moved
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
			if last.Before(first) || (w.rep == nil && last.Sub(first) >= MaxDays*24*time.Hour) {
				return Draft{}, errAt(KindBadRange, p.text(*w.date))
			}
		}
		if w.wd != nil && w.rep == nil && first.Weekday() != w.wd.from.wd {
			return Draft{}, errAt(KindAmbiguous, p.text(*w.wd))
		}
	} else if w.part != nil && w.part.from.kind == dRelative {
		explicit = true // "tonight", "this morning"
	} else if w.wd != nil && w.rep == nil {
		first, _ = w.wd.from.resolve(today)
		last = first
	}

	var rep *Repeat
	if w.rep != nil {
		rep = &Repeat{Freq: w.rep.freq, Interval: w.rep.interval, Days: w.rep.days}
		if w.wd != nil {
			rep.Freq, rep.Days = Weekly, []time.Weekday{w.wd.from.wd}
		}
		if w.date != nil && w.date.kind == pDateRange {
			rep.Until, last = last, first // "с 1 по 10 декабря ежедневно"
		}
		if rep.Freq == Weekly && len(rep.Days) == 0 {
			rep.Days = []time.Weekday{first.Weekday()}
		}
		first = rep.next(first)
		last = first
		explicit = false
	}

	at := func(d time.Time, c clock) time.Time { return wall(d.Year(), d.Month(), d.Day(), c, loc) }
	var d Draft
	tm, err := w.clock(p)
	if err != nil {
		return Draft{}, err
	}
	if tm == nil {
		d = Draft{AllDay: true, Start: at(first, clock{}), End: at(last.AddDate(0, 0, 1), clock{})}
	} else {
		start := at(first, tm.start)
		if !explicit && first.Equal(today) && start.Before(now) {
			// A time alone that has passed means tomorrow; a weekday that is
			// today with a time that has passed means next week; a series
			// starts with its next instance.
			switch {
			case rep != nil:
				first = rep.next(first.AddDate(0, 0, 1))
			case w.wd != nil:
				first = first.AddDate(0, 0, 7)
			default:
				first = first.AddDate(0, 0, 1)
			}
			start = at(first, tm.start)
		}
		for k := 0; rep != nil && k < 7 && (start.Hour() != tm.start.h%24 || start.Minute() != tm.start.m); k++ {
			// A series whose first day skips its time (a spring-forward
			// gap) would be sent with the shifted time for every instance:
			// it starts with the next instance instead.
			first = rep.next(first.AddDate(0, 0, 1))
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
				return Draft{}, errAt(KindBadRange, p.text(*tm))
			}
			end = at(endDay, tm.end)
		case w.dur != nil:
			end = start.Add(w.dur.dur)
		}
		if !end.After(start) || end.Sub(start) > MaxDuration {
			return Draft{}, errAt(KindBadRange, p.text(*tm))
		}
		d = Draft{Start: start, End: end}
	}

	if rep != nil {
		if w.until != nil {
			u, ok := w.until.from.resolve(first)
			if !ok {
				return Draft{}, errAt(KindBadDate, p.text(*w.until))
			}
			rep.Until = u
		}
		if !rep.Until.IsZero() {
			if rep.Until.Before(first) {
				tok := w.date
				if w.until != nil {
					tok = w.until
				}
				return Draft{}, errAt(KindBadRange, p.text(*tok))
			}
			rep.Until = at(rep.Until, clock{})
		}
		d.Repeat, d.RRULE = rep, rep.rrule(d.Start, d.AllDay)
	}
	return d, nil
}

// clock returns the time piece, moved into the part of the day if one was
// given, or a time at the part's default hour, or nil for an all-day event.
func (w when) clock(p *parser) (*piece, error) {
	if w.part == nil {
		return w.tm, nil
	}
	part := dayParts[w.part.part]
	if w.tm == nil {
		return &piece{kind: pTime, start: clock{part.def, 0}, at: w.part.at, hi: w.part.hi}, nil
	}
	tm := *w.tm
	start, shifted, ok := inPart(tm.start, tm.mer, w.part.part)
	if !ok {
		return nil, errAt(KindAmbiguous, p.text(tm)+" "+p.text(*w.part))
	}
	tm.start = start
	if shifted && tm.kind == pTimeRange && tm.end.h < 12 && tm.end.h+12 > start.h {
		tm.end.h += 12 // "8-10 вечером", "tonight 7:00-9:30"
	}
	return &tm, nil
}

// next returns the first day on or after d that the rule has an instance
// on (d itself for a daily rule).
func (r *Repeat) next(d time.Time) time.Time {
	if r.Freq != Weekly {
		return d
	}
	for k := 0; k < 7; k++ {
		if slices.Contains(r.Days, d.Weekday()) {
			return d
		}
		d = d.AddDate(0, 0, 1)
	}
	return d
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
		return t.Add(gap)
	}
	// time.Date picks either instant of a repeated wall time (which one
	// depends on the zone's side of UTC): take the earlier one.
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		e := t.Add(-back)
		if e.Hour() == t.Hour() && e.Minute() == t.Minute() && e.Day() == t.Day() {
			return e
		}
	}
	return t
}
