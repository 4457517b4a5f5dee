package bot

import (
	"cmp"
	"context"
	"errors"
	"html"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// Calendars is what the views read from Google: one calendar's events over
// a window, and the user's calendar list. *calendar.Service is one.
type Calendars interface {
	// Span returns the events of calendarID overlapping [from, to),
	// declined ones included.
	Span(ctx context.Context, ts oauth2.TokenSource, calendarID string, from, to time.Time, zone *time.Location) (calendar.Span, error)
	// Calendars lists the user's calendars; it fails with calendar.ErrScope
	// when the grant lacks the calendar-list scope.
	Calendars(ctx context.Context, ts oauth2.TokenSource) ([]calendar.CalendarInfo, error)
}

// calendars returns the Calendars the views use: Config.Calendars, else
// Config.Calendar.
func (b *Bot) calendars() Calendars {
	if b.cfg.Calendars != nil {
		return b.cfg.Calendars
	}
	return b.cfg.Calendar
}

// view is a window of the chat's merged calendars.
type view struct {
	zone   *time.Location
	events []calendar.Event
	multi  bool // more than one calendar: lines name theirs
	// skipped names the shown calendars that could not be read: gone, or
	// beyond what the grant allows (then scope is set).
	skipped []string
	scope   bool
}

// chatZone returns the zone the chat's views use: the override, else the
// calendar's zone as remembered, else the calendar's zone asked of Google
// (and remembered).
func (b *Bot) chatZone(ctx context.Context, c chat, set storage.Settings) (*time.Location, error) {
	if z := effectiveZone(set); z != nil {
		return z, nil
	}
	var zone *time.Location
	err := b.google(c.id, func(ts oauth2.TokenSource) (err error) {
		zone, err = b.cfg.Calendar.Zone(ctx, ts)
		return err
	})
	if err != nil {
		return nil, err
	}
	b.saveZone(c.id, set.Zone, zone)
	return zone, nil
}

// window reads [from(zone), to(zone)) of every shown calendar, merges them,
// leaves out declined events and shows an event seen through two calendars
// once. from and to get the zone and pick the window in it.
func (b *Bot) window(ctx context.Context, c chat, set storage.Settings, zone *time.Location, from, to time.Time) (view, error) {
	cals := set.Shown()
	v := view{zone: zone, multi: len(cals) > 1}
	src := b.calendars()
	for _, cal := range cals {
		var sp calendar.Span
		err := b.google(c.id, func(ts oauth2.TokenSource) (err error) {
			sp, err = src.Span(ctx, ts, cal.ID, from, to, zone)
			return err
		})
		if cal.ID != "primary" && (errors.Is(err, calendar.ErrScope) || errors.Is(err, calendar.ErrNotFound)) {
			b.log.Info("shown calendar not readable", "chat_id", c.id, "err", err)
			v.skipped = append(v.skipped, cmpOr(cal.Name, cal.ID))
			v.scope = v.scope || errors.Is(err, calendar.ErrScope)
			continue
		}
		if err != nil {
			return view{}, err
		}
		if set.ZoneOverride == "" && sp.Zone != nil && cal.ID == "primary" {
			b.saveZone(c.id, set.Zone, sp.Zone)
		}
		for _, ev := range sp.Events {
			if ev.Response == calendar.Declined {
				continue
			}
			if cal.Name != "" {
				ev.CalendarName = cal.Name // the user's own name for it
			}
			if !ev.AllDay {
				ev.Start, ev.End = ev.Start.In(zone), ev.End.In(zone)
			}
			v.events = append(v.events, ev)
		}
	}
	v.events = calendar.Dedupe(v.events)
	sortEvents(v.events)
	return v, nil
}

// sortEvents orders all-day events first, then by start, then by title.
func sortEvents(evs []calendar.Event) {
	slices.SortStableFunc(evs, func(a, b calendar.Event) int {
		if a.AllDay != b.AllDay {
			if a.AllDay {
				return -1
			}
			return 1
		}
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Title, b.Title))
	})
}

// dayOf returns the events of v that overlap the local day starting at
// midnight date. An all-day event's dates are read in its own zone.
func dayOf(v view, date time.Time) calendar.Day {
	end := date.AddDate(0, 0, 1)
	d := calendar.Day{Zone: v.zone, Date: date}
	for _, ev := range v.events {
		if ev.AllDay {
			s := time.Date(ev.Start.Year(), ev.Start.Month(), ev.Start.Day(), 0, 0, 0, 0, v.zone)
			e := time.Date(ev.End.Year(), ev.End.Month(), ev.End.Day(), 0, 0, 0, 0, v.zone)
			if s.Before(end) && e.After(date) {
				ev.Start, ev.End = s, e
				d.Events = append(d.Events, ev)
			}
			continue
		}
		if ev.Start.Before(end) && ev.End.After(date) || ev.Start.Equal(date) {
			d.Events = append(d.Events, ev)
		}
	}
	return d
}

func midnightIn(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}

// viewStart is what every view needs first: the chat is linked (else it
// was told how to link), its settings, and the zone its views use. ok is
// false when the chat was already answered.
func (b *Bot) viewStart(ctx context.Context, c chat) (set storage.Settings, zone *time.Location, ok bool) {
	if _, ok := b.link(ctx, c); !ok {
		return set, nil, false
	}
	set = b.settings(c.id)
	zone, err := b.chatZone(ctx, c, set)
	if err != nil {
		b.calendarFailed(ctx, c, "read calendar zone", err)
		return set, nil, false
	}
	return set, zone, true
}

// viewDays answers /today (offset 0) and /tomorrow (offset 1).
func (b *Bot) viewDays(ctx context.Context, c chat, offset int) {
	set, zone, ok := b.viewStart(ctx, c)
	if !ok {
		return
	}
	date := midnightIn(b.now(), zone).AddDate(0, 0, offset)
	v, err := b.window(ctx, c, set, zone, date, date.AddDate(0, 0, 1))
	if err != nil {
		b.calendarFailed(ctx, c, "list day", err)
		return
	}
	head, empty := msgTodayHeader, msgTodayEmpty
	if offset == 1 {
		head, empty = msgTomorrowHeader, msgTomorrowEmpty
	}
	b.viewReply(ctx, c, v, formatDay(c.lang, head, empty, dayOf(v, date), v.multi), nil)
}

// weekDays is how many days /week shows.
const weekDays = 7

func (b *Bot) week(ctx context.Context, c chat) {
	set, zone, ok := b.viewStart(ctx, c)
	if !ok {
		return
	}
	date := midnightIn(b.now(), zone)
	v, err := b.window(ctx, c, set, zone, date, date.AddDate(0, 0, weekDays))
	if err != nil {
		b.calendarFailed(ctx, c, "list week", err)
		return
	}
	days := make([]calendar.Day, weekDays)
	for i := range days {
		days[i] = dayOf(v, date.AddDate(0, 0, i))
	}
	b.viewReply(ctx, c, v, formatWeek(c.lang, days, v.multi), nil)
}

// nextHorizon is how far /next looks ahead.
const nextHorizon = 14 * 24 * time.Hour

func (b *Bot) next(ctx context.Context, c chat) {
	set, zone, ok := b.viewStart(ctx, c)
	if !ok {
		return
	}
	now := b.now().In(zone)
	v, err := b.window(ctx, c, set, zone, now, now.Add(nextHorizon))
	if err != nil {
		b.calendarFailed(ctx, c, "list next", err)
		return
	}
	ev, ok := nextEvent(v.events, now)
	if !ok {
		b.viewReply(ctx, c, v, text(c.lang, msgNextNone, html.EscapeString(zone.String())), nil)
		return
	}
	var row []tgbotapi.InlineKeyboardButton
	if safeLink(ev.JoinURL) {
		row = append(row, tgbotapi.NewInlineKeyboardButtonURL(text(c.lang, msgJoinButton), ev.JoinURL))
	}
	if safeLink(ev.Link) {
		row = append(row, tgbotapi.NewInlineKeyboardButtonURL(text(c.lang, msgOpenButton), ev.Link))
	}
	var kb *tgbotapi.InlineKeyboardMarkup
	if len(row) > 0 {
		m := tgbotapi.NewInlineKeyboardMarkup(row)
		kb = &m
	}
	b.viewReply(ctx, c, v, formatNext(c.lang, ev, now, v.multi), kb)
}

// nextEvent is the first timed event that has not ended at now; all-day
// events are left to /today.
func nextEvent(evs []calendar.Event, now time.Time) (calendar.Event, bool) {
	for _, ev := range evs {
		if !ev.AllDay && ev.End.After(now) {
			return ev, true
		}
	}
	return calendar.Event{}, false
}

// viewReply sends a view, saying which shown calendars it could not read;
// when the grant lacks the scope to read them, it then explains that and
// sends the sign-in button for it.
func (b *Bot) viewReply(ctx context.Context, c chat, v view, body string, kb *tgbotapi.InlineKeyboardMarkup) {
	if len(v.skipped) > 0 {
		names := make([]string, len(v.skipped))
		for i, n := range v.skipped {
			names[i] = html.EscapeString(oneLine(n, maxCalendarRunes))
		}
		body += "\n\n" + text(c.lang, msgCalendarsSkipped, strings.Join(names, ", "))
	}
	b.reply(ctx, c, body, kb)
	if v.scope {
		b.askScope(ctx, c, CalendarReadScope, msgCalendarsReadScope)
	}
}
