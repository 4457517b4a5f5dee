package bot

import (
	"context"
	"sync"
	"testing"
	"time"
)

// stepClock is a Clock whose Sleep blocks until the test moves time past
// the sleeper's wake-up, so that concurrent waits happen in a known order.
type stepClock struct {
	mu      sync.Mutex
	t       time.Time
	waiters map[chan struct{}]time.Time
}

func newStepClock() *stepClock {
	return &stepClock{t: startAt, waiters: make(map[chan struct{}]time.Time)}
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	ch := make(chan struct{})
	c.mu.Lock()
	c.waiters[ch] = c.t.Add(d)
	c.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.waiters, ch)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// set moves time to t and wakes whoever sleeps until then.
func (c *stepClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
	for ch, at := range c.waiters {
		if !at.After(t) {
			delete(c.waiters, ch)
			close(ch)
		}
	}
}

func (c *stepClock) sleeping() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.waiters) }

// TestPacerServesOthersBeforeBulk: a reminder (any message that is not
// bulk) that comes while a wave of agendas holds the next turns leaves at
// the next turn, not after the wave; the overall rate still holds.
func TestPacerServesOthersBeforeBulk(t *testing.T) {
	const wave = 20
	clock := newStepClock()
	p := newPacer(clock, 10, 0) // one turn every 105 ms
	type sent struct {
		who string
		at  time.Time
	}
	out := make(chan sent, wave+1)
	ctx := context.Background()
	for i := range wave {
		go func() {
			if err := p.wait(withBulk(ctx), int64(i)); err != nil {
				t.Error(err)
			}
			out <- sent{"agenda", clock.Now()}
		}()
	}
	first := <-out // the first agenda has the current turn
	eventually(t, "the rest of the wave waits", func() bool { return clock.sleeping() == wave-1 })
	go func() {
		if err := p.wait(ctx, 9999); err != nil {
			t.Error(err)
		}
		out <- sent{"reminder", clock.Now()}
	}()
	eventually(t, "the reminder waits too", func() bool { return clock.sleeping() == wave })
	got := []sent{first}
	for step := 1; len(got) < wave+1; step++ {
		if step > 3*wave {
			t.Fatalf("after %d turns only %d messages left", step, len(got))
		}
		clock.set(startAt.Add(time.Duration(step) * p.global))
		select {
		case s := <-out:
			got = append(got, s)
		case <-time.After(waitFor):
			t.Fatalf("turn %d: nothing left", step)
		}
		waiting := wave + 1 - len(got)
		eventually(t, "the others wait again", func() bool { return clock.sleeping() == waiting })
	}
	if got[1].who != "reminder" {
		t.Errorf("second message = %s, want the reminder right after the agenda in flight", got[1].who)
	}
	for i := 1; i < len(got); i++ {
		if gap := got[i].at.Sub(got[i-1].at); gap < p.global {
			t.Errorf("messages %d and %d left %v apart, less than a turn (%v)", i-1, i, gap, p.global)
		}
	}
}

// TestBulkJobsLeaveWorkers: bulk jobs hold at most half the workers, so
// another chat's job runs while a wave of them waits.
func TestBulkJobsLeaveWorkers(t *testing.T) {
	d := newDispatcher(4, 16)
	ctx := context.Background()
	release := make(chan struct{})
	for i := range 6 {
		d.add(ctx, job{chat: int64(i), bulk: true, run: func(context.Context) { <-release }, done: func(bool) {}})
	}
	ran := make(chan struct{})
	d.add(ctx, job{chat: 100, run: func(context.Context) { close(ran) }, done: func(bool) {}})
	waitClosed(t, ran, "a job that is not bulk runs beside the bulk ones")
	close(release)
	if !d.stop(ctx) {
		t.Fatal("dispatcher did not stop")
	}
}
