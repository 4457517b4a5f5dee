// Package zone finds the time zone a user means by what they type: an IANA
// name in any case ("europe/moscow"), an offset from UTC ("UTC+3",
// "GMT-04:30"), or a city in English or Russian ("Питер", "NYC",
// "г. Екатеринбург"). It is pure: no I/O, no clock.
package zone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ErrUnknown is returned by Parse for text that names no zone it knows.
var ErrUnknown = errors.New("unknown time zone or city")

// Choice is one of the places an ambiguous city name may mean.
type Choice struct {
	City    string // the city's English name
	Country string // ISO 3166-1 alpha-2
	Zone    string // IANA name
	// Pick is what to type to mean this place alone, which Parse reads
	// as it: "Portland, Oregon", "Hyderabad, PK"; "" when only the zone
	// name tells it apart.
	Pick string
}

// AmbiguousError is returned by Parse for a city name that several places
// in different time zones carry ("Portland"). Parse does not guess, even
// when one place is much larger ("Hyderabad": India or Pakistan): the user
// adds the country or state after a comma ("San Jose, Costa Rica",
// "Hyderabad, PK", "Portland, Oregon") or types the zone.
type AmbiguousError struct {
	Name    string
	Choices []Choice
}

// Error lists the choices.
func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q may mean ", e.Name)
	for i, c := range e.Choices {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s, %s)", c.City, c.Country, c.Zone)
	}
	return b.String()
}

// maxInput bounds what Parse reads: no city or zone name is longer.
const maxInput = 100

// Parse returns the time zone text names and a name to show for it: the
// IANA name for an IANA name, "UTC+03:00" for an offset, and the city's
// name (in Russian if text is in Cyrillic, else in English) for a city.
//
// It accepts, ignoring case, surrounding space and ё/е:
//   - an IANA name, "Europe/Moscow", "utc", "Etc/GMT-3" (a POSIX sign:
//     three hours east of Greenwich);
//   - "UTC" or "GMT" followed by an offset: "+3", "-04:30", "+0545" (not
//     "+5.5"), in quarter hours within -12:00..+14:00, with the everyday
//     sign (UTC+3 is Moscow). Whole hours map to the Etc/GMT zone
//     of the opposite sign; other offsets to a fixed zone;
//   - a city of its table (the world's largest cities and every Russian
//     regional capital) in English or Russian, with common variants
//     ("СПб", "Питер", "NYC"), hyphens or spaces, and a "г." or "город"
//     prefix. A city name that places in different zones share gives an
//     *AmbiguousError; "name, country" picks one (country as an ISO code
//     or its English or Russian name).
//
// Anything else gives an error wrapping ErrUnknown. Every location Parse
// returns has been loaded from the embedded or system tzdata or is fixed.
func Parse(text string) (loc *time.Location, name string, err error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxInput {
		return nil, "", ErrUnknown
	}
	if loc, name, ok := parseOffset(text); ok {
		return loc, name, nil
	}
	if canon, ok := ianaName(text); ok {
		loc, err := time.LoadLocation(canon)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s does not load: %v", ErrUnknown, canon, err)
		}
		return loc, canon, nil
	}
	return parseCity(text)
}

// parseOffset reads "UTC+3", "GMT-04:30", "UTC +05:45", "UTC+0530".
func parseOffset(text string) (*time.Location, string, bool) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "\u2212", "-").Replace(text))
	switch {
	case strings.HasPrefix(s, "UTC"), strings.HasPrefix(s, "GMT"):
		s = s[3:]
	default:
		return nil, "", false
	}
	if s == "" || s == "+0" || s == "-0" {
		return nil, "", false // plain "UTC"/"GMT" are IANA names
	}
	sign := 1
	switch s[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return nil, "", false
	}
	s = s[1:]
	var hs, ms string
	switch {
	case strings.Contains(s, ":"):
		hs, ms, _ = strings.Cut(s, ":")
	case len(s) == 4:
		hs, ms = s[:2], s[2:]
	default:
		hs = s
	}
	if len(hs) == 0 || len(hs) > 2 || len(ms) != 0 && len(ms) != 2 || !digits(hs) || !digits(ms) {
		return nil, "", false
	}
	h, _ := strconv.Atoi(hs)
	m := 0
	if ms != "" {
		m, _ = strconv.Atoi(ms)
	}
	if m >= 60 || m%15 != 0 {
		return nil, "", false
	}
	secs := sign * (h*3600 + m*60)
	if secs < -12*3600 || secs > 14*3600 {
		return nil, "", false
	}
	name := "UTC" + formatOffset(secs)
	if m == 0 {
		// Etc/GMT signs are POSIX's: Etc/GMT-3 is three hours EAST.
		etc := fmt.Sprintf("Etc/GMT%+d", -sign*h)
		if h == 0 {
			etc = "Etc/UTC"
		}
		if loc, err := time.LoadLocation(etc); err == nil {
			return loc, name, true
		}
	}
	return time.FixedZone(name, secs), name, true
}

// formatOffset writes secs east of UTC as "+03:00".
func formatOffset(secs int) string {
	sign := '+'
	if secs < 0 {
		sign, secs = '-', -secs
	}
	return fmt.Sprintf("%c%02d:%02d", sign, secs/3600, secs%3600/60)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ianaName returns the IANA name text spells in some case, if any.
func ianaName(text string) (string, bool) {
	if !strings.Contains(text, "/") && !isSingleWordZone(text) {
		return "", false
	}
	canon, ok := ianaIndex[strings.ToLower(strings.ReplaceAll(text, " ", "_"))]
	return canon, ok
}

func isSingleWordZone(text string) bool {
	for _, r := range text {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '+' || r == '_')) {
			return false
		}
	}
	return true
}

// ianaIndex maps each lower-case IANA name to its spelling.
var ianaIndex = func() map[string]string {
	m := make(map[string]string, len(ianaNames))
	for _, n := range ianaNames {
		m[strings.ToLower(n)] = n
	}
	return m
}()
