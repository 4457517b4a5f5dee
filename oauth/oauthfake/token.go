package oauthfake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// handleToken serves the token endpoint: grant_type authorization_code and
// refresh_token, with client authentication in the body or by HTTP Basic.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	form, ok := s.readForm(w, r, TokenPath)
	if !ok {
		return
	}
	grantType := form.Get("grant_type")
	s.mu.Lock()
	s.requests[grantType]++
	s.mu.Unlock()
	if f, ok := s.takeFault(TokenPath); ok {
		writeFault(w, f)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.clientOKLocked(w, r, form) {
		return
	}
	switch grantType {
	case "authorization_code":
		s.exchangeLocked(w, form)
	case "refresh_token":
		s.refreshLocked(w, form)
	default:
		s.unexpectedLocked("POST %s: unsupported grant_type", TokenPath)
		writeJSONError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type")
	}
}

// readForm returns the url-encoded body of a POST to path, or answers 400.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, path string) (url.Values, bool) {
	fail := func(what string) (url.Values, bool) {
		s.mu.Lock()
		s.unexpectedLocked("POST %s: %s", path, what)
		s.mu.Unlock()
		writeJSONError(w, http.StatusBadRequest, "invalid_request", "Bad Request")
		return nil, false
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return fail("Content-Type is not application/x-www-form-urlencoded")
	}
	if r.URL.RawQuery != "" {
		return fail("parameters in the URL query (secrets end up in logs); send them in the body")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return fail("unreadable form body")
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return fail("repeated parameter " + k)
		}
	}
	return r.PostForm, true
}

// clientOKLocked authenticates the client like Google and answers the error
// if that fails; s.mu must be held.
func (s *Server) clientOKLocked(w http.ResponseWriter, r *http.Request, form url.Values) bool {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if user, pass, ok := r.BasicAuth(); ok {
		if id != "" || secret != "" {
			s.unexpectedLocked("POST %s: client credentials both in the Authorization header and in the body", TokenPath)
		}
		// x/oauth2 query-escapes both parts before Basic encoding.
		id, secret = unescape(user), unescape(pass)
	}
	status, code, desc := 0, "", ""
	switch {
	case id == "":
		status, code, desc = http.StatusBadRequest, "invalid_request", "Could not determine client ID from request."
	case id != s.clientID:
		status, code, desc = http.StatusUnauthorized, "invalid_client", "The OAuth client was not found."
	case secret == "":
		status, code, desc = http.StatusBadRequest, "invalid_request", "client_secret is missing."
	case subtle.ConstantTimeCompare([]byte(secret), []byte(s.clientSecret)) != 1:
		status, code, desc = http.StatusUnauthorized, "invalid_client", "Unauthorized"
	default:
		return true
	}
	s.unexpectedLocked("POST %s: client authentication failed: %s (%s)", TokenPath, code, desc)
	writeJSONError(w, status, code, desc)
	return false
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// exchangeLocked redeems an authorization code; s.mu must be held.
func (s *Server) exchangeLocked(w http.ResponseWriter, form url.Values) {
	bad := func(code, desc, why string) {
		if why != "" {
			s.unexpectedLocked("POST %s: authorization_code: %s", TokenPath, why)
		}
		writeJSONError(w, http.StatusBadRequest, code, desc)
	}
	code := form.Get("code")
	if code == "" {
		bad("invalid_request", "Missing required parameter: code", "no code")
		return
	}
	ac, ok := s.codes[code]
	switch {
	case !ok:
		bad("invalid_grant", "Bad Request", "unknown code")
		return
	case ac.used:
		bad("invalid_grant", "Bad Request", "code used twice (a retried exchange?)")
		return
	}
	ac.used = true // whatever happens next, a code is good for one attempt
	if !s.now().Before(ac.expires) {
		bad("invalid_grant", "Bad Request", "") // the user was slow: real life
		return
	}
	switch ru := form.Get("redirect_uri"); {
	case ru == "":
		bad("invalid_request", "Missing parameter: redirect_uri", "no redirect_uri")
		return
	case ru != s.redirectURL:
		bad("redirect_uri_mismatch", "Bad Request", "redirect_uri differs from the registered one")
		return
	}
	verifier := form.Get("code_verifier")
	if verifier == "" {
		bad("invalid_grant", "Missing code verifier.", "no code_verifier")
		return
	}
	sum := sha256.Sum256([]byte(verifier))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != ac.req.challenge {
		bad("invalid_grant", "Bad Request", "code_verifier does not match code_challenge")
		return
	}

	g := &grant{acct: ac.acct, scopes: ac.scopes}
	s.grants = append(s.grants, g)
	if ac.issueRefresh {
		g.refresh = sizedToken("1//0", refreshTokenLen)
		s.refresh[g.refresh] = g
		s.limitRefreshLocked(g.acct.Sub)
	}
	s.writeTokenLocked(w, g, g.refresh)
}

// limitRefreshLocked silently revokes the oldest refresh tokens of sub beyond
// Google's limit; s.mu must be held.
func (s *Server) limitRefreshLocked(sub string) {
	live := 0
	for i := len(s.grants) - 1; i >= 0; i-- {
		g := s.grants[i]
		if g.acct.Sub != sub || g.refresh == "" || g.revoked {
			continue
		}
		if live++; live > maxRefreshTokens {
			g.revoked = true
		}
	}
}

// refreshLocked mints a new access token from a refresh token; s.mu must be held.
func (s *Server) refreshLocked(w http.ResponseWriter, form url.Values) {
	rt := form.Get("refresh_token")
	if rt == "" {
		s.unexpectedLocked("POST %s: refresh_token: no refresh_token", TokenPath)
		writeJSONError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: refresh_token")
		return
	}
	g, ok := s.refresh[rt]
	if !ok {
		s.unexpectedLocked("POST %s: refresh_token: unknown refresh token", TokenPath)
	}
	if !ok || g.revoked {
		writeJSONError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
		return
	}
	s.writeTokenLocked(w, g, "")
}

// tokenResponse is Google's token endpoint answer, fields in Google's order.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token,omitempty"`
}

