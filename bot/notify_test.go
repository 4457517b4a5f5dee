package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
)

// TestGrowResults: the end of a sign-in for one more scope says what
// changed, in the chat's language; the calendar list, once allowed, shows
// the calendars page. A grow never reads the zone again nor offers the
// agenda.
func TestGrowResults(t *testing.T) {
	results := []struct {
		name string
		res  oauth.Result
	}{
		{"calendar list granted", oauth.Result{Outcome: oauth.Connected, Grow: oauth.CalendarListScope}},
		{"shared calendars granted", oauth.Result{Outcome: oauth.Connected, Grow: oauth.SharedEventsScope}},
		{"writing to shared calendars granted", oauth.Result{Outcome: oauth.Connected, Grow: oauth.SharedWriteScope}},
		{"box unticked", oauth.Result{Outcome: oauth.MissingScope, Grow: oauth.SharedEventsScope}},
		{"cancelled", oauth.Result{Outcome: oauth.Denied, Grow: oauth.SharedEventsScope}},
		{"other account", oauth.Result{Outcome: oauth.OtherAccount, Grow: oauth.CalendarListScope, Other: "bob@example.com"}},
		{"failed", oauth.Result{Outcome: oauth.Failed, Grow: oauth.CalendarListScope}},
	}
	for _, lang := range []string{"en", "ru"} {
		var out strings.Builder
		for _, tt := range results {
			cals := &fakeCalendars{t: t, scope: true, list: []calendar.CalendarInfo{
				{ID: "ann@example.com", Name: "Ann", Primary: true, Writable: true}, {ID: "team@group", Name: "Team <x>"}}}
			r, _ := newViewRig(t, ann, cals)
			p := &fakePlanner{}
			r.bot.cfg.Planner = p
			r.tg.SendText(ann, telegramfake.Private(ann), "/settings") // the chat exists; the rig runs no queue
			res := tt.res
			res.ChatID, res.UserID, res.Lang, res.Email, res.Person = ann.ID, ann.ID, lang, email(ann), oauth.Person{ID: ann.ID, FirstName: "Ann"}
			r.bot.signedIn(context.Background(), res, nil)
			fmt.Fprintf(&out, "=== %s\n", tt.name)
			for _, m := range r.tg.Messages(ann.ID) {
				fmt.Fprintf(&out, "%s\n", m.Text)
				if m.Markup != nil {
					for _, row := range m.Markup.InlineKeyboard {
						for _, b := range row {
							fmt.Fprintf(&out, "[%s] ", b.Text)
						}
						out.WriteString("\n")
					}
				}
				out.WriteString("---\n")
			}
			s, err := r.db.Settings(ann.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s.Zone != "" || s.Agenda.Offered {
				t.Errorf("%s: a grow read the zone (%q) or offered the agenda (%v)", tt.name, s.Zone, s.Agenda.Offered)
			}
			if n := r.cal.Requests("list") + r.cal.Requests("calendarList"); n != 0 {
				t.Errorf("%s: a grow asked Google %d times for events or the zone", tt.name, n)
			}
			if got := len(p.touched); (got == 1) != (res.Outcome == oauth.Connected) {
				t.Errorf("%s: the planner was touched %d times", tt.name, got)
			}
			if tt.name == "calendar list granted" && len(s.Calendars) != 2 {
				t.Errorf("%s: stored calendars %+v, want the list", tt.name, s.Calendars)
			}
		}
		golden(t, "grow."+lang+".golden", out.String())
	}
}
