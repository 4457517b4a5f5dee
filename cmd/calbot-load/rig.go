package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

// firstChat is the id of the first simulated private chat (and its user).
const firstChat = 500000000

// setup describes the world one scenario run starts calbot in.
type setup struct {
	chats   int               // linked chats in the database
	latency time.Duration     // of every request to a Google fake
	env     map[string]string // beyond the common configuration
	// valid gives every chat tokens the fake OAuth server accepts and a
	// calendar with a few events today; without it the chats get inert
	// tokens (enough for startup measurements).
	valid bool
	// expired makes the stored access tokens expired, so calbot must
	// refresh before its first Calendar call.
	expired bool
	// day, if set, fills the calendar of chat i instead of addDay;
	// settings, if set, gives chat i its settings record.
	day      func(email string, i int)
	settings func(i int, st *storage.Settings)
}

// rig is calbot running against the fakes, with a seeded database.
type rig struct {
	f       *fakes
	p       *process
	t       *tracker
	dir     string
	ids     []int64
	startup time.Duration // exec to the first getUpdates at the fake
	getMe   time.Duration // exec to the first getMe
	seeded  time.Duration // time to seed the database
	dbSize  int64
	cpu0    time.Duration // calbot's CPU when ready
}

func newRig(ctx context.Context, o options, s setup) (r *rig, err error) {
	return newRigWith(ctx, o, s, nil)
}

// newRigWith is newRig that hands the fakes to ready before it seeds the
// calendars (s.day needs them).
func newRigWith(ctx context.Context, o options, s setup, ready func(*fakes)) (r *rig, err error) {
	r = &rig{}
	if r.dir, err = os.MkdirTemp("", "calbot-load-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.f, err = startFakes(s.latency); err != nil {
		return nil, err
	}
	if ready != nil {
		ready(r.f)
	}
	now := time.Now()
	links := make([]storage.Link, s.chats)
	r.ids = make([]int64, s.chats)
	for i := range links {
		id := int64(firstChat + i)
		r.ids[i] = id
		acct := oauthfake.Account{Sub: fmt.Sprintf("1%020d", i), Email: fmt.Sprintf("load%d@example.com", i)}
		l := storage.Link{
			ChatID: id, UserID: id, Sub: acct.Sub, Email: acct.Email,
			Scope: oauth.CalendarScope + " openid email", Zone: zone, TokenType: "Bearer", LinkedAt: now.Add(-24 * time.Hour),
		}
		if s.valid {
			l.AccessToken, l.RefreshToken, l.Expiry = r.f.g.Mint(acct, []string{"openid", "email", oauth.CalendarScope})
			if s.expired {
				l.AccessToken, l.Expiry, _ = r.f.g.MintAccess(l.RefreshToken, -time.Minute)
			}
			if s.day != nil {
				s.day(acct.Email, i)
			} else {
				r.f.addDay(acct.Email, now)
			}
		} else {
			l.AccessToken, l.RefreshToken, l.Expiry = fmt.Sprintf("ya29.a0inert%0200d", i), fmt.Sprintf("1//0inert%090d", i), now.Add(time.Hour)
		}
		links[i] = l
	}
	dbPath := filepath.Join(r.dir, "calbot.db")
	start := time.Now()
	if err := seed(dbPath, links, s.settings); err != nil {
		return nil, fmt.Errorf("seed database: %w", err)
	}
	r.seeded = time.Since(start)
	if fi, err := os.Stat(dbPath); err == nil {
		r.dbSize = fi.Size()
	}
	r.t = newTracker(r.f, r.ids)

	if r.p, err = startCalbot(o.calbot, r.dir, environ(r.f, dbPath, s.env)); err != nil {
		return nil, err
	}
	polled, err := r.f.waitPoll(30*time.Second, r.p.exited)
	if err != nil {
		return nil, fmt.Errorf("%w; calbot said:\n%s", err, strings.Join(r.p.log.lines(), "\n"))
	}
	r.startup = polled.Sub(r.p.started)
	if ns := r.f.firstMe.Load(); ns != 0 {
		r.getMe = time.Unix(0, ns).Sub(r.p.started)
	}
	r.cpu0, _ = r.p.cpu()
	return r, nil
}

// close stops calbot and the fakes and removes the files.
func (r *rig) close() error {
	var err error
	if r.p != nil {
		err = r.p.stop()
	}
	if r.f != nil {
		r.f.close()
	}
	os.RemoveAll(r.dir)
	return err
}

// todayFromEach sends /today from every chat at once and waits, at most
// within, for the replies.
func (r *rig) todayFromEach(ctx context.Context, within time.Duration) error {
	for _, id := range r.ids {
		r.t.send(id, kindToday)
	}
	return r.t.wait(ctx, within)
}

// finish adds what every scenario reports: calbot's memory and log, anything
// the fakes found wrong, and why the run stopped waiting (werr), if it did.
func (r *rig) finish(res *result, werr error) {
	if m, err := r.p.memory(); err == nil {
		res.add("calbot peak RSS (VmHWM)", mb(m.hwm), "MB", "", nil)
	}
	st := r.f.stats()
	res.add("fake protocol complaints", float64(len(st.unexpected)), "", "= 0", eq(0))
	for i, u := range st.unexpected {
		if i == 5 {
			res.note("… %d more", len(st.unexpected)-5)
			break
		}
		res.note("fake: %s", u)
	}
	var warn []string
	for _, l := range r.p.log.lines() {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			warn = append(warn, l)
		}
	}
	res.add("calbot warnings and errors logged", float64(len(warn)), "", "", nil)
	for i, l := range warn {
		if i == 3 {
			res.note("… %d more log lines", len(warn)-3)
			break
		}
		res.note("calbot: %s", l)
	}
	if werr != nil {
		res.note("%v", werr)
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