// writeTokenLocked issues an access token for g; s.mu must be held.
func (s *Server) writeTokenLocked(w http.ResponseWriter, g *grant, refreshToken string) {
	now := s.now()
	at := sizedToken("ya29.a0", accessTokenLen)
	s.access[at] = &accessToken{g: g, expires: now.Add(s.accessTTL)}
	resp := tokenResponse{
		AccessToken:  at,
		ExpiresIn:    int64(s.accessTTL.Seconds()),
		RefreshToken: refreshToken,
		Scope:        strings.Join(g.scopes, " "),
		TokenType:    "Bearer",
	}
	if slices.Contains(g.scopes, "openid") {
		resp.IDToken = s.idToken(g, now.Unix())
	}
	writeJSON(w, http.StatusOK, resp)
}

// idToken returns a JWT with Google's claims and a placeholder signature:
// clients that got it straight from the token endpoint may read it without
// verifying, as Google's OpenID Connect guide allows.
func (s *Server) idToken(g *grant, iat int64) string {
	claims := map[string]any{
		"iss": Issuer,
		"azp": s.clientID,
		"aud": s.clientID,
		"sub": g.acct.Sub,
		"iat": iat,
		"exp": iat + 3600,
	}
	if slices.Contains(g.scopes, scopeAliases["email"]) {
		claims["email"] = g.acct.Email
		claims["email_verified"] = true
	}
	seg := func(v any) string {
		b, _ := json.Marshal(v) // maps of strings, ints and bools always marshal
		return base64.RawURLEncoding.EncodeToString(b)
	}
	header := map[string]string{"alg": "RS256", "kid": "fake", "typ": "JWT"}
	return seg(header) + "." + seg(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("oauthfake-fake-signature"))
}

// handleRevoke serves the revocation endpoint. Any live token of an account,
// refresh or access, revokes every token of that account and client, as
// Google does: its guide for web server apps says the endpoint removes the
// permissions the user gave the application (an access token takes its
// refresh token along), and that revocation removes every scope granted
// to the project, invalidating the issued access and refresh tokens. A
// second sign-in of the same account is the same grant.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests["revoke"]++
	s.mu.Unlock()
	if f, ok := s.takeFault(RevokePath); ok {
		writeFault(w, f)
		return
	}
	// Google's own example sends the token in the query; it works, but puts
	// a secret into access logs, so it is recorded.
	var form url.Values
	if r.URL.RawQuery != "" {
		s.mu.Lock()
		s.unexpectedLocked("POST %s: token in the URL query (ends up in logs); send it in the body", RevokePath)
		s.mu.Unlock()
		form = r.URL.Query()
	} else {
		var ok bool
		if form, ok = s.readForm(w, r, RevokePath); !ok {
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	tok := form.Get("token")
	if tok == "" {
		s.unexpectedLocked("POST %s: no token", RevokePath)
		writeJSONError(w, http.StatusBadRequest, "invalid_request", "Bad Request")
		return
	}
	g, ok := s.refresh[tok]
	live := ok && !g.revoked
	if !ok {
		var at *accessToken
		if at, ok = s.access[tok]; ok {
			g = at.g
			live = !g.revoked && !at.expired && s.now().Before(at.expires)
		}
	}
	if !ok {
		s.unexpectedLocked("POST %s: unknown token", RevokePath)
	}
	if !live {
		writeJSONError(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
		return
	}
	s.revokeAllLocked(g.acct.Sub)
	writeJSON(w, http.StatusOK, struct{}{})
}

func writeJSONError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}{code, desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ") // Google pretty-prints
	if err != nil {
		http.Error(w, "oauthfake: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
