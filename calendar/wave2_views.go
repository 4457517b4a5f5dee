package calendar

import (
	"errors"
	"time"
)

// This file holds, word for word, the types that WAVE2.md gives the
// calendar package, so that package bot compiles against them before the
// calendar work lands. When merging that work, delete this file.

// Span is the events of one calendar overlapping a window.
type Span struct {
	Zone             *time.Location
	Events           []Event
	DefaultReminders []time.Duration
}

// CalendarInfo is one entry of the user's calendar list.
type CalendarInfo struct {
	ID, Name   string
	Primary    bool
	AccessRole string
	Writable   bool
	Zone       string
}

// ErrScope is returned when the grant lacks the scope a call needs (Google's
// 403 insufficientPermissions).
var ErrScope = errors.New("google grant lacks the scope this needs")
