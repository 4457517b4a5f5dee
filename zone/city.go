package zone

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// city is one row of the table: names separated by "|", the first of each
// is the one shown; country is ISO 3166-1 alpha-2; zone is an IANA name.
type city struct {
	en, ru, country, zone string
}

// countries names the countries of the table, for "city, country".
// Codes match by themselves.
var countries = map[string]string{
	"united states": "US", "usa": "US", "us": "US", "сша": "US", "америка": "US",
	"russia": "RU", "россия": "RU", "рф": "RU",
	"costa rica": "CR", "коста рика": "CR",
	"india": "IN", "индия": "IN", "pakistan": "PK", "пакистан": "PK",
	"united kingdom": "GB", "uk": "GB", "великобритания": "GB", "англия": "GB",
	"canada": "CA", "канада": "CA", "australia": "AU", "австралия": "AU",
	"ukraine": "UA", "украина": "UA", "belarus": "BY", "беларусь": "BY",
	"kazakhstan": "KZ", "казахстан": "KZ", "china": "CN", "китай": "CN",
	"brazil": "BR", "бразилия": "BR", "mexico": "MX", "мексика": "MX",
	"spain": "ES", "испания": "ES", "germany": "DE", "германия": "DE",
	"france": "FR", "франция": "FR", "italy": "IT", "италия": "IT",
	"japan": "JP", "япония": "JP", "turkey": "TR", "турция": "TR",
}

// cityIndex maps each normalised name to the rows that carry it.
var cityIndex = func() map[string][]*city {
	m := make(map[string][]*city)
	add := func(names string, c *city) {
		for _, n := range strings.Split(names, "|") {
			k := normalize(n)
			for _, o := range m[k] {
				if o == c {
					return
				}
			}
			m[k] = append(m[k], c)
		}
	}
	for _, tab := range [][]city{worldCities, russianCities} {
		for i := range tab {
			add(tab[i].en, &tab[i])
			add(tab[i].ru, &tab[i])
		}
	}
	return m
}()

// normalize lower-cases s, reads ё as е, turns hyphens, dots, commas and
// apostrophes into spaces, collapses spaces and drops a "г." or "город"
// prefix.
func normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ё", "е", "-", " ", "‐", " ", "–", " ", ".", ". ", "'", "", "’", "", "`", "").Replace(s)
	f := strings.Fields(s)
	if len(f) > 1 && (f[0] == "г." || f[0] == "город" || f[0] == "г") {
		f = f[1:]
	}
	for i, w := range f {
		f[i] = strings.TrimRight(w, ".")
	}
	return strings.Join(f, " ")
}

// parseCity finds text in the table, "name" or "name, country".
func parseCity(text string) (*time.Location, string, error) {
	// "Portland, Oregon" is a name of its own; "San Jose, Costa Rica" is a
	// name and a country.
	if rows := cityIndex[normalize(strings.ReplaceAll(text, ",", " "))]; len(rows) > 0 && strings.Contains(text, ",") {
		return pick(text, text, rows)
	}
	name, country, _ := strings.Cut(text, ",")
	rows := cityIndex[normalize(name)]
	if len(rows) == 0 {
		return nil, "", fmt.Errorf("%w: %q", ErrUnknown, text)
	}
	if c := normalize(country); c != "" {
		code := strings.ToUpper(c)
		if full, ok := countries[c]; ok {
			code = full
		}
		var match []*city
		for _, r := range rows {
			if r.country == code {
				match = append(match, r)
			}
		}
		if len(match) == 0 {
			return nil, "", fmt.Errorf("%w: %q", ErrUnknown, text)
		}
		rows = match
	}
	return pick(text, name, rows)
}

// pick returns the zone of rows, the places text may mean, unless they are
// in different zones.
func pick(text, name string, rows []*city) (*time.Location, string, error) {
	first := rows[0]
	for _, r := range rows[1:] {
		if r.zone != first.zone {
			e := &AmbiguousError{Name: strings.TrimSpace(name)}
			for _, r := range rows {
				e.Choices = append(e.Choices, Choice{City: display(r.en), Country: r.country, Zone: r.zone, Pick: qualify(r, rows)})
			}
			return nil, "", e
		}
	}
	loc, err := time.LoadLocation(first.zone)
	if err != nil {
		return nil, "", fmt.Errorf("%w: zone %s of %s does not load: %v", ErrUnknown, first.zone, display(first.en), err)
	}
	shown := display(first.en)
	if cyrillic(text) {
		shown = display(first.ru)
	}
	return loc, shown, nil
}

// qualify is what picks r alone among rows: its name and country, or, for
// places of one country, its name and the longest alias of it that no
// other place carries ("Portland, Oregon").
func qualify(r *city, rows []*city) string {
	name, same := display(r.en), 0
	for _, o := range rows {
		if o.country == r.country {
			same++
		}
	}
	if same == 1 {
		return name + ", " + r.country
	}
	best := ""
	for _, alias := range strings.Split(r.en, "|") {
		if rest, ok := strings.CutPrefix(alias, name+" "); ok && len(cityIndex[normalize(alias)]) == 1 && len(rest) > len(best) {
			best = rest
		}
	}
	if best == "" {
		return ""
	}
	return name + ", " + best
}

func display(names string) string {
	n, _, _ := strings.Cut(names, "|")
	return n
}

func cyrillic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}
