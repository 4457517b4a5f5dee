package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/schedule"
)

// keyboardText shows a keyboard in a golden file: one line per row, link
// buttons with their URL, callback buttons with their payload.
func keyboardText(kb *tgbotapi.InlineKeyboardMarkup) string {
	if kb == nil {
		return "(no buttons)"
	}
	var rows []string
	for _, row := range kb.InlineKeyboard {
		var cells []string
		for _, b := range row {
			switch {
			case b.URL != nil:
				cells = append(cells, fmt.Sprintf("[%s → %s]", b.Text, *b.URL))
			case b.CallbackData != nil:
				payload, _, _ := strings.Cut(*b.CallbackData, ":")
				cells = append(cells, fmt.Sprintf("[%s · %s]", b.Text, payload))
				if len(*b.CallbackData) > maxCallbackData {
					cells = append(cells, "(DATA TOO LONG)")
				}
			}
		}
		rows = append(rows, strings.Join(cells, " "))
	}
	return strings.Join(rows, "\n")
}

func TestReminderGolden(t *testing.T) {
	b := New(Config{CallbackKey: rigCallbackKey, EventKey: rigEventKey, Planner: &fakePlanner{}, Invitations: &fakeResponder{}})
	invite := meeting
	invite.ID, invite.JoinURL, invite.Location, invite.Response = strings.Repeat("v", 1024), "", "", calendar.NeedsAction
	late := meeting
	night := meeting
	night.Title, night.Start, night.End = "Call with Tokyo", startAt.Add(12*time.Hour+30*time.Minute), startAt.Add(13*time.Hour+30*time.Minute)
	tests := []struct {
		name   string
		ev     calendar.Event
		before time.Duration // now, before the start
		late   bool
		silent bool
	}{
		{"with join, in 10 min", meeting, 10 * time.Minute, false, false},
		{"invitation, in 3 min", invite, 3 * time.Minute, false, false},
		{"late, starts now", late, 20 * time.Second, true, false},
		{"silent, after midnight in the chat's zone", night, 60 * time.Minute, false, true},
	}
	for _, lang := range []string{"en", "ru"} {
		var out strings.Builder
		for _, tt := range tests {
			d := reminderDue("k", tt.ev)
			d.Late, d.Silent = tt.late, tt.silent
			h := held{Due: d}
			now := tt.ev.Start.Add(-tt.before)
			fmt.Fprintf(&out, "=== %s (silent: %v)\n%s\n--- buttons\n%s\n\n", tt.name, tt.silent,
				reminderText(lang, h, moscow, now), keyboardText(b.reminderKeyboard(lang, alice.ID, "KEY", h, now)))
		}
		h := held{Due: reminderDue("k", invite), Answered: calendar.Accepted, Snoozed: invite.Start.Add(-5 * time.Minute)}
		now := invite.Start.Add(-8 * time.Minute)
		fmt.Fprintf(&out, "=== answered and snoozed\n%s\n--- buttons\n%s\n", reminderText(lang, h, moscow, now), keyboardText(b.reminderKeyboard(lang, alice.ID, "KEY", h, now)))
		golden(t, "reminder."+lang+".golden", out.String())
	}
}

func TestAgendaGolden(t *testing.T) {
	b := New(Config{CallbackKey: rigCallbackKey, EventKey: rigEventKey, Planner: &fakePlanner{}, Invitations: &fakeResponder{}})
	date := time.Date(2026, 12, 1, 0, 0, 0, 0, moscow)
	clock := func(h, m int) time.Time { return date.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	events := []calendar.Event{
		{ID: "a", Title: "Conference", AllDay: true, Start: date, End: date.AddDate(0, 0, 2)},
		{ID: "b", Title: "Standup", Start: clock(9, 30), End: clock(9, 45), Link: "https://www.google.com/calendar/event?eid=b"},
		{ID: "c", Title: "Budget <Q1> review", Start: clock(11, 0), End: clock(12, 0), Location: "Room 4", Response: calendar.NeedsAction},
		{ID: "d", Title: "Lunch with Ann", Start: clock(13, 0), End: clock(14, 0), Response: calendar.NeedsAction},
		{ID: "e", Title: "Team sync", Start: clock(16, 0), End: clock(16, 30), Response: calendar.NeedsAction, Organizer: true},
	}
	due := schedule.Due{Key: "k", Kind: schedule.Agenda, ChatID: alice.ID, At: clock(8, 0), Zone: "Europe/Moscow", Date: date}
	tests := []struct {
		name    string
		events  []calendar.Event
		late    bool
		silent  bool
		answers []calendar.Response
	}{
		{"with invitations", events, false, false, nil},
		{"late and silent", events[:2], true, true, nil},
		{"one invitation answered", events, false, false, []calendar.Response{calendar.Tentative, ""}},
		{"empty day", nil, false, false, nil},
	}
	for _, lang := range []string{"en", "ru"} {
		var out strings.Builder
		for _, tt := range tests {
			d := due
			d.Late, d.Silent = tt.late, tt.silent
			day := calendar.Day{Zone: moscow, Date: date, Events: tt.events}
			h := held{Due: d}
			for _, ev := range tt.events {
				if invitation(ev) {
					h.Invites = append(h.Invites, ev)
				}
			}
			h.Answers = make([]calendar.Response, len(h.Invites))
			copy(h.Answers, tt.answers)
			h.Body = agendaText(lang, day, d, 0, len(h.Invites) > 0, false)
			fmt.Fprintf(&out, "=== %s (silent: %v)\n%s\n--- buttons\n%s\n\n", tt.name, tt.silent,
				agendaWithInvites(lang, h), keyboardText(b.agendaKeyboard(lang, alice.ID, "KEY", h)))
		}
		golden(t, "agenda_morning."+lang+".golden", out.String())
	}
}
