package sandbox

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

func TestSandboxFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for none
	}{
		{"help", []string{"-h"}, ""},
		{"unknown language", []string{"-lang", "de"}, `-lang "de"`},
		{"address elsewhere", []string{"-addr", "0.0.0.0:0"}, "this machine only"},
		{"not an address", []string{"-addr", "8080"}, "not host:port"},
		{"stray argument", []string{"now"}, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			serve := func(context.Context, map[string]string, net.Listener, io.Writer) error {
				t.Error("the sandbox started calbot")
				return nil
			}
			err := Run(context.Background(), tt.args, strings.NewReader(""), &out, &errOut, serve)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("sandbox(%q) = %v, want an error with %q", tt.args, err, tt.wantErr)
			}
			if tt.wantErr == "" && !strings.Contains(errOut.String(), "Usage: calbot sandbox") {
				t.Errorf("sandbox -h printed %q, want the usage", errOut.String())
			}
		})
	}
}

func TestSandboxPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ansi     bool
		want     string
	}{
		{"entities", "Standup &lt;team&gt; &amp; &#34;co&#34;", false, `Standup <team> & "co"`},
		{"bold plain", "Connected as <b>you@example.com</b>.", false, "Connected as you@example.com."},
		{"bold on a terminal", "<b>all day</b>", true, "\x1b[1mall day\x1b[22m"},
		{"link", `<a href="https://x.example/e?a=1&amp;b=2">Lunch</a>`, false, "Lunch <https://x.example/e?a=1&b=2>"},
		{"link that is its own text", `<a href="https://x.example/">https://x.example/</a>`, false, "https://x.example/"},
		{"struck through", "<s>Added Lunch</s>\n\nUndone", false, "Added Lunch\n\nUndone"},
		{"code", "<code>/add Lunch tomorrow 13:00</code>", false, "/add Lunch tomorrow 13:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxPlainText(tt.in, tt.ansi); got != tt.want {
				t.Errorf("sandboxPlainText(%q, %v) = %q, want %q", tt.in, tt.ansi, got, tt.want)
			}
		})
	}
}

func TestSandboxZoneName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                          string
		local, tz, etc, localtimeLink string
		want                          string
	}{
		{"TZ set", "Europe/Moscow", "Europe/Moscow", "", "", "Europe/Moscow"},
		{"from /etc/localtime, Debian", "Local", "", "Europe/Berlin\n", "/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"},
		{"from /etc/localtime, macOS", "Local", "", "", "/var/db/timezone/zoneinfo/America/New_York", "America/New_York"},
		{"TZ as a path", "Local", ":/usr/share/zoneinfo/Asia/Tokyo", "", "", "Asia/Tokyo"},
		{"nothing known", "Local", "", "", "", "UTC"},
		{"garbage", "Local", "Mars/Olympus", "../../etc/passwd", "/etc/zoneinfo-not", "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxZoneName(tt.local, tt.tz, tt.etc, tt.localtimeLink); got != tt.want {
				t.Errorf("sandboxZoneName(%q, %q, %q, %q) = %q, want %q", tt.local, tt.tz, tt.etc, tt.localtimeLink, got, tt.want)
			}
		})
	}
}

func TestSandboxUserLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"russian", map[string]string{"LANG": "ru_RU.UTF-8"}, "ru"},
		{"english", map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
		{"LC_ALL wins", map[string]string{"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"},
		{"C locale", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"nothing set", nil, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxUserLang(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("sandboxUserLang(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}

func TestSandboxConsentChoice(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"A": "allow", "allow": "allow", "р": "allow", "Разрешить": "allow", "ф": "allow",
		"d": "deny", "О": "deny", "в": "deny", "no": "deny",
		"u": "untick", "С": "untick",
		"": "", "maybe": "", "/today": "", "/quit": "/quit",
	} {
		if got := sandboxConsentChoice(in); got != want {
			t.Errorf("sandboxConsentChoice(%q) = %q, want %q", in, got, want)
		}
	}
}
