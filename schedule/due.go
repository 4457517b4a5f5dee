// Package schedule decides when calbot speaks first: each chat's morning
// agenda and its reminders before events, and snoozed reminders. It keeps
// what is planned in the bbolt file, reads calendars within a Google request
// budget, and hands each due message to a function the bot provides. It
// knows neither Telegram nor HTTP.
package schedule

import (
	"context"
	"time"

	"github.com/calbot/calbot/calendar"
)

// Kind is what a due message is.
type Kind int

// The kinds of due messages.
const (
	// Agenda is a chat's morning agenda for Date.
	Agenda Kind = iota + 1
	// Reminder is a reminder of Event, Lead before it starts.
	Reminder
	// Revoked tells a chat, once, that its grant died while calbot read
	// its calendar in the background; scheduling for it has stopped.
	Revoked
)

// Due is one message the scheduler wants a chat to get.
type Due struct {
	// Key names the message: the bot delivers each Key at most once, so a
	// Due handed over twice (after a crash) is still one message. For a
	// reminder it is (chat, calendar, event, occurrence start, lead); for an
	// agenda (chat, local date).
	Key    string
	Kind   Kind
	ChatID int64
	// At is when it was due; Late says it is handed over after its moment
	// (calbot was down, or quiet hours held it), so the message says so.
	At   time.Time
	Late bool
	// Silent: due in the chat's quiet hours, so it arrives without a
	// notification sound.
	Silent bool
	// Zone is the chat's zone when the message was planned (IANA name).
	Zone string
	// Date is the local day an agenda covers: midnight in Zone.
	Date time.Time
	// Event and Lead are a reminder's event occurrence, as last read, and
	// how long before its start the reminder is due.
	Event calendar.Event
	Lead  time.Duration
}

// Deliver hands a due message to the chat's queue; the bot provides it. It
// must store d durably before it returns nil: the scheduler then considers
// d handed over. An error means not taken, and the scheduler tries again.
type Deliver func(ctx context.Context, d Due) error
