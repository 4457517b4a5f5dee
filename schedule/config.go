package schedule

import (
	"context"
	"log/slog"
	"time"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

// Source reads a chat's calendars for the scheduler.
type Source interface {
	// Upcoming returns the chat's events overlapping [from, to), merged
	// across its shown calendars, recurring events expanded, declined ones
	// included. Each event's Reminders carry its calendar's defaults where
	// the event uses them. Errors wrapping oauth.ErrRevoked or
	// oauth.ErrNotLinked stop scheduling for the chat; calendar.ErrUnavailable
	// (Google's rate limits among them) slows reading down.
	Upcoming(ctx context.Context, chatID int64, calendars []string, from, to time.Time) ([]calendar.Event, error)
}

// Clock is the scheduler's time; tests fake it.
type Clock interface {
	Now() time.Time
	// After is like time.After.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Config is what New needs. DB, Source, Settings, Chats and Deliver are
// required; the rest have defaults.
type Config struct {
	DB     *storage.DB
	Source Source
	// Settings returns a chat's settings (zero Settings if none). The
	// scheduler reads them at start, at the first read after a Touch, and
	// at least hourly, and plans from what it read in between: whoever
	// changes a chat's settings calls Touch.
	Settings func(chatID int64) (storage.Settings, error)
	// Chats lists the linked chats, once, when Run starts.
	Chats func() ([]int64, error)
	// Configured, if set, lists the chats that have stored settings, once,
	// when Run starts: the others have the defaults (no agenda, so nothing
	// to plan before their first read), and their settings are read at
	// their first read instead of all at start. Nil reads every chat's.
	Configured func() ([]int64, error)
	Deliver    Deliver
	Clock      Clock // default: the real clock
	Logger     *slog.Logger
	Metrics    *Metrics

	// ProjectPerMinute is the Google request budget of the whole calbot
	// (default 3,000; Google allows 10,000 per project); UserPerMinute that
	// of one chat (default 60; Google allows 600 per user).
	ProjectPerMinute, UserPerMinute int
	// Interval is how often each chat is read when the budget allows
	// (default 2 min); it stretches as chats grow.
	Interval time.Duration
	// Lookahead is how far ahead each read looks (default 25 h): reminder
	// leads longer than Lookahead-Interval come too late and are skipped.
	Lookahead time.Duration
	// AgendaCatchUp and ReminderCatchUp bound how late a missed message is
	// still handed over (defaults 2 h and 15 min).
	AgendaCatchUp, ReminderCatchUp time.Duration
	// AgendaRate bounds agendas handed over per second (default 25), so a
	// wave at 08:00 is spread; reminders are not paced.
	AgendaRate float64
	// Readers bounds reads in flight (default 32: at 200 ms a read, 160 reads/s).
	Readers int
	// Keep is how long handed-over keys are remembered (default 4 days).
	Keep time.Duration
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&c.ProjectPerMinute, 3000)
	setDefault(&c.UserPerMinute, 60)
	setDefault(&c.Readers, 32)
	setDefault(&c.Interval, 2*time.Minute)
	setDefault(&c.Lookahead, 25*time.Hour)
	setDefault(&c.AgendaCatchUp, 2*time.Hour)
	setDefault(&c.ReminderCatchUp, 15*time.Minute)
	setDefault(&c.AgendaRate, 25)
	setDefault(&c.Keep, 4*24*time.Hour)
}

func setDefault[T int | float64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}
