package draft

import (
	"strings"
	"time"
)

// unused returns the index of the first title word that the grammar knows
// as a date or time word and that stands where it could have been meant as
// one, or -1. Parse then refuses to guess: see "Words left unread" in
// docs/ADD_GRAMMAR.md. Quoted words are never counted.
func (p *parser) unused() int {
	used := p.used()
	for j, t := range p.toks {
		if used[j] || t.quoted {
			continue
		}
		if _, plural := pluralWeekdays[t.norm]; plural || loneWhenWords[t.norm] {
			return j
		}
		if (t.norm == "daily" || t.norm == "weekly") && j > 0 {
			return j
		}
		if !leadWords[t.norm] || j+1 >= len(p.toks) || p.toks[j+1].quoted {
			continue
		}
		next := p.toks[j+1].norm
		if _, count := digits(next, 9); count && weakLeads[t.norm] {
			continue // "встреча с 3 клиентами", "work on 2 projects"
		}
		if whenish(next) {
			return j
		}
	}
	return -1
}

// whenish reports whether s says when: a number, a date, time or duration
// word, a weekday or month name, or a word like "week" or "месяц".
func whenish(s string) bool {
	if whenNouns[s] || looksWhen(s) {
		return true
	}
	// Written like a time or a date, even one that is not ("0:0", "31.13"):
	// after a lead word it was meant as one, so it must not go silently
	// into the title.
	if rest := strings.TrimLeft(s, "0123456789"); rest != s && rest != "" && strings.Trim(rest, "0123456789.,:/-") == "" {
		return true
	}
	if _, ok := weekdays[s]; ok {
		return true
	}
	if _, ok := pluralWeekdays[s]; ok {
		return true
	}
	if _, ok := amountWord(s); ok {
		return true
	}
	_, ok := dayNumber(s)
	return ok
}

// amountWord reports whether s is a number such as "2", "1.5" or "1,5".
func amountWord(s string) (int, bool) {
	w, _, ok := amount(s, true)
	return w, ok
}

// unusedErr is the KindUnusedWord error for title word j. Keep is the
// phrase with its title in quotes, if that phrase parses.
func (p *parser) unusedErr(j int, now time.Time) error {
	e := errAt(KindUnusedWord, p.toks[j].raw)
	used := p.used()
	var title, rest []string
	for k, t := range p.toks {
		if used[k] {
			rest = append(rest, t.raw)
		} else {
			title = append(title, t.raw)
		}
	}
	if len(rest) == 0 {
		return e
	}
	keep := `"` + strings.Join(title, " ") + `" ` + strings.Join(rest, " ")
	if _, _, err := parse(keep, now); err == nil {
		e.Keep = keep
	}
	return e
}
