// Package bot is calbot's Telegram side: it long-polls for updates, runs the
// commands, and sends every reply. It is the only package that knows
// Telegram.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/internal/backoff"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// Accounts links chats to Google accounts; *oauth.Flow is one.
type Accounts interface {
	// Begin starts a sign-in for who in the chat; it returns
	// oauth.ErrTooManySignIns when the chat asked too often.
	Begin(ctx context.Context, chatID int64, who oauth.Person, lang string) (oauth.SignIn, error)
	// Grow starts a sign-in that adds scope (one of oauth.GrowScopes) to
	// the chat's link; its end comes to Notify with Result.Grow set.
	Grow(ctx context.Context, chatID int64, who oauth.Person, lang, scope string) (oauth.SignIn, error)
	// Granted reports whether the chat's link holds scope.
	Granted(chatID int64, scope string) (bool, error)
	Disconnect(ctx context.Context, chatID int64) (oauth.Revocation, error)
	// Account returns the chat's link, or an error wrapping
	// oauth.ErrNotLinked.
	Account(chatID int64) (storage.Link, error)
	TokenSource(chatID int64) oauth2.TokenSource
	// ExpireToken makes the chat's next token a refreshed one.
	ExpireToken(chatID int64)
}

// Store is everything the bot keeps: its inbox, events, per-chat records
// and button notes. *storage.DB is one.
type Store interface {
	ChatStore
	Inbox
	EventStore
	NoteStore
}

// Inbox keeps the updates the bot took from Telegram until they are
// handled, with the getUpdates offset that confirms them. *storage.DB is
// one.
type Inbox interface {
	Enqueue(offset int, updates []storage.Queued) error
	Dequeue(id int) error
	Inbox() (offset int, queued []storage.Queued, skipped int, err error)
}

// EventStore keeps the events that a chat must be told and that did not
// come from Telegram (how a sign-in ended) until they are handled.
// *storage.DB is one.
type EventStore interface {
	AddEvent(raw []byte) (uint64, error)
	DeleteEvent(id uint64) error
	Events() (events []storage.Event, skipped int, err error)
	// AddEventOnce stores an event unless one with key was stored before.
	AddEventOnce(key string, raw []byte, now, expires time.Time) (id uint64, added bool, err error)
}

// Clock measures the bot's waits: the pacing of replies, the per-chat
// command rate, backoff and Telegram's retry_after. It is apart from
// Config.Now, the time of day that agendas and health use, so that a test
// may pin the day and still let waits pass.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx ends, and then returns ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the Clock of production.
type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return backoff.Sleep(ctx, d) }

// Config is what a Bot needs.
type Config struct {
	Token string
	// APIURL is the Bot API server, default https://api.telegram.org.
	APIURL string
	// HTTPClient talks to Telegram. Requests are bounded by contexts, so it
	// needs no overall timeout (a long poll lasts PollTimeout).
	HTTPClient  *http.Client
	PollTimeout time.Duration // default 30s
	// StartTimeout bounds Start's calls (default 30s).
	StartTimeout time.Duration
	// HandlerTimeout bounds the handling of one update (default 60s).
	HandlerTimeout time.Duration
	// ShutdownTimeout bounds how long Run lets handlers in flight go on
	// once its context ends (default 10s). Then it cancels them and waits
	// until they return: what they finished is dequeued, what they did not
	// stays queued for the next start.
	ShutdownTimeout time.Duration
	// Workers bounds the handlers that run at once (default 256); updates
	// of one chat always run one after another.
	Workers int
	// GlobalRate and ChatRate pace outgoing messages, per second overall and
	// per chat. Zero or less switches that limit off.
	GlobalRate, ChatRate float64
	// ChatQueue caps the updates of one chat that wait or run (default
	// 20); ChatBurst and ChatEvery are the chat's command rate, a token
	// bucket of ChatBurst (default 10) that regains one every ChatEvery
	// (default 2s; less than zero: no rate). Updates beyond either are
	// dropped, and the chat is told once to slow down, so that one chat
	// cannot fill the shared queue.
	ChatQueue, ChatBurst int
	ChatEvery            time.Duration

	// CallbackKey signs the data of the bot's buttons; EventKey keys the
	// ids and the markers of the events calbot creates (calendar.EventID,
	// calendar.Marker). Derive each from SECRET_KEY with its own label; New
	// panics if either is shorter than 32 bytes.
	CallbackKey, EventKey []byte

	Accounts Accounts
	Calendar *calendar.Service
	// Calendars lists spans and the calendar list for the views; nil uses
	// Calendar.
	Calendars Calendars
	// Store is the bot's whole store (*storage.DB is one); the four
	// below, where nil, are Store.
	Store Store
	Chats ChatStore // awaited phrases and per-chat settings
	// Inbox and Events keep what the bot has taken in until it is handled.
	Inbox  Inbox
	Events EventStore
	// Notes keep what the short data of the buttons on scheduled messages
	// stands for.
	Notes NoteStore
	// Planner is the scheduler, told when a chat's settings change; nil:
	// no scheduling (reminders carry no Snooze, /connect offers no agenda).
	Planner Planner
	// Invitations answers invitations (Accept / Maybe / Decline); nil
	// means Calendar (its Respond method).
	Invitations Responder
	Now         func() time.Time
	// Clock times waits; nil is the real clock.
	Clock   Clock
	Logger  *slog.Logger
	Metrics *Metrics // nil: not counted
}

