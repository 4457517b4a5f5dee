package draft

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// token is one whitespace-separated word of the phrase.
type token struct {
	raw  string // as typed: the title is built from these
	norm string // lower case, ё as е, dashes as '-', trailing ".,;:!?" removed; "" inside quotes
	// quoted words were typed inside a pair of quotes: they are title text,
	// never date or time words.
	quoted bool
}

var normReplacer = strings.NewReplacer("ё", "е", "–", "-", "—", "-", "−", "-")

// isQuote reports whether r is a quote mark that groups title words:
// straight, typographic and guillemets.
func isQuote(r rune) bool { return strings.ContainsRune("\"“”«»„", r) }

// tokenize splits text at white space, control characters and quote marks.
// Quote marks pair up in order; the words of a pair are quoted. A mark
// without a partner is dropped, and a pair around the whole phrase is
// ignored (people copy /add "…" from examples). Invalid UTF-8 becomes
// U+FFFD so that titles are always valid UTF-8.
func tokenize(text string) []token {
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	marks := strings.IndexFunc(text, isQuote)
	total := 0
	if marks >= 0 {
		for _, r := range text {
			if isQuote(r) {
				total++
			}
		}
	}
	if total == 2 {
		first, _ := utf8.DecodeRuneInString(text)
		last, _ := utf8.DecodeLastRuneInString(text)
		if isQuote(first) && isQuote(last) {
			text, total = strings.Map(func(r rune) rune {
				if isQuote(r) {
					return ' '
				}
				return r
			}, text), 0
		}
	}
	var toks []token
	var word strings.Builder
	inQuote := false
	flush := func() {
		if word.Len() == 0 {
			return
		}
		f := word.String()
		word.Reset()
		t := token{raw: f, quoted: inQuote}
		if !inQuote {
			t.norm = strings.TrimRight(normReplacer.Replace(strings.ToLower(f)), ".,;:!?")
		}
		toks = append(toks, t)
	}
	seen := 0
	for _, r := range text {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			flush()
		case isQuote(r):
			flush()
			seen++
			// Odd marks open a pair if a partner follows; even marks close it.
			inQuote = seen%2 == 1 && seen < total
		default:
			word.WriteRune(r)
		}
	}
	flush()
	return toks
}

// joinRaw returns the typed text of toks[lo:hi].
func joinRaw(toks []token, lo, hi int) string {
	parts := make([]string, 0, hi-lo)
	for _, t := range toks[lo:hi] {
		parts = append(parts, t.raw)
	}
	return strings.Join(parts, " ")
}

// Connectors are dropped when they stand right before date, time or duration
// words; anywhere else they stay in the title.
var connectors = map[string]bool{
	"at": true, "on": true, "from": true, "to": true, "for": true,
	"в": true, "во": true, "с": true, "со": true, "до": true, "на": true,
}

// clockConnectors allow a bare hour after them: "at 9", "в 9".
var clockConnectors = map[string]bool{"at": true, "в": true, "во": true}

// rangeLeads start a range: "from 9 to 11", "с 25 по 28 ноября".
var rangeLeads = map[string]bool{"from": true, "с": true, "со": true}

// rangeSeps join the two ends of a range; dateOnlySeps only join dates.
var (
	rangeSeps    = map[string]bool{"-": true, "to": true, "till": true, "until": true, "до": true, "по": true}
	dateOnlySeps = map[string]bool{"по": true}
)

var relativeDays = map[string]int{
	"today": 0, "tomorrow": 1,
	"сегодня": 0, "завтра": 1, "послезавтра": 2,
}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
	"sunday": time.Sunday, "sun": time.Sunday,
	"понедельник": time.Monday, "пн": time.Monday,
	"вторник": time.Tuesday, "вт": time.Tuesday,
	"среда": time.Wednesday, "среду": time.Wednesday, "ср": time.Wednesday,
	"четверг": time.Thursday, "чт": time.Thursday,
	"пятница": time.Friday, "пятницу": time.Friday, "пт": time.Friday,
	"суббота": time.Saturday, "субботу": time.Saturday, "сб": time.Saturday,
	"воскресенье": time.Sunday, "вс": time.Sunday,
}

// shortWeekdays are English abbreviations that are also ordinary words
// ("sun", "sat", "wed") or look like them; see weekdayContext.
var shortWeekdays = map[string]bool{
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true,
	"thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
}

// thisWords before a weekday change nothing; nextWords move it to the
// week after this one (see nextWeek).
var (
	thisWords = map[string]bool{"this": true, "этот": true, "эту": true, "это": true, "эта": true}
	nextWords = map[string]bool{
		"next": true, "следующий": true, "следующую": true, "следующая": true,
		"следующее": true, "следующей": true, "след": true,
	}
)

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	"января": 1, "январь": 1, "янв": 1,
	"февраля": 2, "февраль": 2, "фев": 2, "февр": 2,
	"марта": 3, "март": 3, "мар": 3,
	"апреля": 4, "апрель": 4, "апр": 4,
	"мая": 5, "май": 5,
	"июня": 6, "июнь": 6, "июн": 6,
	"июля": 7, "июль": 7, "июл": 7,
	"августа": 8, "август": 8, "авг": 8,
	"сентября": 9, "сентябрь": 9, "сен": 9, "сент": 9,
	"октября": 10, "октябрь": 10, "окт": 10,
	"ноября": 11, "ноябрь": 11, "ноя": 11, "нояб": 11,
	"декабря": 12, "декабрь": 12, "дек": 12,
}

// yearWords may follow a year: "25 ноября 2026 г.", "2026 года".
var yearWords = map[string]bool{"г": true, "года": true}

// Meridiem words: English am/pm and the Russian parts of the day.
var meridiems = map[string]bool{
	"am": true, "a.m": true, "pm": true, "p.m": true,
	"утра": true, "дня": true, "вечера": true, "ночи": true,
}

var (
	hourUnits = map[string]bool{
		"h": true, "hr": true, "hrs": true, "hour": true, "hours": true,
		"ч": true, "час": true, "часа": true, "часов": true,
	}
	minuteUnits = map[string]bool{
		"m": true, "min": true, "mins": true, "minute": true, "minutes": true,
		"м": true, "мин": true, "минута": true, "минуту": true, "минуты": true, "минут": true,
	}
	// clockHourWords make "в 2 часа" a time rather than a duration.
	clockHourWords = map[string]bool{"час": true, "часа": true, "часов": true}
)

// digits reports whether s is 1 to max ASCII digits, and their value.
func digits(s string, max int) (int, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// cutDash splits s at its only '-' into two non-empty halves.
func cutDash(s string) (a, b string, ok bool) {
	if strings.Count(s, "-") != 1 {
		return "", "", false
	}
	a, b, _ = strings.Cut(s, "-")
	return a, b, a != "" && b != ""
}
