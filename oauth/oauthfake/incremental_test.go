package oauthfake

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

const listScope = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"

// grow asks for extra with include_granted_scopes (or without, if include
// is false), approves it as DefaultAccount with grant ticked, and exchanges.
func grow(t *testing.T, s *Server, cfg *oauth2.Config, include bool, extra string, grant ...string) *oauth2.Token {
	t.Helper()
	v := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(v),
		oauth2.SetAuthURLParam("scope", "openid email "+extra)}
	if include {
		opts = append(opts, oauth2.SetAuthURLParam("include_granted_scopes", "true"))
	}
	l := begin(cfg, opts...)
	l.verifier = v
	cb, err := s.Approve(l.url, DefaultAccount, grant...)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	tok, err := cfg.Exchange(t.Context(), callbackQuery(t, cb, l.state).Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok
}

func TestIncrementalConsent(t *testing.T) {
	tests := []struct {
		name    string
		include bool
		grant   []string // ticked on the second consent; nil: all
		want    []string
	}{
		{"include granted", true, nil, []string{"openid", emailScope, calendarScope, listScope}},
		{"include granted, extra unticked", true, []string{"openid", "email"}, []string{"openid", emailScope, calendarScope}},
		{"without include", false, nil, []string{"openid", emailScope, listScope}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := setup(t)
			first := connect(t, s, cfg)
			tok := grow(t, s, cfg, tt.include, listScope, tt.grant...)
			got := strings.Fields(tok.Extra("scope").(string))
			if !sameSet(got, tt.want) {
				t.Errorf("grown token scope = %q, want %q", got, tt.want)
			}
			if got := s.Scopes(tok.AccessToken); !sameSet(got, tt.want) {
				t.Errorf("Scopes(grown access token) = %q, want %q", got, tt.want)
			}
			// The refresh token carries the scopes of its grant.
			refreshed, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh grown token: %v", err)
			}
			if got := s.Scopes(refreshed.AccessToken); !sameSet(got, tt.want) {
				t.Errorf("Scopes(refreshed from grown) = %q, want %q", got, tt.want)
			}
			old, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: first.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh first token: %v", err)
			}
			if got := s.Scopes(old.AccessToken); slices.Contains(got, listScope) {
				t.Errorf("Scopes(refreshed from first grant) = %q; the first refresh token must not carry the new scope", got)
			}
			noUnexpected(t, s)
		})
	}
}

func TestScopesOfDeadToken(t *testing.T) {
	s, cfg := setup(t)
	tok := connect(t, s, cfg)
	if got := s.Scopes("ya29.unknown"); got != nil {
		t.Errorf("Scopes(unknown) = %q, want nil", got)
	}
	s.RevokeAll(DefaultAccount.Sub)
	if got := s.Scopes(tok.AccessToken); got != nil {
		t.Errorf("Scopes(revoked) = %q, want nil", got)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}
