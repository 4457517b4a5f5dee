// Package calendarfake provides a fake Google Calendar v3 server that speaks
// the real wire format: events list, insert, get, delete and patch on any
// calendar in an account's list, and the calendar list itself, with access
// roles (403 requiredAccessLevel on read-only calendars), partial responses
// for the fields parameter and, with SetScopes, Google's scope checks per
// endpoint. It is strict: requests calbot should never send are answered
// with 400 and recorded in Unexpected, so tests fail loudly.
//
// Serving does not depend on package testing, so the fake can also back a
// local sandbox mode through Handler.
package calendarfake

import (
	"github.com/calbot/calbot/internal/loopback"

	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

// Server is a fake Calendar v3 API. It is safe for concurrent use.
type Server struct {
	auth func(bearer string) (account string, ok bool)
	mux  *http.ServeMux
	now  func() time.Time
	url  string

	mu           sync.Mutex
	accounts     map[string]*account
	calendars    map[string]*calData
	scopes       func(bearer string) []string
	patchUpdates []string
	requests     map[string]int
	failN        int
	failStatus   int
	failReason   string
	unexpected   []string
	holds        map[string][]*hold // per method: requests to stop until released
}

// hold stops one request: arrived closes when it comes, release lets it on.
type hold struct {
	arrived, release chan struct{}
}

// calData is one calendar's events. Calendars are shared: several accounts
// may list the same one, with different access roles.
type calData struct {
	id      string // the calendar id; a primary calendar's is its account's e-mail
	summary string
	zone    string
	events  []*gcal.Event          // in insertion order, deleted ones with Status "cancelled"
	byID    map[string]*gcal.Event // includes deleted events and instance exceptions: their ids stay taken
	gone    map[string]bool        // deleted instances of recurring events
}

// NewServer returns a Server that is not listening; serve its Handler.
// auth maps a bearer token to an account (its e-mail, also accepted as
// calendar id); nil auth treats every non-empty token as its own account.
func NewServer(auth func(bearer string) (account string, ok bool)) *Server {
	if auth == nil {
		auth = func(b string) (string, bool) { return b, b != "" }
	}
	s := &Server{
		auth:      auth,
		now:       time.Now,
		accounts:  map[string]*account{},
		calendars: map[string]*calData{},
		requests:  map[string]int{},
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /calendar/v3/calendars/{calendarId}/events", s.handle("list", s.list))
	s.mux.HandleFunc("POST /calendar/v3/calendars/{calendarId}/events", s.handle("insert", s.insert))
	s.mux.HandleFunc("GET /calendar/v3/calendars/{calendarId}/events/{eventId}", s.handle("get", s.get))
	s.mux.HandleFunc("DELETE /calendar/v3/calendars/{calendarId}/events/{eventId}", s.handle("delete", s.delete))
	s.mux.HandleFunc("PATCH /calendar/v3/calendars/{calendarId}/events/{eventId}", s.handle("patch", s.patch))
	s.mux.HandleFunc("GET /calendar/v3/users/me/calendarList", s.handle("calendarList", s.calendarList))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests["unknown"]++
		s.reject(w, r, "no such endpoint")
	})
	return s
}

// New starts a Server on 127.0.0.1 and stops it when the test ends. At the
// end it also fails t if the server saw unexpected requests.
func New(t loopback.TB, auth func(bearer string) (string, bool)) *Server {
	t.Helper()
	s := NewServer(auth)
	srv := loopback.Start(s.Handler())
	s.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		for _, u := range s.Unexpected() {
			t.Errorf("calendarfake: unexpected request: %s", u)
		}
	})
	return s
}

// Handler returns the HTTP handler serving the API under /calendar/v3/.
func (s *Server) Handler() http.Handler { return s.mux }

// URL returns the base URL to give calendar.New (ending in "/calendar/v3/"),
// or "" if the server was not started by New.
func (s *Server) URL() string {
	if s.url == "" {
		return ""
	}
	return s.url + "/calendar/v3/"
}

