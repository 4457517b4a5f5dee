package main

import (
	"context"
	"strings"
	"testing"
	"time"

	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
)

// TestScheduledMessages runs the scheduler in calbot on the test's clock:
// after /connect the agenda is offered, /settings turns it on for the next
// minute, it arrives once; an event soon gets its reminder with Join, Open
// and Snooze, and a snooze brings the reminder back.
func TestScheduledMessages(t *testing.T) {
	h := newHarness(t, withScheduler)
	at := func(hh, mm int) string { return time.Date(2026, 11, 21, hh, mm, 0, 0, moscow).Format(time.RFC3339) }
	h.cal.Add(aliceG.Email, &gcal.Event{
		Id: "review01", Summary: "Design review", HangoutLink: "https://meet.google.com/abc-defg-hij",
		Start: &gcal.EventDateTime{DateTime: at(9, 20)}, End: &gcal.EventDateTime{DateTime: at(9, 50)},
		Reminders: &gcal.EventReminders{Overrides: []*gcal.EventReminder{{Method: "popup", Minutes: 10}}, ForceSendFields: []string{"UseDefault"}},
	})

	if _, _, m := h.connect(alice, aliceG); !strings.Contains(m.Text, "Connected") {
		t.Fatalf("after the callback: %q, want Connected", m.Text)
	}
	if offer := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(offer.Text, "every morning") {
		t.Errorf("after connecting: %q, want the agenda offer", offer.Text)
	} else if _, ok := offer.Button("Yes"); !ok {
		t.Errorf("the agenda offer has no Yes button: %+v", offer.Markup)
	}
	h.say(alice, "/settings agenda 09:01")

	h.clock.Advance(time.Minute) // 09:01
	agenda := h.tg.WaitMessage(t, alice.ID, waitFor)
	if !strings.Contains(agenda.Text, "Good morning") || !strings.Contains(agenda.Text, "Design review") {
		t.Errorf("at 09:01: %q, want the agenda with Design review", agenda.Text)
	}

	h.clock.Advance(9 * time.Minute) // 09:10, ten minutes before the review
	rem := h.tg.WaitMessage(t, alice.ID, waitFor)
	if !strings.Contains(rem.Text, "Design review") || !strings.Contains(rem.Text, "in 10 min") {
		t.Errorf("at 09:10: %q, want the reminder of Design review in 10 min", rem.Text)
	}
	for _, b := range []string{"Join", "Open", "💤 5 min"} {
		if _, ok := rem.Button(b); !ok {
			t.Errorf("the reminder has no %s button: %+v", b, rem.Markup)
		}
	}
	snooze, ok := rem.Button("💤 5 min")
	if !ok || snooze.CallbackData == nil {
		t.Fatalf("no Snooze button to press: %+v", rem.Markup)
	}
	press := h.tg.PressButton(alice, rem, *snooze.CallbackData)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if a, err := h.tg.WaitAnswer(ctx, press.CallbackQuery.ID); err != nil || !strings.Contains(a.Text, "09:15") {
		t.Fatalf("Snooze answered %+v, %v; want snoozed until 09:15", a, err)
	}

	if edited := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(edited.Text, "Snoozed until 09:15") {
		t.Errorf("the snoozed reminder reads %q, want it to say until when", edited.Text)
	}

	h.clock.Advance(5 * time.Minute) // 09:15
	again := h.tg.WaitMessage(t, alice.ID, waitFor)
	if !strings.Contains(again.Text, "Design review") || !strings.Contains(again.Text, "in 5 min") {
		t.Errorf("at 09:15: %q, want the snoozed reminder, in 5 min", again.Text)
	}

	// A later change of the agenda's time sends no second agenda today.
	h.say(alice, "/settings agenda 09:20")
	h.clock.Advance(10 * time.Minute) // 09:25
	if m := h.say(alice, "/today"); !strings.Contains(m.Text, "Today, Saturday") {
		t.Errorf("/today = %q; want today's view (a second agenda came first?)", m.Text)
	}
	if n := countContaining(h.tg.Messages(alice.ID), "Good morning"); n != 1 {
		t.Errorf("%d agendas sent, want 1", n)
	}
}

// countContaining counts the messages whose text contains s.
func countContaining(msgs []telegramfake.SentMessage, s string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}
