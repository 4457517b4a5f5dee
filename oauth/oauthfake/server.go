// Package oauthfake provides a fake Google OAuth 2.0 server: the authorization
// endpoint with a small consent page, the token endpoint and the revocation
// endpoint. It speaks Google's wire format, including its error bodies, so that
// golang.org/x/oauth2 sees the same *oauth2.RetrieveError values it would see
// against accounts.google.com and oauth2.googleapis.com.
//
// The fake serves one registered client (id, secret, redirect URI). It is meant
// for tests (New) and for a local sandbox mode (NewServer and Handler), so
// serving never depends on *testing.T. Requests that a correct client never
// makes are answered like Google would and also recorded; see Unexpected.
package oauthfake

import (
	"strings"

	"github.com/calbot/calbot/internal/loopback"

	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Paths served by Handler. They are Google's paths, all on one host.
const (
	AuthPath    = "/o/oauth2/v2/auth"
	ConsentPath = "/o/oauth2/v2/consent" // the consent page's form posts here
	TokenPath   = "/token"
	RevokePath  = "/revoke"
)

// Issuer is the iss value of callbacks and ID tokens, as Google sends it.
const Issuer = "https://accounts.google.com"

const (
	defaultAccessTTL = 3599 * time.Second // Google's expires_in
	codeTTL          = 10 * time.Minute
	consentTTL       = time.Hour
	maxRefreshTokens = 100 // live refresh tokens per account and client
)

// DefaultAccount is the account the consent page signs in as until
// SetPageAccount changes it.
var DefaultAccount = Account{Sub: "100000000000000000001", Email: "alice@example.com"}

// Account is a Google account as the fake sees it.
type Account struct {
	Sub   string // stable account id, the id_token's sub
	Email string
}

// Server is a fake Google OAuth 2.0 server for one client. Its methods are safe
// for concurrent use, also while it serves requests.
type Server struct {
	clientID, clientSecret, redirectURL string
	handler                             http.Handler
	url                                 string // set by New only

	mu         sync.Mutex
	now        func() time.Time
	accessTTL  time.Duration
	pageAcct   Account
	lastAuth   url.Values
	consents   map[string]consent
	codes      map[string]*authCode
	grants     []*grant // in issue order, for the refresh-token limit
	refresh    map[string]*grant
	access     map[string]*accessToken
	requests   map[string]int
	faults     map[string]fault
	unexpected []string
	tolerated  []string // prefixes of unexpected requests a test provokes on purpose
}

// grant is one consent that reached the token endpoint: a refresh token (if
// offline access was granted) and the access tokens minted from it.
type grant struct {
	acct    Account
	scopes  []string // normalized, as in the token response
	refresh string   // empty for online access
	revoked bool
}

type accessToken struct {
	g       *grant
	expires time.Time
	expired bool // set by ExpireAccessTokens
}

type fault struct {
	n, status int
	body      string
}

// NewServer returns a fake that accepts clientID and clientSecret and the
// redirect URI redirectURL, byte for byte. It starts nothing: serve Handler.
func NewServer(clientID, clientSecret, redirectURL string) *Server {
	s := &Server{
		clientID:     clientID,
		clientSecret: clientSecret,
		redirectURL:  redirectURL,
		now:          time.Now,
		accessTTL:    defaultAccessTTL,
		pageAcct:     DefaultAccount,
		consents:     make(map[string]consent),
		codes:        make(map[string]*authCode),
		refresh:      make(map[string]*grant),
		access:       make(map[string]*accessToken),
		requests:     make(map[string]int),
		faults:       make(map[string]fault),
	}
	s.handler = s.routes()
	return s
}

// New starts a fake on 127.0.0.1 for the duration of the test. When the
// test ends it fails t with every request a correct client never makes
// (see Unexpected), except those a test took with TakeUnexpected.
func New(t loopback.TB, clientID, clientSecret, redirectURL string) *Server {
	t.Helper()
	s := NewServer(clientID, clientSecret, redirectURL)
	ts := loopback.Start(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		for _, u := range s.Unexpected() {
			t.Errorf("oauthfake: unexpected request: %s", u)
		}
	})
	s.url = ts.URL
	return s
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+AuthPath, s.handleAuth)
	mux.HandleFunc("POST "+ConsentPath, s.handleConsent)
	mux.HandleFunc("POST "+TokenPath, s.handleToken)
	mux.HandleFunc("POST "+RevokePath, s.handleRevoke)
	mux.HandleFunc("/", s.handleOther)
	return mux
}

