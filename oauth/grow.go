package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/storage"
)

// Scopes a link may grow to, one per feature that needs more than
// CalendarScope. Each is the least of those Google's Calendar API reference
// lists for the calls the feature makes.
const (
	// CalendarListScope lets calbot list the user's calendars
	// (calendarList.list), for choosing calendars in /settings.
	CalendarListScope = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
	// SharedEventsScope lets calbot read events of calendars the user does
	// not own: shared, subscribed and holiday calendars (events.list). The
	// owned ones need no more than CalendarScope.
	SharedEventsScope = "https://www.googleapis.com/auth/calendar.events.readonly"
	// SharedWriteScope lets /add write to a calendar that another user
	// shares with write access (events.insert, events.delete): CalendarScope
	// covers only calendars the user owns.
	SharedWriteScope = "https://www.googleapis.com/auth/calendar.events"
)

// Answering an invitation needs no scope of its own: the invitation is an
// event in the attendee's own calendar, and events.patch on an owned
// calendar accepts CalendarScope.

// GrowScopes are the scopes Grow may ask for.
var GrowScopes = []string{CalendarListScope, SharedEventsScope, SharedWriteScope}

// ErrUnknownScope is returned by Grow for a scope not in GrowScopes.
var ErrUnknownScope = errors.New("calbot does not ask for this scope")

// implied lists, for each scope a link may hold, the narrower scopes it
// covers as far as calbot's calls go.
var implied = map[string][]string{
	"https://www.googleapis.com/auth/calendar":          {CalendarListScope, SharedEventsScope, SharedWriteScope, CalendarScope, "https://www.googleapis.com/auth/calendar.readonly"},
	"https://www.googleapis.com/auth/calendar.readonly": {CalendarListScope, SharedEventsScope},
	SharedWriteScope: {SharedEventsScope, CalendarScope},
}

// hasScope reports whether the granted scope list covers want.
func hasScope(granted, want string) bool {
	for _, s := range strings.Fields(granted) {
		if s == want || slices.Contains(implied[s], want) {
			return true
		}
	}
	return false
}

// Granted reports whether the chat's link holds scope, or a broader one
// that covers it. It returns ErrNotLinked for a chat with no link.
func (f *Flow) Granted(chatID int64, scope string) (bool, error) {
	l, err := f.Account(chatID)
	if err != nil {
		return false, err
	}
	return hasScope(l.Scope, scope), nil
}

// Grow starts a sign-in that adds scope, one of GrowScopes, to the chat's
// link: the same link, checks and limits as Begin (bound to the chat and
// who, single use, LoginTTL, MaxSignIns), but Google is asked only for scope
// with include_granted_scopes, so its page shows only what is new. The
// callback keeps the link unless the user signs in with the same Google
// account and grants scope; the Result says how it ended (Result.Grow is
// set). Grow returns ErrNotLinked if the chat has no link, ErrUnknownScope,
// or ErrTooManySignIns.
func (f *Flow) Grow(ctx context.Context, chatID int64, who Person, lang, scope string) (SignIn, error) {
	if !slices.Contains(GrowScopes, scope) {
		return SignIn{}, fmt.Errorf("grow the link of chat %d: %w", chatID, ErrUnknownScope)
	}
	if _, err := f.Account(chatID); err != nil {
		return SignIn{}, err
	}
	return f.begin(chatID, who, lang, scope)
}

// growOptions ask Google for the identity, to check the account, and the
// extra scope, on top of what the account granted calbot already.
func growOptions(scope string) []oauth2.AuthCodeOption {
	return []oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("scope", "openid email "+scope),
		oauth2.SetAuthURLParam("include_granted_scopes", "true"),
	}
}

// grown finishes a Grow's callback once the code was exchanged: it merges
// the grant into the chat's link only if it is the same Google account and
// holds both the extra scope and the calendar scope; otherwise the link
// stays as it was. finish tells the chat and renders the page.
func (f *Flow) grown(ctx context.Context, p storage.Pending, tok *oauth2.Token, scope string, c claims, claimsErr error,
	res *Result, finish func(status int, pg page, o Outcome)) {
	res.Grow = p.Grow
	// Google revokes the whole grant of an account when one token is
	// revoked: a token of the linked account is never given back here.
	giveBack := func() { f.revokeUnused(ctx, p.ChatID, c.Sub, firstNonEmpty(tok.RefreshToken, tok.AccessToken)) }
	if claimsErr != nil || tok.RefreshToken == "" {
		f.log.Warn("token response incomplete", "chat_id", p.ChatID, "grow", true, "err", claimsErr, "has_refresh_token", tok.RefreshToken != "")
		f.cfg.Metrics.connect("incomplete")
		giveBack()
		finish(http.StatusBadGateway, pageFailed, Failed)
		return
	}
	old, err := f.db.Link(p.ChatID)
	if err != nil {
		f.log.Warn("grow finished for a chat that is no longer linked", "chat_id", p.ChatID, "err", err)
		f.cfg.Metrics.connect("grow_not_linked")
		giveBack()
		finish(http.StatusOK, pageFailed, Failed)
		return
	}
	res.Email = old.Email
	if c.Sub != old.Sub {
		f.log.Info("grow refused: another google account", "chat_id", p.ChatID)
		f.cfg.Metrics.connect("grow_other_account")
		res.Other = c.Email
		giveBack()
		finish(http.StatusForbidden, pageGrowOtherAccount, OtherAccount)
		return
	}
	if !hasScope(scope, p.Grow) || !hasCalendarScope(scope) {
		// The user unticked the new box (or, without the calendar scope,
		// the new token could not do what the old one did): keep the old.
		f.log.Info("grow not granted; the link stays as it was", "chat_id", p.ChatID, "has_calendar_scope", hasCalendarScope(scope))
		f.cfg.Metrics.connect("grow_missing_scope")
		giveBack()
		finish(http.StatusOK, pageGrowMissing, MissingScope)
		return
	}
	err = f.db.UpdateLink(p.ChatID, func(l *storage.Link) error {
		if l.Sub != c.Sub {
			return errReplaced // re-linked to another account meanwhile
		}
		l.Scope = scope
		l.RefreshToken, l.AccessToken, l.TokenType, l.Expiry = tok.RefreshToken, tok.AccessToken, tok.TokenType, tok.Expiry
		return nil
	})
	if err != nil {
		f.log.Error("store grown grant failed", "chat_id", p.ChatID, "err", err)
		f.cfg.Metrics.connect("storage_error")
		giveBack()
		finish(http.StatusInternalServerError, pageFailed, Failed)
		return
	}
	f.forget(p.ChatID)
	f.log.Info("chat grant grown", "chat_id", p.ChatID)
	f.cfg.Metrics.connect("grown")
	finish(http.StatusOK, pageGrown, Connected)
}
