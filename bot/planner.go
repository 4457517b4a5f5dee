package bot

// touch tells the planner, if any, to read the chat again: its settings or
// calendar changed.
func (b *Bot) touch(chatID int64) {
	if b.cfg.Planner != nil {
		b.cfg.Planner.Touch(chatID)
	}
}