// Handler returns the fake's HTTP handler. It may be mounted under a path
// prefix with http.StripPrefix; the consent page uses relative links.
func (s *Server) Handler() http.Handler { return s.handler }

// URL returns the base URL of a server started by New, or "" for NewServer.
func (s *Server) URL() string { return s.url }

// AuthURL returns the authorization endpoint, like oauth2.Endpoint.AuthURL.
func (s *Server) AuthURL() string { return s.url + AuthPath }

// TokenURL returns the token endpoint, like oauth2.Endpoint.TokenURL.
func (s *Server) TokenURL() string { return s.url + TokenPath }

// RevokeURL returns the revocation endpoint.
func (s *Server) RevokeURL() string { return s.url + RevokePath }

// SetClock replaces time.Now for code, access token and ID token lifetimes.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetAccessTokenTTL sets the lifetime of access tokens issued from now on
// (default 3599s). expires_in is reported in whole seconds; note that
// x/oauth2 treats expires_in 0 as "never expires".
func (s *Server) SetAccessTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessTTL = d
}

// SetPageAccount sets the account that the HTML consent page signs in as.
func (s *Server) SetPageAccount(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageAcct = a
}

// LastAuthRequest returns a copy of the query of the last authorization
// request seen by Approve, Deny or the consent page, valid or not, or nil.
func (s *Server) LastAuthRequest() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneValues(s.lastAuth)
}

// AccessTokenOwner reports the account and granted scopes of accessToken. ok
// is false unless the token was issued by this fake, has not expired (by the
// fake's clock or ExpireAccessTokens) and its grant was not revoked. A fake
// resource server uses it to check Bearer tokens.
func (s *Server) AccessTokenOwner(accessToken string) (acct Account, scopes []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, found := s.access[accessToken]
	if !found || at.expired || at.g.revoked || !s.now().Before(at.expires) {
		return Account{}, nil, false
	}
	return at.g.acct, slices.Clone(at.g.scopes), true
}

// Scopes returns the scopes of a live access token (see AccessTokenOwner),
// or nil. A fake resource server enforces scopes with it, as Google answers
// 403 insufficientPermissions to a token without the method's scope.
func (s *Server) Scopes(bearer string) []string {
	_, scopes, ok := s.AccessTokenOwner(bearer)
	if !ok {
		return nil
	}
	return scopes
}

// ExpireAccessTokens makes every access token issued so far invalid, so the
// next API call must refresh. Tokens issued later are not affected.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.access {
		at.expired = true
	}
}

// RevokeAll revokes every grant of the account sub, refresh and access
// tokens alike, like the user removing the app at myaccount.google.com.
func (s *Server) RevokeAll(sub string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokeAllLocked(sub)
}

// revokeAllLocked revokes every grant of sub to the client; s.mu must be
// held.
func (s *Server) revokeAllLocked(sub string) {
	for _, g := range s.grants {
		if g.acct.Sub == sub {
			g.revoked = true
		}
	}
}

// Revoked reports whether refreshToken was issued by this fake and has since
// been revoked: through the revocation endpoint (which revokes every token
// of the account, as Google does), RevokeAll, or by Google's limit of 100
// live refresh tokens per account and client.
func (s *Server) Revoked(refreshToken string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[refreshToken]
	return ok && g.revoked
}

