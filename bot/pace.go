package bot

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// groupInterval keeps to Telegram's 20 messages a minute in a group.
const groupInterval = 3 * time.Second

// maxPaced bounds the chats whose next send time the pacer remembers.
const maxPaced = 4096

// pacer spaces outgoing messages under Telegram's limits, so the bot does
// not provoke 429s: about one message a second per chat, twenty a minute
// per group, thirty a second overall. It measures and waits with its
// Clock. It is safe for concurrent use.
type pacer struct {
	clock   Clock
	global  time.Duration // 0: no overall limit
	perChat time.Duration // 0: no per-chat limit

	mu         sync.Mutex
	nextGlobal time.Time
	next       map[int64]time.Time // earliest time of the chat's next message
	// Bulk messages (agendas) yield to all others: an other message takes
	// the next turn even when bulk ones have reserved it, and pushes every
	// bulk turn back by one (stolen counts that). nextFirst is the next
	// turn of the others; lastBulk when the last bulk message left.
	nextFirst, lastBulk time.Time
	stolen              uint64
}

// bulkKey marks a context whose messages are bulk.
type bulkKey struct{}

// withBulk marks the messages sent under ctx as bulk: they wait behind
// every other message, so that a wave of agendas never holds a reminder
// or a reply.
func withBulk(ctx context.Context) context.Context { return context.WithValue(ctx, bulkKey{}, true) }

func isBulk(ctx context.Context) bool { v, _ := ctx.Value(bulkKey{}).(bool); return v }

// paceMargin keeps the pace a little under the limit, so that the jitter
// between leaving here and arriving at Telegram never looks like a burst.
const paceMargin = 1.05

func newPacer(clock Clock, globalPerSec, chatPerSec float64) *pacer {
	p := &pacer{clock: clock, next: make(map[int64]time.Time)}
	if globalPerSec > 0 {
		p.global = time.Duration(paceMargin * float64(time.Second) / globalPerSec)
	}
	if chatPerSec > 0 {
		p.perChat = time.Duration(paceMargin * float64(time.Second) / chatPerSec)
	}
	return p
}

// wait blocks until a message to chatID may leave, or ctx ends. It reserves
// the message's turn first, per chat and then overall, so concurrent
// senders queue up instead of racing.
func (p *pacer) wait(ctx context.Context, chatID int64) error {
	if p.perChat > 0 {
		interval := p.perChat
		if chatID < 0 {
			interval = max(interval, groupInterval)
		}
		if err := p.take(ctx, func(now time.Time) time.Time {
			at := later(p.next[chatID], now)
			p.next[chatID] = at.Add(interval)
			if len(p.next) > maxPaced {
				p.prune(now)
			}
			return at
		}); err != nil {
			return err
		}
	}
	if p.global > 0 {
		take := p.takeFirst
		if isBulk(ctx) {
			take = p.takeBulk
		}
		if err := take(ctx); err != nil {
			return err
		}
	}
	if p.perChat > 0 {
		// Space the chat's next message from when this one really leaves,
		// which a busy machine or the global limit may have delayed.
		now := p.clock.Now()
		p.mu.Lock()
		p.next[chatID] = later(p.next[chatID], now.Add(p.perChat))
		p.mu.Unlock()
	}
	return nil
}

// takeFirst waits for the next overall turn of a message that is not
// bulk: after the others like it and the bulk one that left last, but
// before any bulk one still waiting, whose turns it pushes back.
func (p *pacer) takeFirst(ctx context.Context) error {
	return p.take(ctx, func(now time.Time) time.Time {
		at := later(later(p.nextFirst, now), p.lastBulk.Add(p.global))
		if p.nextGlobal.Add(-p.global).After(at) {
			p.stolen++
			p.nextGlobal = p.nextGlobal.Add(p.global)
		} else {
			at = later(at, p.nextGlobal)
			p.nextGlobal = at.Add(p.global)
		}
		p.nextFirst = at.Add(p.global)
		return at
	})
}

// takeBulk waits for an overall turn of a bulk message: the next one free,
// moved back by one turn for each message that took a turn ahead of it
// meanwhile.
func (p *pacer) takeBulk(ctx context.Context) error {
	var seen uint64
	if err := p.take(ctx, func(now time.Time) time.Time {
		at := later(later(p.nextGlobal, p.nextFirst), now)
		p.nextGlobal = at.Add(p.global)
		seen = p.stolen
		return at
	}); err != nil {
		return err
	}
	for {
		p.mu.Lock()
		n := p.stolen - seen
		seen = p.stolen
		if n == 0 {
			p.lastBulk = p.clock.Now()
		}
		p.mu.Unlock()
		if n == 0 {
			return nil
		}
		if err := p.clock.Sleep(ctx, time.Duration(n)*p.global); err != nil {
			return err
		}
	}
}

// take reserves a turn with reserve, under p.mu, and sleeps until it.
func (p *pacer) take(ctx context.Context, reserve func(now time.Time) time.Time) error {
	now := p.clock.Now()
	p.mu.Lock()
	at := reserve(now)
	p.mu.Unlock()
	return p.clock.Sleep(ctx, at.Sub(now))
}

// prune forgets chats whose turn has passed, which are the same as chats
// never seen, and, if that frees less than a tenth, any others down to nine
// tenths of maxPaced, so that it runs rarely; p.mu is held.
func (p *pacer) prune(now time.Time) {
	for id, t := range p.next {
		if !t.After(now) {
			delete(p.next, id)
		}
	}
	for id := range p.next {
		if len(p.next) <= maxPaced*9/10 {
			break
		}
		delete(p.next, id)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// maxSendAttempts bounds the retries of one outgoing message.
const maxSendAttempts = 4

// deliver sends c to chatID under the pacer. A 429 waits what Telegram asks
// and tries again; a 5xx (JSON or not) backs off and tries again; both a few
// times at most.
func (b *Bot) deliver(ctx context.Context, chatID int64, c tgbotapi.Chattable) error {
	var err error
	for attempt := 1; attempt <= maxSendAttempts; attempt++ {
		if err = b.pace.wait(ctx, chatID); err != nil {
			cut(ctx, err)
			return err
		}
		if _, err = b.request(ctx, c); err == nil {
			return nil
		}
		var te *tgbotapi.Error
		if !errors.As(err, &te) || attempt == maxSendAttempts {
			return err
		}
		var wait time.Duration
		switch {
		case te.Code == http.StatusTooManyRequests:
			b.log.Warn("telegram asks to slow down", "chat_id", chatID, "retry_after", te.RetryAfter)
			wait = time.Duration(max(te.RetryAfter, 1)) * time.Second
		case te.Code >= 500:
			wait = retryWait(attempt, err)
		default:
			return err
		}
		if err := b.clock.Sleep(ctx, wait); err != nil {
			cut(ctx, err)
			return err
		}
	}
	return err
}
