package bot

import (
	"context"
	"time"

	"github.com/calbot/calbot/schedule"
)

// Planner is the scheduler as the bot uses it; *schedule.Scheduler is one.
type Planner interface {
	Touch(chatID int64)
	Forget(chatID int64)
	Snooze(ctx context.Context, d schedule.Due, until time.Time) error
}

// touch tells the planner, if any, to read the chat again: its settings or
// calendar changed.
func (b *Bot) touch(chatID int64) {
	if b.cfg.Planner != nil {
		b.cfg.Planner.Touch(chatID)
	}
}
