package calendar

import "errors"

// ErrReadOnly is returned when Google refuses a change because the user may
// only read the calendar the event is in (HTTP 403 on a patch), as when an
// invitation sits in a calendar shared read-only.
var ErrReadOnly = errors.New("calendar is read-only")
