package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/calbot/calbot/bot"
	"github.com/calbot/calbot/bot/telegramfake"
)

// kinds of command and of reply, named as bot.ReplyKind names replies.
const (
	kindToday = bot.ReplyToday
	kindHelp  = bot.ReplyHelp
	kindOther = bot.ReplyOther // any other reply: an error message, a hint
)

// commandText is what a user types for a command kind.
var commandText = map[string]string{kindToday: "/today", kindHelp: "/help"}

// replyKind tells which command a reply answers, through the bot's own
// message catalogue (any language).
func replyKind(text string) string {
	switch k := bot.ReplyKind(text); k {
	case kindToday, kindHelp:
		return k
	}
	return kindOther
}

// tracker sends commands as users and matches the bot's replies to them,
// per chat in order.
type tracker struct {
	tg *telegramfake.Server

	mu       sync.Mutex
	chats    map[int64]*chatLog
	sent     int
	replied  int
	extra    int // replies to chats with no command waiting
	order    int // replies of the wrong kind for the oldest waiting command
	failed   int // replies that are neither an agenda nor help
	raw      []time.Duration
	added    []time.Duration // raw minus the time in the Calendar fake
	inGoogle []time.Duration
	arrivals []time.Time
	first    time.Time // first command sent
	last     time.Time // last reply
	next     func(chatID int64)
}

type chatLog struct {
	user     telegramfake.User
	google   time.Duration // time in the Calendar fake since the last reply
	waiting  []command
	arrivals []time.Time
}

type command struct {
	kind string
	sent time.Time
}

func newTracker(f *fakes, ids []int64) *tracker {
	t := &tracker{tg: f.tg, chats: make(map[int64]*chatLog, len(ids))}
	for _, id := range ids {
		t.chats[id] = &chatLog{user: telegramfake.User{ID: id, FirstName: "Load", LanguageCode: "en"}}
	}
	f.gate.OnSend(t.reply)
	spent := t.spent
	f.spent.Store(&spent)
	return t
}

// send makes chat's user send the command of kind.
func (t *tracker) send(chatID int64, kind string) {
	t.mu.Lock()
	c := t.chats[chatID]
	now := time.Now()
	if t.sent == 0 {
		t.first = now
	}
	t.sent++
	c.waiting = append(c.waiting, command{kind: kind, sent: now})
	u := c.user
	t.mu.Unlock()
	t.tg.SendText(u, telegramfake.Private(u), commandText[kind])
}

// onReply calls fn after each reply, outside the tracker's lock, with the
// chat it went to; closed-loop drivers send the chat's next command there.
func (t *tracker) onReply(fn func(chatID int64)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next = fn
}

// spent is the fakes' hook: chatID's command spent d in the Calendar fake.
func (t *tracker) spent(chatID int64, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.chats[chatID]; c != nil {
		c.google += d
	}
}

// reply is the gate's OnSend hook.
func (t *tracker) reply(m telegramfake.SentMessage, arrived time.Time) {
	t.mu.Lock()
	c := t.chats[m.ChatID]
	if c == nil || len(c.waiting) == 0 {
		t.extra++
		t.mu.Unlock()
		return
	}
	cmd := c.waiting[0]
	c.waiting = c.waiting[1:]
	c.arrivals = append(c.arrivals, arrived)
	kind := replyKind(m.Text)
	switch {
	case kind == kindOther:
		t.failed++
	case kind != cmd.kind:
		t.order++
	}
	// A chat's commands run one after another, so the Calendar time
	// since its last reply belongs to this command.
	raw := arrived.Sub(cmd.sent)
	t.raw = append(t.raw, raw)
	t.added = append(t.added, raw-c.google)
	t.inGoogle = append(t.inGoogle, c.google)
	c.google = 0
	t.arrivals = append(t.arrivals, arrived)
	t.replied++
	if arrived.After(t.last) {
		t.last = arrived
	}
	next := t.next
	t.mu.Unlock()
	if next != nil {
		next(m.ChatID)
	}
}

// wait waits until every command sent has its reply, or timeout.
func (t *tracker) wait(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		t.mu.Lock()
		done := t.replied >= t.sent
		sent, replied := t.sent, t.replied
		t.mu.Unlock()
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d commands still without a reply after %s", sent-replied, sent, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// summary is what the tracker saw.
type summary struct {
	sent, replied, dropped, extra, order, failed int
	elapsed                                      time.Duration // first command to last reply
	raw, added, inGoogle                         percentiles
	maxPerSecond                                 int           // most replies arriving within any one second
	minChatGap                                   time.Duration // least time between two replies to one chat; 0 if none
}

func (t *tracker) summary() summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := summary{sent: t.sent, replied: t.replied, dropped: t.sent - t.replied, extra: t.extra, order: t.order, failed: t.failed,
		raw: percentilesOf(t.raw), added: percentilesOf(t.added), inGoogle: percentilesOf(t.inGoogle)}
	if t.replied > 0 {
		s.elapsed = t.last.Sub(t.first)
	}
	arr := slices.Clone(t.arrivals)
	slices.SortFunc(arr, func(a, b time.Time) int { return a.Compare(b) })
	for i, j := 0, 0; j < len(arr); j++ {
		for arr[j].Sub(arr[i]) >= time.Second {
			i++
		}
		s.maxPerSecond = max(s.maxPerSecond, j-i+1)
	}
	for _, c := range t.chats {
		for i := 1; i < len(c.arrivals); i++ {
			if gap := c.arrivals[i].Sub(c.arrivals[i-1]); s.minChatGap == 0 || gap < s.minChatGap {
				s.minChatGap = gap
			}
		}
	}
	return s
}

type percentiles struct{ p50, p99, max time.Duration }

func percentilesOf(d []time.Duration) percentiles {
	if len(d) == 0 {
		return percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.999999) - 1 // nearest rank
		return s[min(max(i, 0), len(s)-1)]
	}
	return percentiles{p50: at(0.50), p99: at(0.99), max: s[len(s)-1]}
}

// openLoop sends /today at rate a second for d, to ids in turn, whatever
// the replies do. It sleeps between sends and catches up when late.
func (t *tracker) openLoop(ctx context.Context, ids []int64, rate float64, d time.Duration) {
	n := int(rate * d.Seconds())
	start := time.Now()
	for i := range n {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if wait := time.Until(at); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
		}
		t.send(ids[i%len(ids)], kindToday)
	}
}

// closedLoop keeps one /today in flight in each chat of ids for d: a chat
// sends its next command as soon as its reply arrives. It returns what the
// tracker saw once the last replies are in.
func (t *tracker) closedLoop(ctx context.Context, ids []int64, d time.Duration) summary {
	ready := make(chan int64, len(ids))
	end := time.Now().Add(d)
	t.onReply(func(id int64) {
		if time.Now().Before(end) {
			ready <- id
		}
	})
	for _, id := range ids {
		ready <- id
	}
	timer := time.NewTimer(time.Until(end))
	defer timer.Stop()
loop:
	for {
		select {
		case id := <-ready:
			t.send(id, kindToday)
		case <-timer.C:
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	t.onReply(nil)
	t.wait(ctx, 30*time.Second)
	return t.summary()
}
