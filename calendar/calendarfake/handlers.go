package calendarfake

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

var (
	listParams   = params("alt", "prettyPrint", "fields", "timeMin", "timeMax", "singleEvents", "orderBy", "maxResults", "pageToken", "showDeleted", "timeZone")
	insertParams = params("alt", "prettyPrint", "fields", "sendUpdates")
	getParams    = params("alt", "prettyPrint", "fields", "timeZone")
	deleteParams = params("alt", "prettyPrint", "sendUpdates")
)

// validID reports whether id follows Google's rule for client-chosen event
// ids: 5 to 1024 characters of base32hex (a-v, 0-9).
func validID(id string) bool {
	if len(id) < 5 || len(id) > 1024 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'v' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func params(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// checkParams returns why q is not acceptable, or "".
func checkParams(q url.Values, allowed map[string]bool) string {
	for k := range q {
		if !allowed[k] {
			return fmt.Sprintf("unsupported parameter %q", k)
		}
	}
	if alt := q.Get("alt"); alt != "" && alt != "json" {
		return fmt.Sprintf("alt=%q", alt)
	}
	return ""
}

// list serves events.list.
func (s *Server) list(w http.ResponseWriter, r *http.Request, c *call) {
	a, name := c.cal, c.cal.id
	q := r.URL.Query()
	if why := checkParams(q, listParams); why != "" {
		s.reject(w, r, why)
		return
	}
	single, ok1 := boolParam(q, "singleEvents")
	showDeleted, ok2 := boolParam(q, "showDeleted")
	if !ok1 || !ok2 {
		s.reject(w, r, "singleEvents and showDeleted must be true or false")
		return
	}
	switch q.Get("orderBy") {
	case "", "updated":
	case "startTime":
		if !single {
			s.reject(w, r, "orderBy=startTime needs singleEvents=true")
			return
		}
	default:
		s.reject(w, r, "bad orderBy")
		return
	}
	tmin, err1 := timeParam(q, "timeMin")
	tmax, err2 := timeParam(q, "timeMax")
	if err1 != nil || err2 != nil {
		s.reject(w, r, "timeMin and timeMax must be RFC 3339 with an offset")
		return
	}
	if !tmin.IsZero() && !tmax.IsZero() && !tmax.After(tmin) {
		s.reject(w, r, "timeMax is not after timeMin")
		return
	}
	max, offset, why := page(q, 250, 2500)
	if why != "" {
		s.reject(w, r, why)
		return
	}

	loc := mustLoad(a.zone)
	overlaps := func(e *gcal.Event) bool {
		st, en, err := span(e, loc)
		return err == nil && (tmin.IsZero() || en.After(tmin)) && (tmax.IsZero() || st.Before(tmax))
	}
	var items []*gcal.Event
	for _, e := range a.events {
		if e.Status == "cancelled" && !showDeleted {
			continue
		}
		if len(e.Recurrence) == 0 {
			if overlaps(e) {
				items = append(items, view(e, name))
			}
			continue
		}
		insts := instances(a, name, e, loc, tmax)
		if !single {
			if slices.ContainsFunc(insts, overlaps) {
				items = append(items, view(e, name))
			}
			continue
		}
		for _, in := range insts {
			if (in.Status != "cancelled" || showDeleted) && overlaps(in) {
				items = append(items, view(in, name))
			}
		}
	}
	if q.Get("orderBy") == "startTime" {
		slices.SortStableFunc(items, func(x, y *gcal.Event) int {
			xs, _, _ := span(x, loc)
			ys, _, _ := span(y, loc)
			return xs.Compare(ys)
		})
	}

	res := &gcal.Events{
		Kind:             "calendar#events",
		Summary:          a.summary,
		TimeZone:         a.zone,
		AccessRole:       c.entry.role,
		DefaultReminders: c.entry.defaults,
		Updated:          s.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		ForceSendFields:  []string{"Items", "DefaultReminders"},
	}
	offset = min(offset, len(items))
	end := min(offset+max, len(items))
	res.Items = items[offset:end]
	if end < len(items) {
		res.NextPageToken = fmt.Sprintf("p%d", end)
	}
	s.writeFields(w, r, res)
}

// insert serves events.insert.
func (s *Server) insert(w http.ResponseWriter, r *http.Request, c *call) {
	a, name := c.cal, c.cal.id
	q := r.URL.Query()
	if why := checkParams(q, insertParams); why != "" {
		s.reject(w, r, why)
		return
	}
	if q.Get("sendUpdates") != "none" {
		s.reject(w, r, "insert without sendUpdates=none would e-mail invitations")
		return
	}
	if readOnly(w, c) {
		return
	}
	var e gcal.Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&e); err != nil {
		s.reject(w, r, "body is not an event")
		return
	}
	if why := checkEvent(&e); why != "" {
		s.reject(w, r, why)
		return
	}
	limitProperties(e.ExtendedProperties)
	if e.Id == "" {
		e.Id = newID()
	}
	if _, ok := a.byID[e.Id]; ok {
		const msg = "The requested identifier already exists."
		writeError(w, http.StatusConflict, "global", "duplicate", msg)
		return
	}
	e.Status = "confirmed"
	e.HtmlLink, e.Created, e.Updated, e.ICalUID = "", "", "", ""
	s.store(a, &e)
	s.writeFields(w, r, view(&e, name))
}

// checkEvent returns why e is not an event calbot should insert, or "".
func checkEvent(e *gcal.Event) string {
	if e.Id != "" && !validID(e.Id) {
		return "event id must be 5-1024 characters of a-v and 0-9"
	}
	if e.Start == nil || e.End == nil {
		return "event needs start and end"
	}
	if len(e.Attendees) > 0 {
		return "attendees must not be set from chat text"
	}
	if why := checkProperties(e.ExtendedProperties); why != "" {
		return why
	}
	if _, err := parseRule(e.Recurrence); err != nil {
		return err.Error()
	}
	for _, dt := range []*gcal.EventDateTime{e.Start, e.End} {
		if (dt.Date == "") == (dt.DateTime == "") {
			return "start and end need exactly one of date and dateTime"
		}
		if dt.TimeZone != "" {
			if _, err := time.LoadLocation(dt.TimeZone); err != nil {
				return "unknown timeZone"
			}
		}
	}
	if (e.Start.Date == "") != (e.End.Date == "") {
		return "start and end must both be dates or both be date-times"
	}
	st, en, err := span(e, time.UTC)
	if err != nil {
		return err.Error()
	}
	if !en.After(st) {
		return "end is not after start"
	}
	return ""
}

// limitProperties applies Google's documented limits on extended properties:
// keys over 44 characters are dropped, values over 1024 characters cut.
// Private and shared maps are kept apart and returned as stored (a private
// property belongs to this calendar's copy of the event).
func limitProperties(p *gcal.EventExtendedProperties) {
	if p == nil {
		return
	}
	for _, m := range []map[string]string{p.Private, p.Shared} {
		for k, v := range m {
			switch {
			case len([]rune(k)) > 44:
				delete(m, k)
			case len([]rune(v)) > 1024:
				m[k] = string([]rune(v)[:1024])
			}
		}
	}
}

// checkProperties returns why an event's extended properties exceed what
// Google stores (300 properties, 32 kB of keys and values), or "".
func checkProperties(p *gcal.EventExtendedProperties) string {
	if p == nil {
		return ""
	}
	n, size := 0, 0
	for _, m := range []map[string]string{p.Private, p.Shared} {
		for k, v := range m {
			n++
			size += len(k) + len(v)
		}
	}
	if n > 300 || size > 32<<10 {
		return "more than 300 extended properties or 32 kB of them"
	}
	return ""
}

// get serves events.get. Like Google, it still returns deleted events, with
// status "cancelled".
func (s *Server) get(w http.ResponseWriter, r *http.Request, c *call) {
	a, name := c.cal, c.cal.id
	if why := checkParams(r.URL.Query(), getParams); why != "" {
		s.reject(w, r, why)
		return
	}
	e := find(a, name, r.PathValue("eventId"))
	if e == nil {
		writeError(w, http.StatusNotFound, "global", "notFound", "Not Found")
		return
	}
	s.writeFields(w, r, view(e, name))
}

// live returns the event id of calendar name in a, or answers as Google
// does (404 unknown, 410 deleted) and returns nil.
func live(w http.ResponseWriter, a *calData, name, id string) *gcal.Event {
	e := find(a, name, id)
	switch {
	case e == nil:
		writeError(w, http.StatusNotFound, "global", "notFound", "Not Found")
		return nil
	case e.Status == "cancelled":
		writeError(w, http.StatusGone, "global", "deleted", "Resource has been deleted")
		return nil
	}
	return e
}

// delete serves events.delete.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, c *call) {
	a, name := c.cal, c.cal.id
	q := r.URL.Query()
	if why := checkParams(q, deleteParams); why != "" {
		s.reject(w, r, why)
		return
	}
	if q.Get("sendUpdates") != "none" {
		s.reject(w, r, "delete without sendUpdates=none would e-mail attendees")
		return
	}
	if readOnly(w, c) {
		return
	}
	id := r.PathValue("eventId")
	e := live(w, a, name, id)
	if e == nil {
		return
	}
	if stored, ok := a.byID[id]; ok {
		stored.Status = "cancelled"
		stored.Updated = s.now().UTC().Format("2006-01-02T15:04:05.000Z")
	} else {
		a.gone[id] = true
	}
	w.WriteHeader(http.StatusNoContent)
}

