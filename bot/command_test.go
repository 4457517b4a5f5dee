package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name, in      string
		cmd, at, args string
		ok            bool
	}{
		{"bare", "/today", "today", "", "", true},
		{"args", "/add Lunch tomorrow 13:00", "add", "", "Lunch tomorrow 13:00", true},
		{"addressed", "/today@calbot_bot", "today", "calbot_bot", "", true},
		{"addressed with args", "/add@calbot_bot Lunch 13:00", "add", "calbot_bot", "Lunch 13:00", true},
		{"upper case", "/TODAY", "today", "", "", true},
		{"newline args", "/add\nLunch 13:00", "add", "", "Lunch 13:00", true},
		{"deep link", "/start connect", "start", "", "connect", true},
		{"russian args", "/add Обед завтра 13:00", "add", "", "Обед завтра 13:00", true},
		{"plain text", "hello", "", "", "", false},
		{"slash only", "/", "", "", "", false},
		{"path", "/etc/passwd", "", "", "", false},
		{"cyrillic command", "/сегодня", "", "", "", false},
		{"too long", "/" + strings.Repeat("a", 33), "", "", "", false},
		{"invalid utf8", "/add \xff", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, at, args, ok := parseCommand(tt.in)
			if cmd != tt.cmd || at != tt.at || args != tt.args || ok != tt.ok {
				t.Errorf("parseCommand(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.in, cmd, at, args, ok, tt.cmd, tt.at, tt.args, tt.ok)
			}
		})
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/today", "/add@calbot_bot Lunch 13:00", "/start connect", "/", "hello", "/add\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, _, args, ok := parseCommand(s)
		if !ok {
			if cmd != "" || args != "" {
				t.Fatalf("parseCommand(%q) rejected but returned %q, %q", s, cmd, args)
			}
			return
		}
		if cmd == "" || cmd != strings.ToLower(cmd) || !utf8.ValidString(args) || args != strings.TrimSpace(args) {
			t.Fatalf("parseCommand(%q) = %q, %q", s, cmd, args)
		}
	})
}
