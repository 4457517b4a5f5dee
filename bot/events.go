package bot

import (
	"context"
	"encoding/json"
	"sync/atomic"

	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/schedule"
	"github.com/calbot/calbot/storage"
)

// event is what the bot stores of something a chat must be told that did
// not come from Telegram. Exactly one field is set.
type event struct {
	SignIn *oauth.Result `json:"sign_in,omitempty"`
	// Due is a message the scheduler handed over (Deliver).
	Due *schedule.Due `json:"due,omitempty"`
}

// Notify hands the bot how a sign-in ended; cmd gives it to oauth as
// OnResult. It stores the result durably and queues it behind the chat's
// updates, then returns at once: the message (and the Google call that
// learns the calendar's zone) runs in the chat's queue, not on the
// browser's request. A result stored while no Run runs, or not yet told when
// calbot stops, is told by the next Run. A result that cannot be stored is
// logged and not told; the sign-in itself stands.
func (b *Bot) Notify(_ context.Context, r oauth.Result) {
	raw, err := json.Marshal(event{SignIn: &r})
	if err != nil {
		b.log.Error("encode sign-in result failed; the chat will not be told", "chat_id", r.ChatID, "err", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	id, err := b.cfg.Events.AddEvent(raw)
	if err != nil {
		b.log.Error("store sign-in result failed; the chat will not be told", "chat_id", r.ChatID, "err", err)
		return
	}
	if b.post != nil {
		b.post(storage.Event{ID: id, Raw: raw})
	}
}

// eventJob turns a stored event into the job that tells its chat. An event
// that does not decode is dropped, with a log line.
func (b *Bot) eventJob(e storage.Event, cutShort *atomic.Int64) (job, bool) {
	var ev event
	err := json.Unmarshal(e.Raw, &ev)
	switch {
	case err == nil && ev.SignIn != nil:
		return b.signInJob(e.ID, *ev.SignIn, cutShort), true
	case err == nil && ev.Due != nil:
		return b.dueJob(e.ID, *ev.Due, cutShort), true
	}
	b.log.Warn("stored event does not decode; dropped", "event_id", e.ID)
	b.forget(e.ID)
	return job{}, false
}

// signInJob tells r's chat how its sign-in ended, then forgets event id,
// unless the stop cut it short (counted in cutShort).
func (b *Bot) signInJob(id uint64, r oauth.Result, cutShort *atomic.Int64) job {
	var told atomic.Bool
	return job{
		chat: r.ChatID,
		run: func(ctx context.Context) {
			b.signedIn(ctx, r, func() { b.forget(id); told.Store(true) })
		},
		done: func(finished bool) {
			if told.Load() {
				return
			}
			if !finished {
				cutShort.Add(1)
				return
			}
			b.forget(id)
		},
	}
}

func (b *Bot) forget(id uint64) {
	if err := b.cfg.Events.DeleteEvent(id); err != nil {
		b.log.Error("delete handled event failed; the chat may be told twice after a restart", "event_id", id, "err", err)
	}
}
