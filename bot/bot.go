// Package bot is calbot's Telegram side: it long-polls for updates, runs the
// commands, and sends every reply. It is the only package that knows
// Telegram.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// Accounts links chats to Google accounts; *oauth.Flow is one.
type Accounts interface {
	// Begin starts a sign-in for who in the chat; it returns
	// oauth.ErrTooManySignIns when the chat asked too often.
	Begin(ctx context.Context, chatID int64, who oauth.Person, lang string) (oauth.SignIn, error)
	Disconnect(ctx context.Context, chatID int64) (oauth.Revocation, error)
	// Account returns the chat's link, or an error wrapping
	// oauth.ErrNotLinked.
	Account(chatID int64) (storage.Link, error)
	TokenSource(chatID int64) oauth2.TokenSource
	// ExpireToken makes the chat's next token a refreshed one.
	ExpireToken(chatID int64)
}

// Config is what a Bot needs.
type Config struct {
	Token string
	// APIURL is the Bot API server, default https://api.telegram.org.
	APIURL string
	// HTTPClient talks to Telegram. Requests are bounded by contexts, so it
	// needs no overall timeout (a long poll lasts PollTimeout).
	HTTPClient  *http.Client
	PollTimeout time.Duration // default 30s
	// HandlerTimeout bounds the handling of one update (default 60s).
	HandlerTimeout time.Duration
	// ShutdownTimeout bounds how long Run waits for handlers in flight
	// once its context ends (default 10s). What is left stays queued.
	ShutdownTimeout time.Duration
	// Workers bounds the handlers that run at once (default 256); updates
	// of one chat always run one after another.
	Workers int
	// GlobalRate and ChatRate pace outgoing messages, per second overall and
	// per chat. Zero or less switches that limit off.
	GlobalRate, ChatRate float64

	// CallbackKey signs the data of the bot's buttons; EventKey keys the
	// ids and the markers of the events calbot creates (calendar.EventID,
	// calendar.Marker). Derive each from SECRET_KEY with its own label; New
	// panics if either is shorter than 32 bytes.
	CallbackKey, EventKey []byte

	Accounts Accounts
	Calendar *calendar.Service
	Chats    ChatStore   // awaited phrases and per-chat settings
	DB       *storage.DB // the update inbox
	Now      func() time.Time
	Logger   *slog.Logger
	Metrics  *Metrics // nil: not counted
}

// Bot runs calbot on Telegram. Create it with New, then call Start and Run.
type Bot struct {
	cfg  Config
	api  *tgbotapi.BotAPI
	log  *slog.Logger
	now  func() time.Time
	self tgbotapi.User
	pace *pacer

	lastPoll atomic.Int64 // unix nanoseconds of the last successful getUpdates
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
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = 60 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 256
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	mustKeys(cfg)
	// Built by hand: NewBotAPIWithClient calls getMe at once, with no way
	// to cancel it.
	api := &tgbotapi.BotAPI{Token: cfg.Token, Client: cfg.HTTPClient, Buffer: 100}
	api.SetAPIEndpoint(cfg.APIURL + "/bot%s/%s")
	return &Bot{cfg: cfg, api: api, log: cfg.Logger, now: cfg.Now, pace: newPacer(cfg.GlobalRate, cfg.ChatRate)}
}

// Polling reports whether a getUpdates succeeded lately, for health checks.
func (b *Bot) Polling(now time.Time) bool {
	last := b.lastPoll.Load()
	return last != 0 && now.Sub(time.Unix(0, last)) < 2*b.cfg.PollTimeout+30*time.Second
}

// Username is the bot's @username without the @, known after Start.
func (b *Bot) Username() string { return b.self.UserName }

// Start checks the token with getMe and registers the command menu in
// English and Russian. An invalid token is an error that says so.
func (b *Bot) Start(ctx context.Context) error {
	resp, err := b.with(ctx).MakeRequest("getMe", nil)
	err = b.scrub(err)
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
	for _, lang := range []string{"en", "ru"} {
		cmds := tgbotapi.NewSetMyCommands(commandMenu(lang)...)
		if lang != "en" {
			cmds.LanguageCode = lang
		}
		if _, err := b.request(ctx, cmds); err != nil {
			return fmt.Errorf("register %s command menu: %w", lang, err)
		}
	}
	b.log.Info("telegram bot ready", "username", b.self.UserName)
	return nil
}

