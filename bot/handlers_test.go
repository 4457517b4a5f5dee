package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
)

func TestCancel(t *testing.T) {
	tests := []struct {
		name  string
		user  telegramfake.User
		setup func(r *handlerRig, u telegramfake.User)
		want  msg
	}{
		{"nothing asked", ann, func(*handlerRig, telegramfake.User) {}, msgNothingToCancel},
		{"nothing asked, russian", olga, func(*handlerRig, telegramfake.User) {}, msgNothingToCancel},
		{"after a bare /add", ann, func(r *handlerRig, u telegramfake.User) {
			if got := r.say(u, "/add").Text; got != text("en", msgAddAsk) {
				t.Fatalf("/add = %q, want the question", got)
			}
		}, msgAddCancelled},
		{"after a bare /add, russian", olga, func(r *handlerRig, u telegramfake.User) { r.say(u, "/add") }, msgAddCancelled},
		{"question expired", ann, func(r *handlerRig, u telegramfake.User) {
			r.db.Await(u.ID, rigNow.Add(-time.Second))
		}, msgNothingToCancel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newHandlerRig(t)
			r.link(tt.user)
			tt.setup(r, tt.user)
			lang := langOf(tt.user.LanguageCode)
			if got := r.say(tt.user, "/cancel").Text; got != text(lang, tt.want) {
				t.Errorf("/cancel = %q, want %q", got, text(lang, tt.want))
			}
			// Whatever was asked is forgotten: a phrase now is not an event.
			if got := r.say(tt.user, "Lunch tomorrow 13:00").Text; got != text(lang, msgHint) {
				t.Errorf("a phrase after /cancel = %q, want the hint", got)
			}
			if n := len(r.cal.Events(email(tt.user))); n != 0 {
				t.Errorf("calendar has %d events after /cancel, want 0", n)
			}
		})
	}
}

// TestZoneInSettings: the bot keeps the calendar's zone in the chat's own
// settings record, not in the link, asks Google once for it, and tells the
// planner when it changes (the agenda and reminders follow it).
func TestZoneInSettings(t *testing.T) {
	r := newHandlerRig(t)
	plan := &fakePlanner{}
	r.bot.cfg.Planner = plan
	r.link(ann)
	r.say(ann, "/today")
	if s, err := r.db.Settings(ann.ID); err != nil || s.Zone != "Europe/Moscow" {
		t.Fatalf("settings after /today = %+v, %v; want zone Europe/Moscow", s, err)
	}
	if !slices.Equal(plan.touched, []int64{ann.ID}) {
		t.Errorf("planner touched for %v after the zone was learnt, want [%d]", plan.touched, ann.ID)
	}
	lists := r.cal.Requests("list")
	if got := r.say(ann, "/today").Text; !strings.Contains(got, "Europe/Moscow") {
		t.Errorf("second /today = %q", got)
	}
	if n := r.cal.Requests("list") - lists; n != 1 {
		t.Errorf("second /today listed %d times, want once in the remembered zone", n)
	}
	if len(plan.touched) != 1 {
		t.Errorf("planner touched %d times after a /today in the same zone, want no more", len(plan.touched)-1)
	}
}

// TestAddSquattedID: an event planted under the id a message will use is
// never taken for calbot's own.
func TestAddSquattedID(t *testing.T) {
	marked := &gcal.EventExtendedProperties{Private: map[string]string{calendar.MarkerProperty: calendar.Marker(rigEventKey, ann.ID)}}
	tests := []struct {
		name  string
		props *gcal.EventExtendedProperties
		want  string
	}{
		{"planted without marker", nil, text("en", msgEventIDTaken)},
		{"planted with another chat's marker", &gcal.EventExtendedProperties{Private: map[string]string{calendar.MarkerProperty: calendar.Marker(rigEventKey, olga.ID)}}, text("en", msgEventIDTaken)},
		{"ours, as after a redelivered update", marked, "Added <b>Planted</b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newHandlerRig(t)
			r.link(ann)
			upd := r.tg.SendText(ann, telegramfake.Private(ann), "/add Lunch tomorrow 13:00")
			id := calendar.EventID(rigEventKey, ann.ID, int64(upd.Message.MessageID))
			r.cal.Add(email(ann), &gcal.Event{Id: id, Summary: "Planted", ExtendedProperties: tt.props,
				Start: &gcal.EventDateTime{DateTime: "2026-11-22T13:00:00+03:00"}, End: &gcal.EventDateTime{DateTime: "2026-11-22T14:00:00+03:00"}})
			r.handle(upd)
			got := r.tg.WaitMessage(t, ann.ID, time.Second)
			if !strings.Contains(got.Text, tt.want) {
				t.Errorf("/add = %q, want %q", got.Text, tt.want)
			}
			events := r.cal.Events(email(ann))
			if len(events) != 1 || events[0].Summary != "Planted" || events[0].Status == "cancelled" {
				t.Errorf("calendar = %d events, first %q; want the planted one alone, unchanged", len(events), events[0].Summary)
			}
		})
	}
}

// TestTodayLongTitle: a 2,000-character title is cut and hides nothing.
func TestTodayLongTitle(t *testing.T) {
	r := newHandlerRig(t)
	r.link(ann)
	long := strings.Repeat("Q&A ", 500) // 2,000 characters, 3,000 once escaped
	for i, title := range []string{long, "Standup", "Lunch", "Review"} {
		st := time.Date(2026, 11, 21, 10+i, 0, 0, 0, moscow)
		r.cal.Add(email(ann), &gcal.Event{Summary: title, Location: long,
			Start: &gcal.EventDateTime{DateTime: st.Format(time.RFC3339)}, End: &gcal.EventDateTime{DateTime: st.Add(time.Hour).Format(time.RFC3339)}})
	}
	got := r.say(ann, "/today").Text
	if n := len([]rune(got)); n > 4096 {
		t.Errorf("/today is %d characters, over Telegram's 4096", n)
	}
	for _, want := range []string{"Standup", "Lunch", "Review", "Q&amp;A Q&amp;A", "…"} {
		if !strings.Contains(got, want) {
			t.Errorf("/today lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "more. Open Google Calendar") {
		t.Errorf("/today hides events:\n%s", got)
	}
	if r := r.tg.Rejected(); len(r) > 0 {
		t.Errorf("Telegram rejected: %q", r)
	}
}

// TestNotifySavesZone: after a sign-in the chat learns its calendar's zone,
// kept in its settings.
func TestNotifySavesZone(t *testing.T) {
	r := newHandlerRig(t)
	r.link(olga)
	r.tg.SendText(olga, telegramfake.Private(olga), "/connect") // the chat exists
	// Run would take this from the stored event; the rig runs no queue.
	r.bot.signedIn(context.Background(), oauth.Result{Outcome: oauth.Connected, ChatID: olga.ID, UserID: olga.ID, Lang: "ru", Email: email(olga)}, nil)
	got := r.tg.WaitMessage(t, olga.ID, time.Second).Text
	if !strings.Contains(got, text("ru", msgConnectedZone, "Europe/Moscow")) {
		t.Errorf("Notify sent %q, want the zone named", got)
	}
	if s, err := r.db.Settings(olga.ID); err != nil || s.Zone != "Europe/Moscow" {
		t.Errorf("settings after Notify = %+v, %v; want zone Europe/Moscow", s, err)
	}
}