// Bot runs calbot on Telegram. Create it with New, then call Start and Run.
type Bot struct {
	cfg   Config
	api   *tgbotapi.BotAPI
	log   *slog.Logger
	now   func() time.Time
	clock Clock
	self  tgbotapi.User
	pace  *pacer
	fair  *fairness

	// Health, in unix nanoseconds of cfg.Now: when the getUpdates in flight
	// began (0: none), when Telegram last answered, and whether the last
	// poll failed.
	pollSince, lastOK atomic.Int64
	pollFailing       atomic.Bool

	// mu guards post: how Notify hands a stored event to the running Run
	// (nil while none runs).
	mu   sync.Mutex
	post func(storage.Event)
}

// New returns a Bot; it does not contact Telegram.
func New(cfg Config) *Bot {
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = 60 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 256
	}
	if cfg.ChatQueue <= 0 {
		cfg.ChatQueue = 20
	}
	if cfg.ChatBurst <= 0 {
		cfg.ChatBurst = 10
	}
	if cfg.ChatEvery == 0 {
		cfg.ChatEvery = 2 * time.Second
	}
	if cfg.Store != nil {
		if cfg.Chats == nil {
			cfg.Chats = cfg.Store
		}
		if cfg.Inbox == nil {
			cfg.Inbox = cfg.Store
		}
		if cfg.Events == nil {
			cfg.Events = cfg.Store
		}
		if cfg.Notes == nil {
			cfg.Notes = cfg.Store
		}
	}
	if r, ok := any(cfg.Calendar).(Responder); ok && cfg.Invitations == nil && cfg.Calendar != nil {
		cfg.Invitations = r
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	mustKeys(cfg)
	// Built by hand: NewBotAPIWithClient calls getMe at once, with no way
	// to cancel it.
	api := &tgbotapi.BotAPI{Token: cfg.Token, Client: cfg.HTTPClient, Buffer: 100}
	api.SetAPIEndpoint(cfg.APIURL + "/bot%s/%s")
	return &Bot{
		cfg: cfg, api: api, log: cfg.Logger, now: cfg.Now, clock: cfg.Clock,
		pace: newPacer(cfg.Clock, cfg.GlobalRate, cfg.ChatRate),
		fair: newFairness(cfg.Clock, cfg.ChatBurst, cfg.ChatEvery),
	}
}

// pollGrace is how long a getUpdates may outlast its long-poll timeout
// before it counts as lost.
const pollGrace = 15 * time.Second

// Polling reports whether the bot is talking to Telegram, for health
// checks: a getUpdates is in flight and within its deadline (and the one
// before did not fail), or Telegram answered within two polls. It is true
// from Start on, so a quiet bot is healthy at once. now must come from the
// clock in Config.Now.
func (b *Bot) Polling(now time.Time) bool {
	if since := b.pollSince.Load(); since != 0 && !b.pollFailing.Load() &&
		now.Sub(time.Unix(0, since)) < b.cfg.PollTimeout+pollGrace {
		return true
	}
	last := b.lastOK.Load()
	return last != 0 && now.Sub(time.Unix(0, last)) < 2*b.cfg.PollTimeout+30*time.Second
}

// Username is the bot's @username without the @, known after Start.
func (b *Bot) Username() string { return b.self.UserName }

