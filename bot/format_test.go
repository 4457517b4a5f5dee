package bot

import (
	"strings"
	"testing"

	"github.com/calbot/calbot/calendar"
)

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "Lunch", 10, "Lunch"},
		{"exact", "Lunch", 5, "Lunch"},
		{"cut", "Lunch with the team", 10, "Lunch wit…"},
		{"cut at a space", "Lunch with the team", 7, "Lunch…"},
		{"by runes", "Обед с командой", 5, "Обед…"},
		{"newlines", "Lunch\n\nwith  team", 20, "Lunch with team"},
		{"entity-like text is not special", "a&amp;b&amp;c", 6, "a&amp…"},
		{"blank", " \n\t", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oneLine(tt.in, tt.max); got != tt.want {
				t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// longDay has an event whose title and location are 2,000 characters, in
// the worst case for escaping, among ordinary ones.
func longDay() calendar.Day {
	long := strings.Repeat("<&>\"", 500)
	day := sampleDay()
	day.Events = append([]calendar.Event{{Title: long, Location: long, Start: at(21, 8, 0), End: at(21, 9, 0),
		Link: "https://www.google.com/calendar/event?eid=" + strings.Repeat("&", 2000)}}, day.Events...)
	return day
}

// TestFormatAgendaLongLines: an oversize title or location is cut before
// escaping and never hides the rest of the day.
func TestFormatAgendaLongLines(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		got := formatAgenda(lang, longDay())
		if n := len([]rune(got)); n > 4096 {
			t.Errorf("%s: agenda is %d characters, over Telegram's 4096", lang, n)
		}
		for _, ev := range sampleDay().Events {
			if ev.Title != "" && !strings.Contains(got, strings.Split(ev.Title, " ")[0]) {
				t.Errorf("%s: agenda lacks %q", lang, ev.Title)
			}
		}
		golden(t, "agenda_long."+lang+".golden", got+"\n")
	}
}
