package bot

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// pressLabel presses the button labelled label on the bot's message m and
// returns m as it is afterwards.
func (r *handlerRig) pressLabel(u telegramfake.User, m telegramfake.SentMessage, label string) telegramfake.SentMessage {
	r.t.Helper()
	b, ok := m.Button(label)
	if !ok || b.CallbackData == nil {
		r.t.Fatalf("no button %q on %q", label, m.Text)
	}
	if n := len(*b.CallbackData); n > maxCallbackData {
		r.t.Errorf("button %q carries %d bytes, over %d", label, n, maxCallbackData)
	}
	r.press(u, m, *b.CallbackData)
	now, ok := r.tg.Message(m.ChatID, m.MessageID)
	if !ok {
		r.t.Fatalf("message %d is gone", m.MessageID)
	}
	return now
}

func TestSettingsButtonsEditInPlace(t *testing.T) {
	r, _ := newViewRig(t, ann, &fakeCalendars{t: t})
	m := r.say(ann, "/settings")
	m = r.pressLabel(ann, m, "🌅 Agenda")
	if !m.Edited {
		t.Fatalf("opening the agenda page did not edit the message")
	}
	m = r.pressLabel(ann, m, "07:00")
	m = r.pressLabel(ann, m, "Weekdays")
	if !strings.Contains(m.Text, "Morning agenda: 07:00, weekdays") {
		t.Errorf("settings message after choosing = %q", m.Text)
	}
	if _, ok := m.Button("✓ 07:00"); !ok {
		t.Errorf("the chosen time is not ticked: %+v", m.Markup)
	}
	m = r.pressLabel(ann, m, "✓ 07:00") // the same again: Telegram refuses an edit that changes nothing
	m = r.pressLabel(ann, m, "« Back")
	m = r.pressLabel(ann, m, "⏰ Reminders")
	m = r.pressLabel(ann, m, "10")
	m = r.pressLabel(ann, m, "30")
	m = r.pressLabel(ann, m, "✓ 10")
	m = r.pressLabel(ann, m, "« Back")
	m = r.pressLabel(ann, m, "🌙 Quiet hours")
	m = r.pressLabel(ann, m, "from 23:00")
	m = r.pressLabel(ann, m, "Hold")
	m = r.pressLabel(ann, m, "« Back")
	m = r.pressLabel(ann, m, "🗣 Language")
	m = r.pressLabel(ann, m, "Русский")
	if !strings.Contains(m.Text, "Настройки") {
		t.Errorf("after choosing Russian the message is %q", m.Text)
	}
	for _, sent := range r.tg.Messages(ann.ID) {
		if sent.MessageID != m.MessageID {
			t.Errorf("the bot sent another message, %q; want all of it in one", sent.Text)
		}
	}
	got, err := r.db.Settings(ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Settings{Agenda: storage.Agenda{On: true, At: 420, Weekdays: true}, Reminders: storage.Reminders{Leads: []int{30}},
		Quiet: storage.Quiet{On: true, From: 1380, To: 420, Hold: true}, Lang: "ru"}
	if got.Agenda != want.Agenda || !equalInts(got.Reminders.Leads, want.Reminders.Leads) || got.Reminders.Off || got.Quiet != want.Quiet || got.Lang != want.Lang {
		t.Errorf("stored settings = %+v, want %+v", got, want)
	}
	// A forged action is refused and changes nothing.
	a := r.press(ann, m, signCallback(rigCallbackKey, ann.ID, ann.ID, "sa:@9999"))
	if a.Text != text("ru", msgButtonInvalid) {
		t.Errorf("a press of a button not on the message answered %q", a.Text)
	}
}

func equalInts(a, b []int) bool { return slices.Equal(a, b) }

func TestSettingsArguments(t *testing.T) {
	tests := []struct {
		name, args, reply string
		check             func(storage.Settings) bool
	}{
		{"agenda time", "agenda 07:30", "Saved.", func(s storage.Settings) bool { return s.Agenda.On && s.Agenda.At == 450 }},
		{"agenda bad", "agenda 7:75", "I couldn't read <code>agenda 7:75</code>, so nothing changed.", func(s storage.Settings) bool { return s.Agenda == storage.Agenda{} }},
		{"reminders", "reminders 10 30", "Saved.", func(s storage.Settings) bool { return len(s.Reminders.Leads) == 2 }},
		{"quiet bad", "quiet 22:00", "I couldn't read", func(s storage.Settings) bool { return !s.Quiet.On }},
		{"quiet hold", "quiet 22:00-07:00 hold", "Quiet hours: 22:00–07:00, messages wait", func(s storage.Settings) bool { return s.Quiet.On && s.Quiet.Hold }},
		{"zone", "zone UTC+3", "Time zone set to <b>UTC+03:00 (Etc/GMT-3)</b>. It is 09:00 there now.", func(s storage.Settings) bool { return s.ZoneOverride == "Etc/GMT-3" }},
		{"zone city", "zone new york", "Time zone set to <b>New York (America/New_York)</b>. It is 01:00 there now.", func(s storage.Settings) bool { return s.ZoneOverride == "America/New_York" }},
		{"zone bad <b>", "zone <b>Atlantis</b>", "I don't know the place or time zone <code>&lt;b&gt;Atlantis&lt;/b&gt;</code>, so nothing changed.", func(s storage.Settings) bool { return s.ZoneOverride == "" }},
		{"zone ambiguous", "zone Portland", "<b>Portland</b> is the name of more than one place, so nothing changed. Send one of these:\n" +
			"<code>/settings zone Portland, Oregon</code> — America/Los_Angeles, now 22:00\n<code>/settings zone Portland, Maine</code> — America/New_York, now 01:00",
			func(s storage.Settings) bool { return s.ZoneOverride == "" }},
		{"invitations notify", "invitations notify", "✉️ Invitations: when you answer one here, its organizer is told", func(s storage.Settings) bool { return s.NotifyOrganizer }},
		{"invitations bad", "invitations loudly", "I couldn't read <code>invitations loudly</code>", func(s storage.Settings) bool { return !s.NotifyOrganizer }},
		{"zone half hour", "zone UTC+5:30", "No time zone name keeps the offset <code>UTC+05:30</code>", func(s storage.Settings) bool { return s.ZoneOverride == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newViewRig(t, ann, &fakeCalendars{t: t})
			got := r.say(ann, "/settings "+tt.args).Text
			if !strings.Contains(got, tt.reply) {
				t.Errorf("/settings %s replied %q, want it to contain %q", tt.args, got, tt.reply)
			}
			s, err := r.db.Settings(ann.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("/settings %s stored %+v", tt.args, s)
			}
		})
	}
}

// TestZoneOverride: a zone chosen in /settings moves /today's window and
// header and what /add reads.
func TestZoneOverride(t *testing.T) {
	cals := &fakeCalendars{t: t, events: map[string][]calendar.Event{}}
	r, _ := newViewRig(t, ann, cals)
	r.say(ann, "/settings zone Asia/Tokyo")
	// 09:00 in Moscow is 15:00 in Tokyo, the same day.
	if got := r.say(ann, "/today").Text; !strings.Contains(got, "Asia/Tokyo") {
		t.Errorf("/today after the zone override = %q", got)
	}
	if want := "primary 2026-11-21T00:00:00+09:00 2026-11-22T00:00:00+09:00"; cals.spans[len(cals.spans)-1] != want {
		t.Errorf("/today read %q, want %q", cals.spans[len(cals.spans)-1], want)
	}
	got := r.say(ann, "/add Lunch tomorrow 13:00").Text
	if !strings.Contains(got, "13:00–14:00 (Asia/Tokyo)") {
		t.Errorf("/add replied %q; want it in Tokyo time", got)
	}
	evs := r.cal.Events(email(ann))
	if len(evs) != 1 {
		t.Fatalf("calendar has %d events, want 1", len(evs))
	}
	start, err := time.Parse(time.RFC3339, evs[0].Start.DateTime)
	if want := time.Date(2026, 11, 22, 13, 0, 0, 0, mustZone(t, "Asia/Tokyo")); err != nil || !start.Equal(want) {
		t.Errorf("inserted start %q, want %v", evs[0].Start.DateTime, want)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestLanguageOverride(t *testing.T) {
	r, _ := newViewRig(t, olga, &fakeCalendars{t: t})
	if got := r.say(olga, "/settings lang en").Text; !strings.HasPrefix(got, "Saved.") {
		t.Errorf("/settings lang en replied %q", got)
	}
	if got := r.say(olga, "/help").Text; !strings.Contains(got, "links this chat") {
		t.Errorf("/help after choosing English = %q", got)
	}
	r.say(olga, "/settings lang auto")
	if got := r.say(olga, "/help").Text; !strings.Contains(got, "связывает") {
		t.Errorf("/help after choosing auto = %q", got)
	}
}

func TestCalendarsPage(t *testing.T) {
	cals := &fakeCalendars{t: t, list: []calendar.CalendarInfo{
		{ID: "team@group", Name: "Team", Writable: true},
		{ID: "ann@example.com", Name: "Ann", Primary: true, Writable: true},
		{ID: "holidays@group", Name: "Holidays"},
	}}
	r, g := newViewRig(t, ann, cals)
	m := r.say(ann, "/settings")
	r.pressLabel(ann, m, "📅 Calendars")
	ask := r.tg.WaitMessage(t, ann.ID, time.Second)
	if !strings.Contains(ask.Text, "one more permission") || len(g.scopes) != 1 || g.scopes[0] != CalendarListScope {
		t.Fatalf("without the scope: %q, scopes asked %v", ask.Text, g.scopes)
	}
	if b, ok := ask.Button("Allow the calendar list"); !ok || b.URL == nil {
		t.Errorf("the scope message has no sign-in button: %+v", ask.Markup)
	}
	// The user allowed it.
	cals.scope = true
	m = r.pressLabel(ann, m, "📅 Calendars")
	for _, want := range []string{"✓ Ann", "Team", "Holidays", "● /add here"} {
		if _, ok := m.Button(want); !ok {
			t.Errorf("calendars page lacks %q: %+v", want, m.Markup)
		}
	}
	m = r.pressLabel(ann, m, "Team")
	// Team is the first row's second button.
	m = r.press2(ann, m, 1, 1)
	s, err := r.db.Settings(ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.AddTo != "team@group" || len(s.Calendars) != 3 || s.Calendars[0].ID != "primary" || !s.Calendars[1].Shown || s.Calendars[2].Shown {
		t.Errorf("stored calendars = %+v, add to %q", s.Calendars, s.AddTo)
	}
	if !strings.Contains(m.Text, "Ann, Team; /add writes to Team") {
		t.Errorf("settings text = %q", m.Text)
	}
}

// press2 presses the button at row i, column j of m.
func (r *handlerRig) press2(u telegramfake.User, m telegramfake.SentMessage, i, j int) telegramfake.SentMessage {
	r.t.Helper()
	b := m.Markup.InlineKeyboard[i][j]
	return r.pressLabel(u, m, b.Text)
}

// TestZoneRussianCity: a city typed in Russian sets the zone; an ambiguous
// one lists what to type, in Russian.
func TestZoneRussianCity(t *testing.T) {
	r, _ := newViewRig(t, olga, &fakeCalendars{t: t})
	got := r.say(olga, "/settings zone Хайдарабад").Text
	for _, want := range []string{"<b>Хайдарабад</b> — так называется не одно место",
		"<code>/settings zone Hyderabad, IN</code> — Asia/Kolkata, сейчас 11:30", "<code>/settings zone Hyderabad, PK</code> — Asia/Karachi, сейчас 11:00"} {
		if !strings.Contains(got, want) {
			t.Errorf("/settings zone Хайдарабад = %q, want it to contain %q", got, want)
		}
	}
	got = r.say(olga, "/settings zone г. Екатеринбург").Text
	if !strings.HasPrefix(got, "Часовой пояс: <b>Екатеринбург (Asia/Yekaterinburg)</b>. Сейчас там 11:00.") {
		t.Errorf("/settings zone г. Екатеринбург = %q", got)
	}
	if s, err := r.db.Settings(olga.ID); err != nil || s.ZoneOverride != "Asia/Yekaterinburg" {
		t.Errorf("stored %+v, %v; want the zone Asia/Yekaterinburg", s, err)
	}
}

// TestSharedLocation: a location shared in the private chat sets the zone
// and confirms it with the time there; the coordinates are kept nowhere.
func TestSharedLocation(t *testing.T) {
	tests := []struct {
		name     string
		u        telegramfake.User
		lat, lon float64
		want     string // the reply begins so
		zone     string // stored override
	}{
		{"berlin", ann, 52.52, 13.405, "Time zone set to <b>Europe/Berlin</b>, from the location you shared (calbot does not keep the location). It is 07:00 there now.", "Europe/Berlin"},
		{"vladivostok, russian", olga, 43.115, 131.885, "Часовой пояс по вашей геопозиции: <b>Asia/Vladivostok</b>", "Asia/Vladivostok"},
		{"not on earth", ann, 95.125, 200.375, "I could not tell the time zone of that place", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newViewRig(t, tt.u, &fakeCalendars{t: t})
			var logs strings.Builder
			r.bot.log = slog.New(slog.NewTextHandler(&logs, nil))
			r.handle(r.tg.SendLocation(tt.u, telegramfake.Private(tt.u), tt.lat, tt.lon))
			got := r.tg.WaitMessage(t, tt.u.ID, time.Second).Text
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("after sharing a location the bot said %q, want %q", got, tt.want)
			}
			s, err := r.db.Settings(tt.u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if s.ZoneOverride != tt.zone {
				t.Errorf("stored zone %q, want %q", s.ZoneOverride, tt.zone)
			}
			if l := logs.String(); strings.Contains(l, fmt.Sprint(tt.lat)) || strings.Contains(l, fmt.Sprint(tt.lon)) {
				t.Errorf("the log holds the coordinates:\n%s", l)
			}
		})
	}
}

// TestLocationInGroupIgnored: a location shared in a group is not for us.
func TestLocationInGroupIgnored(t *testing.T) {
	r, _ := newViewRig(t, ann, &fakeCalendars{t: t})
	r.handle(r.tg.SendLocation(ann, telegramfake.Group(-100, "Team"), 52.52, 13.405))
	r.quiet(-100)
	if s, err := r.db.Settings(ann.ID); err != nil || s.ZoneOverride != "" {
		t.Errorf("after a location in a group: zone %q, %v; want none", s.ZoneOverride, err)
	}
}

// TestLocationThroughPolling: a shared location comes through getUpdates,
// the inbox and the chat's queue like any message.
func TestLocationThroughPolling(t *testing.T) {
	r := newRig(t, nil)
	r.start()
	r.tg.SendLocation(alice, telegramfake.Private(alice), 52.52, 13.405)
	if got := r.tg.WaitMessage(t, alice.ID, waitFor).Text; !strings.Contains(got, "<b>Europe/Berlin</b>") {
		t.Errorf("after sharing a location through polling the bot said %q", got)
	}
}
