package draft

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// loadLocation loads a zone or stops the test.
func loadLocation(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestParse(t *testing.T) {
	moscow := loadLocation(t, "Europe/Moscow")
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, moscow) // a Saturday
	at := func(month time.Month, day, h, m int) time.Time {
		return time.Date(2026, month, day, h, m, 0, 0, moscow)
	}
	date := func(month time.Month, day int) time.Time { return at(month, day, 0, 0) }
	tests := []struct {
		name, in string
		want     Draft
	}{
		{"tomorrow with range", "Lunch tomorrow 13:00-14:00", Draft{Title: "Lunch", Start: at(11, 22, 13, 0), End: at(11, 22, 14, 0)}},
		{"russian date, time, duration", "Стоматолог 25.11 9:30 1ч", Draft{Title: "Стоматолог", Start: at(11, 25, 9, 30), End: at(11, 25, 10, 30)}},
		{"russian all-day", "Отпуск 25 ноября", Draft{Title: "Отпуск", AllDay: true, Start: date(11, 25), End: date(11, 26)}},
		{"weekday and pm", "Call mom friday 7pm", Draft{Title: "Call mom", Start: at(11, 27, 19, 0), End: at(11, 27, 20, 0)}},
		{"time ahead is today", "Standup 9:30 15m", Draft{Title: "Standup", Start: at(11, 21, 9, 30), End: at(11, 21, 9, 45)}},
		{"time passed is tomorrow", "Standup 8:30 15m", Draft{Title: "Standup", Start: at(11, 22, 8, 30), End: at(11, 22, 8, 45)}},
		{"connector в", "Встреча завтра в 15:00", Draft{Title: "Встреча", Start: at(11, 22, 15, 0), End: at(11, 22, 16, 0)}},
		{"iso all-day", "Дедлайн 2026-11-25", Draft{Title: "Дедлайн", AllDay: true, Start: date(11, 25), End: date(11, 26)}},
		{"month name and range", "Dinner Nov 25 19:00-21:30", Draft{Title: "Dinner", Start: at(11, 25, 19, 0), End: at(11, 25, 21, 30)}},
		{"short weekday", "Gym mon 1pm 90m", Draft{Title: "Gym", Start: at(11, 23, 13, 0), End: at(11, 23, 14, 30)}},
		{"full date", "Party 25.11.2026 20:00 2h", Draft{Title: "Party", Start: at(11, 25, 20, 0), End: at(11, 25, 22, 0)}},
		{"с до", "Обед сегодня с 13:00 до 14:00", Draft{Title: "Обед", Start: at(11, 21, 13, 0), End: at(11, 21, 14, 0)}},
		{"date range", "Поездка 25.11-28.11", Draft{Title: "Поездка", AllDay: true, Start: date(11, 25), End: date(11, 29)}},
		{"for duration", "Meeting 10am for 1h30m", Draft{Title: "Meeting", Start: at(11, 21, 10, 0), End: at(11, 21, 11, 30)}},
		{"утра", "Созвон в пятницу в 10 утра", Draft{Title: "Созвон", Start: at(11, 27, 10, 0), End: at(11, 27, 11, 0)}},
		{"noon", "Dentist at noon", Draft{Title: "Dentist", Start: at(11, 21, 12, 0), End: at(11, 21, 13, 0)}},
		{"crosses midnight", "Night train 22:00-01:00", Draft{Title: "Night train", Start: at(11, 21, 22, 0), End: at(11, 22, 1, 0)}},
		{"weekday today, time passed", "Standup saturday 8:00", Draft{Title: "Standup", Start: at(11, 28, 8, 0), End: at(11, 28, 9, 0)}},
		{"date without year passed", "Report 20.11", Draft{Title: "Report", AllDay: true, Start: time.Date(2027, 11, 20, 0, 0, 0, 0, moscow), End: time.Date(2027, 11, 21, 0, 0, 0, 0, moscow)}},
		{"title keeps case and inner words", "Talk to Bob tomorrow at 10", Draft{Title: "Talk to Bob", Start: at(11, 22, 10, 0), End: at(11, 22, 11, 0)}},
		{"ё is е", "Ёлка в субботу в 18:00", Draft{Title: "Ёлка", Start: at(11, 21, 18, 0), End: at(11, 21, 19, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, now)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, loadLocation(t, "Europe/Moscow"))
	tests := []struct {
		name, in  string
		wantKind  Kind
		wantToken string
	}{
		{"empty", " \t\n", KindEmpty, ""},
		{"too long", "Lunch tomorrow " + strings.Repeat("x", MaxLen), KindTooLong, ""},
		{"no title", "tomorrow 13:00", KindNoTitle, ""},
		{"no when", "Lunch with Bob", KindNoWhen, ""},
		{"no start", "Lunch tomorrow 1h", KindNoStart, "1h"},
		{"february 31", "Lunch 31.02", KindBadDate, "31.02"},
		{"month 13", "Lunch 2026-13-01", KindBadDate, "2026-13-01"},
		{"hour 25", "Lunch 25:00", KindBadTime, "25:00"},
		{"13pm", "Lunch 13pm", KindBadTime, "13pm"},
		{"empty range", "Lunch 13:00-13:00", KindBadRange, "13:00-13:00"},
		{"over max duration", "Lunch 13:00 400h", KindBadRange, "400h"},
		{"range and duration", "Lunch 13:00-14:00 1h", KindAmbiguous, "1h"},
		{"two dates", "Lunch tomorrow 25.11", KindAmbiguous, "25.11"},
		{"two times", "Lunch 13:00 15:00", KindAmbiguous, "15:00"},
		{"slash either way", "Lunch 11/12", KindAmbiguous, "11/12"},
		{"dotted time", "Обед в 13.30", KindAmbiguous, "13.30"},
		{"weekday disagrees", "Dinner Fri 28 Nov 19:00", KindAmbiguous, "Fri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, now)
			var de *Error
			if !errors.As(err, &de) || de.Kind != tt.wantKind || de.Token != tt.wantToken {
				t.Errorf("Parse(%q) = %v, %v; want error %v %q", tt.in, got, err, tt.wantKind, tt.wantToken)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"with token", &Error{Kind: KindBadDate, Token: "31.02"}, `invalid date "31.02"`},
		{"without token", &Error{Kind: KindNoTitle}, "no title"},
		{"unknown kind", &Error{Kind: 99}, "invalid phrase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseUsesNowLocation(t *testing.T) {
	ny := loadLocation(t, "America/New_York")
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, ny)
	got, err := Parse("Lunch 13:00", now)
	if err != nil || got.Start.Location() != ny || got.End.Location() != ny {
		t.Errorf("Parse(%q) = %v, %v; want times in %v", "Lunch 13:00", got, err, ny)
	}
}

func BenchmarkParse(b *testing.B) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, loadLocation(b, "Europe/Moscow"))
	phrases := []string{
		"Lunch tomorrow 13:00-14:00",
		"Массаж в среду в 18:00 на 1 час 30 минут",
		"Поездка с 25 по 28 ноября",
		"Just a title without any date at all, which is an error",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range phrases {
			Parse(s, now)
		}
	}
}

// TestUnusedWord pins the rule that Parse never files an event with a date
// word left in its title where it could have been meant as one.
func TestUnusedWord(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, loadLocation(t, "Europe/Moscow"))
	tests := []struct {
		name, in, token, keep string
		read                  bool // whether the rest of the phrase made a reading
	}{
		{"every before a time", "Yoga every 8am", "every", `"Yoga every" 8am`, true},
		{"через before an unknown unit", "Врач через месяц в 10:00", "через", `"Врач через месяц" в 10:00`, true},
		{"next week", "Meeting next week 10:00", "next", `"Meeting next week" 10:00`, true},
		{"на следующей неделе", "Обед на следующей неделе в 13:00", "следующей", `"Обед на следующей неделе" в 13:00`, true},
		{"plural weekday without on", "Yoga mondays 8am", "mondays", `"Yoga mondays" 8am`, true},
		{"через день", "Через день пробежка 7:00", "Через", `"Через день пробежка" 7:00`, true},
		{"nothing else to read", "Call in 3 months", "in", "", false},
		{"ночью", "Поезд ночью 25.11", "ночью", `"Поезд ночью" 25.11`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, now)
			var de *Error
			if !errors.As(err, &de) || de.Kind != KindUnusedWord || de.Token != tt.token || de.Keep != tt.keep || (got.Title != "") != tt.read {
				t.Fatalf("Parse(%q) = %v, %#v; want KindUnusedWord %q keep %q", tt.in, got, err, tt.token, tt.keep)
			}
			if tt.keep == "" {
				return
			}
			kept, err := Parse(tt.keep, now)
			if err != nil || !strings.Contains(kept.Title, tt.token) || !kept.Start.Equal(got.Start) {
				t.Errorf("Parse(%q) = %v, %v; want the same event with %q in the title", tt.keep, kept, err, tt.token)
			}
		})
	}
	for _, in := range []string{"Lunch in Paris tomorrow 13:00", "Next steps tomorrow 10:00", "Daily standup 10:00", "Dinner for 2 at 19:00", `"Yoga every" 8am`} {
		if _, err := Parse(in, now); err != nil {
			t.Errorf("Parse(%q) = %v; want no complaint: the word cannot be a date there", in, err)
		}
	}
}
