package oauthfake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

const (
	testClientID  = "123-abc.apps.googleusercontent.com"
	testSecret    = "GOCSPX-s3cr+t/=" // characters that Basic auth must escape
	testRedirect  = "https://calbot.example.com/oauth/callback"
	calendarScope = "https://www.googleapis.com/auth/calendar.events.owned"
	emailScope    = "https://www.googleapis.com/auth/userinfo.email"
)

// setup starts a fake and returns a client configured like calbot's.
func setup(t testing.TB) (*Server, *oauth2.Config) {
	t.Helper()
	s := New(t, testClientID, testSecret, testRedirect)
	cfg := &oauth2.Config{
		ClientID:     testClientID,
		ClientSecret: testSecret,
		RedirectURL:  testRedirect,
		Scopes:       []string{"openid", "email", calendarScope},
		Endpoint: oauth2.Endpoint{
			AuthURL:   s.AuthURL(),
			TokenURL:  s.TokenURL(),
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	return s, cfg
}

// login is what the bot keeps for a pending /connect.
type login struct {
	state, verifier, url string
}

// begin builds an authorization URL the way calbot does; opts replace the
// default offline access, forced consent and PKCE options when given.
func begin(cfg *oauth2.Config, opts ...oauth2.AuthCodeOption) login {
	v := oauth2.GenerateVerifier()
	if opts == nil {
		opts = []oauth2.AuthCodeOption{oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(v)}
	}
	const state = "st/ate+1=" // must come back unchanged
	return login{state: state, verifier: v, url: cfg.AuthCodeURL(state, opts...)}
}

// callbackQuery checks that callbackURL goes to the registered redirect URI
// with state and iss, and returns its query.
func callbackQuery(t testing.TB, callbackURL, state string) url.Values {
	t.Helper()
	u, err := url.Parse(callbackURL)
	if err != nil {
		t.Fatalf("parse callback %q: %v", callbackURL, err)
	}
	q := u.Query()
	u.RawQuery = ""
	if u.String() != testRedirect {
		t.Errorf("callback goes to %q, want %q", u, testRedirect)
	}
	if got := q.Get("state"); got != state {
		t.Errorf("callback state = %q, want %q", got, state)
	}
	if got := q.Get("iss"); got != Issuer {
		t.Errorf("callback iss = %q, want %q", got, Issuer)
	}
	return q
}

// connect runs the whole flow: consent as DefaultAccount, then exchange.
func connect(t testing.TB, s *Server, cfg *oauth2.Config, grant ...string) *oauth2.Token {
	t.Helper()
	l := begin(cfg)
	cb, err := s.Approve(l.url, DefaultAccount, grant...)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	code := callbackQuery(t, cb, l.state).Get("code")
	tok, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok
}

// errorCode returns the OAuth error code in err, or "" if there is none.
func errorCode(t testing.TB, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if err != nil {
			t.Errorf("error %v is not an *oauth2.RetrieveError", err)
		}
		return ""
	}
	return re.ErrorCode
}

// idClaims decodes the payload of a JWT without checking its signature.
func idClaims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token has %d segments, want 3", len(parts))
	}
	var claims map[string]any
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err == nil {
		err = json.Unmarshal(b, &claims)
	}
	if err != nil {
		t.Fatalf("decode id_token payload: %v", err)
	}
	return claims
}

// noUnexpected fails the test if the fake saw anything unexpected.
func noUnexpected(t testing.TB, s *Server) {
	t.Helper()
	if u := s.Unexpected(); len(u) > 0 {
		t.Errorf("fake saw unexpected requests:\n%s", strings.Join(u, "\n"))
	}
}
