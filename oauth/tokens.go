package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/storage"
)

// TokenSource returns the chat's token source. Concurrent commands of a
// chat share one refresh; a refreshed token is saved before it is used. Its
// Token returns ErrNotLinked when the chat has no grant, and ErrRevoked
// (with the *oauth2.RetrieveError inside) after deleting a grant that
// Google refused. Only linked chats are kept in memory, at most
// Config.TokenCache of them, the least recently used going first.
func (f *Flow) TokenSource(chatID int64) oauth2.TokenSource {
	return chatTokens{f: f, chatID: chatID}
}

// PassingTokenSource is TokenSource for a read that passes through every
// linked chat in turn, as the scheduler's do: it uses the chat's cached
// source if it has one, and otherwise the stored access token while it is
// valid, without keeping it, so that the pass neither evicts the chats in use
// from the cache (an LRU smaller than the chats would never hit for it
// anyway) nor fills memory with every chat's tokens. A token that needs a
// refresh goes through the cached source: one refresh per chat, shared.
func (f *Flow) PassingTokenSource(chatID int64) oauth2.TokenSource {
	return passingTokens{f: f, chatID: chatID}
}

type passingTokens struct {
	f      *Flow
	chatID int64
}

func (p passingTokens) Token() (*oauth2.Token, error) {
	p.f.mu.Lock()
	e, ok := p.f.sources[p.chatID]
	p.f.mu.Unlock()
	if !ok {
		l, err := p.f.Account(p.chatID)
		if err != nil {
			return nil, err
		}
		if p.f.usable(l.AccessToken, l.Expiry) {
			return &oauth2.Token{AccessToken: l.AccessToken, TokenType: l.TokenType, Expiry: l.Expiry}, nil
		}
		return chatTokens{f: p.f, chatID: p.chatID}.Token()
	}
	return e.Value.(*chatSource).Token()
}

type chatTokens struct {
	f      *Flow
	chatID int64
}

func (c chatTokens) Token() (*oauth2.Token, error) {
	s, err := c.f.source(c.chatID)
	if err != nil {
		return nil, err
	}
	return s.Token()
}

// source returns the chat's cached source, or caches one if the chat is
// linked. A chat with no link adds nothing.
func (f *Flow) source(chatID int64) (*chatSource, error) {
	f.mu.Lock()
	if e, ok := f.sources[chatID]; ok {
		f.lru.MoveToFront(e)
		f.mu.Unlock()
		return e.Value.(*chatSource), nil
	}
	f.mu.Unlock()
	l, err := f.Account(chatID)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.sources[chatID]; ok { // cached meanwhile
		f.lru.MoveToFront(e)
		return e.Value.(*chatSource), nil
	}
	s := &chatSource{f: f, chatID: chatID,
		tok: &oauth2.Token{AccessToken: l.AccessToken, TokenType: l.TokenType, RefreshToken: l.RefreshToken, Expiry: l.Expiry}, rt: l.RefreshToken}
	f.sources[chatID] = f.lru.PushFront(s)
	for f.lru.Len() > f.cfg.TokenCache {
		old := f.lru.Back()
		f.lru.Remove(old)
		delete(f.sources, old.Value.(*chatSource).chatID)
	}
	return s, nil
}

// cached is how many chats' sources are in memory, for tests.
func (f *Flow) cached() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lru.Len()
}

// forget drops the chat's cached token, so the next use reads the database.
func (f *Flow) forget(chatID int64) {
	f.mu.Lock()
	var s *chatSource
	if e, ok := f.sources[chatID]; ok {
		s = e.Value.(*chatSource)
		f.lru.Remove(e)
		delete(f.sources, chatID)
	}
	f.mu.Unlock()
	if s != nil {
		s.mu.Lock()
		s.tok = nil
		s.mu.Unlock()
	}
}

// ExpireToken makes the chat's next Token refresh, for when Google refused
// an access token that looked valid (it does so at once after a revocation).
func (f *Flow) ExpireToken(chatID int64) {
	s, err := f.source(chatID)
	if err != nil {
		return // not linked: nothing to refresh
	}
	s.mu.Lock()
	s.stale = true
	s.mu.Unlock()
}

