package schedule

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/calbot/calbot/storage"
)

// lateAfter is how far past its moment a message must be, when its moment
// comes, to count as late: more than scheduling jitter, less than downtime.
const lateAfter = time.Minute

// Scheduler plans and hands over each linked chat's agendas, reminders and
// snoozes. Touch, Forget and Snooze are safe for concurrent use with Run.
type Scheduler struct {
	cfg     Config
	limiter *rate.Limiter // the project-wide Google budget, in read costs

	mu      sync.Mutex
	touched map[int64]bool
	forgot  map[int64]bool
	snoozed []item
	results []readResult
	wake    chan struct{}
	// wakeAt is when the loop wakes by itself next, in Unix nanoseconds; 0
	// while it steps. A finished read wakes it only if that is far off.
	wakeAt  atomic.Int64
	latency atomic.Int64   // of reads, recently, in nanoseconds: see dispatch
	reads   sync.WaitGroup // the reads in flight
	readers sync.WaitGroup // the goroutines that do them
	slots   chan struct{}  // a token per read in flight
	jobs    chan []readJob // to a reader waiting for reads

	// Owned by the loop.
	chats map[int64]*chat
	// lazy are linked chats with default settings and no state yet: made
	// at their first read, so that many idle chats cost a map entry each.
	// Each counts 1 in totalCost.
	lazy       map[int64]struct{}
	queue      timeline
	batch      []readJob // reads started in this step, for dispatch
	agendaQ    []item
	agendaSlot time.Time
	since      time.Time // missed messages before it are not counted
	gauged     time.Time
	zones      map[string]*time.Location
	pruned     time.Time
	slow       float64 // >1 after Google said slow down
	totalCost  int
	interval   time.Duration
}

// chat is the loop's state of one chat.
type chat struct {
	id      int64
	st      prefs
	loc     *time.Location
	cost    int
	cals    []string             // the shown calendars; nil: the primary one alone
	settled time.Time            // when settings were last taken in
	stale   bool                 // touched: take the settings in again at the next read
	events  []keptEvent          // those trim keeps, of the last read
	items   []item               // planned from settings and the last read, by at
	extra   []item               // snoozes (stored) and the revoked notice
	retry   map[string]time.Time // made at the first retry
	reading bool
	again   bool // touched while reading
	stopped bool
	fails   int
	readGen uint64
	dueGen  uint64
	// dueQueued: the queue holds an entry of dueGen at dueAt.
	dueQueued bool
	dueAt     time.Time
	seenFrom  time.Time // stale items before it were already dealt with
}

// New returns a Scheduler; Run starts it.
func New(cfg Config) *Scheduler {
	cfg.defaults()
	perSec := float64(cfg.ProjectPerMinute) / 60
	return &Scheduler{
		cfg:      cfg,
		limiter:  rate.NewLimiter(rate.Limit(perSec), max(1, int(perSec*2))),
		touched:  map[int64]bool{},
		forgot:   map[int64]bool{},
		wake:     make(chan struct{}, 1),
		slots:    make(chan struct{}, cfg.Readers),
		jobs:     make(chan []readJob),
		chats:    map[int64]*chat{},
		lazy:     map[int64]struct{}{},
		zones:    map[string]*time.Location{},
		slow:     1,
		interval: cfg.Interval,
	}
}

// Touch has the chat read again at once, its settings and its calendars:
// after /add, /connect or a change of its settings (a change made without
// Touch is seen within the hour). It also resumes a chat stopped by a
// revoked grant.
func (s *Scheduler) Touch(chatID int64) {
	s.mu.Lock()
	s.touched[chatID] = true
	delete(s.forgot, chatID)
	s.mu.Unlock()
	s.poke()
}

// Forget stops scheduling for the chat and drops its snoozes: after
// /disconnect.
func (s *Scheduler) Forget(chatID int64) {
	s.mu.Lock()
	s.forgot[chatID] = true
	delete(s.touched, chatID)
	s.mu.Unlock()
	s.poke()
}