// readOnly answers 403 requiredAccessLevel, as Google does, and reports
// true if the account may not write to the call's calendar.
func readOnly(w http.ResponseWriter, c *call) bool {
	if c.entry.role == accessOwner || c.entry.role == accessWriter {
		return false
	}
	writeError(w, http.StatusForbidden, "calendar", "requiredAccessLevel", "You need to have writer access to this calendar.")
	return true
}

// find returns the stored event or the instance of a recurring event with
// the given id, or nil.
func find(a *calData, name, id string) *gcal.Event {
	if e, ok := a.byID[id]; ok {
		return e
	}
	master, suffix, ok := cutLast(id, "_")
	if !ok {
		return nil
	}
	e, ok := a.byID[master]
	if !ok || len(e.Recurrence) == 0 {
		return nil
	}
	loc := mustLoad(a.zone)
	at, err := time.Parse("20060102T150405Z", suffix)
	if err != nil {
		if at, err = time.ParseInLocation("20060102", suffix, loc); err != nil {
			return nil
		}
	}
	for _, in := range instances(a, name, e, loc, at.Add(25*time.Hour)) {
		if in.Id == id {
			if e.Status == "cancelled" {
				in.Status = "cancelled"
			}
			return in
		}
	}
	return nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// span returns the instants an event covers; all-day dates are midnights in loc.
func span(e *gcal.Event, loc *time.Location) (start, end time.Time, err error) {
	if e.Start == nil || e.End == nil {
		return start, end, fmt.Errorf("event %s has no start or end", e.Id)
	}
	if e.Start.Date != "" {
		start, err = time.ParseInLocation(time.DateOnly, e.Start.Date, loc)
		if err == nil {
			end, err = time.ParseInLocation(time.DateOnly, e.End.Date, loc)
		}
	} else {
		start, err = time.Parse(time.RFC3339, e.Start.DateTime)
		if err == nil {
			end, err = time.Parse(time.RFC3339, e.End.DateTime)
		}
	}
	if err != nil {
		return start, end, fmt.Errorf("event %s: dates must be YYYY-MM-DD and date-times RFC 3339 with an offset", e.Id)
	}
	return start, end, nil
}

func boolParam(q url.Values, name string) (v, ok bool) {
	switch q.Get(name) {
	case "":
		return false, true
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func timeParam(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, v)
}

func mustLoad(tz string) *time.Location {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		panic(fmt.Sprintf("calendarfake: zone %q: %v", tz, err))
	}
	return loc
}

var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return idEncoding.EncodeToString(b)
}

func htmlLink(id, account string) string {
	return "https://www.google.com/calendar/event?eid=" + base64.RawURLEncoding.EncodeToString([]byte(id+" "+account))
}
