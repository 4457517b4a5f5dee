package bot

import (
	"context"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// Reasons for dropping an update, as calbot_updates_dropped_total says them.
const (
	dropQueueFull   = "queue_full"
	dropRate        = "rate"
	dropUndecodable = "undecodable"
)

// maxTracked bounds the chats whose command rate fairness remembers. A chat
// with a full bucket is the same as one never seen, so those go first; past
// the bound, any go, which at worst forgives a chat some of its rate.
const maxTracked = 10_000

// fairness keeps one chat from starving the others: it gives each chat a
// command rate (a token bucket) and, with the dispatcher's count, a cap on
// its queued updates. A chat that goes beyond either is told once to slow
// down, until one of its updates is admitted again. Its clock is the bot's
// Clock. It is safe for concurrent use.
type fairness struct {
	clock Clock
	burst int
	every time.Duration // < 0: no command rate

	mu      sync.Mutex
	chats   map[int64]*chatRate
	pending []warning // slow-down notices to send
}

type chatRate struct {
	bucket *rate.Limiter
	warned bool // told to slow down since its last admitted update
}

// warning is a slow-down notice owed to a chat.
type warning struct {
	chat int64
	lang string
}

func newFairness(clock Clock, burst int, every time.Duration) *fairness {
	return &fairness{clock: clock, burst: burst, every: every, chats: make(map[int64]*chatRate)}
}

// admit decides whether u, of chat, may be queued while queued of the
// chat's updates wait or run: it returns "" or the reason to drop it. Only
// updates that make the bot work spend the rate: in a group, chatter that
// is not a command costs nothing (the handlers ignore it) and, when
// dropped, earns no notice.
func (f *fairness) admit(u tgbotapi.Update, chat int64, queued, capacity int) string {
	work := costsWork(u)
	now := f.clock.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.chats[chat]
	if work && r == nil {
		f.prune(now)
		r = &chatRate{bucket: rate.NewLimiter(rate.Every(f.every), f.burst)}
		f.chats[chat] = r
	}
	reason := ""
	switch {
	case queued >= capacity:
		reason = dropQueueFull
	case work && f.every > 0 && !r.bucket.AllowN(now, 1):
		reason = dropRate
	}
	if !work {
		return reason
	}
	if reason == "" {
		r.warned = false
		return ""
	}
	if !r.warned {
		r.warned = true
		f.pending = append(f.pending, warning{chat: chat, lang: langOf(fromOf(u).LanguageCode)})
	}
	return reason
}

// warnings returns the slow-down notices owed since the last call.
func (f *fairness) warnings() []warning {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.pending
	f.pending = nil
	return w
}

// prune makes room for a new chat once maxTracked are remembered: it
// forgets every chat whose bucket is full, and if that frees less than a
// tenth, any others down to nine tenths, so that it runs rarely; f.mu is
// held.
func (f *fairness) prune(now time.Time) {
	if len(f.chats) < maxTracked {
		return
	}
	for id, r := range f.chats {
		if !r.warned && r.bucket.TokensAt(now) >= float64(f.burst) {
			delete(f.chats, id)
		}
	}
	for id := range f.chats {
		if len(f.chats) <= maxTracked*9/10 {
			break
		}
		delete(f.chats, id)
	}
}

// tracked is how many chats fairness remembers.
func (f *fairness) tracked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.chats)
}

// costsWork reports whether handling u may cost a reply or a Google call:
// anything in a private chat, a button press, a command in a group.
func costsWork(u tgbotapi.Update) bool {
	switch {
	case u.CallbackQuery != nil:
		return true
	case u.Message == nil:
		return false
	case u.Message.Chat != nil && u.Message.Chat.IsPrivate():
		return true
	}
	return strings.HasPrefix(u.Message.Text, "/")
}

func fromOf(u tgbotapi.Update) *tgbotapi.User {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From
	}
	return &tgbotapi.User{}
}

// slowDown tells a chat that its updates are being dropped. Each dropped
// update is logged at debug level and counted; this line is the one an
// operator sees.
func (b *Bot) slowDown(ctx context.Context, w warning) {
	b.log.Info("a chat sends too fast; its excess updates are dropped", "chat_id", w.chat)
	b.send(ctx, w.chat, text(w.lang, msgSlowDown), nil)
}
