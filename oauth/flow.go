// Package oauth links a chat to a Google account: it signs sign-in links,
// serves /oauth/start and /oauth/callback, exchanges the code with PKCE,
// stores the sealed grant, hands out per-chat token sources that persist
// refreshed tokens, and revokes grants.
package oauth

import (
	"container/list"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
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
	// ErrTooManySignIns is returned by Begin when the chat started
	// MaxSignIns sign-ins within SignInWindow.
	ErrTooManySignIns = errors.New("too many sign-ins started in this chat")
)

// A chat may start at most MaxSignIns sign-ins within SignInWindow.
const (
	MaxSignIns   = 5
	SignInWindow = 10 * time.Minute
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
	// BotToken is the Telegram bot token. It keys the check of the identity
	// Telegram appends to a login_url; only its SHA-256 is kept.
	BotToken string
	// Check is how /oauth/start checks who opened a link. CheckTelegram
	// falls back to CheckPage where login_url buttons cannot work (see
	// LoginURLWorks); Flow.Check says which applies.
	Check Check
	// TokenCache bounds how many chats' token sources are kept in memory
	// (default 4096); the least recently used go first.
	TokenCache int
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
	// OtherAccount: a Grow signed in with another Google account than the
	// chat's link; nothing changed. Other names the account chosen.
	OtherAccount
)

// Result is the end of one sign-in, for the chat that started it.
type Result struct {
	Outcome Outcome
	ChatID  int64
	UserID  int64
	Lang    string
	Email   string // Connected, and any result of a Grow: the linked account
	// Person is the Telegram user the calendar was linked for.
	Person Person
	// Replaced is the account this link replaced, if any, and
	// ReplacedGrant what became of its grant at Google.
	Replaced      string
	ReplacedGrant Revocation
	// Grow is the extra scope a sign-in started by Grow asked for; empty
	// for /connect. With Connected the link now holds it; with
	// MissingScope the user unticked it and the link is as it was.
	Grow string
	// Other is, for OtherAccount, the account the user signed in with;
	// Email is then the account the chat stays linked to.
	Other string
}

// Person is the Telegram user a sign-in is for, as the bot saw them.
type Person struct {
	ID        int64
	FirstName string
	Username  string // without the @; may be empty
}

// Name is how pages name the person: "Alice (@alice)", or "Alice".
func (p Person) Name() string {
	name := p.FirstName
	if name == "" {
		name = "id " + strconv.FormatInt(p.ID, 10)
	}
	if p.Username == "" {
		return name
	}
	return name + " (@" + p.Username + ")"
}

// SignIn is a started sign-in: the link for the user and how to send it.
type SignIn struct {
	URL string
	// LoginURL says the link must be a Telegram login_url button, which
	// signs who pressed it; otherwise it is a URL button, or text where
	// Telegram refuses URL buttons (a host without a dot).
	LoginURL bool
}

// Revocation says what became of a grant that a chat stopped using.
type Revocation int

const (
	// Revoked: Google revoked it (or no longer knew it).
	Revoked Revocation = iota
	// KeptInUse: another link uses the same Google account (another chat,
	// or this chat re-linked to it). Google revokes an account's whole
	// grant to calbot, so revoking would cut that link off.
	KeptInUse
	// RevokeFailed: Google could not be reached; calbot forgot the grant
	// all the same.
	RevokeFailed
)

// Flow runs sign-ins and keeps each chat's token source. It is safe for
// concurrent use.
type Flow struct {
	cfg   Config
	oauth *oauth2.Config
	db    *storage.DB
	log   *slog.Logger
	now   func() time.Time

	check Check
	tg    loginCheck

	mu      sync.Mutex
	sources map[int64]*list.Element // of *chatSource, most recently used first
	lru     *list.List
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
	if cfg.TokenCache <= 0 {
		cfg.TokenCache = 4096
	}
	check := cfg.Check
	if check == CheckTelegram && !LoginURLWorks(cfg.PublicURL) {
		check = CheckPage
	}
	tg := loginCheck{secret: sha256.Sum256([]byte(cfg.BotToken))}
	cfg.BotToken = ""
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
		check:   check,
		tg:      tg,
		sources: make(map[int64]*list.Element),
		lru:     list.New(),
	}
}