// Snooze plans d again at until, under a new Key, and stores it so that a
// restart keeps it. It returns once the snooze is stored.
func (s *Scheduler) Snooze(ctx context.Context, d Due, until time.Time) error {
	nd := d
	nd.Key = d.Key + ":snooze:" + strconv.FormatInt(until.Unix(), 10)
	nd.At, nd.Late, nd.Silent = until, false, false
	payload, err := json.Marshal(nd)
	if err != nil {
		return fmt.Errorf("encode snooze: %w", err)
	}
	if err := s.cfg.DB.PutPlanned(storage.Planned{ChatID: d.ChatID, Key: nd.Key, Payload: payload}); err != nil {
		return err
	}
	s.mu.Lock()
	s.snoozed = append(s.snoozed, storedItem(nd, until))
	s.mu.Unlock()
	s.poke()
	return nil
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run plans and hands over messages until ctx ends; it returns nil then. It
// returns an error only when it cannot start (the chats or the stored plans
// do not read).
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.start(s.cfg.Clock.Now()); err != nil {
		return err
	}
	// Listing many chats at start leaves garbage several times the size of
	// what is kept; give it back now rather than keep it as idle RSS.
	debug.FreeOSMemory()
	defer s.readers.Wait()
	for {
		s.wakeAt.Store(0) // stepping: a finished read pokes
		next := s.step(ctx, s.cfg.Clock.Now())
		var timer <-chan time.Time
		if !next.IsZero() {
			s.wakeAt.Store(next.UnixNano())
			timer = s.cfg.Clock.After(max(0, next.Sub(s.cfg.Clock.Now())))
		} else {
			s.wakeAt.Store(math.MaxInt64)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer:
		}
	}
}

// start loads the chats and the stored snoozes.
func (s *Scheduler) start(now time.Time) error {
	ids, err := s.cfg.Chats()
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	// Messages missed in the last day are counted as skipped once (their
	// keys then marked done); older ones are forgotten.
	s.since = now.Add(-24 * time.Hour)
	planned, skipped, err := s.cfg.DB.AllPlanned()
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	if skipped > 0 {
		s.cfg.Logger.Warn("schedule_planned_unreadable", "count", skipped)
	}
	var configured map[int64]bool // nil: every chat
	if s.cfg.Configured != nil {
		some, err := s.cfg.Configured()
		if err != nil {
			return fmt.Errorf("start scheduler: %w", err)
		}
		configured = make(map[int64]bool, len(some))
		for _, id := range some {
			configured[id] = true
		}
	}
	for _, id := range ids {
		if configured != nil && !configured[id] {
			s.lazy[id] = struct{}{}
			s.totalCost++
			continue
		}
		c := s.chat(id)
		// Plan from settings at once, so that an agenda missed while
		// calbot was down is caught up without waiting for a read.
		if st, err := s.cfg.Settings(id); err == nil {
			s.settle(c, st, now)
			s.replan(c, now)
		}
	}
	// Spread the first reads over one interval (as stretched for this many
	// chats), the same spread for a chat at every start.
	spread := max(s.cfg.Interval, time.Duration(s.totalCost)*time.Minute/time.Duration(s.cfg.ProjectPerMinute))
	for _, id := range ids {
		// A chat's first read is of generation 0, made or not.
		s.queue.push(entry{at: onGrid(now.Add(jitter(id, spread))), chat: id, read: true})
	}
	for _, p := range planned {
		var d Due
		if err := json.Unmarshal(p.Payload, &d); err != nil {
			s.cfg.Logger.Warn("schedule_planned_unreadable", "chat_id", p.ChatID, "err", err)
			continue
		}
		c := s.chat(p.ChatID)
		c.extra = append(c.extra, storedItem(d, d.At))
		s.replan(c, now)
	}
	return nil
}

// chat returns the state of id, made on first use (a lazy chat's then).
func (s *Scheduler) chat(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		if _, ok := s.lazy[id]; ok {
			delete(s.lazy, id)
			s.totalCost--
		}
		c = &chat{id: id, loc: time.UTC, cost: 1, seenFrom: s.since}
		s.chats[id] = c
		s.totalCost++
	}
	return c
}

func jitter(id int64, d time.Duration) time.Duration {
	h := uint64(id) * 0x9E3779B97F4A7C15
	return time.Duration(h % uint64(d))
}

