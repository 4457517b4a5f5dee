package schedule

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// fakeClock is a Clock the test moves by hand; armed tells the test that
// Run waits for a timer.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	armed  chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	c.mu.Unlock()
	select {
	case c.armed <- struct{}{}:
	default:
	}
	return ch
}

// advance moves to the earliest timer and fires every timer due then.
func (c *fakeClock) advance() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return
	}
	sort.Slice(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	if c.timers[0].at.After(c.now) {
		c.now = c.timers[0].at
	}
	rest := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			rest = append(rest, t)
		} else {
			t.ch <- c.now
		}
	}
	c.timers = rest
}

// running runs a fresh Scheduler on h's Config (h.start builds it), its
// deliveries sent to delivered; stop ends Run and returns what it returned.
func running(t *testing.T, h *harness) (s *Scheduler, delivered chan Due, stop func() error) {
	t.Helper()
	cfg := h.s.cfg
	delivered = make(chan Due, 4)
	cfg.Deliver = func(_ context.Context, d Due) error {
		delivered <- d
		return nil
	}
	s = New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not end with its context")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return s, delivered, stop
}

// TestRun drives Run itself on a fake clock: a reminder of an event created
// after start (Touch) is handed over at its moment, and Run ends with its
// context.
func TestRun(t *testing.T) {
	clock := &fakeClock{now: at(3, 9, 0), armed: make(chan struct{}, 1)}
	h := newHarness(t, clock.now, Config{Clock: clock})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin"})
	h.start()
	s, delivered, stop := running(t, h)

	meeting := event("m", at(3, 10, 0))
	h.src.set(1, meeting)
	s.Touch(1)
	deadline := time.After(10 * time.Second)
	var got Due
wait:
	for {
		select {
		case got = <-delivered:
			break wait
		case <-clock.armed:
			clock.advance()
		case <-deadline:
			t.Fatal("reminder not handed over")
		}
	}
	if got.Key != ReminderKey(1, meeting, DefaultLead) || !clock.Now().Equal(at(3, 9, 50)) {
		t.Errorf("handed %s at %v, want the reminder at 09:50", got.Key, clock.Now())
	}
	if err := stop(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

// TestResultWakesIdleLoop: a read that finishes while the loop sleeps
// until a moment far off wakes it, so that what the read found is planned
// at once: here an event starting in 5 minutes, whose 10-minute reminder
// is handed over (late) without the clock moving.
func TestResultWakesIdleLoop(t *testing.T) {
	clock := &fakeClock{now: at(3, 9, 0), armed: make(chan struct{}, 1)}
	h := newHarness(t, clock.now, Config{Clock: clock})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin"})
	h.start()
	s, delivered, _ := running(t, h)
	<-clock.armed // asleep until the first read, up to an interval away
	soon := event("soon", at(3, 9, 5))
	h.src.set(1, soon)
	s.Touch(1)
	select {
	case d := <-delivered:
		if d.Key != ReminderKey(1, soon, DefaultLead) || !d.Late {
			t.Errorf("handed %s late=%v, want the late reminder of the event at 09:05", d.Key, d.Late)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the read's result waited for the clock: the loop was not woken")
	}
	if !clock.Now().Equal(at(3, 9, 0)) {
		t.Errorf("clock moved to %v", clock.Now())
	}
}

// TestTouchForgetWhileRunning: Touch and Forget from other goroutines while
// the loop steps (under -race: the loop never reads what they write).
func TestTouchForgetWhileRunning(t *testing.T) {
	clock := &fakeClock{now: at(3, 9, 0), armed: make(chan struct{}, 1)}
	h := newHarness(t, clock.now, Config{Clock: clock})
	for id := int64(1); id <= 3; id++ {
		h.chat(id, storage.Settings{Zone: "Europe/Berlin"})
	}
	h.start()
	s, _, stop := running(t, h)
	ticking := make(chan struct{})
	defer close(ticking)
	go func() { // the loop also wakes by its timers meanwhile
		for {
			select {
			case <-clock.armed:
				clock.advance()
			case <-ticking:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for id := int64(1); id <= 3; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				if i%50 == 49 {
					s.Forget(id)
				} else {
					s.Touch(id)
				}
			}
		}()
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

// BenchmarkPlan measures planning one chat with 20 events and two leads,
// the work of each read.
func BenchmarkPlan(b *testing.B) {
	h := newHarness(b, at(3, 8, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 480}, Reminders: storage.Reminders{Leads: []int{10, 60}}})
	for i := range 20 {
		h.src.events[1] = append(h.src.events[1], event("e"+itoa(int64(i)), at(3, 9+i/2, 30*(i%2))))
	}
	h.start()
	h.runUntil(at(3, 8, 5))
	c := h.s.chats[1]
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.s.replan(c, h.now)
	}
}

// blockingSource holds each read until the test releases it.
type blockingSource struct {
	*fakeSource
	release chan struct{}
}

func (b blockingSource) Upcoming(ctx context.Context, chatID int64, cals []string, from, to time.Time) ([]calendar.Event, error) {
	<-b.release
	return b.fakeSource.Upcoming(ctx, chatID, cals, from, to)
}

// TestTouchDuringRead: an event added while a read is out (which may have
// missed it) is still planned, by a second read at once.
func TestTouchDuringRead(t *testing.T) {
	h := newHarness(t, at(3, 9, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin"})
	h.start()
	src := blockingSource{fakeSource: h.src, release: make(chan struct{})}
	h.s.cfg.Source = src
	ctx := context.Background()
	h.s.Touch(1)
	h.s.step(ctx, h.now) // the read starts and blocks
	meeting := event("m", at(3, 10, 0))
	h.src.set(1, meeting) // /add, then Touch, while the read is out
	h.s.Touch(1)
	h.s.step(ctx, h.now)
	close(src.release)
	h.runUntil(at(3, 9, 0).Add(time.Second))
	if calls := h.src.calls[1]; len(calls) != 2 || !calls[1].Equal(at(3, 9, 0)) {
		t.Errorf("reads at %v, want two at 09:00", calls)
	}
	h.runUntil(at(3, 11, 0))
	checkExactly(t, h.take(), map[string]time.Time{ReminderKey(1, meeting, DefaultLead): at(3, 9, 50)})
}
