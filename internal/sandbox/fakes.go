package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	// A deliberate exception: the sandbox serves the fakes (see sandbox.go).
	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// sandboxFakes are the sandbox's Telegram and Google, each on its own
// 127.0.0.1 port.
type sandboxFakes struct {
	tg  *telegramfake.Server
	g   *oauthfake.Server
	cal *calendarfake.Server

	tgURL, gURL, calURL string
	servers             []*http.Server
	wg                  sync.WaitGroup
}

func startSandboxFakes(public string) (*sandboxFakes, error) {
	s := &sandboxFakes{
		tg: telegramfake.NewServer(sandboxBotToken),
		g:  oauthfake.NewServer(sandboxClientID, sandboxClientSecret, oauth.RedirectURL(public)),
	}
	s.tg.SetMe(telegramfake.User{ID: 123456789, FirstName: "calbot (sandbox)", Username: sandboxBotName})
	s.g.SetPageAccount(sandboxAccount)
	s.cal = calendarfake.NewServer(func(bearer string) (string, bool) {
		acct, _, ok := s.g.AccessTokenOwner(bearer)
		return acct.Email, ok
	})
	for _, h := range []struct {
		url     *string
		handler http.Handler
	}{{&s.tgURL, s.tg.Handler()}, {&s.gURL, s.g.Handler()}, {&s.calURL, s.cal.Handler()}} {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			s.close()
			return nil, fmt.Errorf("sandbox: listen for a stand-in: %w", err)
		}
		srv := &http.Server{Handler: h.handler, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		*h.url = "http://" + ln.Addr().String()
		s.wg.Go(func() { srv.Serve(ln) })
	}
	return s, nil
}

// env is calbot's environment as a user gets it by default, with every
// endpoint pointing at the stand-ins. The rest keeps its default, so the
// sandbox paces and times out like a real calbot: pacing included, since at
// typing speed its one-second spacing per chat is invisible, and pasting
// several commands at once shows what Telegram users see.
func (s *sandboxFakes) env(public, httpAddr, dbPath string) map[string]string {
	return map[string]string{
		"TELEGRAM_BOT_TOKEN":   sandboxBotToken,
		"TELEGRAM_API_URL":     s.tgURL,
		"GOOGLE_CLIENT_ID":     sandboxClientID,
		"GOOGLE_CLIENT_SECRET": sandboxClientSecret,
		"GOOGLE_AUTH_URL":      s.gURL + oauthfake.AuthPath,
		"GOOGLE_TOKEN_URL":     s.gURL + oauthfake.TokenPath,
		"GOOGLE_REVOKE_URL":    s.gURL + oauthfake.RevokePath,
		"GOOGLE_CALENDAR_URL":  s.calURL + "/calendar/v3/",
		"PUBLIC_URL":           public,
		"HTTP_ADDR":            httpAddr,
		"DB_PATH":              dbPath,
	}
}

// close ends the fake's long polls and stops serving.
func (s *sandboxFakes) close() {
	s.tg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
	}
	s.wg.Wait()
}

// sandboxLocalZone is this machine's time zone as an IANA name, the kind Google
// Calendar uses, or "UTC" if it has none.
func sandboxLocalZone() string {
	etc, _ := os.ReadFile("/etc/timezone")
	link, _ := os.Readlink("/etc/localtime")
	return sandboxZoneName(time.Local.String(), os.Getenv("TZ"), string(etc), link)
}

// sandboxZoneName picks the first IANA zone name among what Go calls the local
// zone ("Local" when it came from /etc/localtime), $TZ, the contents of
// /etc/timezone and the target of the /etc/localtime link.
func sandboxZoneName(local, tz, etcTimezone, localtimeLink string) string {
	tz = strings.TrimPrefix(tz, ":")
	if i := strings.LastIndex(tz, "zoneinfo/"); i >= 0 {
		tz = tz[i+len("zoneinfo/"):]
	}
	if i := strings.LastIndex(localtimeLink, "zoneinfo/"); i >= 0 {
		localtimeLink = localtimeLink[i+len("zoneinfo/"):]
	} else {
		localtimeLink = ""
	}
	for _, name := range []string{local, tz, strings.TrimSpace(etcTimezone), localtimeLink} {
		if name == "" || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
			continue
		}
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
	}
	return "UTC"
}

// sandboxSeed gives the calendar a plausible day around now: an all-day
// event, a daily standup, a meeting with a place, an evening out, and a call
// twelve minutes from now whose reminder comes two minutes after start-up.
func sandboxSeed(cal *calendarfake.Server, account string, now time.Time, lang string) {
	titles := map[string][6]string{
		"en": {"Mum's birthday", "Standup", "Design review", "Room 4, second floor", "Dinner with Sam", "Call with Alex"},
		"ru": {"День рождения мамы", "Планёрка", "Обсуждение макетов", "Переговорная 4, второй этаж", "Ужин с Сашей", "Созвон с Алексеем"},
	}[lang]
	zone := now.Location()
	y, m, d := now.Date()
	at := func(day, h, min int) *gcal.EventDateTime {
		return &gcal.EventDateTime{DateTime: time.Date(y, m, d+day, h, min, 0, 0, zone).Format(time.RFC3339), TimeZone: zone.String()}
	}
	soon := func(min int) *gcal.EventDateTime {
		t := now.Truncate(time.Minute).Add(time.Duration(min) * time.Minute)
		return &gcal.EventDateTime{DateTime: t.Format(time.RFC3339), TimeZone: zone.String()}
	}
	date := func(day int) *gcal.EventDateTime {
		return &gcal.EventDateTime{Date: time.Date(y, m, d+day, 0, 0, 0, 0, zone).Format(time.DateOnly)}
	}
	for _, e := range []*gcal.Event{
		{Summary: titles[0], Start: date(0), End: date(1)},
		{Summary: titles[1], Start: at(-1, 9, 30), End: at(-1, 9, 45), Recurrence: []string{"RRULE:FREQ=DAILY;COUNT=60"}},
		{Summary: titles[2], Location: titles[3], Start: at(0, 11, 0), End: at(0, 12, 0)},
		{Summary: titles[4], Start: at(0, 19, 0), End: at(0, 21, 30)},
		{Summary: titles[5], HangoutLink: "https://meet.google.com/abc-defg-hij", Start: soon(12), End: soon(42)},
	} {
		cal.Add(account, e)
	}
}
