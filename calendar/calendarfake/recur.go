package calendarfake

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

// maxInstances bounds the expansion of a rule without COUNT or UNTIL when the
// list has no timeMax.
const maxInstances = 1000

// rule is the subset of RFC 5545 recurrence rules the fake understands:
// FREQ=DAILY|WEEKLY with INTERVAL, BYDAY (plain weekdays), COUNT and UNTIL.
// Weeks start on Monday (WKST=MO, the default).
type rule struct {
	weekly   bool
	interval int
	byDay    []time.Weekday // empty: the start's day
	count    int            // 0: unbounded
	until    time.Time
	untilDay string // UNTIL as a date (all-day events): read in the calendar's zone
}

var dayCodes = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// on reports whether the day k days after start (a start on weekday wd)
// has an instance. The start itself always has one, as RFC 5545 says.
func (r *rule) on(k int, wd time.Weekday) bool {
	if k == 0 {
		return true
	}
	day := time.Weekday((int(wd) + k) % 7)
	if len(r.byDay) > 0 && !slices.Contains(r.byDay, day) {
		return false
	}
	if !r.weekly {
		return k%r.interval == 0
	}
	if len(r.byDay) == 0 {
		return k%(7*r.interval) == 0
	}
	week := (k + (int(wd)+6)%7) / 7 // weeks since the Monday of the start's week
	return week%r.interval == 0
}

// parseRule parses an event's recurrence lines; nil lines give a nil rule.
func parseRule(lines []string) (*rule, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	if len(lines) > 1 {
		return nil, errors.New("only one RRULE line is supported")
	}
	body, ok := strings.CutPrefix(lines[0], "RRULE:")
	if !ok {
		return nil, errors.New("only RRULE recurrence is supported")
	}
	r := &rule{interval: 1}
	freq := false
	for part := range strings.SplitSeq(body, ";") {
		k, v, _ := strings.Cut(part, "=")
		var err error
		switch k {
		case "FREQ":
			freq = true
			switch v {
			case "DAILY":
			case "WEEKLY":
				r.weekly = true
			default:
				return nil, fmt.Errorf("unsupported FREQ %q", v)
			}
		case "COUNT":
			r.count, err = strconv.Atoi(v)
			if err == nil && r.count < 1 {
				err = errors.New("COUNT must be positive")
			}
		case "INTERVAL":
			r.interval, err = strconv.Atoi(v)
			if err == nil && r.interval < 1 {
				err = errors.New("INTERVAL must be positive")
			}
		case "BYDAY":
			for code := range strings.SplitSeq(v, ",") {
				wd, ok := dayCodes[code]
				if !ok {
					err = fmt.Errorf("unsupported day %q", code)
					break
				}
				r.byDay = append(r.byDay, wd)
			}
		case "UNTIL":
			r.until, err = time.Parse("20060102T150405Z", v)
			if err != nil {
				_, err = time.Parse("20060102", v)
				r.untilDay = v
			}
		default:
			err = errors.New("unsupported rule part")
		}
		if err != nil {
			return nil, fmt.Errorf("recurrence %q: %s: %v", lines[0], k, err)
		}
	}
	if !freq {
		return nil, fmt.Errorf("recurrence %q: FREQ missing", lines[0])
	}
	return r, nil
}

// instances expands a recurring event into its instances that start before
// bound (if not zero), as Google lists them with singleEvents=true: ids like
// "<id>_20261121T090000Z" (timed, UTC) or "<id>_20261121" (all-day).
// Timed instances keep the wall-clock time in the event's zone across DST.
func instances(a *calData, name string, e *gcal.Event, loc *time.Location, bound time.Time) []*gcal.Event {
	r, err := parseRule(e.Recurrence)
	if err != nil || r == nil {
		return nil
	}
	allDay := e.Start.Date != ""
	zone := loc
	if tz := e.Start.TimeZone; !allDay && tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			zone = l
		}
	}
	start, end, err := span(e, zone)
	if err != nil {
		return nil
	}
	start = start.In(zone)
	dur := end.Sub(start)
	if r.untilDay != "" {
		day, _ := time.ParseInLocation("20060102", r.untilDay, zone)
		r.until = day.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	spanDays := int(end.Sub(start).Hours()/24 + 0.5)

	var out []*gcal.Event
	for k, n := 0, 0; n < maxInstances && k < 7*r.interval*maxInstances; k++ {
		if r.count > 0 && n >= r.count {
			break
		}
		if !r.on(k, start.Weekday()) {
			continue
		}
		n++
		st := start.AddDate(0, 0, k)
		if (!r.until.IsZero() && st.After(r.until)) || (!bound.IsZero() && !st.Before(bound)) {
			break
		}
		in := *e
		in.Recurrence = nil
		in.RecurringEventId = e.Id
		in.ForceSendFields, in.NullFields = nil, nil
		if allDay {
			in.Id = e.Id + "_" + st.Format("20060102")
			in.Start = &gcal.EventDateTime{Date: st.Format(time.DateOnly)}
			in.End = &gcal.EventDateTime{Date: st.AddDate(0, 0, spanDays).Format(time.DateOnly)}
		} else {
			in.Id = e.Id + "_" + st.UTC().Format("20060102T150405Z")
			tz := e.Start.TimeZone
			in.Start = &gcal.EventDateTime{DateTime: st.Format(time.RFC3339), TimeZone: tz}
			in.End = &gcal.EventDateTime{DateTime: st.Add(dur).Format(time.RFC3339), TimeZone: tz}
		}
		in.OriginalStartTime = &gcal.EventDateTime{Date: in.Start.Date, DateTime: in.Start.DateTime, TimeZone: in.Start.TimeZone}
		in.HtmlLink = htmlLink(in.Id, name)
		if a.gone[in.Id] {
			in.Status = "cancelled"
		}
		if ex, ok := a.byID[in.Id]; ok { // an instance changed by a patch
			out = append(out, ex)
			continue
		}
		out = append(out, &in)
	}
	return out
}
