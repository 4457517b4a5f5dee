package bot

import (
	"context"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// dispatcher runs updates of different chats concurrently and those of one
// chat in arrival order. At most workers handlers run at once, and at most
// queueCap updates wait or run: submit blocks beyond that, which holds the
// poll loop back instead of piling up goroutines.
type dispatcher struct {
	handle func(context.Context, tgbotapi.Update)
	done   func(tgbotapi.Update) // called after handle, to dequeue it durably
	run    chan struct{}         // handler slots
	slots  chan struct{}         // queued-or-running slots

	mu       sync.Mutex
	chats    map[int64][]tgbotapi.Update // per chat: updates not yet started
	stopping bool
	wg       sync.WaitGroup
}

func newDispatcher(workers, queueCap int, handle func(context.Context, tgbotapi.Update), done func(tgbotapi.Update)) *dispatcher {
	return &dispatcher{
		handle: handle, done: done,
		run:   make(chan struct{}, workers),
		slots: make(chan struct{}, max(queueCap, workers)),
		chats: make(map[int64][]tgbotapi.Update),
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

// submit queues u behind the chat's earlier updates, to be handled under
// hctx. It blocks while the queue is full and returns ctx's error if ctx
// ends first.
func (d *dispatcher) submit(ctx, hctx context.Context, u tgbotapi.Update) error {
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	key := chatOf(u)
	d.mu.Lock()
	q, busy := d.chats[key]
	d.chats[key] = append(q, u)
	if !busy {
		d.wg.Add(1)
		go d.drain(hctx, key)
	}
	d.mu.Unlock()
	return nil
}

// drain handles a chat's updates one after another until none are left.
// Once stopping, it starts no new update: those stay in the durable queue
// for the next start.
func (d *dispatcher) drain(ctx context.Context, key int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.chats[key]
		if len(q) == 0 || d.stopping {
			delete(d.chats, key)
			for range q {
				<-d.slots
			}
			d.mu.Unlock()
			return
		}
		u := q[0]
		d.chats[key] = q[1:]
		d.mu.Unlock()

		d.run <- struct{}{}
		d.handle(ctx, u)
		<-d.run
		// The chat's next update need not wait for the durable dequeue,
		// which may wait on a disk sync; shutdown still waits for it.
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			d.done(u)
			<-d.slots
		}()
	}
}

// stop lets running handlers finish, up to ctx's deadline, and starts no
// more. It reports whether everything finished in time.
func (d *dispatcher) stop(ctx context.Context) bool {
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	finished := make(chan struct{})
	go func() { d.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		return true
	case <-ctx.Done():
		return false
	}
}