// Run long-polls for updates until ctx ends and hands them to handlers:
// different chats concurrently, one chat in order. A fetched batch is stored
// with its offset before Telegram is told (by the next getUpdates) that it
// arrived, and each update leaves the store only once handled, so a crash or
// restart loses nothing: Run first replays what the store holds. Updates
// below the stored offset are not handled twice. When ctx ends Run stops
// polling, lets handlers in flight finish within ShutdownTimeout, and
// returns nil.
func (b *Bot) Run(ctx context.Context) error {
	offset, queued, skipped, err := b.cfg.DB.Inbox()
	if err != nil {
		return err
	}
	if skipped > 0 {
		b.log.Warn("queued updates that do not open were skipped", "count", skipped)
	}
	// Handlers outlive ctx, so a stop does not cut a reply in half, until
	// the shutdown bound passes: then hard ends them, and what they did not
	// finish stays queued for the next start.
	hard, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	d := newDispatcher(b.cfg.Workers, 4*b.cfg.Workers, b.handle, func(u tgbotapi.Update) {
		if hard.Err() == nil {
			b.dequeue(u)
		}
	})
	defer func() {
		sctx, cancel := context.WithTimeout(hard, b.cfg.ShutdownTimeout)
		defer cancel()
		if d.stop(sctx) {
			return
		}
		b.log.Warn("handlers still running at shutdown; their updates stay queued for the next start")
		abandon()
		wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.stop(wctx)
	}()
	if len(queued) > 0 {
		b.log.Info("replaying updates queued before the last stop", "count", len(queued))
	}
	for _, q := range queued {
		var u tgbotapi.Update
		if err := json.Unmarshal(q.Raw, &u); err != nil {
			b.dequeue(tgbotapi.Update{UpdateID: q.ID})
			continue
		}
		if d.submit(ctx, hard, u) != nil {
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
			batch, offset, err = b.accept(raws, offset)
			for _, u := range batch {
				if d.submit(ctx, hard, u) != nil {
					return nil
				}
			}
		}
		if err != nil {
			failures++
			wait := backoff(failures, err)
			b.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			if sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		failures = 0
		b.lastPoll.Store(b.now().UnixNano())
	}
}

// accept stores the new updates of a getUpdates result with the offset that
// confirms them and returns them, with that offset. Updates below offset
// were stored before (Telegram delivers at least once) and are dropped.
func (b *Bot) accept(raws []json.RawMessage, offset int) ([]tgbotapi.Update, int, error) {
	var batch []tgbotapi.Update
	var queued []storage.Queued
	next := offset
	for _, raw := range raws {
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			return nil, offset, fmt.Errorf("read update: %w", err)
		}
		if u.UpdateID < offset {
			continue
		}
		batch = append(batch, u)
		queued = append(queued, storage.Queued{ID: u.UpdateID, Raw: raw})
		next = max(next, u.UpdateID+1)
	}
	if len(raws) == 0 {
		return nil, offset, nil
	}
	if err := b.cfg.DB.Enqueue(next, queued); err != nil {
		return nil, offset, err
	}
	return batch, next, nil
}

func (b *Bot) dequeue(u tgbotapi.Update) {
	if err := b.cfg.DB.Dequeue(u.UpdateID); err != nil {
		b.log.Error("dequeue failed; the update may be handled again after a restart", "update_id", u.UpdateID, "err", err)
	}
}

func (b *Bot) getUpdates(ctx context.Context, offset int) ([]json.RawMessage, error) {
	cfg := tgbotapi.NewUpdate(offset)
	cfg.Timeout = int(b.cfg.PollTimeout / time.Second)
	cfg.AllowedUpdates = []string{"message", "callback_query"}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.PollTimeout+15*time.Second)
	defer cancel()
	resp, err := b.request(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("read updates: %w", err)
	}
	return raws, nil
}

// backoff grows with each failure, with jitter, up to a minute; a 429
// waits what Telegram asked.
func backoff(failures int, err error) time.Duration {
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.RetryAfter > 0 {
		return time.Duration(te.RetryAfter) * time.Second
	}
	d := time.Second << min(failures-1, 6)
	d = min(d, time.Minute)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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

func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

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
