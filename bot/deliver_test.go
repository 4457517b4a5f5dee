package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/schedule"
	"github.com/calbot/calbot/storage"
)

// fakePlanner records what the bot asks of the scheduler.
type fakePlanner struct {
	mu      sync.Mutex
	touched []int64
	snoozed []time.Time
	keys    []string
}

func (p *fakePlanner) Touch(chatID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.touched = append(p.touched, chatID)
}
func (p *fakePlanner) Forget(int64) {}
func (p *fakePlanner) Snooze(_ context.Context, d schedule.Due, until time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.snoozed = append(p.snoozed, until)
	p.keys = append(p.keys, d.Key)
	return nil
}

func (p *fakePlanner) snoozes() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.snoozed...)
}

// fakeResponder is the calendar's Respond: it records the answers it was
// given, as calendar id, event id, answer and notify, and fails with err.
type fakeResponder struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeResponder) Respond(_ context.Context, ts oauth2.TokenSource, calendarID, eventID string, r calendar.Response, notify bool) error {
	if _, err := ts.Token(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s/%s=%s notify=%v", calendarID, eventID, r, notify))
	return f.err
}

func (f *fakeResponder) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// deliverRig is a rig with a fake planner and responder, and a time of day
// the test may move.
type deliverRig struct {
	*rig
	plan *fakePlanner
	resp *fakeResponder
	now  *atomic.Int64
}

func newDeliverRig(t *testing.T) *deliverRig {
	d := &deliverRig{plan: &fakePlanner{}, resp: &fakeResponder{}, now: new(atomic.Int64)}
	d.now.Store(startAt.UnixNano())
	d.rig = newRig(t, func(c *Config) {
		c.Planner, c.Invitations = d.plan, d.resp
		c.Now = func() time.Time { return time.Unix(0, d.now.Load()).UTC() }
	})
	return d
}

// known makes u's private chat known to the fake Telegram and takes the
// bot's reply, so that scheduled messages may go there.
func (d *deliverRig) known(u telegramfake.User) {
	d.t.Helper()
	d.tg.SendText(u, telegramfake.Private(u), "/help")
	d.tg.WaitMessage(d.t, u.ID, waitFor)
}

// until takes the chat's messages up to and including the reply to a
// /help sent now: what the chat's queue held before it.
func (d *deliverRig) until(u telegramfake.User) []telegramfake.SentMessage {
	d.t.Helper()
	d.tg.SendText(u, telegramfake.Private(u), "/help")
	var got []telegramfake.SentMessage
	for {
		m := d.tg.WaitMessage(d.t, u.ID, waitFor)
		if strings.Contains(m.Text, "/connect") && strings.Contains(m.Text, "/today") && !m.Edited {
			return got
		}
		got = append(got, m)
	}
}

var meeting = calendar.Event{
	ID: "evt1", Title: "Design review", Location: "Room 4 <north>", Link: "https://www.google.com/calendar/event?eid=abc",
	Start: startAt.Add(10 * time.Minute), End: startAt.Add(40 * time.Minute),
	CalendarID: "primary", JoinURL: "https://meet.google.com/abc-defg-hij",
}

func reminderDue(key string, ev calendar.Event) schedule.Due {
	return schedule.Due{Key: key, Kind: schedule.Reminder, ChatID: alice.ID, At: ev.Start.Add(-10 * time.Minute),
		Zone: "Europe/Moscow", Event: ev, Lead: 10 * time.Minute}
}

// pressed presses the button labelled label on m and returns the answer.
func (d *deliverRig) press(m telegramfake.SentMessage, label string) telegramfake.Answer {
	d.t.Helper()
	btn, ok := m.Button(label)
	if !ok || btn.CallbackData == nil {
		d.t.Fatalf("message %q has no button %q", m.Text, label)
	}
	u := d.tg.PressButton(alice, m, *btn.CallbackData)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	a, err := d.tg.WaitAnswer(ctx, u.CallbackQuery.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return a
}

func TestDeliverOncePerKey(t *testing.T) {
	d := newDeliverRig(t)
	d.tg.SendText(alice, telegramfake.Private(alice), "hi") // the chat becomes known
	// Handed over while calbot is down: stored, and sent by the next Run.
	if err := d.b.Deliver(context.Background(), reminderDue("r1", meeting)); err != nil {
		t.Fatal(err)
	}
	stop := d.start()
	for range 2 {
		if err := d.b.Deliver(context.Background(), reminderDue("r1", meeting)); err != nil {
			t.Fatal(err)
		}
	}
	reminders := 0
	for _, m := range d.until(alice) {
		if strings.Contains(m.Text, "Design review") {
			reminders++
		}
	}
	if reminders != 1 {
		t.Fatalf("reminders after delivering r1 three times = %d, want 1", reminders)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	d.b = New(d.b.cfg) // as after a restart
	if err := d.b.Deliver(context.Background(), reminderDue("r1", meeting)); err != nil {
		t.Fatal(err)
	}
	d.start()
	if got := d.until(alice); len(got) != 0 {
		t.Fatalf("messages after delivering r1 again after a restart = %v, want none", got)
	}
	if ev, _, _ := d.db.Events(); len(ev) != 0 {
		t.Errorf("stored events left = %d, want 0", len(ev))
	}
}

func TestReminderSnooze(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(alice)
	due := reminderDue("r-snooze", meeting)
	due.Silent = true
	if err := d.b.Deliver(context.Background(), due); err != nil {
		t.Fatal(err)
	}
	m := d.tg.WaitMessage(t, alice.ID, waitFor)
	if !m.Silent {
		t.Errorf("reminder in quiet hours was not sent with disable_notification")
	}
	if !strings.Contains(m.Text, "12:10–12:40 (Europe/Moscow), in 10 min") {
		t.Errorf("reminder = %q, want the time range in the chat's zone and how soon", m.Text)
	}
	for label, url := range map[string]string{"Join": meeting.JoinURL, "Open": meeting.Link} {
		if b, ok := m.Button(label); !ok || b.URL == nil || *b.URL != url {
			t.Errorf("button %q = %+v, want a link to %s", label, b, url)
		}
	}
	if _, ok := m.Button("Accept"); ok {
		t.Errorf("a reminder of the user's own event has an Accept button")
	}
	if a := d.press(m, "💤 5 min"); a.Text != "Snoozed until 12:05" {
		t.Errorf("snooze answer = %q, want Snoozed until 12:05", a.Text)
	}
	if got := d.plan.snoozes(); len(got) != 1 || !got[0].Equal(startAt.Add(5*time.Minute)) {
		t.Errorf("planner snoozed %v, want once until 09:05 UTC", got)
	}
	e := d.tg.WaitMessage(t, alice.ID, waitFor)
	if !e.Edited || !strings.Contains(e.Text, "💤 Snoozed until 12:05.") {
		t.Errorf("reminder after snooze = %q, want it to say until when", e.Text)
	}
	if _, ok := e.Button("💤 10 min"); ok {
		t.Errorf("a snoozed reminder still offers Snooze")
	}
	if _, ok := e.Button("Join"); !ok {
		t.Errorf("a snoozed reminder lost its Join button")
	}
}

// TestReminderInChatsZone: a reminder shows its times in the zone the chat
// chose, even one chosen after the reminder was planned in another.
func TestReminderInChatsZone(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(alice)
	if err := d.db.UpdateSettings(alice.ID, func(s *storage.Settings) { s.Zone, s.ZoneOverride = "Europe/Moscow", "Asia/Tokyo" }); err != nil {
		t.Fatal(err)
	}
	if err := d.b.Deliver(context.Background(), reminderDue("r-zone", meeting)); err != nil { // planned in Moscow
		t.Fatal(err)
	}
	m := d.tg.WaitMessage(t, alice.ID, waitFor)
	if !strings.Contains(m.Text, "18:10–18:40 (Asia/Tokyo), in 10 min") {
		t.Errorf("reminder = %q, want the time range in Tokyo, the chat's zone", m.Text)
	}
	if a := d.press(m, "💤 5 min"); a.Text != "Snoozed until 18:05" {
		t.Errorf("snooze answer = %q, want Snoozed until 18:05", a.Text)
	}
}

func TestSnoozeAfterStart(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(alice)
	if err := d.b.Deliver(context.Background(), reminderDue("r-late", meeting)); err != nil {
		t.Fatal(err)
	}
	m := d.tg.WaitMessage(t, alice.ID, waitFor)
	d.now.Store(meeting.Start.Add(2 * time.Minute).UnixNano())
	if a := d.press(m, "💤 10 min"); a.Text != "It has already started." {
		t.Errorf("snooze after the start answered %q", a.Text)
	}
	if got := d.plan.snoozes(); len(got) != 0 {
		t.Errorf("planner snoozed %v after the start", got)
	}
	e := d.tg.WaitMessage(t, alice.ID, waitFor)
	if _, ok := e.Button("💤 5 min"); ok || !strings.Contains(e.Text, "started 2 min ago") {
		t.Errorf("reminder after the start = %q with %v, want no Snooze and 'started 2 min ago'", e.Text, e.Markup)
	}
}

func TestReminderRSVP(t *testing.T) {
	invite := meeting
	invite.ID, invite.CalendarID, invite.Response = strings.Repeat("x", 1024), "team@group.calendar.google.com", calendar.NeedsAction
	tests := []struct {
		name     string
		err      error
		press    string
		answer   string
		edited   string
		response string
	}{
		{"accept", nil, "Accept", "Answer sent", "✅ You accepted.", "accepted"},
		{"decline", nil, "Decline", "Answer sent", "❌ You declined.", "declined"},
		{"read-only calendar", fmt.Errorf("respond: %w", calendar.ErrReadOnly), "Maybe", "Google doesn't let calbot answer this invitation", "", "tentative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeliverRig(t)
			d.resp.err = tt.err
			d.start()
			d.known(alice)
			if err := d.b.Deliver(context.Background(), reminderDue("r-"+tt.name, invite)); err != nil {
				t.Fatal(err)
			}
			m := d.tg.WaitMessage(t, alice.ID, waitFor)
			if !strings.Contains(m.Text, "✉️ Invitation") {
				t.Errorf("reminder = %q, want the invitation mark", m.Text)
			}
			if a := d.press(m, tt.press); !strings.HasPrefix(a.Text, tt.answer) {
				t.Errorf("answer = %q, want %q…", a.Text, tt.answer)
			}
			want := "team@group.calendar.google.com/" + invite.ID + "=" + tt.response + " notify=false"
			if got := d.resp.called(); len(got) != 1 || got[0] != want {
				t.Errorf("Respond calls = %.80q, want one %.80q", got, want)
			}
			got := d.until(alice)
			if tt.edited == "" {
				if len(got) != 0 {
					t.Errorf("a refused answer edited the reminder: %q", got[0].Text)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Text, tt.edited) {
				t.Fatalf("after the answer = %v, want the reminder edited to say %q", got, tt.edited)
			}
			if _, ok := got[0].Button("Accept"); ok {
				t.Errorf("an answered reminder still offers Accept")
			}
		})
	}
}

func TestAgendaAndRevokedDelivered(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(alice)
	d.db.UpdateSettings(alice.ID, func(s *storage.Settings) { s.Agenda.On = true })
	d.cal.Add("alice@example.com", &gcal.Event{Summary: "Standup",
		Start: &gcal.EventDateTime{DateTime: "2026-11-21T10:00:00+03:00"}, End: &gcal.EventDateTime{DateTime: "2026-11-21T10:15:00+03:00"}})
	moscowMidnight := time.Date(2026, 11, 21, 0, 0, 0, 0, moscow)
	agenda := schedule.Due{Key: "a1", Kind: schedule.Agenda, ChatID: alice.ID, At: moscowMidnight.Add(8 * time.Hour), Late: true, Silent: true, Zone: "Europe/Moscow", Date: moscowMidnight}
	if err := d.b.Deliver(context.Background(), agenda); err != nil {
		t.Fatal(err)
	}
	m := d.tg.WaitMessage(t, alice.ID, waitFor)
	for _, want := range []string{"Good morning — today, Saturday, 21 November", "Standup", "due at 08:00"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("agenda = %q, want %q in it", m.Text, want)
		}
	}
	if !m.Silent {
		t.Errorf("agenda in quiet hours was not silent")
	}
	if err := d.b.Deliver(context.Background(), schedule.Due{Key: "rv", Kind: schedule.Revoked, ChatID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	if m := d.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "Google says calbot's access to your calendar was revoked") || m.Silent {
		t.Errorf("revoked notice = %q (silent %v)", m.Text, m.Silent)
	}
}

func TestAgendaNotSent(t *testing.T) {
	tests := []struct {
		name string
		set  func(*storage.Settings)
	}{
		{"empty day skipped", func(s *storage.Settings) { s.Agenda.On, s.Agenda.SkipEmpty = true, true }},
		{"agenda turned off since planned", func(s *storage.Settings) { s.Agenda.On = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDeliverRig(t)
			d.start()
			d.known(alice)
			if err := d.db.UpdateSettings(alice.ID, tt.set); err != nil {
				t.Fatal(err)
			}
			day := time.Date(2026, 11, 22, 0, 0, 0, 0, moscow)
			if err := d.b.Deliver(context.Background(), schedule.Due{Key: "a-empty", Kind: schedule.Agenda, ChatID: alice.ID, At: day.Add(8 * time.Hour), Zone: "Europe/Moscow", Date: day}); err != nil {
				t.Fatal(err)
			}
			if got := d.until(alice); len(got) != 0 {
				t.Errorf("agenda sent %q", got[0].Text)
			}
		})
	}
}

func TestAgendaOfferedOnceAfterConnect(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(alice)
	d.b.Notify(context.Background(), connected(alice, "alice@example.com"))
	d.tg.WaitMessage(t, alice.ID, waitFor) // Connected as …
	offer := d.tg.WaitMessage(t, alice.ID, waitFor)
	if offer.Text != "Get today's agenda every morning at 08:00?" {
		t.Fatalf("after connecting = %q, want the agenda offer", offer.Text)
	}
	d.press(offer, "Another time")
	times := d.tg.WaitMessage(t, alice.ID, waitFor)
	d.press(times, "07:30")
	if done := d.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(done.Text, "every morning at 07:30") || done.Markup != nil {
		t.Errorf("after choosing 07:30 = %q %v", done.Text, done.Markup)
	}
	s, _ := d.db.Settings(alice.ID)
	if !s.Agenda.On || s.Agenda.At != 450 || !s.Agenda.Offered {
		t.Errorf("agenda settings = %+v, want on at 450, offered", s.Agenda)
	}
	d.plan.mu.Lock()
	touched := len(d.plan.touched)
	d.plan.mu.Unlock()
	if touched < 2 {
		t.Errorf("planner touched %d times, want after the connect and after the choice", touched)
	}
	d.b.Notify(context.Background(), connected(alice, "alice@example.com"))
	if got := d.until(alice); len(got) != 1 {
		t.Errorf("a second connect sent %d messages, want only Connected (no second offer)", len(got))
	}
}

// TestScheduledMessagesSpeakTheChatsLanguage: nobody asked for a reminder,
// so its language is the one the chat's user last wrote in.
func TestScheduledMessagesSpeakTheChatsLanguage(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(boris)
	due := reminderDue("r-ru", meeting)
	due.ChatID = boris.ID
	if err := d.b.Deliver(context.Background(), due); err != nil {
		t.Fatal(err)
	}
	m := d.tg.WaitMessage(t, boris.ID, waitFor)
	if !strings.Contains(m.Text, "через 10 мин") {
		t.Errorf("reminder to a Russian speaker = %q, want Russian", m.Text)
	}
	if _, ok := m.Button("Подключиться"); !ok {
		t.Errorf("reminder to a Russian speaker has no Russian Join button: %v", m.Markup)
	}
}

// TestAgendaRSVP: each invitation of an agenda has its own row; answering
// one edits the agenda to show the answer and keeps the other row.
func TestAgendaRSVP(t *testing.T) {
	d := newDeliverRig(t)
	d.start()
	d.known(alice)
	date := time.Date(2026, 11, 21, 0, 0, 0, 0, moscow)
	first, second := meeting, meeting
	first.ID, first.Title, first.Response = "inv1", "Budget review", calendar.NeedsAction
	second.ID, second.Title, second.Response, second.CalendarID = "inv2", "Lunch with Ann", calendar.NeedsAction, ""
	d.b.cfg.Chats.UpdateSettings(alice.ID, func(s *storage.Settings) { s.NotifyOrganizer = true })
	due := schedule.Due{Key: "a-rsvp", Kind: schedule.Agenda, ChatID: alice.ID, Zone: "Europe/Moscow", Date: date}
	h := held{Due: due, Invites: []calendar.Event{first, second}, Answers: make([]calendar.Response, 2)}
	h.Body = agendaText("en", calendar.Day{Zone: moscow, Date: date, Events: h.Invites}, due, 0, true, false)
	if err := d.b.putHeld(alice.ID, "KEYagenda123", h, second.End); err != nil {
		t.Fatal(err)
	}
	d.b.sendDue(context.Background(), due, agendaWithInvites("en", h), d.b.agendaKeyboard("en", alice.ID, "KEYagenda123", h))
	m := d.tg.WaitMessage(t, alice.ID, waitFor)
	if a := d.press(m, "2. Decline"); a.Text != "Answer sent" {
		t.Errorf("answer = %q", a.Text)
	}
	if got := d.resp.called(); len(got) != 1 || got[0] != "primary/inv2=declined notify=true" {
		t.Errorf("Respond calls = %q, want the second invitation declined, organizer told", got)
	}
	e := d.tg.WaitMessage(t, alice.ID, waitFor)
	if !strings.Contains(e.Text, "2. Lunch with Ann — ❌ You declined.") {
		t.Errorf("agenda after the answer = %q", e.Text)
	}
	if _, ok := e.Button("1. Accept"); !ok {
		t.Errorf("the first invitation lost its buttons")
	}
	if _, ok := e.Button("2. Accept"); ok {
		t.Errorf("the answered invitation still has buttons")
	}
}