// SetZone sets the time zone of the account's calendar (default "UTC").
// It panics if tz is not a zone name time.LoadLocation knows.
func (s *Server) SetZone(account, tz string) {
	if _, err := time.LoadLocation(tz); err != nil || tz == "" {
		panic(fmt.Sprintf("calendarfake: SetZone(%q, %q): bad zone", account, tz))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.primary(account).zone = tz
}

// Add stores a copy of e in the account's primary calendar as is, filling id (if
// empty), status, kind and htmlLink. Recurrence may hold one
// "RRULE:FREQ=DAILY|WEEKLY[;INTERVAL=n][;BYDAY=MO,…][;COUNT=n|;UNTIL=…]" line; lists with
// singleEvents=true expand it. Anything else is recorded in Unexpected.
func (s *Server) Add(account string, e *gcal.Event) { s.AddTo(account, "primary", e) }

// AddTo is Add for any calendar: "primary" (the account's), or the id of a
// calendar made by AddCalendar. Reminders left nil become {useDefault:true},
// as Google fills them; attendees' and the organizer's "self" are computed
// when served, per calendar, and need not be set.
func (s *Server) AddTo(account, calendarID string, e *gcal.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cal(account, calendarID)
	e = clone(e)
	if _, err := parseRule(e.Recurrence); err != nil {
		s.unexpected = append(s.unexpected, fmt.Sprintf("Add(%q, %q): %v", account, e.Id, err))
	}
	if e.Id == "" {
		e.Id = newID()
	}
	if e.Status == "" {
		e.Status = "confirmed"
	}
	s.store(c, e)
}

// Events returns copies of the events stored for the account, in insertion
// order, recurring events unexpanded. Deleted events are included, with
// Status "cancelled".
func (s *Server) Events(account string) []*gcal.Event { return s.EventsIn(account) }

// EventsIn is Events for any calendar id (a primary calendar's is its
// account's e-mail).
func (s *Server) EventsIn(calendarID string) []*gcal.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.calendars[calendarID]
	if a == nil {
		return nil
	}
	out := make([]*gcal.Event, len(a.events))
	for i, e := range a.events {
		out[i] = clone(e)
	}
	return out
}

// Requests returns how many requests of a kind arrived: "list", "insert",
// "get", "delete", "patch", "calendarList", or "unknown". Failed and
// rejected requests count too.
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method]
}

// FailNext makes the next n requests fail with status and a Google-style
// error body carrying reason (such as "backendError" or "rateLimitExceeded").
func (s *Server) FailNext(n, status int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failReason = n, status, reason
}

