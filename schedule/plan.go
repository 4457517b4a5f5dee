package schedule

import (
	"fmt"
	"slices"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// item is a planned Due, kept small since a chat has many: a reminder points
// at its event in the chat's last read instead of holding a copy, its key
// is made when needed, and due builds the whole Due only when it is handed
// over. eff is the moment it is to be handed over: its moment, or the end
// of the chat's quiet hours when they hold it.
type item struct {
	kind   Kind
	chat   int64
	moment time.Time // Due.At
	eff    time.Time
	at     time.Time // when the loop looks at it: eff, or a retry
	loc    *time.Location
	ev     *keptEvent // a reminder's event, in its chat's events
	lead   time.Duration
	stored *Due // a snooze or the revoked notice: handed as it is
	silent bool
	late   bool
	held   bool
}

// key is the Due's Key.
func (it item) key() string {
	switch {
	case it.stored != nil:
		return it.stored.Key
	case it.kind == Agenda:
		return AgendaKey(it.chat, it.date())
	default:
		return reminderKey(it.chat, it.ev.calendarID, it.ev.id, it.ev.start, it.lead)
	}
}

// date is the local date an agenda covers: midnight of its moment's day.
func (it item) date() time.Time {
	l := it.moment.In(it.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, it.loc)
}

// due is the Due that it hands over.
func (it item) due() Due {
	if it.stored != nil {
		d := *it.stored
		d.Silent, d.Late = it.silent, it.late
		return d
	}
	d := Due{Key: it.key(), Kind: it.kind, ChatID: it.chat, At: it.moment, Late: it.late, Silent: it.silent, Zone: it.loc.String(), Lead: it.lead}
	if it.ev != nil {
		d.Event = it.ev.full(it.loc)
	}
	if it.kind == Agenda {
		d.Date = it.date()
	}
	return d
}

// storedItem is the item of a stored Due: a snooze or the revoked notice.
func storedItem(d Due, eff time.Time) item {
	return item{kind: d.Kind, chat: d.ChatID, moment: d.At, eff: eff, stored: &d}
}

// prefs are the parts of a chat's settings that planning needs, kept per
// chat instead of the whole storage.Settings: many chats stay small.
type prefs struct {
	Agenda    storage.Agenda
	Reminders storage.Reminders
	Quiet     storage.Quiet
}

// DefaultLead is the reminder lead when neither the chat nor the event nor
// its calendar says one.
const DefaultLead = 10 * time.Minute

// Zone is the chat's effective zone: its override, else its calendar's zone,
// else UTC. An unknown name is UTC too.
func Zone(st storage.Settings) *time.Location {
	for _, name := range []string{st.ZoneOverride, st.Zone} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// AgendaKey names the agenda of chatID for a local date: at most one per date,
// whatever the zone or the time of day chosen.
func AgendaKey(chatID int64, date time.Time) string {
	return fmt.Sprintf("a:%d:%s", chatID, date.Format(time.DateOnly))
}

// ReminderKey names one reminder: (chat, calendar, event, occurrence start,
// lead). A moved event has a new start, so new keys.
func ReminderKey(chatID int64, e calendar.Event, lead time.Duration) string {
	return reminderKey(chatID, e.CalendarID, e.ID, e.Start.Unix(), lead)
}

func reminderKey(chatID int64, calendarID, eventID string, start int64, lead time.Duration) string {
	return fmt.Sprintf("r:%d:%s:%s:%d:%d", chatID, calendarID, eventID, start, int64(lead/time.Minute))
}

// agendas plans the agenda of the local dates around now (yesterday, today,
// tomorrow), so that one missed before midnight can still be caught up and
// the next one is always planned.
func agendas(chatID int64, st prefs, loc *time.Location, now time.Time) []item {
	if !st.Agenda.On {
		return nil
	}
	local := now.In(loc)
	var out []item
	for _, off := range []int{-1, 0, 1} {
		date := time.Date(local.Year(), local.Month(), local.Day()+off, 0, 0, 0, 0, loc)
		if st.Agenda.Weekdays && (date.Weekday() == time.Saturday || date.Weekday() == time.Sunday) {
			continue
		}
		at := time.Date(date.Year(), date.Month(), date.Day(), st.Agenda.At/60, st.Agenda.At%60, 0, 0, loc)
		it := item{kind: Agenda, chat: chatID, moment: at, loc: loc}
		out = append(out, quiet(it, st.Quiet, loc))
	}
	return out
}

// leads are the reminder leads of e for a chat: its fixed choices, else the
// event's popups (which carry the calendar's defaults where the event uses
// them), else DefaultLead.
func leads(st storage.Reminders, popups []time.Duration) []time.Duration {
	if len(st.Leads) > 0 {
		out := make([]time.Duration, len(st.Leads))
		for i, m := range st.Leads {
			out[i] = time.Duration(m) * time.Minute
		}
		return out
	}
	if len(popups) > 0 {
		return popups
	}
	return []time.Duration{DefaultLead}
}

// reminders plans the reminders of events: timed, not declined, not yet
// started at now (trim keeps only those).
func reminders(chatID int64, st prefs, loc *time.Location, events []keptEvent, now time.Time) []item {
	if st.Reminders.Off {
		return nil
	}
	var out []item
	for i := range events {
		e := &events[i]
		start := time.Unix(e.start, 0)
		if e.response == calendar.Declined || start.Before(now) {
			continue
		}
		ls := leads(st.Reminders, e.reminders)
		for j, lead := range ls {
			if lead < 0 || slices.Contains(ls[:j], lead) {
				continue
			}
			it := item{kind: Reminder, chat: chatID, moment: start.Add(-lead), loc: loc, ev: e, lead: lead}
			out = append(out, quiet(it, st.Quiet, loc))
		}
	}
	return out
}

// quiet applies the chat's quiet hours to it: silent, or held until they end.
func quiet(it item, q storage.Quiet, loc *time.Location) item {
	it.silent, it.held, it.eff = false, false, it.moment
	if !inQuiet(it.moment, q, loc) {
		return it
	}
	if !q.Hold {
		it.silent = true
		return it
	}
	it.eff, it.held = quietEnd(it.moment, q, loc), true
	return it
}

// inQuiet reports whether t falls in quiet hours [From, To) local minutes;
// From after To spans midnight, From equal to To is no quiet at all.
func inQuiet(t time.Time, q storage.Quiet, loc *time.Location) bool {
	if !q.On || q.From == q.To {
		return false
	}
	l := t.In(loc)
	m := l.Hour()*60 + l.Minute()
	if q.From < q.To {
		return m >= q.From && m < q.To
	}
	return m >= q.From || m < q.To
}

// quietEnd is the first local To after t.
func quietEnd(t time.Time, q storage.Quiet, loc *time.Location) time.Time {
	l := t.In(loc)
	end := time.Date(l.Year(), l.Month(), l.Day(), q.To/60, q.To%60, 0, 0, loc)
	if !end.After(t) {
		end = time.Date(l.Year(), l.Month(), l.Day()+1, q.To/60, q.To%60, 0, 0, loc)
	}
	return end
}
