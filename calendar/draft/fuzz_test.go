package draft

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	var nows []time.Time
	for _, sec := range readCorpus(f) {
		nows = append(nows, sec.now)
		for _, s := range sec.phrases {
			f.Add(s, uint8(len(nows)-1))
		}
	}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		now := nows[int(which)%len(nows)]
		d, err := Parse(text, now)
		d2, p, err2 := parse(text, now)
		if !d.Equal(d2) || describe(d, err) != describe(d2, err2) {
			t.Fatalf("Parse(%q) not deterministic: %v, %v then %v, %v", text, d, err, d2, err2)
		}
		var de *Error
		if err != nil {
			if !errors.As(err, &de) || de.Kind < KindEmpty || de.Kind > KindUnusedWord {
				t.Fatalf("Parse(%q) error %v is not a *Error with a known Kind", text, err)
			}
			if de.Kind != KindUnusedWord {
				return
			}
			if de.Keep != "" {
				if _, err := Parse(de.Keep, now); err != nil {
					t.Errorf("Parse(%q) suggests %q, which fails: %v", text, de.Keep, err)
				}
			}
			if d.Title == "" {
				return
			}
		} else {
			checkTitleWords(t, text, p)
		}
		checkDraft(t, text, d, now)
	})
}

// checkDraft checks what every draft Parse returns must satisfy.
func checkDraft(t *testing.T, text string, d Draft, now time.Time) {
	t.Helper()
	if d.Title == "" || !utf8.ValidString(d.Title) {
		t.Errorf("Parse(%q) title %q: want non-empty valid UTF-8", text, d.Title)
	}
	if !d.End.After(d.Start) {
		t.Errorf("Parse(%q) = %v .. %v: end not after start", text, d.Start, d.End)
	}
	if d.Start.Location() != now.Location() || d.End.Location() != now.Location() {
		t.Errorf("Parse(%q) times not in %v", text, now.Location())
	}
	if d.AllDay {
		for _, x := range []time.Time{d.Start, d.End} {
			y, m, dd := x.Date()
			if !x.Equal(time.Date(y, m, dd, 0, 0, 0, 0, x.Location())) {
				t.Errorf("Parse(%q) all-day bound %v is not a midnight", text, x)
			}
		}
	} else if d.End.Sub(d.Start) > MaxDuration {
		t.Errorf("Parse(%q) lasts %v, over MaxDuration", text, d.End.Sub(d.Start))
	}
	if (d.Repeat == nil) != (d.RRULE == "") {
		t.Errorf("Parse(%q) Repeat %v but RRULE %q", text, d.Repeat, d.RRULE)
	}
	if r := d.Repeat; r != nil {
		if !strings.HasPrefix(d.RRULE, "RRULE:FREQ=") || r.Interval < 1 || r.Interval > MaxInterval || (r.Freq == Weekly) != (len(r.Days) > 0) {
			t.Errorf("Parse(%q) rule %+v, %q", text, *r, d.RRULE)
		}
		if r.Freq == Weekly && !containsDay(r.Days, d.Start.Weekday()) {
			t.Errorf("Parse(%q) starts on %v, not a day of %q", text, d.Start.Weekday(), d.RRULE)
		}
		if !r.Until.IsZero() && r.Until.Before(dayOf(d.Start)) {
			t.Errorf("Parse(%q) ends %v before it starts %v", text, r.Until, d.Start)
		}
	}
}

func containsDay(days []time.Weekday, wd time.Weekday) bool {
	for _, d := range days {
		if d == wd {
			return true
		}
	}
	return false
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// The words below are copied from docs/ADD_GRAMMAR.md, apart from the
// parser's tables, so that the property checks the grammar against its
// documentation rather than against itself.
var (
	// docAlwaysWhen are read as dates or times wherever they stand.
	docAlwaysWhen = strings.Fields(`today tomorrow tonight сегодня завтра послезавтра
		monday tuesday wednesday thursday friday saturday sunday
		понедельник вторник среда среду четверг пятница пятницу суббота субботу воскресенье
		пн вт ср чт пт сб вс ежедневно еженедельно утром вечером днем noon midnight полдень полночь`)
	// docLeads are date words when a number, weekday or unit follows them.
	docLeads = strings.Fields(`every each next in через каждый каждую каждое каждые
		следующий следующую следующей until till`)
	docUnits = strings.Fields(`minute minutes hour hours day days week weeks month months
		минуту минут минуты час часа часов день дня дней неделю недели недель неделе месяц`)
)

// checkTitleWords is the fuzzer's property: when Parse succeeds, no title
// word (outside quotes) is a date or time word that the documented grammar
// would read where it stands.
func checkTitleWords(t *testing.T, text string, p *parser) {
	t.Helper()
	used := p.used()
	for j, tok := range p.toks {
		if used[j] || tok.quoted {
			continue
		}
		w := tok.norm
		if containsWord(docAlwaysWhen, w) {
			t.Errorf("Parse(%q) succeeded with %q in the title", text, tok.raw)
		}
		if containsWord(docLeads, w) && j+1 < len(p.toks) && !p.toks[j+1].quoted {
			next := p.toks[j+1].norm
			_, wd := weekdays[next]
			if wd || containsWord(docUnits, next) || docNumber(next) {
				t.Errorf("Parse(%q) succeeded with %q %q in the title", text, tok.raw, p.toks[j+1].raw)
			}
		}
	}
}

func containsWord(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// docNumber reports whether s is written like a number, a time or a date
// ("2", "1.5", "10:00", "25.11", "1-2") or a number with a documented
// unit or meridiem ("30m", "2h", "1ч", "8am").
func docNumber(s string) bool {
	rest := strings.TrimLeft(s, "0123456789")
	if rest == s {
		return false
	}
	if strings.Trim(rest, "0123456789.,:/-") == "" {
		return true
	}
	return containsWord(strings.Fields("h m min ч м мин am pm a.m p.m"), rest)
}