// Hold makes the next request of method ("list", "insert", "get",
// "delete") wait: arrived is closed when it comes in, and the request goes
// on when release is called. It lets tests catch calbot mid-command.
func (s *Server) Hold(method string) (arrived <-chan struct{}, release func()) {
	h := &hold{arrived: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	if s.holds == nil {
		s.holds = make(map[string][]*hold)
	}
	s.holds[method] = append(s.holds[method], h)
	s.mu.Unlock()
	var once sync.Once
	return h.arrived, func() { once.Do(func() { close(h.release) }) }
}

// Unexpected returns a description of every request the server rejected
// because calbot should never send it.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// call is one request's account and calendar. For calendarList, cal and
// entry are nil.
type call struct {
	account string
	cal     *calData
	entry   *entry
}

// handle wraps an endpoint: it counts the request, injects faults, checks
// the bearer token, the calendar id and the token's scopes, and runs h
// under the lock.
func (s *Server) handle(method string, h func(http.ResponseWriter, *http.Request, *call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[method]++
		fail, status, reason := s.failN > 0, s.failStatus, s.failReason
		if fail {
			s.failN--
		}
		var h0 *hold
		if q := s.holds[method]; len(q) > 0 {
			h0, s.holds[method] = q[0], q[1:]
		}
		scopes := s.scopes
		s.mu.Unlock()
		if h0 != nil {
			// Held requests finish even if the client is gone, as Google's
			// servers do: the work happens whether or not anyone hears of it.
			close(h0.arrived)
			<-h0.release
		}
		if fail {
			writeError(w, status, domain(reason), reason, failMessage(status))
			return
		}
		// auth and scopes run unlocked: they may be slow or call back into s.
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		name, authed := "", false
		if ok {
			name, authed = s.auth(bearer)
		}
		if !authed {
			writeJSON(w, http.StatusUnauthorized, json.RawMessage(unauthenticated))
			return
		}
		var granted []string
		if scopes != nil {
			granted = scopes(bearer)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		c := &call{account: name}
		if id := r.PathValue("calendarId"); id != "" {
			c.entry = s.entryOf(name, id)
			if c.entry == nil {
				// Google answers 404 for calendars the account cannot see.
				writeError(w, http.StatusNotFound, "global", "notFound", "Not Found")
				return
			}
			c.cal = s.calendars[c.entry.id]
		}
		if scopes != nil && !allowed(method, c, granted) {
			writeJSON(w, http.StatusForbidden, json.RawMessage(insufficientScopes))
			return
		}
		h(w, r, c)
	}
}

// store adds e to the account, filling what Google fills. s.mu must be held.
func (s *Server) store(a *calData, e *gcal.Event) {
	name := a.id
	now := s.now().UTC().Format("2006-01-02T15:04:05.000Z")
	e.Kind = "calendar#event"
	if e.HtmlLink == "" {
		e.HtmlLink = htmlLink(e.Id, name)
	}
	if e.Created == "" {
		e.Created = now
	}
	if e.Updated == "" {
		e.Updated = now
	}
	if e.Reminders == nil {
		e.Reminders = &gcal.EventReminders{UseDefault: true}
	}
	if e.ICalUID == "" {
		e.ICalUID = e.Id + "@google.com"
	}
	e.Etag = fmt.Sprintf("%q", fmt.Sprint(s.now().UnixNano()))
	a.events = append(a.events, e)
	a.byID[e.Id] = e
}

// reject answers a request calbot should never send, and records it.
// s.mu must be held.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, why string) {
	s.unexpected = append(s.unexpected, fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, why))
	writeError(w, http.StatusBadRequest, "global", "badRequest", "calendarfake: "+why)
}

// insufficientScopes is Google's answer to a token without a scope the
// endpoint accepts.
const insufficientScopes = `{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com","metadata":{"service":"calendar-json.googleapis.com","method":"calendar.v3.Events"}}]}}`

// unauthenticated is Google's answer to a missing or bad access token.
const unauthenticated = `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError","location":"Authorization","locationType":"header"}],"status":"UNAUTHENTICATED"}}`

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors"`
}

type errorItem struct {
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, domain, reason, msg string) {
	writeJSON(w, status, errorBody{errorDetail{
		Code:    status,
		Message: msg,
		Errors:  []errorItem{{Domain: domain, Reason: reason, Message: msg}},
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func failMessage(status int) string {
	switch status {
	case http.StatusForbidden, http.StatusTooManyRequests:
		return "Rate Limit Exceeded"
	case http.StatusInternalServerError:
		return "Backend Error"
	case http.StatusServiceUnavailable:
		return "The service is currently unavailable."
	}
	return http.StatusText(status)
}

func domain(reason string) string {
	if strings.Contains(reason, "RateLimit") || strings.HasPrefix(reason, "rateLimit") || reason == "quotaExceeded" {
		return "usageLimits"
	}
	return "global"
}

// clone deep-copies e through its JSON form.
func clone(e *gcal.Event) *gcal.Event {
	b, err := json.Marshal(e)
	if err != nil {
		panic(fmt.Sprintf("calendarfake: marshal event: %v", err))
	}
	var c gcal.Event
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("calendarfake: unmarshal event: %v", err))
	}
	return &c
}
