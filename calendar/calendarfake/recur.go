package calendarfake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

// maxInstances bounds the expansion of a rule without COUNT or UNTIL when the
// list has no timeMax.
const maxInstances = 1000

// rule is the subset of RFC 5545 recurrence rules the fake understands.
type rule struct {
	days  int // days between instances: INTERVAL, times 7 for WEEKLY
	count int // 0: unbounded
	until time.Time
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
	r := &rule{days: 0}
	interval := 1
	for part := range strings.SplitSeq(body, ";") {
		k, v, _ := strings.Cut(part, "=")
		var err error
		switch k {
		case "FREQ":
			switch v {
			case "DAILY":
				r.days = 1
			case "WEEKLY":
				r.days = 7
			default:
				return nil, fmt.Errorf("unsupported FREQ %q", v)
			}
		case "COUNT":
			r.count, err = strconv.Atoi(v)
			if err == nil && r.count < 1 {
				err = errors.New("COUNT must be positive")
			}
		case "INTERVAL":
			interval, err = strconv.Atoi(v)
			if err == nil && interval < 1 {
				err = errors.New("INTERVAL must be positive")
			}
		case "UNTIL":
			r.until, err = time.Parse("20060102T150405Z", v)
			if err != nil {
				r.until, err = time.Parse("20060102", v)
				r.until = r.until.Add(24*time.Hour - time.Nanosecond)
			}
		default:
			err = errors.New("unsupported rule part")
		}
		if err != nil {
			return nil, fmt.Errorf("recurrence %q: %s: %v", lines[0], k, err)
		}
	}
	if r.days == 0 {
		return nil, fmt.Errorf("recurrence %q: FREQ missing", lines[0])
	}
	r.days *= interval
	return r, nil
}

// instances expands a recurring event into its instances that start before
// bound (if not zero), as Google lists them with singleEvents=true: ids like
// "<id>_20261121T090000Z" (timed, UTC) or "<id>_20261121" (all-day).
// Timed instances keep the wall-clock time in the event's zone across DST.
func instances(a *account, name string, e *gcal.Event, loc *time.Location, bound time.Time) []*gcal.Event {
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
	spanDays := int(end.Sub(start).Hours()/24 + 0.5)

	var out []*gcal.Event
	for i := 0; i < maxInstances; i++ {
		if r.count > 0 && i >= r.count {
			break
		}
		st := start.AddDate(0, 0, i*r.days)
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
		out = append(out, &in)
	}
	return out
}
