package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/draft"
)

// TestFormatAddedRepeatGolden renders the reply to recurring /add phrases
// in both languages: the rule in words, the times, the first day and the
// last.
func TestFormatAddedRepeatGolden(t *testing.T) {
	now := at(21, 9, 0)
	phrases := []string{
		"Yoga every Monday 8am",
		"Yoga every Monday from 7 December 8:00 until 28.12",
		"Standup every weekday 9:30 15m",
		"Run every other day 7:00",
		"Полив каждые 3 дня",
		"Gym every Monday and Thursday 19:00",
		"Йога по средам, пятницам и субботам в 19:00",
		"Sync every 2 weeks tuesday 10:00",
		"Уборка каждую неделю",
		"Отчёт каждые 5 недель в пятницу 17:00",
		"Night shift every friday 22:00-06:00",
		"Курс ежедневно с 1 по 10 декабря в 9:00",
		"<b>Tag</b> every sunday 11:00",
	}
	for _, lang := range []string{"en", "ru"} {
		var b strings.Builder
		for _, p := range phrases {
			d, err := draft.Parse(p, now)
			if err != nil || d.Repeat == nil {
				t.Fatalf("draft.Parse(%q) = %+v, %v; want a recurring draft", p, d, err)
			}
			ev := calendar.Event{Title: d.Title, AllDay: d.AllDay, Start: d.Start, End: d.End}
			fmt.Fprintf(&b, "=== %s\n%s\n", p, addedText(lang, ev, d, moscow, now))
		}
		golden(t, "added_repeat."+lang+".golden", b.String())
	}
}

// TestUnusedReplyGolden renders the reply to phrases that left a date word
// in the title: nothing is added, the literal reading is shown, and both
// ways to say it are offered.
func TestUnusedReplyGolden(t *testing.T) {
	now := at(21, 9, 0)
	phrases := []string{"Yoga every 8am", "Врач через месяц в 10:00", "Call in 3 months", "Поезд ночью 25.11", `<i>x</i> next week 10:00`}
	for _, lang := range []string{"en", "ru"} {
		var b strings.Builder
		for _, p := range phrases {
			d, err := draft.Parse(p, now)
			s, ok := unusedReply(lang, err, d, moscow, now)
			if !ok {
				t.Fatalf("draft.Parse(%q) = %v, %v; want KindUnusedWord", p, d, err)
			}
			if strings.Contains(s, "<i>") {
				t.Errorf("unusedReply for %q does not escape the phrase: %s", p, s)
			}
			fmt.Fprintf(&b, "=== %s\n%s\n", p, s)
		}
		golden(t, "unused."+lang+".golden", b.String())
	}
	if _, ok := unusedReply("en", &draft.Error{Kind: draft.KindBadDate, Token: "31.02"}, draft.Draft{}, moscow, now); ok {
		t.Error("unusedReply took a KindBadDate error")
	}
}
