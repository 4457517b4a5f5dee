package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth"
)

// TestCalendarListScopeGrows: /connect asks only for what the basic
// commands need, so with Google's scope checks on, /settings → Calendars
// first explains why it needs the calendar list and sends the sign-in
// button for just that scope. Granting it lists the account's calendars;
// leaving the box unticked changes nothing and /today keeps working.
func TestCalendarListScopeGrows(t *testing.T) {
	tests := []struct {
		name    string
		untick  bool
		want    []string // phrases of the bot's messages after the consent page
		notWant []string
	}{
		{"granted", false, []string{"Done: calbot can now list your calendars.", "Tick the calendars to show", "[✓ alice@example.com]", "[Work]", "[Team]", "[Holidays in Russia]"}, nil},
		{"unticked", true, []string{"You left the box unticked: everything works as before."}, []string{"Done:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.seed(aliceG)
			_, team, _ := h.cal.AddStandardCalendars(aliceG.Email)
			h.cal.AddTo(aliceG.Email, team, &gcal.Event{Id: "offsite1", Summary: "Team offsite",
				Start: &gcal.EventDateTime{DateTime: "2026-11-21T15:00:00+03:00"}, End: &gcal.EventDateTime{DateTime: "2026-11-21T16:00:00+03:00"}})
			if status, page, _ := h.connect(alice, aliceG); status != http.StatusOK {
				t.Fatalf("callback page status = %d; page: %s", status, page)
			}
			if scopes := strings.Fields(h.g.LastAuthRequest().Get("scope")); slices.Contains(scopes, oauth.CalendarListScope) {
				t.Fatalf("/connect asked for %v, want the calendar list left for later", scopes)
			}

			ask := h.openCalendars(alice)
			if !strings.Contains(ask.Text, "To list your calendars calbot needs one more permission") {
				t.Errorf("Calendars without the scope = %q, want the explanation", ask.Text)
			}
			b, ok := ask.Button("Allow the calendar list")
			if !ok || b.LoginURL == nil {
				t.Fatalf("the explanation has no sign-in button: %+v", ask.Markup)
			}
			consent := h.consent(alice, b.LoginURL.URL)
			q, err := url.Parse(consent)
			if err != nil {
				t.Fatal(err)
			}
			if scopes := strings.Fields(q.Query().Get("scope")); !slices.Contains(scopes, oauth.CalendarListScope) || q.Query().Get("include_granted_scopes") != "true" {
				t.Errorf("the sign-in asked for %v with include_granted_scopes=%q, want the calendar list on top of the grant", scopes, q.Query().Get("include_granted_scopes"))
			}
			var grant []string
			if tt.untick {
				grant = []string{"openid", "email"}
			}
			cb, err := h.g.Approve(consent, aliceG, grant...)
			if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			if resp, page := h.get(cb); resp.StatusCode != http.StatusOK {
				t.Fatalf("callback page status = %d; page: %s", resp.StatusCode, page)
			}
			got := shown(h.tg.WaitMessage(t, alice.ID, waitFor))
			if !tt.untick {
				got += "\n" + shown(h.tg.WaitMessage(t, alice.ID, waitFor))
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("after the consent page the bot said %q, want %q", got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("after the consent page the bot said %q, want no %q", got, w)
				}
			}

			if today := h.say(alice, "/today").Text; !strings.Contains(today, "Standup") {
				t.Errorf("/today after the sign-in = %q, want today's events", today)
			}
			again := h.openCalendars(alice)
			if tt.untick {
				if !strings.Contains(again.Text, "To list your calendars") {
					t.Errorf("Calendars after unticking = %q, want the explanation again", again.Text)
				}
			} else {
				if !again.Edited || !strings.Contains(shown(again), "[Holidays in Russia]") {
					t.Fatalf("Calendars after granting = %+v, want the page listing the calendars", again)
				}
				// A calendar shared read-only needs one more scope to read.
				team, ok := again.Button("Team")
				if !ok || team.CallbackData == nil {
					t.Fatalf("no Team button: %+v", again.Markup)
				}
				h.tg.PressButton(alice, again, *team.CallbackData)
				if ticked := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(shown(ticked), "[✓ Team]") {
					t.Errorf("after ticking Team the page = %q", shown(ticked))
				}
				if today := h.say(alice, "/today").Text; !strings.Contains(today, "Standup") || !strings.Contains(today, "Not shown: Team") {
					t.Errorf("/today with Team ticked but unreadable = %q, want the own events and Team named as not shown", today)
				}
				ask := h.tg.WaitMessage(t, alice.ID, waitFor)
				read, ok := ask.Button("Allow shared calendars")
				if !strings.Contains(ask.Text, "calendars that others share with you") || !ok || read.LoginURL == nil {
					t.Fatalf("after /today the bot said %q, want the explanation and a sign-in button for shared calendars", shown(ask))
				}
				cb, err := h.g.Approve(h.consent(alice, read.LoginURL.URL), aliceG)
				if err != nil {
					t.Fatalf("Approve: %v", err)
				}
				h.get(cb)
				if done := h.tg.WaitMessage(t, alice.ID, waitFor).Text; !strings.Contains(done, "Done:") {
					t.Errorf("after allowing shared calendars the bot said %q", done)
				}
				if today := h.say(alice, "/today").Text; !strings.Contains(today, "Team offsite") || strings.Contains(today, "Not shown") {
					t.Errorf("/today after allowing shared calendars = %q, want Team's event", today)
				}
			}
			if r := h.tg.Rejected(); len(r) > 0 {
				t.Errorf("Telegram rejected requests: %q", r)
			}
		})
	}
}

// openCalendars sends /settings as u, presses Calendars and returns the
// bot's next message: the page edited in place, or a new message.
func (h *harness) openCalendars(u telegramfake.User) telegramfake.SentMessage {
	h.t.Helper()
	m := h.say(u, "/settings")
	b, ok := m.Button("📅 Calendars")
	if !ok || b.CallbackData == nil {
		h.t.Fatalf("/settings has no Calendars button: %+v", m.Markup)
	}
	h.tg.PressButton(u, m, *b.CallbackData)
	return h.tg.WaitMessage(h.t, u.ID, waitFor)
}

// shown is a message's text and its buttons' labels, each in brackets.
func shown(m telegramfake.SentMessage) string {
	var b strings.Builder
	b.WriteString(m.Text)
	if m.Markup != nil {
		for _, row := range m.Markup.InlineKeyboard {
			for _, btn := range row {
				b.WriteString("\n[" + btn.Text + "]")
			}
		}
	}
	return b.String()
}
