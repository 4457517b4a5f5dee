package calendarfake

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

// The scopes the fake knows, as Google names them.
const (
	ScopeCalendar             = "https://www.googleapis.com/auth/calendar"
	ScopeReadonly             = "https://www.googleapis.com/auth/calendar.readonly"
	ScopeEvents               = "https://www.googleapis.com/auth/calendar.events"
	ScopeEventsReadonly       = "https://www.googleapis.com/auth/calendar.events.readonly"
	ScopeEventsOwned          = "https://www.googleapis.com/auth/calendar.events.owned"
	ScopeEventsOwnedReadonly  = "https://www.googleapis.com/auth/calendar.events.owned.readonly"
	ScopeEventsPublicReadonly = "https://www.googleapis.com/auth/calendar.events.public.readonly"
	ScopeCalendarList         = "https://www.googleapis.com/auth/calendar.calendarlist"
	ScopeCalendarListReadonly = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
)

// HolidaysCalendarID is the id of the public holidays calendar that
// AddStandardCalendars adds, spelled like Google's.
const HolidaysCalendarID = "en.russian#holiday@group.v.calendar.google.com"

// Access roles as Google names them.
const (
	accessOwner, accessReader    = "owner", "reader"
	accessWriter, accessFreeBusy = "writer", "freeBusyReader"
)

// account is one Google account: its calendar list.
type account struct {
	list []*entry
}

// entry is one calendar in an account's list, with the account's view of it.
type entry struct {
	id       string
	primary  bool
	role     string // owner, writer, reader, freeBusyReader
	public   bool   // a public calendar (holidays): the events.public.readonly scope reads it
	defaults []*gcal.EventReminder
}

// Calendar describes a calendar for AddCalendar.
type Calendar struct {
	ID, Summary string
	Zone        string // default "UTC"
	// AccessRole is the account's role: "owner" (the default; the fake
	// takes the owner as the calendar's owner for the events.owned scope),
	// "writer", "reader" or "freeBusyReader".
	AccessRole string
	// Public calendars (such as holidays) can be read with the
	// events.public.readonly scope.
	Public bool
	// DefaultReminders are the account's defaults for the calendar, served
	// by calendarList and as events.list's defaultReminders.
	DefaultReminders []*gcal.EventReminder
}