type chatSource struct {
	f      *Flow
	chatID int64

	mu    sync.Mutex // held across a refresh: the others wait for its result
	tok   *oauth2.Token
	rt    string // the refresh token tok came from
	stale bool   // refresh even if tok looks valid
}

func (s *chatSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		l, err := s.f.Account(s.chatID)
		if err != nil {
			return nil, err
		}
		s.tok = &oauth2.Token{AccessToken: l.AccessToken, TokenType: l.TokenType, RefreshToken: l.RefreshToken, Expiry: l.Expiry}
		s.rt = l.RefreshToken
	}
	if s.f.usable(s.tok.AccessToken, s.tok.Expiry) && !s.stale {
		return s.tok, nil
	}
	// A fresh source per refresh: Config.TokenSource keeps the context it is
	// given for its lifetime, so it gets a long-lived one that carries only
	// our HTTP client (whose timeout bounds the request).
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.f.cfg.HTTPClient)
	tok, err := s.f.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: s.rt}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			s.f.cfg.Metrics.refresh("revoked")
			s.tok = nil
			if derr := s.f.db.DeleteLinkIf(s.chatID, s.rt); derr != nil && !errors.Is(derr, storage.ErrNotFound) {
				return nil, fmt.Errorf("delete dead grant of chat %d: %w", s.chatID, derr)
			}
			return nil, fmt.Errorf("refresh token of chat %d: %w: %w", s.chatID, ErrRevoked, err)
		}
		if transient(err) {
			s.f.cfg.Metrics.refresh("unavailable")
			return nil, fmt.Errorf("refresh token of chat %d: %w: %w", s.chatID, ErrUnavailable, err)
		}
		s.f.cfg.Metrics.refresh("error")
		return nil, fmt.Errorf("refresh token of chat %d: %w", s.chatID, err)
	}
	s.f.cfg.Metrics.refresh("ok")
	if tok.RefreshToken == "" {
		tok.RefreshToken = s.rt
	}
	s.f.rebase(tok)
	err = s.f.db.UpdateLink(s.chatID, func(l *storage.Link) error {
		if l.RefreshToken != s.rt {
			return errReplaced
		}
		l.AccessToken, l.TokenType, l.Expiry, l.RefreshToken = tok.AccessToken, tok.TokenType, tok.Expiry, tok.RefreshToken
		return nil
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.tok = nil
		return nil, ErrNotLinked
	case errors.Is(err, errReplaced):
		// The chat re-linked while we refreshed: use the new grant next time.
		s.tok = nil
		return nil, fmt.Errorf("refresh token of chat %d: grant replaced meanwhile, try again", s.chatID)
	case err != nil:
		return nil, err
	}
	s.tok, s.rt, s.stale = tok, tok.RefreshToken, false
	return tok, nil
}

var errReplaced = errors.New("grant replaced")

// transient reports whether a refresh failed for reasons on Google's side or
// the network's, so that asking again later may work.
func transient(err error) bool {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.Response != nil && (re.Response.StatusCode >= 500 || re.Response.StatusCode == http.StatusTooManyRequests)
	}
	var ue *url.Error
	return errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded)
}

// rebase restates tok's expiry, which x/oauth2 computes from the wall clock,
// on the flow's clock. With the real clock it changes nothing.
func (f *Flow) rebase(tok *oauth2.Token) {
	if !tok.Expiry.IsZero() {
		tok.Expiry = f.now().Add(time.Until(tok.Expiry))
	}
}

// expiryMargin is how long before its expiry an access token is refreshed.
const expiryMargin = time.Minute

// usable reports whether an access token expiring at expiry may still be
// sent: judged by the flow's clock, with a margin so that it does not expire
// on its way to Google (oauth2.Token.Valid would use the wall clock).
func (f *Flow) usable(access string, expiry time.Time) bool {
	return access != "" && f.now().Add(expiryMargin).Before(expiry)
}
