package bot

import (
	"regexp"
	"strings"
	"sync"
)

// Kinds of reply, as ReplyKind names them.
const (
	ReplyToday = "today" // an agenda, or the word that the day is empty
	ReplyHelp  = "help"
	ReplyAdded = "added" // the confirmation of a new event
	ReplyOther = "other" // anything else: a question, a hint, an error
)

// replyKinds are the messages that start a reply of a kind other than
// ReplyOther.
var replyKinds = map[msg]string{
	msgTodayHeader: ReplyToday,
	msgTodayEmpty:  ReplyToday,
	msgHelp:        ReplyHelp,
	msgAdded:       ReplyAdded,
	msgAddedAllDay: ReplyAdded,
}

type replyPattern struct {
	re   *regexp.Regexp
	kind string
}

// replyPatterns turns the first line of each message of replyKinds, in
// every language, into a pattern that matches the start of a reply built from
// it, whatever fills its placeholders.
var replyPatterns = sync.OnceValue(func() []replyPattern {
	var ps []replyPattern
	for _, texts := range catalog {
		for m, kind := range replyKinds {
			var b strings.Builder
			b.WriteString(`^`)
			first, _, _ := strings.Cut(texts[m], "\n")
			for i, piece := range strings.Split(strings.ReplaceAll(first, "%d", "%s"), "%s") {
				if i > 0 {
					b.WriteString(`(?s:.*?)`)
				}
				b.WriteString(regexp.QuoteMeta(piece))
			}
			ps = append(ps, replyPattern{regexp.MustCompile(b.String()), kind})
		}
	}
	return ps
})

// ReplyKind tells what a reply the bot sent is, from its text as sent (Telegram
// HTML) in any language, by the message catalogue: ReplyToday, ReplyHelp,
// ReplyAdded or ReplyOther. Tools that drive the bot (calbot-load) use it
// rather than copying the texts.
func ReplyKind(text string) string {
	for _, p := range replyPatterns() {
		if p.re.MatchString(text) {
			return p.kind
		}
	}
	return ReplyOther
}
