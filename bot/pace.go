package bot

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// groupInterval keeps to Telegram's 20 messages a minute in a group.
const groupInterval = 3 * time.Second

// pacer spaces outgoing messages under Telegram's limits, so the bot does
// not provoke 429s: about one message a second per chat, twenty a minute
// per group, thirty a second overall.
type pacer struct {
	global  *rate.Limiter // nil: no overall limit
	perChat time.Duration // 0: no per-chat limit

	mu   sync.Mutex
	next map[int64]time.Time // earliest time of the chat's next message
}

// paceMargin keeps the pace a little under the limit, so that the jitter
// between leaving here and arriving at Telegram never looks like a burst.
const paceMargin = 1.05

func newPacer(globalPerSec, chatPerSec float64) *pacer {
	p := &pacer{next: make(map[int64]time.Time)}
	if globalPerSec > 0 {
		p.global = rate.NewLimiter(rate.Limit(globalPerSec/paceMargin), 1)
	}
	if chatPerSec > 0 {
		p.perChat = time.Duration(paceMargin * float64(time.Second) / chatPerSec)
	}
	return p
}

// wait blocks until a message to chatID may leave, or ctx ends.
func (p *pacer) wait(ctx context.Context, chatID int64) error {
	if p.perChat > 0 {
		interval := p.perChat
		if chatID < 0 {
			interval = max(interval, groupInterval)
		}
		now := time.Now()
		p.mu.Lock()
		at := p.next[chatID]
		if at.Before(now) {
			at = now
		}
		p.next[chatID] = at.Add(interval)
		if len(p.next) > 4096 {
			for id, t := range p.next {
				if t.Before(now) {
					delete(p.next, id)
				}
			}
		}
		p.mu.Unlock()
		if err := sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
	}
	if p.global != nil {
		if err := p.global.Wait(ctx); err != nil {
			return err
		}
	}
	if p.perChat > 0 {
		// Space the chat's next message from when this one really leaves,
		// which a busy machine or the global limit may have delayed.
		p.mu.Lock()
		if t := time.Now().Add(p.perChat); t.After(p.next[chatID]) {
			p.next[chatID] = t
		}
		p.mu.Unlock()
	}
	return nil
}

// maxSendAttempts bounds the retries of one outgoing message.
const maxSendAttempts = 4

// deliver sends c to chatID under the pacer. A 429 waits what Telegram asks
// and tries again; a 5xx backs off and tries again; both a few times at most.
func (b *Bot) deliver(ctx context.Context, chatID int64, c tgbotapi.Chattable) error {
	var err error
	for attempt := 1; attempt <= maxSendAttempts; attempt++ {
		if err = b.pace.wait(ctx, chatID); err != nil {
			return err
		}
		if _, err = b.request(ctx, c); err == nil {
			return nil
		}
		var te *tgbotapi.Error
		if !errors.As(err, &te) || attempt == maxSendAttempts {
			return err
		}
		switch {
		case te.Code == http.StatusTooManyRequests:
			b.log.Warn("telegram asks to slow down", "chat_id", chatID, "retry_after", te.RetryAfter)
			if err := sleep(ctx, time.Duration(max(te.RetryAfter, 1))*time.Second); err != nil {
				return err
			}
		case te.Code >= 500:
			if err := sleep(ctx, backoff(attempt, err)); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return err
}
