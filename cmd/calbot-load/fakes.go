package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

const (
	botToken     = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
	clientID     = "123-load.apps.googleusercontent.com"
	clientSecret = "GOCSPX-load-secret"
	zone         = "Europe/Moscow"
)

// fakes are the stand-ins for Telegram and Google, each served on its own
// 127.0.0.1 port. Requests to the Google fakes wait latency first, as if
// Google were that far away.
type fakes struct {
	tg   *telegramfake.Server
	gate *telegramfake.Gate
	g    *oauthfake.Server
	cal  *calendarfake.Server

	tgURL, gURL, calURL string
	calbotAddr          string // where calbot's HTTP server will listen
	latency             time.Duration

	google    atomic.Int64 // requests that reached a Google fake
	injected  atomic.Int64 // nanoseconds of latency injected, summed
	firstMe   atomic.Int64 // unix nanoseconds of the first getMe
	firstPoll atomic.Int64 // unix nanoseconds of the first getUpdates
	polls     atomic.Int64

	servers []*http.Server
	// spent, if set, learns how long each Calendar request took inside
	// the fake, injected latency included, and for which chat.
	spent atomic.Pointer[func(chatID int64, d time.Duration)]
}

// startFakes serves fresh fakes on loopback ports.
func startFakes(latency time.Duration) (*fakes, error) {
	f := &fakes{latency: latency}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	f.calbotAddr = addr
	f.tg = telegramfake.NewServer(botToken)
	f.gate = f.tg.Gate()
	f.g = oauthfake.NewServer(clientID, clientSecret, "http://"+addr+"/oauth/callback")
	f.cal = calendarfake.NewServer(func(bearer string) (string, bool) {
		acct, _, ok := f.g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	if f.tgURL, err = f.serve(f.tap(f.gate)); err != nil {
		return nil, err
	}
	if f.gURL, err = f.serve(f.slow(f.g.Handler())); err != nil {
		f.close()
		return nil, err
	}
	if f.calURL, err = f.serve(f.attribute(f.slow(f.cal.Handler()))); err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// serve serves h on a new loopback port and returns its base URL.
func (f *fakes) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	f.servers = append(f.servers, srv)
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// close ends long polls and stops serving.
func (f *fakes) close() {
	f.tg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range f.servers {
		if s.Shutdown(ctx) != nil {
			s.Close()
		}
	}
}

// slow delays every request by f.latency and counts it as a Google request.
func (f *fakes) slow(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.google.Add(1)
		if f.latency > 0 {
			t := time.NewTimer(f.latency)
			select {
			case <-t.C:
				f.injected.Add(int64(f.latency))
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// attribute measures each Calendar request from its arrival to the end of
// its answer and reports it to spent, for the chat whose token it carries.
func (f *fakes) attribute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		fn := f.spent.Load()
		if fn == nil {
			return
		}
		bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		acct, _, _ := f.g.AccessTokenOwner(bearer)
		var i int64
		if _, err := fmt.Sscanf(acct.Email, "load%d@example.com", &i); err == nil {
			(*fn)(firstChat+i, time.Since(start))
		}
	})
}

// tap notes when calbot first called getMe and getUpdates.
func (f *fakes) tap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UnixNano()
		switch {
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			f.firstPoll.CompareAndSwap(0, now)
			f.polls.Add(1)
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			f.firstMe.CompareAndSwap(0, now)
		}
		next.ServeHTTP(w, r)
	})
}

// waitPoll waits until calbot's first getUpdates reached the fake and
// returns when that was, or fails after timeout or when exited is closed.
func (f *fakes) waitPoll(timeout time.Duration, exited <-chan struct{}) (time.Time, error) {
	deadline := time.After(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if ns := f.firstPoll.Load(); ns != 0 {
			return time.Unix(0, ns), nil
		}
		select {
		case <-tick.C:
		case <-exited:
			return time.Time{}, errors.New("calbot exited before it polled Telegram")
		case <-deadline:
			return time.Time{}, fmt.Errorf("calbot did not poll Telegram within %s", timeout)
		}
	}
}

// stats are the fakes' counters at one moment.
type stats struct {
	google, refreshes, lists, tooMany int
	injected                          time.Duration
	unexpected                        []string
}

func (f *fakes) stats() stats {
	st := stats{
		google:    int(f.google.Load()),
		refreshes: f.g.Requests("refresh_token"),
		lists:     f.cal.Requests("list"),
		tooMany:   f.gate.TooMany(),
		injected:  time.Duration(f.injected.Load()),
	}
	for _, u := range f.g.Unexpected() {
		st.unexpected = append(st.unexpected, "oauth: "+u)
	}
	for _, u := range f.cal.Unexpected() {
		st.unexpected = append(st.unexpected, "calendar: "+u)
	}
	for _, u := range f.tg.Rejected() {
		st.unexpected = append(st.unexpected, "telegram rejected: "+u)
	}
	for _, u := range f.tg.Unexpected() {
		st.unexpected = append(st.unexpected, "telegram unknown method: "+u)
	}
	return st
}

// addDay gives the account's calendar the Moscow zone and a small day:
// one all-day event and two meetings today.
func (f *fakes) addDay(email string, now time.Time) {
	f.cal.SetZone(email, zone)
	loc, _ := time.LoadLocation(zone)
	d := now.In(loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	at := func(h int) *gcal.EventDateTime {
		return &gcal.EventDateTime{DateTime: day.Add(time.Duration(h) * time.Hour).Format(time.RFC3339), TimeZone: zone}
	}
	f.cal.Add(email, &gcal.Event{Summary: "Load test", Start: &gcal.EventDateTime{Date: day.Format(time.DateOnly)},
		End: &gcal.EventDateTime{Date: day.AddDate(0, 0, 1).Format(time.DateOnly)}})
	f.cal.Add(email, &gcal.Event{Summary: "Standup", Location: "Room 1", Start: at(10), End: at(11)})
	f.cal.Add(email, &gcal.Event{Summary: "Lunch & <talk>", Start: at(13), End: at(14)})
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
