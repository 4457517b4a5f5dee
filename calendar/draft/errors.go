package draft

import "fmt"

// Kind says what is wrong with a /add phrase, so that the bot can explain it
// in the chat's language.
type Kind int

// The kinds of Error that Parse returns.
const (
	// KindEmpty: the phrase has no words at all.
	KindEmpty Kind = iota + 1
	// KindTooLong: the phrase is longer than MaxLen bytes.
	KindTooLong
	// KindNoTitle: only date, time and duration words were given.
	KindNoTitle
	// KindNoWhen: neither a date nor a time was given.
	KindNoWhen
	// KindNoStart: a duration was given without a start time.
	KindNoStart
	// KindBadDate: a date that does not exist, such as 31.02 or 2026-13-01.
	KindBadDate
	// KindBadTime: a time that does not exist, such as 25:00 or 13pm.
	KindBadTime
	// KindBadRange: an end not after its start, a zero duration, or an event
	// longer than MaxDuration (timed) or MaxDays (all-day).
	KindBadRange
	// KindAmbiguous: two dates, two times or two durations that do not form a
	// range, a duration next to a time range, a time next to a date range, or a
	// token that could be read two ways (11/12, "в 10.30", "next friday").
	KindAmbiguous
	// KindUnusedWord: a word the grammar knows as a date or time word (such
	// as "every", "next", "через") was left in the title where it could have
	// been meant as one: Parse does not guess. Token is the word; Keep says
	// how to keep it in the title.
	KindUnusedWord
)

var kindNames = map[Kind]string{
	KindEmpty:      "KindEmpty",
	KindTooLong:    "KindTooLong",
	KindNoTitle:    "KindNoTitle",
	KindNoWhen:     "KindNoWhen",
	KindNoStart:    "KindNoStart",
	KindBadDate:    "KindBadDate",
	KindBadTime:    "KindBadTime",
	KindBadRange:   "KindBadRange",
	KindAmbiguous:  "KindAmbiguous",
	KindUnusedWord: "KindUnusedWord",
}

var kindMessages = map[Kind]string{
	KindEmpty:      "empty phrase",
	KindTooLong:    "phrase too long",
	KindNoTitle:    "no title",
	KindNoWhen:     "no date or time",
	KindNoStart:    "duration without a start time",
	KindBadDate:    "invalid date",
	KindBadTime:    "invalid time",
	KindBadRange:   "invalid range",
	KindAmbiguous:  "ambiguous date or time",
	KindUnusedWord: "date word left in the title",
}

// String returns the constant's name, such as "KindBadDate".
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the error Parse returns. Token holds the offending words as the
// user typed them (empty for KindEmpty, KindTooLong, KindNoTitle and
// KindNoWhen); it is user input, so escape it before showing it.
type Error struct {
	Kind  Kind
	Token string
	// Keep, for KindUnusedWord, is the phrase rewritten with its title in
	// quotes, which Parse reads without complaint; "" if there is none. It
	// is user input too.
	Keep string
}

// Error returns a lower-case English message, quoting Token if there is one.
func (e *Error) Error() string {
	msg, ok := kindMessages[e.Kind]
	if !ok {
		msg = "invalid phrase"
	}
	if e.Token == "" {
		return msg
	}
	return fmt.Sprintf("%s %q", msg, e.Token)
}

func errAt(k Kind, token string) *Error { return &Error{Kind: k, Token: token} }