// Requests returns how many token requests with grantType
// ("authorization_code", "refresh_token") reached the token endpoint, or, for
// "revoke", how many requests reached the revocation endpoint. Failed and
// fault-injected requests count too.
func (s *Server) Requests(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[grantType]
}

// FailNext makes the next n requests to endpoint (AuthPath, TokenPath or
// RevokePath) fail with status and body, before any other check. A body that
// starts with "{" is sent as JSON, anything else as HTML. It replaces an
// earlier FailNext for the same endpoint and panics on an unknown endpoint.
// Approve and Deny make no request and are not affected.
func (s *Server) FailNext(endpoint string, n, status int, body string) {
	switch endpoint {
	case AuthPath, TokenPath, RevokePath:
	default:
		panic(fmt.Sprintf("oauthfake: FailNext: unknown endpoint %q", endpoint))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[endpoint] = fault{n: n, status: status, body: body}
}

// Unexpected returns what the fake saw that a correct client never does:
// unknown paths, wrong methods, missing or malformed parameters, invalid
// authorization requests, wrong client credentials, reused or unknown codes,
// PKCE or redirect URI mismatches, unknown tokens. Things that happen in real
// life (expired codes, revoked tokens, a user pressing Cancel) are not listed.
// Entries never contain secrets.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unexpected)
}

// TakeUnexpected returns what Unexpected returns and forgets it, for a test
// that provokes such requests on purpose and checks them itself.
func (s *Server) TakeUnexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.unexpected
	s.unexpected = nil
	return u
}

// Tolerate stops reporting unexpected requests whose record starts with
// prefix, for a test whose subject provokes them on purpose: calbot doctor
// exchanges a made-up code to test the client credentials.
func (s *Server) Tolerate(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tolerated = append(s.tolerated, prefix)
}

// unexpectedLocked records a protocol violation; s.mu must be held.
func (s *Server) unexpectedLocked(format string, args ...any) {
	u := fmt.Sprintf(format, args...)
	for _, p := range s.tolerated {
		if strings.HasPrefix(u, p) {
			return
		}
	}
	s.unexpected = append(s.unexpected, u)
}

// takeFault reports whether the request to endpoint must fail and how.
func (s *Server) takeFault(endpoint string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[endpoint]
	if !ok || f.n <= 0 {
		return fault{}, false
	}
	f.n--
	s.faults[endpoint] = f
	return f, true
}

func writeFault(w http.ResponseWriter, f fault) {
	if len(f.body) > 0 && f.body[0] == '{' {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	}
	w.WriteHeader(f.status)
	fmt.Fprint(w, f.body)
}

// handleOther answers unknown paths and wrong methods like Google's front end.
func (s *Server) handleOther(w http.ResponseWriter, r *http.Request) {
	status := http.StatusNotFound
	switch r.URL.Path {
	case AuthPath, ConsentPath, TokenPath, RevokePath:
		status = http.StatusMethodNotAllowed
	}
	s.mu.Lock()
	s.unexpectedLocked("%s %s: %s", r.Method, r.URL.Path, http.StatusText(status))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<title>Error %d</title>\n<p><b>%d.</b> That’s an error.\n", status, status)
}

// randomToken returns prefix followed by 32 random bytes in base64url, the
// shape of Google's codes ("4/0A…"), access ("ya29.…") and refresh ("1//0…") tokens.
func randomToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b) // never fails
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Google's tokens are longer than 32 random bytes: an access token is about
// 250 characters, a refresh token about 100. The fake's are as long, so that
// what calbot keeps of them (the database, the token cache) weighs what it
// would.
const (
	accessTokenLen  = 250
	refreshTokenLen = 103
)

// sizedToken is a random token of n characters starting with prefix.
func sizedToken(prefix string, n int) string {
	b := make([]byte, (n-len(prefix))*3/4+3)
	rand.Read(b) // never fails
	return (prefix + base64.RawURLEncoding.EncodeToString(b))[:n]
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	c := make(url.Values, len(v))
	for k, vv := range v {
		c[k] = slices.Clone(vv)
	}
	return c
}
