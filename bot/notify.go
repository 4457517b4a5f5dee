package bot

import (
	"context"
	"html"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/oauth"
)

// signedIn tells a chat how its sign-in ended; it runs in the chat's queue
// (see Notify). On success it also learns the calendar's time zone, so the
// first /today asks Google once. told, if not nil, is called once the chat
// has been told, before what follows (the agenda offer), so that a crash
// after it repeats neither.
func (b *Bot) signedIn(ctx context.Context, r oauth.Result, told func()) {
	lang := langOf(r.Lang)
	if r.Grow != "" {
		b.grown(ctx, r, lang)
		return
	}
	switch r.Outcome {
	case oauth.Connected:
		b.noteLang(chat{id: r.ChatID, lang: lang, private: true})
		body := text(lang, msgConnected, html.EscapeString(r.Email))
		if r.Replaced != "" && r.Replaced != r.Email {
			body = text(lang, msgConnectedReplaced, html.EscapeString(r.Email), html.EscapeString(r.Replaced))
			switch r.ReplacedGrant {
			case oauth.KeptInUse:
				body = text(lang, msgConnectedReplacedKept, html.EscapeString(r.Email), html.EscapeString(r.Replaced))
			case oauth.RevokeFailed:
				body = text(lang, msgConnectedReplacedNotRevoked, html.EscapeString(r.Email), html.EscapeString(r.Replaced), html.EscapeString(r.Replaced))
			}
		}
		var zone *time.Location
		err := b.google(r.ChatID, func(ts oauth2.TokenSource) (err error) {
			zone, err = b.cfg.Calendar.Zone(ctx, ts)
			return err
		})
		if err != nil {
			b.log.Warn("read calendar zone after connect failed", "chat_id", r.ChatID, "err", err)
		} else {
			b.saveZone(r.ChatID, b.settings(r.ChatID).Zone, zone)
			body += "\n\n" + text(lang, msgConnectedZone, html.EscapeString(zone.String()))
		}
		b.send(ctx, r.ChatID, body, nil)
		if told != nil && ctx.Err() == nil {
			told()
		}
		b.offerAgenda(ctx, r.ChatID, lang)
		if b.cfg.Planner != nil {
			b.cfg.Planner.Touch(r.ChatID)
		}
	case oauth.Denied:
		b.send(ctx, r.ChatID, text(lang, msgConnectDenied), nil)
	case oauth.MissingScope:
		b.send(ctx, r.ChatID, text(lang, msgConnectMissingScope), nil)
	default:
		b.send(ctx, r.ChatID, text(lang, msgConnectFailed), nil)
	}
}

// grown tells a chat how a sign-in for one more scope (Accounts.Grow)
// ended. The link, its zone and its agenda are as they were; only what the
// scope allows is new. Once the calendar list is allowed, it shows the
// calendars page at once.
func (b *Bot) grown(ctx context.Context, r oauth.Result, lang string) {
	c := chat{id: r.ChatID, userID: r.UserID, lang: lang, private: true, who: r.Person}
	switch r.Outcome {
	case oauth.Connected:
		feature := msgFeatureCalendarList
		switch r.Grow {
		case oauth.SharedEventsScope:
			feature = msgFeatureSharedRead
		case oauth.SharedWriteScope:
			feature = msgFeatureSharedWrite
		}
		b.send(ctx, c.id, text(lang, msgGrowConnected, text(lang, feature)), nil)
		if r.Grow != oauth.CalendarListScope {
			b.touch(c.id) // shared calendars may now be read
			return
		}
		set, err := b.loadCalendars(ctx, c)
		if err != nil {
			b.log.Warn("list calendars after grow failed", "chat_id", c.id, "err", err)
			return
		}
		b.send(ctx, c.id, settingsText(lang, set)+"\n\n"+text(lang, msgCalendarsPick), b.settingsKeyboard(c, pageCalendars, set))
	case oauth.MissingScope:
		b.send(ctx, c.id, text(lang, msgGrowMissing), nil)
	case oauth.Denied:
		b.send(ctx, c.id, text(lang, msgGrowDenied), nil)
	case oauth.OtherAccount:
		other, linked := html.EscapeString(r.Other), html.EscapeString(r.Email)
		b.send(ctx, c.id, text(lang, msgGrowOtherAccount, other, linked, linked), nil)
	default:
		b.send(ctx, c.id, text(lang, msgGrowFailed), nil)
	}
}
