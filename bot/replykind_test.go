package bot

import (
	"testing"

	"github.com/calbot/calbot/calendar"
)

func TestReplyKind(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		now := at(21, 9, 0)
		tests := []struct {
			name, text, want string
		}{
			{"agenda", formatAgenda(lang, sampleDay()), ReplyToday},
			{"empty day", formatAgenda(lang, calendar.Day{Zone: moscow, Date: at(21, 0, 0)}), ReplyToday},
			{"help", text(lang, msgHelp), ReplyHelp},
			{"added", formatAdded(lang, calendar.Event{Title: "Lunch", Start: at(22, 13, 0), End: at(22, 14, 0)}, moscow, now), ReplyAdded},
			{"added all day", formatAdded(lang, calendar.Event{Title: "Trip", AllDay: true, Start: at(25, 0, 0), End: at(26, 0, 0)}, moscow, now), ReplyAdded},
			{"hint", text(lang, msgHint), ReplyOther},
			{"not connected", text(lang, msgNotConnected), ReplyOther},
			{"internal error", text(lang, msgInternal), ReplyOther},
			{"question", text(lang, msgAddAsk), ReplyOther},
			{"empty", "", ReplyOther},
		}
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				if got := ReplyKind(tt.text); got != tt.want {
					t.Errorf("ReplyKind(%.60q) = %q, want %q", tt.text, got, tt.want)
				}
			})
		}
	}
}
