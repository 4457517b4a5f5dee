package calendarfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	gcal "google.golang.org/api/calendar/v3"
)

var patchParams = params("alt", "prettyPrint", "fields", "sendUpdates")

// patch serves events.patch with Google's documented semantics: fields in
// the body replace the stored ones, objects merge, arrays replace whole
// arrays; with attendeesOmitted the attendees in the body update only those
// entries ("this can be used to only update the participant's response").
// A response changed on one copy reaches every copy of the meeting (same
// iCalUID) in every calendar, as invitations do.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, c *call) {
	a, name := c.cal, c.cal.id
	q := r.URL.Query()
	if why := checkParams(q, patchParams); why != "" {
		s.reject(w, r, why)
		return
	}
	switch q.Get("sendUpdates") {
	case "all", "none", "externalOnly":
	default:
		s.reject(w, r, "patch without sendUpdates")
		return
	}
	s.patchUpdates = append(s.patchUpdates, q.Get("sendUpdates"))
	if readOnly(w, c) {
		return
	}
	var body map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		s.reject(w, r, "body is not an event")
		return
	}
	id := r.PathValue("eventId")
	e := live(w, a, name, id)
	if e == nil {
		return
	}
	if _, stored := a.byID[e.Id]; !stored {
		e = clone(e) // an instance shares its attendees with its series
	}
	var changed []*gcal.EventAttendee
	replaced := false // the organizer set a new list: every copy gets it
	if raw, ok := body["attendees"]; ok {
		omitted, _ := body["attendeesOmitted"].(bool)
		replaced = !omitted && (e.Organizer == nil || strings.EqualFold(e.Organizer.Email, name))
		var next []*gcal.EventAttendee
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &next); err != nil {
			s.reject(w, r, "attendees is not a list of attendees")
			return
		}
		var why string
		if changed, why = patchAttendees(e, name, next, omitted); why != "" {
			s.reject(w, r, why)
			return
		}
		delete(body, "attendees")
		delete(body, "attendeesOmitted")
	}
	if len(body) > 0 {
		merged, err := mergeInto(e, body)
		if err != nil {
			s.reject(w, r, err.Error())
			return
		}
		if why := checkEvent(merged); why != "" && !strings.Contains(why, "attendees") {
			s.reject(w, r, why)
			return
		}
		*e = *merged
	}
	now := s.now().UTC().Format("2006-01-02T15:04:05.000Z")
	e.Updated = now
	e.Etag = fmt.Sprintf("%q", fmt.Sprint(s.now().UnixNano()))
	if _, ok := a.byID[e.Id]; !ok {
		a.byID[e.Id] = e // an instance of a series becomes an exception
	}
	s.propagate(e, changed, replaced)
	s.writeFields(w, r, view(e, name))
}

// PatchUpdates returns the sendUpdates parameter of every well-formed
// patch that arrived, in order: who was to be told.
func (s *Server) PatchUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.patchUpdates...)
}

// patchAttendees applies a patch's attendees to e, seen from calendar
// calID, and returns the entries whose response changed, or why calbot
// should never send such a patch.
func patchAttendees(e *gcal.Event, calID string, next []*gcal.EventAttendee, omitted bool) ([]*gcal.EventAttendee, string) {
	organizer := e.Organizer == nil || strings.EqualFold(e.Organizer.Email, calID)
	byEmail := map[string]*gcal.EventAttendee{}
	for _, at := range e.Attendees {
		byEmail[strings.ToLower(at.Email)] = at
	}
	var changed []*gcal.EventAttendee
	for _, at := range next {
		old := byEmail[strings.ToLower(at.Email)]
		switch {
		case old == nil && omitted:
			return nil, "attendeesOmitted patch names someone who is not an attendee"
		case old == nil && !organizer:
			return nil, "an attendee cannot add attendees"
		case old == nil:
			continue
		case !strings.EqualFold(at.Email, calID) && !organizer && (at.ResponseStatus != old.ResponseStatus || omitted):
			return nil, "an attendee can change only their own entry"
		case strings.EqualFold(at.Email, calID) && organizer && at.ResponseStatus != old.ResponseStatus:
			return nil, "the organizer cannot respond to their own event"
		}
		if at.ResponseStatus != "" && at.ResponseStatus != old.ResponseStatus {
			changed = append(changed, at)
		}
	}
	if !omitted && !organizer && len(next) != len(e.Attendees) {
		return nil, "an attendee cannot remove attendees"
	}
	if omitted {
		for _, at := range changed {
			byEmail[strings.ToLower(at.Email)].ResponseStatus = at.ResponseStatus
		}
		return changed, ""
	}
	list := make([]*gcal.EventAttendee, len(next))
	for i, at := range next {
		c := *at
		c.Self = false // computed when served
		list[i] = &c
	}
	e.Attendees = list
	return changed, ""
}

// propagate copies changed responses, or the organizer's whole new list, to
// the other copies of e's meeting: the same event id and iCalUID in other
// calendars.
// s.mu must be held.
func (s *Server) propagate(e *gcal.Event, changed []*gcal.EventAttendee, replaced bool) {
	if len(changed) == 0 && !replaced {
		return
	}
	for _, d := range s.calendars {
		for _, other := range d.byID {
			if other == e || other.Id != e.Id || other.ICalUID != e.ICalUID {
				continue
			}
			if replaced {
				other.Attendees = clone(&gcal.Event{Attendees: e.Attendees}).Attendees
				continue
			}
			for _, at := range other.Attendees {
				for _, ch := range changed {
					if strings.EqualFold(at.Email, ch.Email) {
						at.ResponseStatus = ch.ResponseStatus
					}
				}
			}
		}
	}
}

// mergeInto returns e with body merged in: objects merge key by key, arrays
// and plain values replace, null removes.
func mergeInto(e *gcal.Event, body map[string]any) (*gcal.Event, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	merge(m, body)
	b, _ = json.Marshal(m)
	var out gcal.Event
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("patched event does not parse: %v", err)
	}
	return &out, nil
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		switch v := v.(type) {
		case nil:
			delete(dst, k)
		case map[string]any:
			d, ok := dst[k].(map[string]any)
			if !ok {
				d = map[string]any{}
				dst[k] = d
			}
			merge(d, v)
		default:
			dst[k] = v
		}
	}
}
