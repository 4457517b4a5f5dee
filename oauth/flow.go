// Package oauth links a chat to a Google account: it signs sign-in links,
// serves /oauth/start and /oauth/callback, exchanges the code with PKCE,
// stores the sealed grant, hands out per-chat token sources that persist
// refreshed tokens, and revokes grants.
package oauth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/storage"
)

// Scopes are what /connect asks for: the account's identity, to tell the chat
// which account got linked, and the smallest scope that lists, creates and
// deletes events on the user's own calendars.
var Scopes = []string{"openid", "email", CalendarScope}

// CalendarScope is the scope a grant must include to be stored.
const CalendarScope = "https://www.googleapis.com/auth/calendar.events.owned"

// LoginTTL is how long a sign-in link stays valid.
const LoginTTL = 10 * time.Minute

var (
	// ErrNotLinked is returned when a chat has no Google account linked.
	ErrNotLinked = errors.New("chat has no linked Google account")
	// ErrRevoked is returned when Google refused the stored grant
	// (invalid_grant): it was revoked, or expired. The grant has been deleted.
	ErrRevoked = errors.New("google grant revoked or expired")
	// ErrUnavailable is returned when Google's token endpoint failed on its
	// side (5xx, 429) or could not be reached: try again later.
	ErrUnavailable = errors.New("google token endpoint unavailable")
)

// Config is what a Flow needs. Every URL comes from configuration: the
// redirect URI in particular is never derived from request headers.
type Config struct {
	ClientID, ClientSecret string
	AuthURL, TokenURL      string
	RevokeURL              string
	// PublicURL is the externally reachable base, without a trailing slash.
	// The redirect URI is PublicURL + "/oauth/callback".
	PublicURL string
	// StateKey signs states; 32 bytes.
	StateKey []byte
	// HTTPClient makes every request to Google; it must have a timeout.
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger
	// OnResult is told how every callback that named a valid login ended, so
	// the chat can be told. It runs before the browser gets its page and
	// should not take long.
	OnResult func(ctx context.Context, r Result)
	// Metrics counts sign-ins and refreshes; nil counts nothing.
	Metrics *Metrics
}

// Outcome says how a sign-in ended.
type Outcome int

const (
	// Connected: the grant is stored.
	Connected Outcome = iota
	// Denied: the user pressed Cancel on Google's page.
	Denied
	// MissingScope: the user unticked the calendar permission.
	MissingScope
	// Failed: Google or the exchange failed; Reason is for the log.
	Failed
)

// Result is the end of one sign-in, for the chat that started it.
type Result struct {
	Outcome Outcome
	ChatID  int64
	UserID  int64
	Lang    string
	Email   string // Connected: the linked account
	// Replaced is the account this link replaced, if any.
	Replaced string
}

// Flow runs sign-ins and keeps each chat's token source. It is safe for
// concurrent use.
type Flow struct {
	cfg   Config
	oauth *oauth2.Config
	db    *storage.DB
	log   *slog.Logger
	now   func() time.Time

	mu      sync.Mutex
	sources map[int64]*chatSource
}

// New returns a Flow that stores grants in db.
func New(cfg Config, db *storage.DB) *Flow {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.OnResult == nil {
		cfg.OnResult = func(context.Context, Result) {}
	}
	return &Flow{
		cfg: cfg,
		oauth: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			// AuthStyleInParams: auto-detection would POST a failed code a
			// second time with the other style, and a code is single-use.
			Endpoint:    oauth2.Endpoint{AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
			RedirectURL: RedirectURL(cfg.PublicURL),
			Scopes:      Scopes,
		},
		db:      db,
		log:     cfg.Logger,
		now:     cfg.Now,
		sources: make(map[int64]*chatSource),
	}
}

// RedirectURL is the redirect URI to register in Google Cloud Console for
// publicURL, exactly.
func RedirectURL(publicURL string) string { return publicURL + "/oauth/callback" }

// Begin starts a sign-in for a Telegram user in a chat and returns the link
// to give them. The link is valid for LoginTTL and works once.
func (f *Flow) Begin(ctx context.Context, chatID, userID int64, lang string) (string, error) {
	s := State{ChatID: chatID, UserID: userID, Expires: f.now().Add(LoginTTL).Truncate(time.Second)}
	rand.Read(s.Nonce[:])
	p := storage.Pending{ChatID: chatID, UserID: userID, Lang: lang, Verifier: oauth2.GenerateVerifier(), Expires: s.Expires}
	if err := f.db.PutPending(s.Nonce[:], p); err != nil {
		return "", fmt.Errorf("begin sign-in for chat %d: %w", chatID, err)
	}
	return f.cfg.PublicURL + "/oauth/start?" + url.Values{"state": {SignState(f.cfg.StateKey, s)}}.Encode(), nil
}

// verify checks state and returns its pending login; with consume it also
// uses the login up, in the same transaction as the lookup.
func (f *Flow) verify(state string, consume bool) (storage.Pending, error) {
	s, err := ParseState(f.cfg.StateKey, state, f.now())
	if err != nil {
		return storage.Pending{}, err
	}
	lookup := f.db.Pending
	if consume {
		lookup = f.db.TakePending
	}
	p, err := lookup(s.Nonce[:], f.now())
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Pending{}, fmt.Errorf("%w: already used", ErrInvalidState)
	}
	if err != nil {
		return storage.Pending{}, err
	}
	if p.ChatID != s.ChatID || p.UserID != s.UserID {
		return storage.Pending{}, fmt.Errorf("%w: names another chat", ErrInvalidState)
	}
	return p, nil
}

// Account returns the link of chatID, or ErrNotLinked.
func (f *Flow) Account(chatID int64) (storage.Link, error) {
	l, err := f.db.Link(chatID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Link{}, ErrNotLinked
	}
	return l, err
}

// Sweep deletes expired pending logins. Run it now and then.
func (f *Flow) Sweep() (int, error) { return f.db.SweepPending(f.now()) }

// Disconnect deletes the chat's grant and revokes it at Google. It returns
// ErrNotLinked if there was none. When Google cannot be reached the grant is
// deleted all the same and revoked is false.
func (f *Flow) Disconnect(ctx context.Context, chatID int64) (revoked bool, err error) {
	l, err := f.db.DeleteLink(chatID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, ErrNotLinked
	}
	if err != nil {
		return false, err
	}
	f.forget(chatID)
	if err := f.Revoke(ctx, l.RefreshToken); err != nil {
		f.log.Warn("revoke failed", "chat_id", chatID, "err", err)
		return false, nil
	}
	return true, nil
}
