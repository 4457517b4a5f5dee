package telegramfake

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlTags are the tags Telegram's parse_mode=HTML accepts.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"tg-spoiler": true, "span": true, "blockquote": true, "tg-emoji": true,
}

// parseHTML parses text as Telegram does for parse_mode=HTML and returns the
// text a user sees and the number of tags. Error texts follow Telegram's
// (they follow "can't parse entities: "). One difference, on purpose: an "&"
// that does not start &lt; &gt; &amp; &quot; or a numeric entity is an
// error here, while Telegram shows it as is; that catches text that skipped
// html.EscapeString.
func parseHTML(text string) (plain string, tags int, err error) {
	var b strings.Builder
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '&':
			r, n := decodeEntity(text[i:])
			if n == 0 {
				return "", 0, markupErr(`Unescaped "&" at byte offset %d (telegramfake requires &amp;)`, i)
			}
			b.WriteString(r)
			i += n
		case '<':
			if i+1 < len(text) && text[i+1] == '/' {
				next, err := endTag(text, i, open)
				if err != nil {
					return "", 0, err
				}
				open = open[:len(open)-1]
				i = next
				continue
			}
			name, next, err := startTag(text, i)
			if err != nil {
				return "", 0, err
			}
			open = append(open, name)
			tags++
			i = next
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", 0, markupErr("Can't find end tag corresponding to start tag %q", open[len(open)-1])
	}
	return b.String(), tags, nil
}

// markupError is a parse error in Telegram's own words, capitalised as
// Telegram sends them.
type markupError struct{ desc string }

func (e *markupError) Error() string { return e.desc }

func markupErr(format string, args ...any) error {
	return &markupError{desc: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// endTag parses the end tag at text[at] ("</b>" or "</>") and returns the
// offset after it.
func endTag(text string, at int, open []string) (int, error) {
	if len(open) == 0 {
		return 0, markupErr("Unexpected end tag at byte offset %d", at)
	}
	j := at + 2
	for j < len(text) && !isSpace(text[j]) && text[j] != '>' {
		j++
	}
	name := strings.ToLower(text[at+2 : j])
	for j < len(text) && isSpace(text[j]) {
		j++
	}
	if j >= len(text) || text[j] != '>' {
		return 0, markupErr("Unclosed end tag at byte offset %d", at)
	}
	if top := open[len(open)-1]; name != "" && name != top {
		return 0, markupErr(`Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"`, at, top, name)
	}
	return j + 1, nil
}

// startTag parses the start tag at text[at] and returns its name and the
// offset after it.
func startTag(text string, at int) (string, int, error) {
	unclosed := markupErr("Unclosed start tag at byte offset %d", at)
	j := at + 1
	for j < len(text) && !isSpace(text[j]) && text[j] != '>' {
		j++
	}
	if j >= len(text) {
		return "", 0, unclosed
	}
	name := strings.ToLower(text[at+1 : j])
	if !htmlTags[name] {
		return "", 0, markupErr("Unsupported start tag %q at byte offset %d", name, at)
	}
	attrs := map[string]string{}
	for {
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		if j >= len(text) {
			return "", 0, unclosed
		}
		if text[j] == '>' {
			break
		}
		k := j
		for j < len(text) && !isSpace(text[j]) && !strings.ContainsRune(`=>/"'`, rune(text[j])) {
			j++
		}
		attr := strings.ToLower(text[k:j])
		if attr == "" {
			return "", 0, markupErr("Empty attribute name in the tag %q at byte offset %d", name, at)
		}
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		if j >= len(text) {
			return "", 0, unclosed
		}
		if text[j] != '=' {
			attrs[attr] = ""
			continue
		}
		j++
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		if j >= len(text) {
			return "", 0, unclosed
		}
		value, next, err := attrValue(text, j)
		if err != nil {
			return "", 0, err
		}
		if next >= len(text) {
			return "", 0, unclosed
		}
		attrs[attr], j = value, next
	}
	if name == "span" && attrs["class"] != "tg-spoiler" {
		return "", 0, markupErr(`Tag "span" must have class "tg-spoiler" at byte offset %d`, at)
	}
	return name, j + 1, nil
}

// attrValue parses a quoted or bare attribute value at text[at].
func attrValue(text string, at int) (string, int, error) {
	if q := text[at]; q == '"' || q == '\'' {
		var b strings.Builder
		j := at + 1
		for j < len(text) && text[j] != q {
			if text[j] == '&' {
				r, n := decodeEntity(text[j:])
				if n == 0 {
					return "", 0, markupErr(`Unescaped "&" at byte offset %d (telegramfake requires &amp;)`, j)
				}
				b.WriteString(r)
				j += n
				continue
			}
			b.WriteByte(text[j])
			j++
		}
		if j < len(text) {
			j++ // closing quote
		}
		return b.String(), j, nil
	}
	j := at
	for j < len(text) && (isAlnum(text[j]) || text[j] == '.' || text[j] == '-') {
		j++
	}
	if j < len(text) && !isSpace(text[j]) && text[j] != '>' {
		return "", 0, markupErr("Unexpected end of name token at byte offset %d", at)
	}
	return strings.ToLower(text[at:j]), j, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// decodeEntity decodes the character reference at the start of s and
// returns it with its length, or n == 0 if s does not start with one that
// Telegram knows.
func decodeEntity(s string) (r string, n int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return "", 0
	}
	switch name := s[1:end]; name {
	case "lt":
		return "<", end + 1
	case "gt":
		return ">", end + 1
	case "amp":
		return "&", end + 1
	case "quot":
		return `"`, end + 1
	default:
		if name[0] != '#' {
			return "", 0
		}
		code, ok := numericEntity(name[1:])
		if !ok {
			return "", 0
		}
		return string(code), end + 1
	}
}

func numericEntity(digits string) (rune, bool) {
	base := 10
	if strings.HasPrefix(digits, "x") || strings.HasPrefix(digits, "X") {
		base, digits = 16, digits[1:]
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || v == 0 || !utf8.ValidRune(rune(v)) {
		return 0, false
	}
	return rune(v), true
}

// validButtonURL is strict where Telegram is: only http and https, and a
// host with a dot (Telegram refuses "localhost" with BUTTON_URL_INVALID).
func validButtonURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	return strings.Contains(host, ".") && !strings.HasPrefix(host, ".") && !strings.HasSuffix(host, ".")
}
