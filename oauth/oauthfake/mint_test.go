package oauthfake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestMint(t *testing.T) {
	s, cfg := setup(t)
	bob := Account{Sub: "100000000000000000002", Email: "bob@example.com"}
	access, refresh, expiry := s.Mint(bob, []string{"openid", "email", calendarScope})
	if d := time.Until(expiry); d < defaultAccessTTL-time.Minute || d > defaultAccessTTL {
		t.Errorf("Mint expiry in %s, want about %s", d, defaultAccessTTL)
	}
	acct, scopes, ok := s.AccessTokenOwner(access)
	if !ok || acct != bob || strings.Join(scopes, " ") != "openid "+emailScope+" "+calendarScope {
		t.Errorf("AccessTokenOwner(minted) = %v, %q, %v; want %v with the normalized scopes", acct, scopes, ok, bob)
	}

	// The refresh token works at the token endpoint like one from a consent.
	tok, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: refresh}).Token()
	if err != nil {
		t.Fatalf("refresh a minted token: %v", err)
	}
	if acct, _, ok := s.AccessTokenOwner(tok.AccessToken); !ok || acct != bob {
		t.Errorf("refreshed token owner = %v, %v; want %v", acct, ok, bob)
	}
	if n := s.Requests("refresh_token"); n != 1 {
		t.Errorf("Requests(refresh_token) = %d, want 1 (Mint itself makes none)", n)
	}
	noUnexpected(t, s)
}

func TestMintAccess(t *testing.T) {
	s, _ := setup(t)
	_, refresh, _ := s.Mint(DefaultAccount, []string{calendarScope})
	tests := []struct {
		name      string
		refresh   string
		ttl       time.Duration
		wantOK    bool
		wantValid bool
	}{
		{"valid", refresh, time.Hour, true, true},
		{"already expired", refresh, -time.Second, true, false},
		{"unknown refresh token", "1//0nope", time.Hour, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			access, _, ok := s.MintAccess(tt.refresh, tt.ttl)
			if ok != tt.wantOK {
				t.Fatalf("MintAccess ok = %v, want %v", ok, tt.wantOK)
			}
			if _, _, valid := s.AccessTokenOwner(access); valid != tt.wantValid {
				t.Errorf("AccessTokenOwner(MintAccess(%s)) ok = %v, want %v", tt.ttl, valid, tt.wantValid)
			}
		})
	}
	s.RevokeAll(DefaultAccount.Sub)
	if _, _, ok := s.MintAccess(refresh, time.Hour); ok {
		t.Error("MintAccess from a revoked grant succeeded")
	}
}

func TestMintKeepsRefreshTokenLimit(t *testing.T) {
	s, _ := setup(t)
	var first string
	for i := range maxRefreshTokens + 1 {
		_, rt, _ := s.Mint(DefaultAccount, []string{calendarScope})
		if i == 0 {
			first = rt
		}
	}
	if !s.Revoked(first) {
		t.Errorf("after %d Mints the first refresh token is live, want revoked", maxRefreshTokens+1)
	}
	// Other accounts are not affected.
	_, rt, _ := s.Mint(Account{Sub: fmt.Sprint(42), Email: "x@example.com"}, []string{calendarScope})
	if s.Revoked(rt) {
		t.Error("a Mint for another account was revoked")
	}
}

// TestMintedTokensAreGoogleSized: tokens as long as Google's, so that load
// figures weigh what a real deployment keeps.
func TestMintedTokensAreGoogleSized(t *testing.T) {
	s, _ := setup(t)
	access, refresh, _ := s.Mint(Account{Sub: "1", Email: "a@example.com"}, []string{"openid"})
	if len(access) != accessTokenLen || !strings.HasPrefix(access, "ya29.a0") {
		t.Errorf("access token %q: %d characters, want %d starting ya29.a0", access, len(access), accessTokenLen)
	}
	if len(refresh) != refreshTokenLen || !strings.HasPrefix(refresh, "1//0") {
		t.Errorf("refresh token %q: %d characters, want %d starting 1//0", refresh, len(refresh), refreshTokenLen)
	}
	if a2, _, _ := s.Mint(Account{Sub: "2", Email: "b@example.com"}, []string{"openid"}); a2 == access {
		t.Error("two mints gave the same access token")
	}
}
