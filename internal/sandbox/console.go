package sandbox

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	// A deliberate exception: the sandbox drives the fakes (see sandbox.go).
	"github.com/calbot/calbot/bot/telegramfake"
)

// sandboxConsole writes the chat to the terminal. Its methods may be called from
// several goroutines; each message comes out whole.
type sandboxConsole struct {
	mu   sync.Mutex
	w    io.Writer
	lang string
	ansi bool // bold and dim attributes: only when w is a terminal
}

func newSandboxConsole(w io.Writer, lang string, ansi bool) *sandboxConsole {
	return &sandboxConsole{w: w, lang: lang, ansi: ansi}
}

func (c *sandboxConsole) write(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.w, s)
}

// styled wraps s in an ANSI attribute when the console takes them.
func (c *sandboxConsole) styled(code, s string) string {
	if !c.ansi {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// sandboxIndent is where a message's text starts, after "calbot: ".
const sandboxIndent = "        "

// message shows one of calbot's messages, an edit of one or its deletion,
// with its buttons numbered. signIn is the prefix of calbot's sign-in links.
func (c *sandboxConsole) message(m telegramfake.SentMessage, signIn string) {
	if m.Deleted {
		c.write(c.styled("2", sandboxText(c.lang, smDeleted)) + "\n")
		return
	}
	body := m.Text
	if strings.EqualFold(m.ParseMode, tgbotapi.ModeHTML) {
		body = sandboxPlainText(body, c.ansi)
	}
	label := "calbot: "
	if m.Edited {
		label = sandboxText(c.lang, smEdited) + "\n" + sandboxIndent
	}
	var b strings.Builder
	b.WriteString(c.styled("36", label))
	for i, line := range strings.Split(body, "\n") {
		if i > 0 {
			b.WriteString("\n")
			if line != "" {
				b.WriteString(sandboxIndent)
			}
		}
		b.WriteString(line)
	}
	b.WriteString("\n")
	if m.Markup != nil {
		n, hint := 0, false
		for _, row := range m.Markup.InlineKeyboard {
			var keys []string
			for _, k := range row {
				n++
				key := c.styled("1", fmt.Sprintf("[%d]", n)) + " " + k.Text
				if k.URL != nil {
					key += " <" + *k.URL + ">"
					hint = hint || strings.HasPrefix(*k.URL, signIn)
				}
				keys = append(keys, key)
			}
			b.WriteString(sandboxIndent + strings.Join(keys, "  ") + "\n")
		}
		if hint {
			b.WriteString(sandboxIndent + c.styled("2", sandboxText(c.lang, smSignInHint)) + "\n")
		}
	}
	c.write(b.String())
}

// note shows what the sandbox itself says: what a browser or Telegram's
// app would show, and help.
func (c *sandboxConsole) note(m sandboxMsg, args ...any) {
	c.write(c.styled("2", sandboxText(c.lang, m, args...)) + "\n")
}

// echo shows a line the user sent, when the input is not a terminal that
// shows it already.
func (c *sandboxConsole) echo(line string) {
	c.write(c.styled("1", "> "+line) + "\n")
}

func (c *sandboxConsole) welcome(zone, logFile, db string) {
	var b strings.Builder
	b.WriteString(sandboxText(c.lang, smWelcome, sandboxBotName, sandboxAccount.Email, zone))
	b.WriteString("\n\n")
	if logFile == "" {
		b.WriteString(sandboxText(c.lang, smLogHere))
	} else {
		b.WriteString(sandboxText(c.lang, smLogFile, logFile))
	}
	b.WriteString("\n")
	if db == "" {
		b.WriteString(sandboxText(c.lang, smDBTemporary))
	} else {
		b.WriteString(sandboxText(c.lang, smDBKept, db))
	}
	c.write(b.String() + "\n\n")
}

func (c *sandboxConsole) bye(db string) {
	if db == "" {
		c.note(smBye)
		return
	}
	c.note(smByeKept, db)
}

// sandboxColor reports whether w is a terminal that takes ANSI attributes.
func sandboxColor(w io.Writer) bool {
	return sandboxIsTTY(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// sandboxIsTTY reports whether v is a terminal.
func sandboxIsTTY(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// sandboxPlainText turns the Telegram HTML that calbot sends into terminal
// text: tags dropped, entities decoded, links as "text <url>", and with ansi
// set, bold, italic, underline and strikethrough as ANSI attributes. The
// HTML was validated by the fake Telegram, so a simple scan does.
func sandboxPlainText(s string, ansi bool) string {
	var b strings.Builder
	type link struct {
		href  string
		start int
	}
	var links []link
	attrs := map[string][2]string{
		"b": {"1", "22"}, "strong": {"1", "22"}, "i": {"3", "23"}, "em": {"3", "23"},
		"u": {"4", "24"}, "ins": {"4", "24"}, "s": {"9", "29"}, "strike": {"9", "29"}, "del": {"9", "29"},
	}
	for s != "" {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:lt]))
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			b.WriteString(html.UnescapeString(s[lt:]))
			break
		}
		tag := s[lt+1 : lt+gt]
		s = s[lt+gt+1:]
		closing := strings.HasPrefix(tag, "/")
		name, rest, _ := strings.Cut(strings.TrimPrefix(tag, "/"), " ")
		name = strings.ToLower(name)
		switch {
		case name == "a" && !closing:
			links = append(links, link{href: sandboxAttr(rest, "href"), start: b.Len()})
		case name == "a" && len(links) > 0:
			l := links[len(links)-1]
			links = links[:len(links)-1]
			if l.href != "" && b.String()[l.start:] != l.href {
				if ansi {
					b.WriteString(" \x1b[2m<" + l.href + ">\x1b[22m")
				} else {
					b.WriteString(" <" + l.href + ">")
				}
			}
		case ansi && attrs[name] != [2]string{}:
			code := attrs[name][0]
			if closing {
				code = attrs[name][1]
			}
			b.WriteString("\x1b[" + code + "m")
		}
	}
	return b.String()
}

// sandboxAttr returns the value of attribute name in a tag's attribute text.
func sandboxAttr(attrs, name string) string {
	for _, q := range []string{`"`, `'`} {
		if _, v, ok := strings.Cut(attrs, name+"="+q); ok {
			v, _, _ = strings.Cut(v, q)
			return html.UnescapeString(v)
		}
	}
	return ""
}
