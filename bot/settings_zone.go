package bot

import (
	"context"
	"errors"
	"html"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
	"github.com/calbot/calbot/zone"
)

// zoneLookup is how /settings zone reads a zone: a city in English or
// Russian, an IANA name or a UTC offset, through package zone.
func (b *Bot) zoneLookup() ZoneLookup { return zone.Parse }

// zoneLabel names a zone as the user chose it and as the chat's settings
// keep it: "Portland (America/Los_Angeles)", or "Asia/Tokyo" alone.
func zoneLabel(name string, loc *time.Location) string {
	if name == "" || name == loc.String() {
		return loc.String()
	}
	return name + " (" + loc.String() + ")"
}

// zoneRefused is the reply to a /settings zone that names no zone the chat
// can keep: the places an ambiguous city may mean, each with what to type
// and its time now; or why the text was refused. ok is false for errors
// of other settings.
func zoneRefused(lang string, err error, now time.Time) (body string, ok bool) {
	var ze *zoneError
	if !errors.As(err, &ze) {
		return "", false
	}
	var amb *zone.AmbiguousError
	switch {
	case errors.As(ze.err, &amb):
		lines := make([]string, 0, len(amb.Choices))
		for _, c := range amb.Choices {
			loc, err := calendar.LoadZone(c.Zone)
			if err != nil {
				continue
			}
			pick, place := c.Pick, c.Zone
			if pick == "" {
				pick, place = c.Zone, c.City+", "+c.Country
			}
			lines = append(lines, text(lang, msgZoneChoice, html.EscapeString(pick), html.EscapeString(place), clock(now.In(loc))))
		}
		return text(lang, msgZoneAmbiguous, htmlArg(amb.Name), strings.Join(lines, "\n")), true
	case errors.Is(ze.err, errZoneNoName):
		return text(lang, msgZoneNoName, htmlArg(ze.typed)), true
	}
	return text(lang, msgZoneNotFound, htmlArg(ze.typed)), true
}

// sharedLocation sets the chat's zone from a location the user shared in
// the private chat, and confirms it with the zone's time now. The
// coordinates are used once and kept nowhere, not even in the log.
func (b *Bot) sharedLocation(ctx context.Context, c chat, l *tgbotapi.Location) {
	loc, err := zone.FromLocation(l.Latitude, l.Longitude)
	if errors.Is(err, zone.ErrNoZone) {
		c.mark(outcomeBadInput)
		b.log.Info("no time zone for a shared location", "chat_id", c.id)
		b.reply(ctx, c, text(c.lang, msgZoneNoLocation), nil)
		return
	}
	if err != nil {
		b.fail(ctx, c, "find zone of location", err) // the boundaries did not load; no coordinates in err
		return
	}
	set, err := b.updateSettings(c.id, func(s *storage.Settings) { s.ZoneOverride = loc.String() })
	if err != nil {
		b.fail(ctx, c, "store settings", err)
		return
	}
	if set.Lang != "" {
		c.lang = set.Lang
	}
	body := text(c.lang, msgZoneFromLocation, htmlArg(loc.String()), clock(b.now().In(loc))) + "\n\n" + settingsText(c.lang, set)
	b.reply(ctx, c, body, b.settingsKeyboard(c, pageMain, set))
}
