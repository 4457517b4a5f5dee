package schedule

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// readTimeout bounds one background read of a chat's calendars.
const readTimeout = 30 * time.Second

// settingsMaxAge is how long a read may plan from the settings an earlier
// read took. Touch, which the bot calls after every change it makes, has the
// next read take them anew; the age bounds how long a change made any other
// way (a restore, another tool) goes unseen.
const settingsMaxAge = time.Hour

// resultLag is how long a finished read may wait for the loop to wake by
// itself before it is taken into the plan.
const resultLag = 100 * time.Millisecond

// readerIdle is how long a reader goroutine waits for another read before
// it ends.
const readerIdle = time.Minute

type readResult struct {
	chat   int64
	events []calendar.Event
	err    error
}

// readJob is one read of a chat's calendars, for a reader.
type readJob struct {
	chat     int64
	cals     []string
	from, to time.Time
}

// primaryOnly is the calendars of a chat that shows its primary one alone,
// shared rather than kept per chat.
var primaryOnly = []string{"primary"}

// read starts a read of c's calendars if the budget allows, and plans c
// again from its settings meanwhile.
func (s *Scheduler) read(ctx context.Context, c *chat, now time.Time) {
	if c.stale || now.Sub(c.settled) >= settingsMaxAge {
		st, err := s.cfg.Settings(c.id)
		if err != nil {
			s.cfg.Logger.Error("schedule_settings", "chat_id", c.id, "err", err)
			s.nextRead(c, now, s.cfg.Interval)
			return
		}
		s.settle(c, st, now)
	}
	s.replan(c, now)
	switch {
	case c.stopped:
		return
	case c.st.Reminders.Off:
		// Agendas need no calendar read: the bot reads the day when it
		// sends one.
		c.events = nil
		s.nextRead(c, now, s.stretch(c))
		return
	case c.reading:
		// Touched while a read is out: read again when it is back, so
		// that an event just added is not missed.
		c.again = true
		return
	}
	if r := s.limiter.ReserveN(now, min(c.cost, s.limiter.Burst())); r.DelayFrom(now) > 0 {
		// Over budget: come back later, not every second, so that many
		// waiting chats cost little.
		delay := max(r.DelayFrom(now), time.Second, s.stretch(c)/10)
		r.CancelAt(now)
		s.nextRead(c, now, delay)
		return
	}
	select {
	case s.slots <- struct{}{}:
	default:
		s.nextRead(c, now, time.Second)
		return
	}
	c.reading = true
	cals := c.cals
	if cals == nil {
		cals = primaryOnly
	}
	s.reads.Add(1)
	s.batch = append(s.batch, readJob{chat: c.id, cals: cals, from: now, to: now.Add(s.cfg.Lookahead)})
}

// batchTime is how long the reads of one batch should take together, done
// one after another: short enough that reads waiting in a batch neither hold
// their slots long nor wait long themselves.
const batchTime = 50 * time.Millisecond

// dispatch hands the reads started in this step to readers in batches, each
// done one after another by one reader: one hand-over for the several reads
// due at one point of the read grid. A batch holds as many reads as take
// batchTime at the recent read latency: all of them against a fast server,
// one each against a slow one, where waiting in a batch would cost more than
// a hand-over.
func (s *Scheduler) dispatch(ctx context.Context) {
	for _, batch := range batches(s.batch, time.Duration(s.latency.Load())) {
		select {
		case s.jobs <- batch: // a reader was waiting for some
		default:
			s.readers.Add(1)
			go s.reader(ctx, batch)
		}
	}
	s.batch = nil
}

// batches splits jobs into batches of what takes batchTime at latency.
func batches(jobs []readJob, latency time.Duration) [][]readJob {
	size := len(jobs)
	if latency > 0 {
		size = min(size, max(1, int(batchTime/latency)))
	}
	var out [][]readJob
	for len(jobs) > 0 {
		n := min(size, len(jobs))
		out = append(out, jobs[:n:n])
		jobs = jobs[n:]
	}
	return out
}

