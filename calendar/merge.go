package calendar

import "strconv"

// Dedupe returns evs without the later copies of an event seen through two
// calendars (the same ICalUID and start: a meeting in the user's calendar
// and in a shared one), keeping the order of the rest. Events without an
// ICalUID are all kept. It reuses evs' array.
func Dedupe(evs []Event) []Event {
	seen := make(map[string]bool, len(evs))
	out := evs[:0]
	for _, ev := range evs {
		if ev.ICalUID != "" {
			k := ev.ICalUID + "|" + strconv.FormatInt(ev.Start.UnixNano(), 10)
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, ev)
	}
	return out
}
