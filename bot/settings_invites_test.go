package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
)

// TestSettingsInvitationsRSVP: the choice on the Invitations page of
// /settings decides whether answering an invitation through Google tells
// the organizer (sendUpdates=all) or nobody (none).
func TestSettingsInvitationsRSVP(t *testing.T) {
	d := &deliverRig{plan: &fakePlanner{}}
	d.rig = newRig(t, func(c *Config) { c.Planner = d.plan }) // Invitations: the real client over calendarfake
	d.start()
	d.known(alice)
	invite := func(id string) calendar.Event {
		d.cal.Add("alice@example.com", &gcal.Event{Id: id, Summary: "Budget review",
			Organizer: &gcal.EventOrganizer{Email: "bob@example.com"},
			Attendees: []*gcal.EventAttendee{{Email: "bob@example.com", Organizer: true, ResponseStatus: "accepted"},
				{Email: "alice@example.com", ResponseStatus: "needsAction"}},
			Start: &gcal.EventDateTime{DateTime: meeting.Start.Format("2006-01-02T15:04:05Z07:00")},
			End:   &gcal.EventDateTime{DateTime: meeting.End.Format("2006-01-02T15:04:05Z07:00")}})
		ev := meeting
		ev.ID, ev.Title, ev.Response = id, "Budget review", calendar.NeedsAction
		return ev
	}
	choose := func(label string) {
		t.Helper()
		d.tg.SendText(alice, telegramfake.Private(alice), "/settings")
		m := d.tg.WaitMessage(t, alice.ID, waitFor)
		d.press(m, "✉️ Invitations")
		m = d.tg.WaitMessage(t, alice.ID, waitFor)
		if !strings.Contains(m.Text, "Google can email your answer") {
			t.Errorf("the Invitations page = %q, want it to explain the choice", m.Text)
		}
		d.press(m, label)
		m = d.tg.WaitMessage(t, alice.ID, waitFor)
		if _, ok := m.Button("✓ " + label); !ok || !m.Edited {
			t.Errorf("after pressing %q the page is %q with %+v, want it edited and ticked", label, m.Text, m.Markup)
		}
	}
	answer := func(key, id, label string) {
		t.Helper()
		if err := d.b.Deliver(context.Background(), reminderDue(key, invite(id))); err != nil {
			t.Fatal(err)
		}
		m := d.tg.WaitMessage(t, alice.ID, waitFor)
		if a := d.press(m, label); a.Text != "Answer sent" {
			t.Errorf("pressing %s answered %q", label, a.Text)
		}
		d.tg.WaitMessage(t, alice.ID, waitFor) // the reminder edited to show the answer
	}

	choose("Tell the organizer")
	answer("r-told", "told01", "Accept")
	choose("Don't tell")
	answer("r-quiet", "quiet01", "Decline")
	if diff := cmp.Diff([]string{"all", "none"}, d.cal.PatchUpdates()); diff != "" {
		t.Errorf("patches' sendUpdates (-want +got):\n%s", diff)
	}
}