// reader does batch, then the batches handed to it while it waits, until
// none comes for readerIdle or ctx ends. Readers outlive their reads so that
// a read runs on a stack already grown to what decoding a response needs,
// rather than growing a new goroutine's stack every time.
func (s *Scheduler) reader(ctx context.Context, batch []readJob) {
	defer s.readers.Done()
	idle := time.NewTimer(readerIdle)
	defer idle.Stop()
	for {
		for _, job := range batch {
			s.do(ctx, job)
		}
		idle.Reset(readerIdle)
		select {
		case batch = <-s.jobs:
		case <-idle.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// do reads job's calendars and hands the result to the loop.
func (s *Scheduler) do(ctx context.Context, job readJob) {
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	began := time.Now()
	events, err := s.cfg.Source.Upcoming(rctx, job.chat, job.cals, job.from, job.to)
	took := time.Since(began)
	cancel()
	// The recent latency of reads (a moving average; readers racing on it
	// lose an update now and then, which does not matter).
	old := time.Duration(s.latency.Load())
	s.latency.Store(int64(old - old/8 + took/8))
	<-s.slots
	s.mu.Lock()
	s.results = append(s.results, readResult{chat: job.chat, events: events, err: err})
	s.mu.Unlock()
	s.reads.Done()
	// Many chats mean the loop wakes every few milliseconds for the next
	// read, and takes the results in then: waking it for each one as
	// well would double its wake-ups.
	if w := s.wakeAt.Load(); w == 0 || w-s.cfg.Clock.Now().UnixNano() > int64(resultLag) {
		s.poke()
	}
}

// settle takes st, read at now, into c: its zone, its shown calendars and
// read cost (one list per shown calendar), and only the parts of it
// planning needs, to keep many chats small in memory.
func (s *Scheduler) settle(c *chat, st storage.Settings, now time.Time) {
	c.loc = s.zone(st)
	shown := st.Shown()
	c.cals = nil
	if len(shown) != 1 || shown[0].ID != "primary" {
		c.cals = make([]string, len(shown))
		for i, cal := range shown {
			c.cals[i] = cal.ID
		}
	}
	s.totalCost += len(shown) - c.cost
	c.cost = len(shown)
	c.st = prefs{Agenda: st.Agenda, Reminders: st.Reminders, Quiet: st.Quiet}
	c.settled, c.stale = now, false
}

// zone is Zone with the locations cached: loading one reads a file.
func (s *Scheduler) zone(st storage.Settings) *time.Location {
	name := st.ZoneOverride
	if name == "" {
		name = st.Zone
	}
	if loc, ok := s.zones[name]; ok {
		return loc
	}
	loc := Zone(st)
	s.zones[name] = loc
	return loc
}

// applyRead takes a finished read into the plan.
func (s *Scheduler) applyRead(r readResult, now time.Time) {
	c := s.chats[r.chat]
	if c == nil {
		return
	}
	c.reading = false
	switch {
	case r.err == nil:
		s.cfg.Metrics.count("reads", "ok")
		c.fails = 0
		s.slow = max(1, s.slow*0.9)
		// Unchanged events keep the plan that read made a moment ago, and
		// the events its items point at.
		if events := trim(r.events, now); !sameEvents(c.events, events) {
			c.events = events
			s.replan(c, now)
		}
		s.nextRead(c, now, s.after(c))
	case errors.Is(r.err, oauth.ErrRevoked), errors.Is(r.err, oauth.ErrNotLinked):
		revoked := errors.Is(r.err, oauth.ErrRevoked)
		s.cfg.Metrics.count("reads", map[bool]string{true: "revoked", false: "not_linked"}[revoked])
		s.cfg.Logger.Info("schedule_stopped", "chat_id", c.id, "err", r.err)
		c.stopped, c.events = true, nil
		if revoked {
			d := Due{Key: "x:" + itoa(c.id) + ":" + itoa(now.Unix()), Kind: Revoked, ChatID: c.id, At: now, Zone: c.loc.String()}
			c.extra = append(c.extra, storedItem(d, now))
		}
		s.replan(c, now)
	default:
		outcome := "error"
		if errors.Is(r.err, calendar.ErrUnavailable) {
			outcome = "unavailable"
			s.slow = min(16, s.slow*2)
		}
		s.cfg.Metrics.count("reads", outcome)
		s.cfg.Logger.Warn("schedule_read", "chat_id", c.id, "err", r.err)
		c.fails++
		s.nextRead(c, now, s.stretch(c)<<min(c.fails, 4))
		if c.again {
			c.again = false
			s.nextRead(c, now, 0)
		}
	}
}

// trim keeps of events those a reminder may be planned for (timed, not
// declined, not yet started at now), as the scheduler keeps them until
// the chat's next read.
func trim(events []calendar.Event, now time.Time) []keptEvent {
	n := 0
	for i := range events {
		if remindable(&events[i], now) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]keptEvent, 0, n)
	for i := range events {
		if e := &events[i]; remindable(e, now) {
			out = append(out, keep(e))
		}
	}
	return out
}

// remindable reports whether reminders may be planned for e at now or later.
func remindable(e *calendar.Event, now time.Time) bool {
	return !e.AllDay && e.Response != calendar.Declined && !e.Start.Before(now)
}

// sameEvents reports whether a and b are the same events, as kept.
func sameEvents(a, b []keptEvent) bool {
	return slices.EqualFunc(a, b, sameEvent)
}

// stretch is the interval between reads of c: the configured one, longer
// when all chats together or c alone would exceed their budget, longer
// still while Google says slow down, with ±10% jitter.
func (s *Scheduler) stretch(c *chat) time.Duration {
	d := max(s.cfg.Interval,
		time.Duration(s.totalCost)*time.Minute/time.Duration(s.cfg.ProjectPerMinute),
		time.Duration(c.cost)*time.Minute/time.Duration(s.cfg.UserPerMinute))
	d = time.Duration(float64(d) * s.slow)
	s.interval = d
	return d + time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
}

// after is when to read c next: at once if it was touched during the read
// just done, else after its interval.
func (s *Scheduler) after(c *chat) time.Duration {
	if c.again {
		c.again = false
		return 0
	}
	return s.stretch(c)
}

func (s *Scheduler) nextRead(c *chat, now time.Time, after time.Duration) {
	c.readGen++
	s.queue.push(entry{at: onGrid(now.Add(after)), chat: c.id, read: true, gen: c.readGen})
}

// readGrid is the grid the moments of reads are put on (a Touch's read
// excepted): with many chats the loop then wakes once for the several reads
// due on one point of it, not once for each, and hands them over together.
const readGrid = 100 * time.Millisecond

// onGrid is the first point of the read grid at or after t.
func onGrid(t time.Time) time.Time {
	if g := t.Truncate(readGrid); !g.Equal(t) {
		return g.Add(readGrid)
	}
	return t
}

// replan rebuilds c's plan from its settings and last read, keeping what is
// neither done nor too old, and queues its earliest moment.
func (s *Scheduler) replan(c *chat, now time.Time) {
	var items []item
	if !c.stopped {
		items = append(agendas(c.id, c.st, c.loc, now), reminders(c.id, c.st, c.loc, c.events, now)...)
	}
	kept := items[:0]
	for _, it := range items {
		if it.eff.After(now.Add(-s.catchUp(it.kind))) || !it.eff.Before(c.seenFrom) {
			kept = append(kept, s.at(c, it))
		}
	}
	c.items = kept
	c.seenFrom = now.Add(-max(s.cfg.AgendaCatchUp, s.cfg.ReminderCatchUp))
	for i, it := range c.extra {
		if it.kind != Revoked {
			it = quiet(it, c.st.Quiet, c.loc)
		}
		c.extra[i] = s.at(c, it)
	}
	s.queueDue(c)
}

// at sets when the loop looks at it: its moment, or a retry after Deliver
// failed.
func (s *Scheduler) at(c *chat, it item) item {
	it.at = it.eff
	if c.retry == nil {
		return it
	}
	if t, ok := c.retry[it.key()]; ok && t.After(it.at) {
		it.at = t
	}
	return it
}

// queueDue queues c's earliest moment, unless the queue holds it already:
// a chat replanned every read leaves no trail of superseded entries.
func (s *Scheduler) queueDue(c *chat) {
	var first time.Time
	for _, list := range [][]item{c.items, c.extra} {
		for _, it := range list {
			if first.IsZero() || it.at.Before(first) {
				first = it.at
			}
		}
	}
	if c.dueQueued && first.Equal(c.dueAt) {
		return
	}
	c.dueGen++
	c.dueQueued, c.dueAt = !first.IsZero(), first
	if c.dueQueued {
		s.queue.push(entry{at: first, chat: c.id, gen: c.dueGen})
	}
}

// take removes and returns c's items due at now.
func (s *Scheduler) take(c *chat, now time.Time) []item {
	var out []item
	split := func(list []item) []item {
		rest := list[:0]
		for _, it := range list {
			if it.at.After(now) {
				rest = append(rest, it)
			} else {
				out = append(out, it)
			}
		}
		return rest
	}
	c.items, c.extra = split(c.items), split(c.extra)
	sort.Slice(out, func(i, j int) bool { return out[i].eff.Before(out[j].eff) })
	s.queueDue(c)
	return out
}

func (s *Scheduler) catchUp(k Kind) time.Duration {
	switch k {
	case Agenda:
		return s.cfg.AgendaCatchUp
	case Reminder:
		return s.cfg.ReminderCatchUp
	}
	return 365 * 24 * time.Hour
}

// hand gives it to the bot unless it was done already or is too late.
func (s *Scheduler) hand(ctx context.Context, it item, now time.Time) {
	d, kind := it.due(), it.kind.String()
	if s.chats[d.ChatID] == nil {
		return // forgotten while its agenda waited in the queue
	}
	snooze := strings.Contains(d.Key, ":snooze:")
	done, err := s.cfg.DB.Done(d.Key)
	if err != nil {
		s.cfg.Logger.Error("schedule_done", "chat_id", d.ChatID, "err", err)
		s.retryLater(it, now)
		return
	}
	reason := ""
	switch {
	case done:
	case now.Sub(it.eff) > s.catchUp(d.Kind):
		reason = "too_late"
	case d.Kind == Reminder && d.Late && now.After(d.Event.Start):
		reason = "started"
	}
	if !done {
		s.cfg.Metrics.count("due", kind)
	}
	if !done && reason == "" {
		if err := s.cfg.Deliver(ctx, d); err != nil {
			s.cfg.Logger.Error("schedule_deliver", "chat_id", d.ChatID, "kind", kind, "err", err)
			s.retryLater(it, now)
			return
		}
		s.cfg.Metrics.count("handed", kind)
		if d.Late {
			s.cfg.Metrics.count("late", kind)
		}
	}
	if reason != "" {
		s.cfg.Metrics.count("skipped", kind, reason)
	}
	if !done {
		if err := s.cfg.DB.MarkDone(d.Key, now); err != nil {
			s.cfg.Logger.Error("schedule_mark_done", "chat_id", d.ChatID, "err", err)
		}
	}
	if c := s.chats[d.ChatID]; c != nil {
		delete(c.retry, d.Key)
	}
	if snooze {
		if err := s.cfg.DB.DeletePlanned(d.ChatID, d.Key); err != nil {
			s.cfg.Logger.Error("schedule_delete_snooze", "chat_id", d.ChatID, "err", err)
		}
	}
}

// retryLater puts it back, to be tried again after a pause that doubles.
func (s *Scheduler) retryLater(it item, now time.Time) {
	c := s.chats[it.chat]
	if c == nil {
		return
	}
	wait := 10 * time.Second
	key := it.key()
	if prev, ok := c.retry[key]; ok {
		wait = min(5*time.Minute, 2*max(wait, now.Sub(prev)+10*time.Second))
	}
	if c.retry == nil {
		c.retry = map[string]time.Time{}
	}
	c.retry[key] = now.Add(wait)
	if it.stored != nil {
		c.extra = append(c.extra, s.at(c, it))
	} else {
		c.items = append(c.items, s.at(c, it))
	}
	s.queueDue(c)
}

// housekeep sets the gauges each minute and prunes old keys each hour.
func (s *Scheduler) housekeep(now time.Time) {
	if now.Sub(s.gauged) >= time.Minute {
		s.gauged = now
		s.cfg.Metrics.setInterval(s.interval.Seconds(), len(s.chats)+len(s.lazy))
	}
	if now.Sub(s.pruned) >= time.Hour {
		s.pruned = now
		if _, err := s.cfg.DB.PruneDone(now.Add(-s.cfg.Keep)); err != nil {
			s.cfg.Logger.Error("schedule_prune", "err", err)
		}
	}
}