// Check is the check /oauth/start applies: Config.Check, or CheckPage
// where login_url buttons cannot work.
func (f *Flow) Check() Check { return f.check }

// RedirectURL is the redirect URI to register in Google Cloud Console for
// publicURL, exactly.
func RedirectURL(publicURL string) string { return publicURL + "/oauth/callback" }

// Begin starts a sign-in for a Telegram user in a chat and returns the link
// to give them. The link is valid for LoginTTL and works once; it replaces
// the chat's earlier link, which stops working. Begin returns
// ErrTooManySignIns if the chat started MaxSignIns within SignInWindow.
func (f *Flow) Begin(ctx context.Context, chatID int64, who Person, lang string) (SignIn, error) {
	return f.begin(chatID, who, lang, "")
}

// begin starts a sign-in; grow is the extra scope of a Grow, or "".
func (f *Flow) begin(chatID int64, who Person, lang, grow string) (SignIn, error) {
	now := f.now()
	s := State{ChatID: chatID, UserID: who.ID, Expires: now.Add(LoginTTL).Truncate(time.Second)}
	rand.Read(s.Nonce[:])
	p := storage.Pending{ChatID: chatID, UserID: who.ID, Lang: lang, Verifier: oauth2.GenerateVerifier(), Expires: s.Expires,
		FirstName: who.FirstName, Username: who.Username, Grow: grow}
	err := f.db.PutPending(s.Nonce[:], p, now, storage.Limit{N: MaxSignIns, Per: SignInWindow})
	if errors.Is(err, storage.ErrTooMany) {
		return SignIn{}, ErrTooManySignIns
	}
	if err != nil {
		return SignIn{}, fmt.Errorf("begin sign-in for chat %d: %w", chatID, err)
	}
	u := f.cfg.PublicURL + "/oauth/start?" + url.Values{"state": {SignState(f.cfg.StateKey, s)}}.Encode()
	return SignIn{URL: u, LoginURL: f.check == CheckTelegram}, nil
}

// lookup checks state and returns it with its pending login, which stays
// usable.
func (f *Flow) lookup(state string) (State, storage.Pending, error) {
	s, err := ParseState(f.cfg.StateKey, state, f.now())
	if err != nil {
		return State{}, storage.Pending{}, err
	}
	p, err := f.db.Pending(s.Nonce[:], f.now())
	if err != nil {
		return State{}, storage.Pending{}, pendingErr(err)
	}
	if p.ChatID != s.ChatID || p.UserID != s.UserID {
		return State{}, storage.Pending{}, fmt.Errorf("%w: names another chat", ErrInvalidState)
	}
	return s, p, nil
}

// take uses up the pending login of s if check passes for it, in one
// transaction; if check fails the login stays usable.
func (f *Flow) take(s State, check func(storage.Pending) error) (storage.Pending, error) {
	p, err := f.db.TakePending(s.Nonce[:], f.now(), check)
	if err != nil {
		return storage.Pending{}, pendingErr(err)
	}
	return p, nil
}

func pendingErr(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: already used or replaced", ErrInvalidState)
	}
	return err
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

// Disconnect deletes the chat's grant and revokes it at Google unless
// another link uses the same Google account (see Revocation). It returns
// ErrNotLinked if there was none. When Google cannot be reached the grant is
// deleted all the same and the result is RevokeFailed.
func (f *Flow) Disconnect(ctx context.Context, chatID int64) (Revocation, error) {
	l, err := f.db.DeleteLink(chatID)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, ErrNotLinked
	}
	if err != nil {
		return 0, err
	}
	f.forget(chatID)
	return f.revokeUnused(ctx, chatID, l.Sub, l.RefreshToken), nil
}
