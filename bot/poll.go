package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/internal/backoff"
	"github.com/calbot/calbot/storage"
)

// errStopped is the cause with which Run cancels the handlers still running
// when the shutdown bound passes.
var errStopped = errors.New("calbot is stopping")

// cutKey is the context key of a job's flag that cut sets.
type cutKey struct{}

// cut records that the stop cut the job that ctx belongs to short, when err
// came from a call that the stop cancelled: the job then stays queued.
func cut(ctx context.Context, err error) {
	if err == nil || !errors.Is(context.Cause(ctx), errStopped) {
		return
	}
	if f, ok := ctx.Value(cutKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// Run long-polls for updates until ctx ends and hands them to handlers:
// different chats concurrently, one chat in order. A fetched batch is stored
// with its offset before Telegram is told (by the next getUpdates) that it
// arrived, and each update leaves the store only once handled, so a crash or
// restart loses nothing: Run first replays what the store holds, events
// (Notify) first, then updates. Updates below the stored offset are not
// handled twice. A chat's updates beyond its queue cap or command rate are
// confirmed to Telegram but dropped (see Config.ChatQueue).
//
// When ctx ends Run stops polling, starts nothing new and lets handlers in
// flight go on for ShutdownTimeout; then it cancels them. It returns nil
// only once every handler has returned, so the caller may close the
// database: work that finished, even after the bound, is dequeued; work that
// the stop cut short stays queued for the next start.
func (b *Bot) Run(ctx context.Context) error {
	hard, abandon := context.WithCancelCause(context.WithoutCancel(ctx))
	defer abandon(nil)
	d := newDispatcher(b.cfg.Workers, 4*b.cfg.Workers)

	// Notify may store an event at any time: the events it stored before
	// this point are replayed here, in order, and the later ones it submits
	// itself.
	var cutShort atomic.Int64 // jobs the stop cut short
	b.mu.Lock()
	offset, queued, skipped, err := b.cfg.Inbox.Inbox()
	var events []storage.Event
	var skippedEvents int
	if err == nil {
		events, skippedEvents, err = b.cfg.Events.Events()
	}
	if err == nil {
		b.post = func(e storage.Event) {
			if j, ok := b.eventJob(e, &cutShort); ok {
				d.add(hard, j)
			}
		}
		for _, e := range events {
			b.post(e)
		}
	}
	b.mu.Unlock()
	if err != nil {
		return err
	}
	if skipped+skippedEvents > 0 {
		b.log.Warn("queued updates or events that do not open were skipped", "count", skipped+skippedEvents)
	}
	defer func() {
		b.mu.Lock()
		b.post = nil
		b.mu.Unlock()
		b.stop(d, abandon, &cutShort)
	}()

	if len(queued) > 0 {
		b.log.Info("replaying updates queued before the last stop", "count", len(queued))
	}
	for _, q := range queued {
		var u tgbotapi.Update
		if err := json.Unmarshal(q.Raw, &u); err != nil {
			b.log.Warn("queued update does not decode; dropped", "update_id", q.ID)
			b.dequeue(q.ID)
			continue
		}
		if d.submit(ctx, hard, b.updateJob(u, &cutShort)) != nil {
			return nil
		}
	}

	failures := 0
	for {
		raws, err := b.getUpdates(ctx, offset)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			var batch []tgbotapi.Update
			batch, offset, err = b.accept(ctx, raws, offset, d.queued)
			for _, u := range batch {
				if d.submit(ctx, hard, b.updateJob(u, &cutShort)) != nil {
					return nil
				}
			}
			for _, w := range b.fair.warnings() {
				d.spawn(hard, func(ctx context.Context) { b.slowDown(ctx, w) })
			}
		}
		if err != nil {
			failures++
			wait := retryWait(failures, err)
			b.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			if b.clock.Sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		failures = 0
	}
}

// stop ends a Run: it lets the handlers in flight go on until the shutdown
// bound, then cancels them and waits until every one has returned, so that
// nothing touches the database after Run.
func (b *Bot) stop(d *dispatcher, abandon context.CancelCauseFunc, cutShort *atomic.Int64) {
	bound, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownTimeout)
	defer cancel()
	if d.stop(bound) {
		return
	}
	b.log.Warn("handlers still running at shutdown are cancelled; their updates stay queued for the next start unless they finish")
	abandon(errStopped)
	for {
		wait, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		done := d.stop(wait)
		cancel()
		if done {
			break
		}
		b.log.Warn("handlers ignore cancellation; still waiting for them before closing")
	}
	if n := cutShort.Load(); n > 0 {
		b.log.Info("work cut short by the stop stays queued", "count", n)
	}
}

// updateJob is the handling of u in its chat's queue. The update leaves the
// inbox once handled, unless the stop cut the handling short.
func (b *Bot) updateJob(u tgbotapi.Update, cutShort *atomic.Int64) job {
	return job{
		chat: chatOf(u), slot: true,
		run: func(ctx context.Context) { b.handle(ctx, u) },
		done: func(finished bool) {
			if !finished {
				cutShort.Add(1)
				return
			}
			b.dequeue(u.UpdateID)
		},
	}
}

// accept decides which updates of a getUpdates result to handle and stores
// them, with the offset that confirms the whole result, and returns them
// with that offset. Updates below offset were stored before (Telegram
// delivers at least once) and are skipped. An update that does not decode
// is logged, without its text, and skipped; so is one beyond its chat's
// queue cap (queued says how many the chat has waiting or running) or
// command rate. Skipped updates are confirmed all the same.
func (b *Bot) accept(ctx context.Context, raws []json.RawMessage, offset int, queued func(chat int64) int) ([]tgbotapi.Update, int, error) {
	if len(raws) == 0 {
		return nil, offset, nil
	}
	var batch []tgbotapi.Update
	var store []storage.Queued
	inBatch := make(map[int64]int)
	next := offset
	for _, raw := range raws {
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			var id struct {
				UpdateID *int `json:"update_id"`
			}
			if json.Unmarshal(raw, &id) != nil || id.UpdateID == nil {
				b.log.Warn("update does not decode and has no readable update_id; skipped", "err", errType(err))
			} else {
				b.log.Warn("update does not decode; skipped", "update_id", *id.UpdateID, "err", errType(err))
				next = max(next, *id.UpdateID+1)
			}
			b.cfg.Metrics.dropped(dropUndecodable)
			continue
		}
		if u.UpdateID < offset {
			continue
		}
		next = max(next, u.UpdateID+1)
		chat := chatOf(u)
		if reason := b.fair.admit(u, chat, queued(chat)+inBatch[chat], b.cfg.ChatQueue); reason != "" {
			b.log.Debug("update dropped: the chat sends too fast", "update_id", u.UpdateID, "chat_id", chat, "reason", reason)
			b.cfg.Metrics.dropped(reason)
			continue
		}
		inBatch[chat]++
		batch = append(batch, u)
		store = append(store, storage.Queued{ID: u.UpdateID, Raw: raw})
	}
	if err := b.cfg.Inbox.Enqueue(next, store); err != nil {
		return nil, offset, err
	}
	return batch, next, nil
}

