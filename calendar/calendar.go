// Package calendar reads and writes one chat's Google Calendar through the
// Calendar v3 API: list a day, learn the calendar's zone, insert and delete
// events. It has its own Event type so that callers never see the API types.
//
// Which OAuth scope each call needs, from the scopes Google's discovery
// document (calendar-api.json, v3) lists per method and the scopes' own
// descriptions ("calendars you own", "all your calendars", "public
// calendars"); any wider scope (calendar, calendar.events) works too:
//
//	call                          API methods                  narrowest scope
//	Day, Zone, Span (own cal.)    events.list                  calendar.events.owned (or .owned.readonly)
//	Span (shared calendar)        events.list                  calendar.events.readonly (or calendar.readonly)
//	Span (public, e.g. holidays)  events.list                  calendar.events.public.readonly, or events.readonly
//	Insert, DeleteIn, GetIn       events.insert/delete/get     calendar.events.owned on own calendars;
//	  (DeleteMarked…)                                          calendar.events on others' writable ones
//	Calendars                     calendarList.list            calendar.calendarlist.readonly (or calendar.readonly)
//	Respond (own calendar;        events.get + events.patch    calendar.events.owned (invitations land in the
//	  Respond elsewhere)                                       primary calendar, which the user owns); calendar.events
//
// A call without its scope fails with an error wrapping ErrScope.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/calbot/calbot/internal/backoff"

	_ "time/tzdata" // zones must load in minimal images without /usr/share/zoneinfo
)

// DefaultBaseURL is Google's Calendar v3 endpoint, used when New gets "".
const DefaultBaseURL = "https://www.googleapis.com/calendar/v3/"

// ErrNotFound is returned when the event asked for is gone (HTTP 404 or 410).
var ErrNotFound = errors.New("calendar event not found")

// ErrUnavailable is returned when Google answered with a server error, a rate
// limit or not at all, even after a few retries. The user should try again later.
var ErrUnavailable = errors.New("google calendar unavailable")

// ErrUnauthorized is returned when Google refuses the access token (401),
// as it does at once when the user revokes access: the caller should get a
// fresh token (which reveals the revocation) and try once more.
var ErrUnauthorized = errors.New("google refused the access token")

// Event is one event of a calendar.
type Event struct {
	ID, Title, Location string
	Link                string // the event's page in Google Calendar (htmlLink)
	AllDay              bool
	// Timed: instants in the calendar's zone. All-day: midnights in the
	// calendar's zone, End exclusive (midnight after the last day).
	Start, End time.Time
	// Marker is the event's MarkerProperty, "" if it has none.
	Marker string

	// CalendarID is the calendar the event was read from ("primary" or an
	// id); CalendarName its name, for views that merge calendars.
	CalendarID, CalendarName string
	// ICalUID is the same for copies of one meeting in several calendars,
	// so merged views show it once.
	ICalUID string
	// Response is the user's own answer to an invitation; "" when the user
	// is not among the attendees (an event of their own).
	Response Response
	// Organizer: the user organizes the event, so has nothing to answer.
	Organizer bool
	// JoinURL is where to join: the conference's video entry point, else
	// the Meet link, else the first https URL in the location; "" if none.
	JoinURL string
	// Reminders are the event's popup reminders: its own overrides, or the
	// calendar's defaults where the event uses them.
	Reminders []time.Duration
}

// Response is an attendee's answer to an invitation, as Google spells it.
type Response string

// The answers Google knows.
const (
	NeedsAction Response = "needsAction"
	Accepted    Response = "accepted"
	Tentative   Response = "tentative"
	Declined    Response = "declined"
)

// Day is a calendar's agenda for one local day.
type Day struct {
	Zone   *time.Location // the calendar's zone
	Date   time.Time      // midnight that starts the day, in Zone
	Events []Event        // all-day first, then by start, then by title
}

// Service talks to the Calendar API on behalf of whichever account a token
// source grants. It holds no per-chat state and is safe for concurrent use.
type Service struct {
	baseURL string
	base    *http.Client

	// timeout bounds one whole method call, retries included.
	timeout time.Duration
	// attempts, backoff and maxBackoff shape the retries of one request.
	attempts            int
	backoff, maxBackoff time.Duration
	// sleep waits between retries; tests replace it so they never wait.
	sleep func(ctx context.Context, d time.Duration) error
	// pageSize is the maxResults of a list: Google's largest, 2,500;
	// tests make it small.
	pageSize int64
	// metrics counts requests to Google; nil counts nothing.
	metrics *Metrics
	// api is the one API client of every call, whatever the account: the
	// token source of a call rides in its context (see service), so that a
	// call does not build a client of its own. apiErr is why it could not
	// be made.
	api    *gcal.Service
	apiErr error
}

// WithMetrics makes s count its requests to Google in m, and returns s.
func (s *Service) WithMetrics(m *Metrics) *Service {
	s.metrics = m
	return s
}

// New returns a Service that sends requests to baseURL (DefaultBaseURL if
// empty) through hc's transport. A nil hc gets a client with sensible
// timeouts. hc.Timeout, if set, bounds each HTTP attempt.
func New(baseURL string, hc *http.Client) *Service {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	// Without the slash, URL resolution drops the last path segment ("v3").
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	if hc == nil {
		hc = defaultClient()
	}
	s := &Service{
		baseURL:    baseURL,
		base:       hc,
		timeout:    15 * time.Second,
		attempts:   3,
		backoff:    200 * time.Millisecond,
		maxBackoff: 2 * time.Second,
		sleep:      backoff.Sleep,
		pageSize:   2500,
	}
	api := &http.Client{Transport: tokenTransport{base: hc.Transport}, Timeout: hc.Timeout}
	s.api, s.apiErr = gcal.NewService(context.Background(), option.WithHTTPClient(api), option.WithEndpoint(baseURL))
	if s.apiErr != nil {
		s.apiErr = fmt.Errorf("new calendar client: %w", s.apiErr)
	}
	return s
}

func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 5 * time.Second
	t.ResponseHeaderTimeout = 10 * time.Second
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: t, Timeout: 10 * time.Second}
}

// service returns the API client and ctx carrying ts: the requests of a
// call made with that context carry tokens from ts.
func (s *Service) service(ctx context.Context, ts oauth2.TokenSource) (*gcal.Service, context.Context, error) {
	if ts == nil {
		return nil, ctx, errors.New("nil token source")
	}
	if s.apiErr != nil {
		return nil, ctx, s.apiErr
	}
	return s.api, context.WithValue(ctx, tokensKey{}, ts), nil
}

type tokensKey struct{}

// tokenTransport sends each request with a token from the source in its
// context, through oauth2.Transport, so its semantics (the header, closing
// the body on error) are the library's.
type tokenTransport struct{ base http.RoundTripper }

func (t tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ts, _ := req.Context().Value(tokensKey{}).(oauth2.TokenSource)
	if ts == nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errors.New("calendar request without a token source")
	}
	return (&oauth2.Transport{Source: markedSource{ts}, Base: t.base}).RoundTrip(req)
}

// markedSource marks the errors of the caller's token source, so that they are
// never retried and reach the caller unchanged (oauth2.RetrieveError,
// the caller's own sentinels).
type markedSource struct{ ts oauth2.TokenSource }

func (m markedSource) Token() (*oauth2.Token, error) {
	tok, err := m.ts.Token()
	if err != nil {
		return nil, &tokenError{err}
	}
	return tok, nil
}

type tokenError struct{ err error }

func (e *tokenError) Error() string { return "get token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }
