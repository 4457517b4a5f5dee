package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/storage"
)

// scheduled watches the scheduler's messages as they reach the gate:
// agendas and reminders per chat, each reminder's lateness after its moment.
type scheduled struct {
	mu        sync.Mutex
	agendas   map[int64]int
	reminders map[int64]int
	due       map[int64]time.Time // the reminder moment of each chat that has one
	late      []time.Duration
	lastAg    time.Time
	total     int // agendas + reminders expected
	got       int
	done      chan struct{}
}

func newScheduled(f *fakes, ids []int64, total int, due map[int64]time.Time) *scheduled {
	// The chats were linked long ago: Telegram knows them.
	for _, id := range ids {
		u := telegramfake.User{ID: id, FirstName: "Load", LanguageCode: "en"}
		f.tg.Open(u, telegramfake.Private(u))
	}
	s := &scheduled{agendas: map[int64]int{}, reminders: map[int64]int{}, due: due, total: total, done: make(chan struct{})}
	f.gate.OnSend(s.sent)
	return s
}

func (s *scheduled) sent(m telegramfake.SentMessage, arrived time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.Contains(m.Text, "Good morning"):
		s.agendas[m.ChatID]++
		s.lastAg = arrived
	case strings.HasPrefix(m.Text, "⏰"):
		s.reminders[m.ChatID]++
		if at, ok := s.due[m.ChatID]; ok && s.reminders[m.ChatID] == 1 {
			s.late = append(s.late, arrived.Sub(at))
		}
	default:
		return
	}
	s.got++
	if s.got == s.total {
		close(s.done)
	}
}