// AddCalendar puts c in the account's calendar list, creating the calendar
// if no account has it yet (another account may then add the same id, as a
// calendar shared with it). The account's primary calendar, whose id is the
// account's e-mail, exists without it; AddCalendar with that id changes its
// summary, zone and defaults.
func (s *Server) AddCalendar(account string, c Calendar) {
	if c.Zone == "" {
		c.Zone = "UTC"
	}
	if _, err := time.LoadLocation(c.Zone); err != nil || c.ID == "" {
		panic(fmt.Sprintf("calendarfake: AddCalendar(%q, %q): bad id or zone", account, c.ID))
	}
	if c.AccessRole == "" {
		c.AccessRole = accessOwner
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.primary(account)
	d := s.calendars[c.ID]
	if d == nil {
		d = newCal(c.ID)
		s.calendars[c.ID] = d
	}
	d.summary, d.zone = c.Summary, c.Zone
	e := s.entryOf(account, c.ID)
	if e == nil {
		e = &entry{id: c.ID}
		s.accounts[account].list = append(s.accounts[account].list, e)
	}
	if !e.primary {
		e.role = c.AccessRole
	}
	e.public, e.defaults = c.Public, c.DefaultReminders
}

// AddStandardCalendars gives the account, beside its primary calendar, the
// three kinds a test of calendar choice needs: an owned secondary calendar
// "Work", a calendar "Team" shared with it read-only by team@example.com,
// and the public holidays calendar (read-only). It returns their ids.
func (s *Server) AddStandardCalendars(account string) (work, team, holidays string) {
	work = "work" + strings.ReplaceAll(account, "@", ".") + "@group.calendar.google.com"
	team = "team@example.com"
	s.AddCalendar(account, Calendar{ID: work, Summary: "Work", DefaultReminders: popup(15)})
	s.AddCalendar(account, Calendar{ID: team, Summary: "Team", AccessRole: accessReader})
	s.AddCalendar(account, Calendar{ID: HolidaysCalendarID, Summary: "Holidays in Russia", AccessRole: accessReader, Public: true})
	return work, team, HolidaysCalendarID
}

func popup(minutes ...int64) []*gcal.EventReminder {
	var out []*gcal.EventReminder
	for _, m := range minutes {
		out = append(out, &gcal.EventReminder{Method: "popup", Minutes: m})
	}
	return out
}

// SetScopes makes the server check, per endpoint, that the token carries a
// scope Google accepts there, answering 403 insufficientPermissions if not.
// f returns the scopes granted to a bearer token; nil f allows everything.
func (s *Server) SetScopes(f func(bearer string) []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = f
}

// allowed reports whether granted lets the call's method through, as the
// Calendar API's discovery document lists the scopes per method and the
// scopes' own descriptions limit them ("calendars you own", "public
// calendars").
func allowed(method string, c *call, granted []string) bool {
	owned := c.entry != nil && c.entry.role == accessOwner
	public := c.entry != nil && c.entry.public
	var ok []string
	switch method {
	case "calendarList":
		ok = []string{ScopeCalendar, ScopeReadonly, ScopeCalendarList, ScopeCalendarListReadonly}
	case "list", "get":
		ok = []string{ScopeCalendar, ScopeReadonly, ScopeEvents, ScopeEventsReadonly}
		if owned {
			ok = append(ok, ScopeEventsOwned, ScopeEventsOwnedReadonly)
		}
		if public {
			ok = append(ok, ScopeEventsPublicReadonly)
		}
	default: // insert, delete, patch
		ok = []string{ScopeCalendar, ScopeEvents}
		if owned {
			ok = append(ok, ScopeEventsOwned)
		}
	}
	return slices.ContainsFunc(granted, func(g string) bool { return slices.Contains(ok, g) })
}

func newCal(id string) *calData {
	return &calData{id: id, summary: id, zone: "UTC", byID: map[string]*gcal.Event{}, gone: map[string]bool{}}
}

// primary returns the account's primary calendar, creating the account.
// s.mu must be held.
func (s *Server) primary(name string) *calData {
	a := s.accounts[name]
	if a == nil {
		a = &account{list: []*entry{{id: name, primary: true, role: accessOwner, defaults: popup(10)}}}
		s.accounts[name] = a
	}
	c := s.calendars[name]
	if c == nil {
		c = newCal(name)
		s.calendars[name] = c
	}
	return c
}

// entryOf returns the account's list entry for id ("primary" or an id), or
// nil. s.mu must be held.
func (s *Server) entryOf(name, id string) *entry {
	s.primary(name)
	for _, e := range s.accounts[name].list {
		if e.id == id || id == "primary" && e.primary {
			return e
		}
	}
	return nil
}

// cal returns the calendar id names for the account, panicking if it has
// none: tests must AddCalendar first. s.mu must be held.
func (s *Server) cal(name, id string) *calData {
	e := s.entryOf(name, id)
	if e == nil {
		panic(fmt.Sprintf("calendarfake: account %q has no calendar %q: AddCalendar first", name, id))
	}
	return s.calendars[e.id]
}

var calendarListParams = params("alt", "prettyPrint", "fields", "maxResults", "pageToken", "showDeleted", "showHidden", "minAccessRole")

// roleRank orders access roles for minAccessRole.
var roleRank = map[string]int{accessFreeBusy: 1, accessReader: 2, "writerWithoutPrivateAccess": 3, accessWriter: 3, accessOwner: 4}

// calendarList serves calendarList.list.
func (s *Server) calendarList(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	if why := checkParams(q, calendarListParams); why != "" {
		s.reject(w, r, why)
		return
	}
	least := 0
	if v := q.Get("minAccessRole"); v != "" {
		if least = roleRank[v]; least == 0 {
			s.reject(w, r, "bad minAccessRole")
			return
		}
	}
	max, offset, why := page(q, 100, 250)
	if why != "" {
		s.reject(w, r, why)
		return
	}
	s.primary(c.account)
	var items []*gcal.CalendarListEntry
	for _, e := range s.accounts[c.account].list {
		if roleRank[e.role] < least {
			continue
		}
		d := s.calendars[e.id]
		items = append(items, &gcal.CalendarListEntry{
			Kind: "calendar#calendarListEntry", Etag: `"1"`, Id: e.id, Summary: d.summary, TimeZone: d.zone,
			AccessRole: e.role, Primary: e.primary, DefaultReminders: e.defaults,
			ForceSendFields: []string{"DefaultReminders"},
		})
	}
	res := &gcal.CalendarList{Kind: "calendar#calendarList", Etag: `"1"`, ForceSendFields: []string{"Items"}}
	offset = min(offset, len(items))
	end := min(offset+max, len(items))
	res.Items = items[offset:end]
	if end < len(items) {
		res.NextPageToken = fmt.Sprintf("p%d", end)
	}
	s.writeFields(w, r, res)
}

// pageOffset reads a page token the fake issued; "" is the first page.
// page reads maxResults (def when absent, at most most) and pageToken of a
// list request; why is the reason to reject it, "" if both are fine.
func page(q url.Values, def, most int) (max, offset int, why string) {
	max = def
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > most {
			return 0, 0, fmt.Sprintf("maxResults must be 1..%d", most)
		}
		max = n
	}
	offset, ok := pageOffset(q.Get("pageToken"))
	if !ok {
		return 0, 0, "page token was not issued by this server"
	}
	return max, offset, ""
}

func pageOffset(tok string) (int, bool) {
	if tok == "" {
		return 0, true
	}
	rest, ok := strings.CutPrefix(tok, "p")
	n, err := strconv.Atoi(rest)
	return n, ok && err == nil && n >= 0
}

// view returns e as the calendar calID serves it: attendees[].self,
// organizer.self and creator.self tell whether the entry is that calendar,
// as Google computes them for each copy of an event.
func view(e *gcal.Event, calID string) *gcal.Event {
	if len(e.Attendees) == 0 && e.Organizer == nil && e.Creator == nil {
		return e
	}
	v := *e
	if e.Organizer != nil {
		o := *e.Organizer
		o.Self = strings.EqualFold(o.Email, calID)
		v.Organizer = &o
	}
	if e.Creator != nil {
		c := *e.Creator
		c.Self = strings.EqualFold(c.Email, calID)
		v.Creator = &c
	}
	v.Attendees = make([]*gcal.EventAttendee, len(e.Attendees))
	for i, a := range e.Attendees {
		c := *a
		c.Self = strings.EqualFold(c.Email, calID)
		v.Attendees[i] = &c
	}
	return &v
}