// errType names a decoding error without quoting the input, which may hold
// what a user wrote.
func errType(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("json syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("json field %s: cannot hold a %s", te.Field, te.Value)
	}
	return "json decode error"
}

func (b *Bot) dequeue(id int) {
	if err := b.cfg.Inbox.Dequeue(id); err != nil {
		b.log.Error("dequeue failed; the update may be handled again after a restart", "update_id", id, "err", err)
	}
}

// getUpdates long-polls once. While it is in flight, and when it succeeds,
// it says so to Polling.
func (b *Bot) getUpdates(ctx context.Context, offset int) ([]json.RawMessage, error) {
	b.pollSince.Store(b.now().UnixNano())
	defer b.pollSince.Store(0)
	cfg := tgbotapi.NewUpdate(offset)
	cfg.Timeout = int(b.cfg.PollTimeout / time.Second)
	cfg.AllowedUpdates = []string{"message", "callback_query"}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.PollTimeout+pollGrace)
	defer cancel()
	resp, err := b.request(ctx, cfg)
	if err == nil {
		var raws []json.RawMessage
		if err = json.Unmarshal(resp.Result, &raws); err == nil {
			b.pollFailing.Store(false)
			b.lastOK.Store(b.now().UnixNano())
			return raws, nil
		}
		err = fmt.Errorf("read updates: %w", err)
	}
	b.pollFailing.Store(true)
	return nil, err
}

// retryWait is the wait before retrying a Telegram call that failed for
// the failures-th time in a row: what a 429 asks, else a growing backoff
// with jitter, up to a minute.
func retryWait(failures int, err error) time.Duration {
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.RetryAfter > 0 {
		return time.Duration(te.RetryAfter) * time.Second
	}
	return backoff.Delay(failures, time.Second, time.Minute)
}