// wait waits until every expected message came, or until deadline.
func (s *scheduled) wait(ctx context.Context, deadline time.Time) error {
	select {
	case <-s.done:
		return nil
	case <-time.After(time.Until(deadline)):
		s.mu.Lock()
		defer s.mu.Unlock()
		return fmt.Errorf("%d of %d scheduled messages arrived by %s", s.got, s.total, deadline.Format(time.TimeOnly))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// doubles counts chats that got an agenda or a reminder more than once.
func (s *scheduled) doubles() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range []map[int64]int{s.agendas, s.reminders} {
		for _, k := range c {
			if k > 1 {
				n++
			}
		}
	}
	return n
}

// reminderEvent is an event in the Moscow calendar whose one popup
// reminder, a minute before it starts, is due at due.
func reminderEvent(id string, due time.Time) *gcal.Event {
	start := due.Add(time.Minute)
	return &gcal.Event{
		Id: id, Summary: "Call", HangoutLink: "https://meet.google.com/abc-defg-hij",
		Start:     &gcal.EventDateTime{DateTime: start.Format(time.RFC3339), TimeZone: zone},
		End:       &gcal.EventDateTime{DateTime: start.Add(30 * time.Minute).Format(time.RFC3339), TimeZone: zone},
		Reminders: &gcal.EventReminders{Overrides: []*gcal.EventReminder{{Method: "popup", Minutes: 1}}, ForceSendFields: []string{"UseDefault"}},
	}
}

// wave: every chat has its morning agenda at the same minute and 8 events
// that day; 100 chats also have a reminder due during the wave. The fake
// enforces Telegram's limits, calbot paces as configured by default.
func wave(ctx context.Context, o options) (result, error) {
	chats := o.or(o.chats, 2000)
	nrem := min(100, chats)
	loc, _ := time.LoadLocation(zone)
	// The wave's minute: after calbot's first reads, spread over the
	// interval stretched to the budget (SCHEDULE_INTERVAL=30s below).
	spread := max(30*time.Second, time.Duration(chats)*time.Minute/3000)
	at := time.Now().Add(spread + 30*time.Second).Truncate(time.Minute).Add(time.Minute)
	length := time.Duration(chats) * time.Second / 30
	due := map[int64]time.Time{}
	day := time.Date(at.In(loc).Year(), at.In(loc).Month(), at.In(loc).Day(), 0, 0, 0, 0, loc)
	every := chats / nrem
	s := setup{
		chats: chats, latency: o.latencyOr(0), valid: true,
		env: withEnv(o, map[string]string{"SCHEDULE_INTERVAL": "30s"}),
		settings: func(i int, st *storage.Settings) {
			st.Zone = zone
			st.Agenda = storage.Agenda{On: true, At: at.In(loc).Hour()*60 + at.In(loc).Minute(), Offered: true}
		},
	}
	var f *fakes
	s.day = func(email string, i int) {
		f.cal.SetZone(email, zone)
		for h := range 8 {
			start := day.Add(time.Duration(9+h) * time.Hour)
			f.cal.Add(email, &gcal.Event{Summary: fmt.Sprintf("Meeting %d", h+1),
				Start: &gcal.EventDateTime{DateTime: start.Format(time.RFC3339), TimeZone: zone},
				End:   &gcal.EventDateTime{DateTime: start.Add(45 * time.Minute).Format(time.RFC3339), TimeZone: zone}})
		}
		if i%every == 0 && i/every < nrem {
			d := at.Add(time.Duration(i/every) * length / time.Duration(nrem)).Truncate(time.Second)
			due[int64(firstChat+i)] = d
			f.cal.Add(email, reminderEvent(fmt.Sprintf("call%06d", i), d))
		}
	}
	r, err := newRigWith(ctx, o, s, func(fk *fakes) { f = fk; fk.gate.SetLimits(30, time.Second) })
	if err != nil {
		return result{}, err
	}
	defer r.close()
	w := newScheduled(r.f, r.ids, chats+len(due), due)
	g0, cpu0 := r.f.stats().google, mustCPU(r)
	werr := w.wait(ctx, at.Add(2*length+time.Minute))
	res := result{scenario: "wave"}
	ideal := time.Duration(chats+len(due)) * time.Second / 30
	w.mu.Lock()
	agendas, reminders, lastAg, late := len(w.agendas), len(w.reminders), w.lastAg, percentilesOf(w.late)
	w.mu.Unlock()
	res.add("linked chats, agenda at "+at.In(loc).Format("15:04")+" "+zone, float64(chats), "", "", nil)
	res.add("chats that got their agenda", float64(agendas), "", fmt.Sprintf("= %d", chats), eq(float64(chats)))
	res.add("reminders due during the wave", float64(len(due)), "", "", nil)
	res.add("chats that got their reminder", float64(reminders), "", fmt.Sprintf("= %d", len(due)), eq(float64(len(due))))
	// The reminders take their turns out of the same 30 a second.
	res.add("agenda wave took (from its minute)", sec(lastAg.Sub(at)), "s", fmt.Sprintf("<= %.1f s (1.10 × %d messages / 30 per s)", 1.1*ideal.Seconds(), chats+len(due)), atMost(1.1*ideal.Seconds()))
	res.add("  as a multiple of what 30/s allows for the agendas alone", sec(lastAg.Sub(at))/(time.Duration(chats)*time.Second/30).Seconds(), "×", "", nil)
	res.add("reminder lateness p50", ms(late.p50), "ms", "", nil)
	res.add("reminder lateness p99", ms(late.p99), "ms", "<= 5000 ms", atMost(5000))
	res.add("reminder lateness max", ms(late.max), "ms", "", nil)
	res.add("chats with a message twice", float64(w.doubles()), "", "= 0", eq(0))
	res.add("429s from the fake", float64(r.f.gate.TooMany()), "", "= 0", eq(0))
	res.add("Google requests during the wave", float64(r.f.stats().google-g0), "", "", nil)
	res.add("calbot CPU during the wave", sec(mustCPU(r)-cpu0), "s", "", nil)
	r.finish(&res, werr)
	return res, nil
}

// steady: many linked chats, nothing asked: calbot reads their calendars
// within the Google budget and sends the reminders that fall due.
func steady(ctx context.Context, o options) (result, error) {
	chats := o.or(o.chats, 10000)
	const budget = 3000
	length := 5 * time.Minute
	interval := max(2*time.Minute, time.Duration(chats)*time.Minute/budget)
	nrem := min(200, chats)
	start := time.Now()
	due := map[int64]time.Time{}
	var f *fakes
	every := chats / nrem
	// Reminders fall due after the first round of reads (one stretched
	// interval, plus seeding), spread over the last minute and a half.
	first := start.Add(interval + 30*time.Second)
	s := setup{chats: chats, latency: o.latencyOr(0), valid: true, env: withEnv(o, nil)}
	s.day = func(email string, i int) {
		f.addDay(email, start)
		if i%every == 0 && i/every < nrem {
			d := first.Add(time.Duration(i/every) * 90 * time.Second / time.Duration(nrem)).Truncate(time.Second)
			due[int64(firstChat+i)] = d
			f.cal.Add(email, reminderEvent(fmt.Sprintf("call%06d", i), d))
		}
	}
	r, err := newRigWith(ctx, o, s, func(fk *fakes) { f = fk; fk.gate.SetLimits(30, time.Second) })
	if err != nil {
		return result{}, err
	}
	defer r.close()
	w := newScheduled(r.f, r.ids, len(due), due)
	end := first.Add(2 * time.Minute)
	if e := r.p.started.Add(length); e.After(end) {
		end = e
	}
	// Measure after the first minute: reads are spread from the start.
	time.Sleep(time.Until(r.p.started.Add(time.Minute)))
	g0, t0 := r.f.stats().google, time.Now()
	u0, k0, _ := r.p.cpuTimes()
	werr := w.wait(ctx, end)
	if werr == nil {
		time.Sleep(time.Until(end))
	}
	g1, t1 := r.f.stats().google, time.Now()
	u1, k1, _ := r.p.cpuTimes()
	res := result{scenario: "steady"}
	w.mu.Lock()
	late := percentilesOf(w.late)
	got := len(w.reminders)
	w.mu.Unlock()
	perMin := float64(g1-g0) / t1.Sub(t0).Minutes()
	res.add("linked chats", float64(chats), "", "", nil)
	res.add("measured over", sec(t1.Sub(t0)), "s", "", nil)
	res.add(fmt.Sprintf("Google requests per minute (budget %d)", budget), perMin, "", fmt.Sprintf("<= %d", budget), atMost(budget))
	res.add("reminders due / delivered", float64(len(due)), "", "", nil)
	res.add("reminders delivered", float64(got), "", fmt.Sprintf("= %d", len(due)), eq(float64(len(due))))
	res.add("reminder lateness p50", ms(late.p50), "ms", "", nil)
	res.add("reminder lateness p99", ms(late.p99), "ms", "<= 5000 ms", atMost(5000))
	res.add("reminder lateness max", ms(late.max), "ms", "", nil)
	res.add("chats with a reminder twice", float64(w.doubles()), "", "= 0", eq(0))
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / t1.Sub(t0).Seconds() }
	res.add("calbot CPU, % of one core", pct(u1-u0+k1-k0), "", "<= 5", atMost(5))
	res.add("  of which in the kernel (system calls)", pct(k1-k0), "", "", nil)
	res.add("calbot CPU per Google request", float64((u1-u0+k1-k0).Microseconds())/float64(g1-g0), "µs", "", nil)
	if m, err := r.p.memory(); err == nil {
		res.add("calbot RSS at the end", mb(m.rss), "MB", "<= 80 MB", atMost(80))
		res.add("  of which anonymous (heap, stacks)", mb(m.anon), "MB", "", nil)
		res.add("  of which file-backed (binary, database map)", mb(m.file), "MB", "", nil)
	}
	r.finish(&res, werr)
	return res, nil
}
