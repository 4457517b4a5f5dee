package oauthfake

import (
	"slices"
	"time"
)

// Mint issues tokens to acct for scopes as if the user had consented with
// offline access and the client had exchanged the code: a refresh token and
// an access token that AccessTokenOwner and the token endpoint accept. It
// lets a test or a load driver seed many linked accounts without walking
// each through the consent page. Short scope names ("email") are expanded as
// on the consent page. The access token lives for the access token TTL
// (SetAccessTokenTTL), from the fake's clock; expiry is when it ends.
//
// Like a consent, a Mint counts toward Google's limit of 100 live refresh
// tokens per account, and it costs time proportional to all grants issued so
// far: give each simulated chat its own Account.
func (s *Server) Mint(acct Account, scopes []string) (access, refresh string, expiry time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &grant{acct: acct, scopes: normalizeScopes(slices.Clone(scopes)), refresh: sizedToken("1//0", refreshTokenLen)}
	s.grants = append(s.grants, g)
	s.refresh[g.refresh] = g
	s.limitRefreshLocked(acct.Sub)
	access, expiry = s.mintAccessLocked(g, s.accessTTL)
	return access, g.refresh, expiry
}

// MintAccess issues one more access token from refreshToken, valid for ttl
// from the fake's clock, as a refresh would, but without a request to the
// token endpoint (Requests does not count it). A ttl of zero or less gives a
// token that has already expired, which a resource server refuses. ok is
// false if refreshToken is unknown or revoked.
func (s *Server) MintAccess(refreshToken string, ttl time.Duration) (access string, expiry time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, found := s.refresh[refreshToken]
	if !found || g.revoked {
		return "", time.Time{}, false
	}
	access, expiry = s.mintAccessLocked(g, ttl)
	return access, expiry, true
}

// mintAccessLocked records a new access token of g; s.mu must be held.
func (s *Server) mintAccessLocked(g *grant, ttl time.Duration) (string, time.Time) {
	at := sizedToken("ya29.a0", accessTokenLen)
	expiry := s.now().Add(ttl)
	s.access[at] = &accessToken{g: g, expires: expiry}
	return at, expiry
}
