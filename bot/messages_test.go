package bot

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/draft"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// sampleArgs fills every placeholder of a message with a visible value.
func sampleArgs(s string) []any {
	var args []any
	for i := strings.Count(s, "%s") + strings.Count(s, "%d"); i > 0; i-- {
		args = append(args, "‹arg›")
	}
	return args
}

func TestCatalogComplete(t *testing.T) {
	for m := msg(0); m < numMsgs; m++ {
		en, ru := catalog["en"][m], catalog["ru"][m]
		if en == "" || ru == "" {
			t.Errorf("message %d: en %q, ru %q; every reply needs both languages", m, en, ru)
		}
		if strings.Count(en, "%") != strings.Count(ru, "%") {
			t.Errorf("message %d: en and ru take different arguments: %q / %q", m, en, ru)
		}
	}
}

// TestMessagesGolden renders every reply in both languages.
func TestMessagesGolden(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		var b strings.Builder
		for m := msg(0); m < numMsgs; m++ {
			raw := catalog[lang][m]
			got := raw
			if args := sampleArgs(raw); len(args) > 0 {
				got = fmt.Sprintf(strings.ReplaceAll(raw, "%d", "%s"), args...)
			}
			fmt.Fprintf(&b, "=== %d\n%s\n", m, got)
		}
		golden(t, "messages."+lang+".golden", b.String())
	}
}

func TestLangOf(t *testing.T) {
	tests := []struct{ code, want string }{
		{"ru", "ru"}, {"ru-RU", "ru"}, {"RU", "ru"}, {"en", "en"}, {"en-GB", "en"}, {"", "en"}, {"uk", "en"}, {"de", "en"},
	}
	for _, tt := range tests {
		if got := langOf(tt.code); got != tt.want {
			t.Errorf("langOf(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

var moscow, _ = time.LoadLocation("Europe/Moscow")

func at(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, moscow) }

func sampleDay() calendar.Day {
	return calendar.Day{Zone: moscow, Date: at(21, 0, 0), Events: []calendar.Event{
		{Title: "Holiday", AllDay: true, Start: at(21, 0, 0), End: at(22, 0, 0), Link: "https://www.google.com/calendar/event?eid=a"},
		{Title: "Conference", AllDay: true, Start: at(20, 0, 0), End: at(24, 0, 0)},
		{Title: "Hackathon", Start: at(20, 10, 0), End: at(22, 18, 0)},
		{Title: "Party", Start: at(20, 22, 0), End: at(21, 2, 0)},
		{Title: "Standup <team> & \"co\"", Location: "Room <1>", Start: at(21, 10, 0), End: at(21, 10, 15), Link: "https://www.google.com/calendar/event?eid=b&x=\"y\""},
		{Title: "", Start: at(21, 12, 0), End: at(21, 13, 0), Link: "javascript:alert(1)"},
		{Title: "Night train", Start: at(21, 23, 30), End: at(22, 7, 0)},
		{Title: "Long flight", Start: at(21, 23, 45), End: at(23, 7, 0)},
	}}
}

func TestFormatAgendaGolden(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		day := sampleDay()
		empty := calendar.Day{Zone: moscow, Date: at(21, 0, 0)}
		golden(t, "agenda."+lang+".golden", formatAgenda(lang, day)+"\n---\n"+formatAgenda(lang, empty)+"\n")
	}
}

func TestFormatAgendaTruncates(t *testing.T) {
	day := calendar.Day{Zone: moscow, Date: at(21, 0, 0)}
	for i := 0; i < 500; i++ {
		day.Events = append(day.Events, calendar.Event{Title: strings.Repeat("x", 40), Start: at(21, 10, 0), End: at(21, 11, 0)})
	}
	got := formatAgenda("en", day)
	if n := len([]rune(got)); n > 4096 {
		t.Errorf("agenda of 500 events is %d characters, over Telegram's 4096", n)
	}
	if !strings.Contains(got, "more. Open Google Calendar") {
		t.Errorf("truncated agenda does not say how many are left out")
	}
}

func TestFormatAddedGolden(t *testing.T) {
	now := at(21, 9, 0)
	events := []calendar.Event{
		{Title: "Lunch <b>", Start: at(22, 13, 0), End: at(22, 14, 0)},
		{Title: "Night shift", Start: at(21, 22, 0), End: at(22, 6, 0)},
		{Title: "Отпуск", AllDay: true, Start: at(25, 0, 0), End: at(26, 0, 0)},
		{Title: "Trip", AllDay: true, Start: at(25, 0, 0), End: at(29, 0, 0)},
		{Title: "New year", AllDay: true, Start: time.Date(2027, 1, 1, 0, 0, 0, 0, moscow), End: time.Date(2027, 1, 2, 0, 0, 0, 0, moscow)},
	}
	for _, lang := range []string{"en", "ru"} {
		var b strings.Builder
		for _, ev := range events {
			b.WriteString(formatAdded(lang, ev, moscow, now) + "\n---\n")
		}
		golden(t, "added."+lang+".golden", b.String())
	}
}

func TestParseErrorGolden(t *testing.T) {
	now := at(21, 9, 0)
	phrases := []string{"", "tomorrow 13:00", "Lunch", "Call 90m", "Lunch 31.02", "Lunch 25:00", "Lunch 13:00-13:00", "Lunch 13:00 15:00", strings.Repeat("long ", 120) + "13:00", "Tag <b>&amp; 13pm"}
	for _, lang := range []string{"en", "ru"} {
		var b strings.Builder
		for _, p := range phrases {
			_, err := draft.Parse(p, now)
			if err == nil {
				t.Fatalf("draft.Parse(%q) succeeded; this test wants errors", p)
			}
			fmt.Fprintf(&b, "=== %.40q\n%s\n", p, parseError(lang, err, p))
		}
		golden(t, "parse_errors."+lang+".golden", b.String())
	}
}