// Start checks the token with getMe and registers the command menu in
// English and Russian, within StartTimeout. An invalid token, or a Telegram
// that does not answer in time, is an error that says what to check.
func (b *Bot) Start(ctx context.Context) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, b.cfg.StartTimeout)
	defer cancel()
	silent := func(err error) error {
		if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
			return fmt.Errorf("telegram did not answer within %v at %s: check TELEGRAM_API_URL, DNS, and that no firewall or proxy blocks this machine's way to it", b.cfg.StartTimeout, b.cfg.APIURL)
		}
		return nil
	}
	resp, err := b.with(ctx).MakeRequest("getMe", nil)
	err = b.scrub(err)
	if err := silent(err); err != nil {
		return err
	}
	if err != nil {
		var te *tgbotapi.Error
		if errors.As(err, &te) && (te.Code == http.StatusUnauthorized || te.Code == http.StatusNotFound) {
			return fmt.Errorf("telegram refused the bot token (%s): check TELEGRAM_BOT_TOKEN", te.Message)
		}
		return fmt.Errorf("reach telegram: %w", err)
	}
	if err := json.Unmarshal(resp.Result, &b.self); err != nil {
		return fmt.Errorf("read getMe: %w", err)
	}
	b.lastOK.Store(b.now().UnixNano())
	for _, lang := range []string{"en", "ru"} {
		cmds := tgbotapi.NewSetMyCommands(commandMenu(lang)...)
		if lang != "en" {
			cmds.LanguageCode = lang
		}
		if _, err := b.request(ctx, cmds); err != nil {
			if err := silent(err); err != nil {
				return err
			}
			return fmt.Errorf("register %s command menu: %w", lang, err)
		}
	}
	b.log.Info("telegram bot ready", "username", b.self.UserName)
	return nil
}

// google runs a Calendar call with the chat's token. When Google refuses an
// access token that looked valid, as it does right after the user revokes
// access, it refreshes the token and tries once more: the refresh either
// works or reveals the revocation as oauth.ErrRevoked.
func (b *Bot) google(chatID int64, call func(ts oauth2.TokenSource) error) error {
	ts := b.cfg.Accounts.TokenSource(chatID)
	err := call(ts)
	if errors.Is(err, calendar.ErrUnauthorized) {
		b.cfg.Accounts.ExpireToken(chatID)
		err = call(ts)
	}
	return err
}

// request calls the Bot API under ctx. Errors never contain the token.
func (b *Bot) request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	resp, err := b.with(ctx).Request(c)
	cut(ctx, err)
	return resp, b.scrub(err)
}

// with returns a shallow copy of the API client whose requests carry ctx.
func (b *Bot) with(ctx context.Context) *tgbotapi.BotAPI {
	api := *b.api
	api.Client = ctxClient{ctx: ctx, c: b.cfg.HTTPClient}
	return &api
}

// ctxClient attaches a context to the requests tgbotapi makes, which it
// cannot do itself. It lives for one call.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

// Do sends r under the call's context. An error status whose body is not
// JSON, such as a proxy's HTML page for a 502, would reach tgbotapi as a
// JSON syntax error with the status lost; Do turns a 5xx into the
// *tgbotapi.Error that Telegram's own 5xx gives, so both are retried alike.
func (c ctxClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.c.Do(r.WithContext(c.ctx))
	if err != nil || resp.StatusCode < 300 || isJSON(resp.Header.Get("Content-Type")) {
		return resp, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	what := fmt.Sprintf("HTTP %d with a non-JSON body (from a proxy?)", resp.StatusCode)
	if resp.StatusCode >= 500 {
		return nil, &tgbotapi.Error{Code: resp.StatusCode, Message: what}
	}
	return nil, errors.New("telegram answered " + what)
}

func isJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json"
}

// scrub removes the bot token from an error: transport errors quote the
// request URL, which contains it.
func (b *Bot) scrub(err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return err
	}
	if b.cfg.Token != "" && strings.Contains(err.Error(), b.cfg.Token) {
		return &scrubbedError{msg: strings.ReplaceAll(err.Error(), b.cfg.Token, "<token>"), err: err}
	}
	return err
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

// Unwrap keeps errors.Is(err, context.Canceled) working; the wrapped error's
// text still holds the token, so never print it.
func (e *scrubbedError) Unwrap() error { return e.err }
