package oauthfake

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// AuthError is an authorization request that Google refuses with an error
// page instead of a redirect, e.g. "Error 400: redirect_uri_mismatch".
type AuthError struct {
	Status      int    // the number Google shows: 400, or 401 for invalid_client
	Code        string // redirect_uri_mismatch, invalid_client, invalid_request, invalid_scope
	Description string
}

// Error returns the error as Google's page shows it, with the description.
func (e *AuthError) Error() string {
	return fmt.Sprintf("Error %d: %s: %s", e.Status, e.Code, e.Description)
}

// authRequest is a validated authorization request.
type authRequest struct {
	state        string
	requested    []string // normalized scopes, in request order
	challenge    string
	offline      bool
	forceConsent bool
	// includeGranted is include_granted_scopes=true: the grant also covers
	// what the account granted the client before.
	includeGranted bool
}

// authCode is an issued authorization code, valid once for codeTTL.
type authCode struct {
	req          authRequest
	acct         Account
	scopes       []string
	issueRefresh bool
	expires      time.Time
	used         bool
}

// consent is a consent page shown but not yet answered.
type consent struct {
	req     authRequest
	acct    Account
	expires time.Time
}

var challengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`) // base64url(SHA-256), unpadded

// Approve acts as the user pressing Allow on the consent page for authURL as
// acct. grant lists the scopes the user left ticked (default: all requested).
// It validates authURL like Google and returns an *AuthError for a request
// Google would refuse. On success it returns the redirect URI with code, state,
// scope, iss, authuser and prompt, as Google sends them.
func (s *Server) Approve(authURL string, acct Account, grant ...string) (callbackURL string, err error) {
	if acct.Sub == "" || acct.Email == "" {
		return "", errors.New("oauthfake: Approve: account needs Sub and Email")
	}
	q, err := authQuery(authURL)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	req, aerr := s.checkAuthLocked(q)
	if aerr != nil {
		return "", aerr
	}
	granted := req.requested
	if grant != nil {
		granted = normalizeScopes(grant)
		for _, sc := range granted {
			if !slices.Contains(req.requested, sc) {
				return "", fmt.Errorf("oauthfake: Approve: scope %q was not requested", sc)
			}
		}
	}
	return s.approveLocked(req, acct, granted), nil
}

// Deny acts as the user pressing Cancel on the consent page for authURL. It
// validates authURL like Approve and returns the redirect URI with
// error=access_denied and the state.
func (s *Server) Deny(authURL string) (callbackURL string, err error) {
	q, err := authQuery(authURL)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	req, aerr := s.checkAuthLocked(q)
	if aerr != nil {
		return "", aerr
	}
	return s.denyLocked(req), nil
}

func authQuery(authURL string) (url.Values, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("oauthfake: parse auth URL: %w", err)
	}
	if !strings.HasSuffix(u.Path, AuthPath) {
		return nil, fmt.Errorf("oauthfake: %q is not an authorization URL (path %s)", u.Redacted(), AuthPath)
	}
	return u.Query(), nil
}

// checkAuthLocked validates an authorization request in Google's order and
// records it as the last one; s.mu must be held.
func (s *Server) checkAuthLocked(q url.Values) (authRequest, *AuthError) {
	s.lastAuth = cloneValues(q)
	req, err := s.parseAuth(q)
	if err != nil {
		s.unexpectedLocked("GET %s: %v", AuthPath, err)
		return authRequest{}, err
	}
	if req.state == "" {
		s.unexpectedLocked("GET %s: no state parameter (no CSRF protection)", AuthPath)
	}
	return req, nil
}

func (s *Server) parseAuth(q url.Values) (authRequest, *AuthError) {
	bad := func(desc string) *AuthError { return &AuthError{400, "invalid_request", desc} }
	for k, v := range q {
		if len(v) > 1 {
			return authRequest{}, bad("Parameter is repeated: " + k)
		}
	}
	switch id := q.Get("client_id"); {
	case id == "":
		return authRequest{}, bad("Missing required parameter: client_id")
	case id != s.clientID:
		return authRequest{}, &AuthError{401, "invalid_client", "The OAuth client was not found."}
	}
	switch ru := q.Get("redirect_uri"); {
	case ru == "":
		return authRequest{}, bad("Missing required parameter: redirect_uri")
	case ru != s.redirectURL:
		return authRequest{}, &AuthError{400, "redirect_uri_mismatch",
			"You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy."}
	}
	switch rt := q.Get("response_type"); rt {
	case "":
		return authRequest{}, bad("Required parameter is missing: response_type")
	case "code":
	default:
		return authRequest{}, bad("Invalid response_type: only code is supported by this fake")
	}
	if q.Get("scope") == "" {
		return authRequest{}, bad("Missing required parameter: scope")
	}
	requested := normalizeScopes(strings.Fields(q.Get("scope")))
	for _, sc := range requested {
		if !validScope(sc) {
			return authRequest{}, &AuthError{400, "invalid_scope", "Some requested scopes were invalid."}
		}
	}
	req := authRequest{state: q.Get("state"), requested: requested}
	switch q.Get("access_type") {
	case "", "online":
	case "offline":
		req.offline = true
	default:
		return authRequest{}, bad("Invalid access_type")
	}
	switch q.Get("include_granted_scopes") {
	case "", "false":
	case "true":
		req.includeGranted = true
	default:
		return authRequest{}, bad("Invalid include_granted_scopes")
	}
	for p := range strings.FieldsSeq(q.Get("prompt")) {
		switch p {
		case "none", "select_account":
		case "consent":
			req.forceConsent = true
		default:
			return authRequest{}, bad("Invalid prompt")
		}
	}
	// Google accepts requests without PKCE; calbot always sends S256, so
	// the fake insists on it.
	switch m := q.Get("code_challenge_method"); m {
	case "S256":
	case "":
		return authRequest{}, bad("Missing code_challenge_method (this fake requires S256)")
	default:
		return authRequest{}, bad("Invalid code_challenge_method (this fake requires S256)")
	}
	if req.challenge = q.Get("code_challenge"); !challengeRE.MatchString(req.challenge) {
		return authRequest{}, bad("Invalid code_challenge")
	}
	return req, nil
}

// approveLocked issues a code; s.mu must be held. With
// include_granted_scopes the code, and the tokens it brings, cover the
// scopes the account granted the client before as well, as Google's
// incremental authorization does.
func (s *Server) approveLocked(req authRequest, acct Account, granted []string) string {
	if req.includeGranted {
		granted = append(s.grantedLocked(acct.Sub), granted...)
		granted = normalizeScopes(granted)
	}
	now := s.now()
	for c, ac := range s.codes {
		if !now.Before(ac.expires) {
			delete(s.codes, c)
		}
	}
	code := randomToken("4/0A")
	s.codes[code] = &authCode{
		req:          req,
		acct:         acct,
		scopes:       slices.Clone(granted),
		issueRefresh: req.offline && (req.forceConsent || !s.hasRefreshLocked(acct.Sub)),
		expires:      now.Add(codeTTL),
	}
	return s.callback(req.state, url.Values{
		"code":     {code},
		"scope":    {strings.Join(granted, " ")},
		"authuser": {"0"},
		"prompt":   {"consent"},
	})
}

func (s *Server) denyLocked(req authRequest) string {
	return s.callback(req.state, url.Values{"error": {"access_denied"}})
}

// callback returns the registered redirect URI with params, state and iss
// added to any query it already has.
func (s *Server) callback(state string, params url.Values) string {
	u, err := url.Parse(s.redirectURL)
	if err != nil { // the fake was built with a broken redirect URI
		u = &url.URL{Path: s.redirectURL}
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	q.Set("iss", Issuer)
	u.RawQuery = q.Encode()
	return u.String()
}

// hasRefreshLocked reports whether sub holds a live refresh token, in which
// case Google issues no new one unless prompt=consent; s.mu must be held.
func (s *Server) hasRefreshLocked(sub string) bool {
	for _, g := range s.grants {
		if g.acct.Sub == sub && g.refresh != "" && !g.revoked {
			return true
		}
	}
	return false
}

// grantedLocked returns the scopes of sub's live grants, oldest first; s.mu
// must be held.
func (s *Server) grantedLocked(sub string) []string {
	var scopes []string
	for _, g := range s.grants {
		if g.acct.Sub == sub && !g.revoked {
			scopes = append(scopes, g.scopes...)
		}
	}
	return normalizeScopes(scopes)
}

// handleAuth shows the consent page for a valid request and Google's error
// page for an invalid one.
func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.takeFault(AuthPath); ok {
		writeFault(w, f)
		return
	}
	s.mu.Lock()
	req, aerr := s.checkAuthLocked(r.URL.Query())
	if aerr != nil {
		s.mu.Unlock()
		writeErrorPage(w, aerr)
		return
	}
	now := s.now()
	for id, c := range s.consents {
		if !now.Before(c.expires) {
			delete(s.consents, id)
		}
	}
	id := randomToken("")
	acct := s.pageAcct
	s.consents[id] = consent{req: req, acct: acct, expires: now.Add(consentTTL)}
	s.mu.Unlock()

	var optional []string
	for _, sc := range req.requested {
		if !signInScope(sc) {
			optional = append(optional, sc)
		}
	}
	writePage(w, http.StatusOK, consentPage, consentData{
		ID: id, ClientID: s.clientID, Email: acct.Email, Optional: optional,
	})
}

// handleConsent answers the consent page's form: action=allow with the
// ticked scope values, or action=deny.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.consentError(w, "unreadable form")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PostForm.Get("consent")
	c, ok := s.consents[id]
	delete(s.consents, id)
	if !ok || !s.now().Before(c.expires) {
		s.unexpectedLocked("POST %s: unknown, used or expired consent page", ConsentPath)
		writeErrorPage(w, &AuthError{400, "invalid_request", "The consent page has expired. Start again."})
		return
	}
	var target string
	switch r.PostForm.Get("action") {
	case "allow":
		ticked := normalizeScopes(r.PostForm["scope"])
		var granted []string
		for _, sc := range c.req.requested {
			if signInScope(sc) || slices.Contains(ticked, sc) {
				granted = append(granted, sc)
			}
		}
		target = s.approveLocked(c.req, c.acct, granted)
	case "deny":
		target = s.denyLocked(c.req)
	default:
		s.unexpectedLocked("POST %s: action is neither allow nor deny", ConsentPath)
		writeErrorPage(w, &AuthError{400, "invalid_request", "Invalid action"})
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (s *Server) consentError(w http.ResponseWriter, what string) {
	s.mu.Lock()
	s.unexpectedLocked("POST %s: %s", ConsentPath, what)
	s.mu.Unlock()
	writeErrorPage(w, &AuthError{400, "invalid_request", "Bad Request"})
}

// scopeAliases maps Google's short scope names to what Google reports back.
var scopeAliases = map[string]string{
	"email":   "https://www.googleapis.com/auth/userinfo.email",
	"profile": "https://www.googleapis.com/auth/userinfo.profile",
}

// normalizeScopes expands short names and drops duplicates, keeping order.
func normalizeScopes(in []string) []string {
	out := make([]string, 0, len(in))
	for _, sc := range in {
		if full, ok := scopeAliases[sc]; ok {
			sc = full
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

var scopeURLRE = regexp.MustCompile(`^https://www\.googleapis\.com/auth/[a-z0-9_.]+$`)

func validScope(sc string) bool { return sc == "openid" || scopeURLRE.MatchString(sc) }

// signInScope reports whether sc is one of the sign-in scopes that Google's
// granular consent screen does not let the user untick.
func signInScope(sc string) bool {
	return sc == "openid" || sc == scopeAliases["email"] || sc == scopeAliases["profile"]
}