// step does everything due at now and returns when it wants to run next
// (zero: when poked).
func (s *Scheduler) step(ctx context.Context, now time.Time) time.Time {
	s.commands(now)
	var ready []item
	for s.queue.Len() > 0 && !s.queue.peek().at.After(now) {
		e := heap.Pop(&s.queue).(entry)
		c := s.chats[e.chat]
		if _, ok := s.lazy[e.chat]; ok && e.read {
			c = s.chat(e.chat)
		}
		switch {
		case c == nil:
		case e.read && e.gen == c.readGen:
			s.read(ctx, c, now)
		case !e.read && e.gen == c.dueGen:
			c.dueQueued = false
			for _, it := range s.take(c, now) {
				it.late = it.held || now.Sub(it.eff) > lateAfter
				ready = append(ready, it)
			}
		}
	}
	s.dispatch(ctx)
	sort.SliceStable(ready, func(i, j int) bool {
		if (ready[i].kind == Agenda) != (ready[j].kind == Agenda) {
			return ready[j].kind == Agenda
		}
		return ready[i].eff.Before(ready[j].eff)
	})
	for _, it := range ready {
		if it.kind == Agenda {
			s.agendaQ = append(s.agendaQ, it)
			continue
		}
		s.hand(ctx, it, now)
	}
	s.paceAgendas(ctx, now)
	s.housekeep(now)
	next := time.Time{}
	if s.queue.Len() > 0 {
		next = s.queue.peek().at
	}
	if len(s.agendaQ) > 0 && (next.IsZero() || s.agendaSlot.Before(next)) {
		next = s.agendaSlot
	}
	return next
}

// paceAgendas hands queued agendas at AgendaRate at most.
func (s *Scheduler) paceAgendas(ctx context.Context, now time.Time) {
	gap := time.Duration(float64(time.Second) / s.cfg.AgendaRate)
	if s.agendaSlot.Before(now.Add(-time.Second)) {
		s.agendaSlot = now.Add(-time.Second) // a burst of one second's worth
	}
	for len(s.agendaQ) > 0 && !s.agendaSlot.After(now) {
		it := s.agendaQ[0]
		s.agendaQ = s.agendaQ[1:]
		s.agendaSlot = s.agendaSlot.Add(gap)
		s.hand(ctx, it, now)
	}
}

// commands applies Touch, Forget, Snooze and finished reads.
func (s *Scheduler) commands(now time.Time) {
	// The maps are taken only when they hold something: most steps (a read
	// due, a read back) have nothing in them, and need not make new ones.
	var touched, forgot map[int64]bool
	s.mu.Lock()
	if len(s.touched) > 0 {
		touched, s.touched = s.touched, map[int64]bool{}
	}
	if len(s.forgot) > 0 {
		forgot, s.forgot = s.forgot, map[int64]bool{}
	}
	snoozed, results := s.snoozed, s.results
	s.snoozed, s.results = nil, nil
	s.mu.Unlock()
	for id := range forgot {
		if c := s.chats[id]; c != nil {
			delete(s.chats, id)
			s.totalCost -= c.cost
		}
		if _, ok := s.lazy[id]; ok {
			delete(s.lazy, id)
			s.totalCost--
		}
		if err := s.cfg.DB.ForgetPlanned(id); err != nil {
			s.cfg.Logger.Error("schedule_forget", "chat_id", id, "err", err)
		}
	}
	for _, r := range results {
		s.applyRead(r, now)
	}
	for _, it := range snoozed {
		if !forgot[it.chat] {
			c := s.chat(it.chat)
			c.extra = append(c.extra, it)
			s.replan(c, now)
		}
	}
	for id := range touched {
		if _, lazy := s.lazy[id]; s.chats[id] == nil && !lazy {
			// A chat new to this run (just linked): nothing before now was
			// missed.
			s.chat(id).seenFrom = now
		}
		c := s.chat(id) // made now if lazy
		c.stopped, c.fails, c.stale = false, 0, true
		c.readGen++
		s.queue.push(entry{at: now, chat: id, read: true, gen: c.readGen})
	}
}
