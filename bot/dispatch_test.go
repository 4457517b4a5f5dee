package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/storage"
)

// probe is a job that says when it starts and runs until released.
type probe struct {
	started  chan struct{}
	release  chan struct{}
	finished chan bool // what done was told
}

func newProbe() *probe {
	return &probe{started: make(chan struct{}), release: make(chan struct{}), finished: make(chan bool, 1)}
}

func (p *probe) job(chat int64, log func(string), name string) job {
	return job{
		chat: chat,
		run: func(ctx context.Context) {
			log(name)
			close(p.started)
			<-p.release
		},
		done: func(finished bool) { p.finished <- finished },
	}
}

// recorder keeps the order in which jobs started.
type recorder struct {
	mu    sync.Mutex
	order []string
}

func (r *recorder) log(s string) { r.mu.Lock(); defer r.mu.Unlock(); r.order = append(r.order, s) }
func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.order)
}

func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(waitFor):
		t.Fatalf("timed out waiting until %s", what)
	}
}

func notClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
		t.Fatalf("%s, and must not have", what)
	default:
	}
}

func stopNow(t *testing.T, d *dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if !d.stop(ctx) {
		t.Fatal("dispatcher did not stop")
	}
}

func TestDispatcherRunsOneChatInOrder(t *testing.T) {
	d := newDispatcher(8, 32)
	var rec recorder
	ctx := context.Background()
	probes := make([]*probe, 5)
	for i := range probes {
		probes[i] = newProbe()
		if err := d.submit(ctx, ctx, probes[i].job(1, rec.log, string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	// The first is held: however long it takes, the second must wait.
	waitClosed(t, probes[0].started, "the first job starts")
	if n := d.queued(1); n != 5 {
		t.Errorf("queued(1) = %d, want 5", n)
	}
	notClosed(t, probes[1].started, "the second job started while the first ran")
	for i, p := range probes {
		close(p.release)
		if !<-p.finished {
			t.Errorf("job %d: done told it did not finish", i)
		}
		if i+1 < len(probes) {
			waitClosed(t, probes[i+1].started, "the next job starts")
		}
	}
	stopNow(t, d)
	if got, want := rec.got(), []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("jobs ran in order %v, want %v", got, want)
	}
	if n := d.queued(1); n != 0 {
		t.Errorf("queued(1) after all ran = %d, want 0", n)
	}
}

func TestDispatcherRunsChatsConcurrently(t *testing.T) {
	d := newDispatcher(8, 32)
	var rec recorder
	ctx := context.Background()
	slow, fast := newProbe(), newProbe()
	d.submit(ctx, ctx, slow.job(1, rec.log, "slow"))
	waitClosed(t, slow.started, "chat 1's job starts")
	d.submit(ctx, ctx, fast.job(2, rec.log, "fast"))
	waitClosed(t, fast.started, "chat 2's job starts while chat 1's is held")
	close(fast.release)
	<-fast.finished
	close(slow.release)
	<-slow.finished
	stopNow(t, d)
}

func TestDispatcherCaps(t *testing.T) {
	t.Run("workers", func(t *testing.T) {
		d := newDispatcher(2, 8)
		var rec recorder
		ctx := context.Background()
		p := []*probe{newProbe(), newProbe(), newProbe()}
		for i := range p {
			d.submit(ctx, ctx, p[i].job(int64(i+1), rec.log, "x"))
		}
		isStarted := func(q *probe) bool {
			select {
			case <-q.started:
				return true
			default:
				return false
			}
		}
		running := func() (in, out []*probe) {
			for _, q := range p {
				if isStarted(q) {
					in = append(in, q)
				} else {
					out = append(out, q)
				}
			}
			return in, out
		}
		eventually(t, "two jobs run", func() bool { in, _ := running(); return len(in) >= 2 })
		in, out := running()
		if len(in) != 2 {
			t.Fatalf("%d jobs run with two workers", len(in))
		}
		close(in[0].release)
		waitClosed(t, out[0].started, "the third job starts once a worker is free")
		close(in[1].release)
		close(out[0].release)
		stopNow(t, d)
	})
	t.Run("shared queue", func(t *testing.T) {
		d := newDispatcher(1, 2)
		var rec recorder
		ctx := context.Background()
		a, b := newProbe(), newProbe()
		d.submit(ctx, ctx, a.job(1, rec.log, "a"))
		d.submit(ctx, ctx, b.job(2, rec.log, "b"))
		full, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		if err := d.submit(full, ctx, newProbe().job(3, rec.log, "c")); err == nil {
			t.Error("submit beyond the shared queue did not block")
		}
		// Events take no shared space: they queue even now.
		e := newProbe()
		d.add(ctx, e.job(3, rec.log, "event"))
		close(a.release)
		close(b.release)
		waitClosed(t, e.started, "the event runs")
		close(e.release)
		stopNow(t, d)
	})
}

// TestStopSequence: at the shutdown bound the stop cancels what still runs
// and waits for it. A job that then finishes without a failed call is
// dequeued; one whose call the stop cut stays queued. Run's stop returns
// only after both returned, so none touches a closed database.
func TestStopSequence(t *testing.T) {
	tests := []struct {
		name       string
		afterStop  func(ctx context.Context, b *Bot) // what the job does once the stop cancelled it
		wantQueued bool
	}{
		{"finishes late without calls: dequeued", func(context.Context, *Bot) {}, false},
		{"its reply is cut: stays queued", func(ctx context.Context, b *Bot) {
			b.deliver(ctx, alice.ID, tgbotapi.NewMessage(alice.ID, "too late"))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, func(c *Config) { c.ShutdownTimeout = 20 * time.Millisecond })
			if err := r.db.Enqueue(8, []storage.Queued{{ID: 7, Raw: []byte(`{"update_id":7}`)}}); err != nil {
				t.Fatal(err)
			}
			hard, abandon := context.WithCancelCause(context.Background())
			defer abandon(nil)
			d := newDispatcher(4, 16)
			started, release := make(chan struct{}), make(chan struct{})
			var returned atomic.Bool
			var cutShort atomic.Int64
			j := r.b.updateJob(tgbotapi.Update{UpdateID: 7}, &cutShort)
			j.run = func(ctx context.Context) {
				defer returned.Store(true)
				close(started)
				<-ctx.Done() // the bound passed and the stop cancelled us
				<-release    // and yet we go on a while
				tt.afterStop(ctx, r.b)
			}
			d.submit(hard, hard, j)
			waitClosed(t, started, "the job starts")
			stopped := make(chan struct{})
			go func() { r.b.stop(d, abandon, &cutShort); close(stopped) }()
			eventually(t, "the stop cancels the job", func() bool { return hard.Err() != nil })
			notClosed(t, stopped, "the stop returned while a job still ran")
			close(release)
			waitClosed(t, stopped, "the stop returns")
			if !returned.Load() {
				t.Fatal("the stop returned before the job did")
			}
			_, queued, _, err := r.db.Inbox()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(queued) == 1; got != tt.wantQueued {
				t.Errorf("update still queued = %v, want %v", got, tt.wantQueued)
			}
			if tt.wantQueued && !strings.Contains(r.logs.String(), "stay queued for the next start") {
				t.Error("the stop did not say that unfinished updates stay queued")
			}
		})
	}
}
