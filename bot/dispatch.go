package bot

import (
	"context"
	"sync"
	"sync/atomic"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// job is one piece of work for a chat: an update to handle, or an event
// such as how a sign-in ended. Jobs of one chat run in the order they were
// submitted.
type job struct {
	chat int64
	// slot: the job takes shared queue space and counts against the chat's
	// cap. Updates do; events, which the bot itself produces, do not.
	slot bool
	// bulk: the job may wait behind any other (a morning agenda); bulk
	// jobs hold at most half the workers, so they never hold up others.
	bulk bool
	run  func(ctx context.Context)
	// done follows run; finished is false if the stop cut run short. It
	// forgets the job durably, and may wait on a disk sync.
	done func(finished bool)
}

// dispatcher runs jobs of different chats concurrently and those of one
// chat in submission order. At most workers jobs run at once, and at most
// queueCap slot jobs wait or run: submit blocks beyond that, which holds the
// poll loop back instead of piling up goroutines. It is bounded in memory by
// that cap: a chat's entries leave its maps when its last job is done.
type dispatcher struct {
	run   chan struct{} // handler slots
	bulk  chan struct{} // handler slots bulk jobs may hold
	slots chan struct{} // queued-or-running slots

	mu       sync.Mutex
	chats    map[int64][]job // per chat: jobs not yet started
	counts   map[int64]int   // per chat: slot jobs waiting, running or being forgotten
	stopping bool
	wg       sync.WaitGroup
	finished chan struct{} // closed when wg is done after stopping
}

func newDispatcher(workers, queueCap int) *dispatcher {
	return &dispatcher{
		run:    make(chan struct{}, workers),
		bulk:   make(chan struct{}, max(workers/2, 1)),
		slots:  make(chan struct{}, max(queueCap, workers)),
		chats:  make(map[int64][]job),
		counts: make(map[int64]int),
	}
}

// chatOf is the key that orders updates: the chat they belong to.
func chatOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID
	}
	return 0
}

// submit queues a slot job behind the chat's earlier jobs, to run under
// hctx. It blocks while the shared queue is full and returns ctx's error if
// ctx ends first.
func (d *dispatcher) submit(ctx, hctx context.Context, j job) error {
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	j.slot = true
	d.enqueue(hctx, j)
	return nil
}

// add queues a job that takes no shared queue space behind the chat's
// earlier jobs, to run under hctx. It never blocks.
func (d *dispatcher) add(hctx context.Context, j job) {
	j.slot = false
	d.enqueue(hctx, j)
}

func (d *dispatcher) enqueue(hctx context.Context, j job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if j.slot {
		d.counts[j.chat]++
	}
	q, busy := d.chats[j.chat]
	d.chats[j.chat] = append(q, j)
	if !busy {
		d.wg.Add(1)
		go d.drain(hctx, j.chat)
	}
}

// queued returns how many of the chat's slot jobs wait or run.
func (d *dispatcher) queued(chat int64) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counts[chat]
}

// spawn runs f under hctx outside any chat's order; stop waits for it.
func (d *dispatcher) spawn(hctx context.Context, f func(context.Context)) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f(hctx)
	}()
}

// drain runs a chat's jobs one after another until none are left. Once
// stopping, it starts no new job: those stay in the durable queue for the
// next start.
func (d *dispatcher) drain(ctx context.Context, chat int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.chats[chat]
		if len(q) == 0 || d.stopping {
			delete(d.chats, chat)
			for _, j := range q {
				d.release(j)
			}
			d.mu.Unlock()
			return
		}
		j := q[0]
		d.chats[chat] = q[1:]
		d.mu.Unlock()

		if j.bulk {
			d.bulk <- struct{}{}
		}
		d.run <- struct{}{}
		flag := new(atomic.Bool)
		j.run(context.WithValue(ctx, cutKey{}, flag))
		<-d.run
		if j.bulk {
			<-d.bulk
		}
		// The chat's next job need not wait for the durable dequeue,
		// which may wait on a disk sync; stop still waits for it.
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			j.done(!flag.Load())
			d.mu.Lock()
			d.release(j)
			d.mu.Unlock()
		}()
	}
}

// release gives back a slot job's shared and per-chat space; d.mu is held.
func (d *dispatcher) release(j job) {
	if !j.slot {
		return
	}
	<-d.slots
	if d.counts[j.chat]--; d.counts[j.chat] <= 0 {
		delete(d.counts, j.chat)
	}
}

// stop starts no more jobs and waits, up to ctx's deadline, for the running
// ones and their done calls. It reports whether everything finished in
// time; it may be called again to wait longer.
func (d *dispatcher) stop(ctx context.Context) bool {
	d.mu.Lock()
	if !d.stopping {
		d.stopping = true
		d.finished = make(chan struct{})
		go func() { d.wg.Wait(); close(d.finished) }()
	}
	finished := d.finished
	d.mu.Unlock()
	select {
	case <-finished:
		return true
	case <-ctx.Done():
		return false
	}
}
