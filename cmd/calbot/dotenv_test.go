package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/joho/godotenv"
)

func TestReadDotEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("LOG_LEVEL", "warn") // the real environment wins
	t.Setenv("HTTP_ADDR", "")     // even when set to nothing
	path := writeFile(t, ".env", `# calbot settings
TELEGRAM_BOT_TOKEN=`+validToken+`
export PUBLIC_URL=https://calbot.example.org
GOOGLE_CLIENT_ID="`+validClientID+`"
GOOGLE_CLIENT_SECRET='GOCSPX-abc'   # from Cloud Console
LOG_LEVEL=debug
HTTP_ADDR=:9000
`)

	if err := readDotEnv(path); err != nil {
		t.Fatalf("readDotEnv(%q) error: %v", path, err)
	}
	for key, want := range map[string]string{
		"TELEGRAM_BOT_TOKEN":   validToken,
		"PUBLIC_URL":           validPublic,
		"GOOGLE_CLIENT_ID":     validClientID,
		"GOOGLE_CLIENT_SECRET": validSecret,
		"LOG_LEVEL":            "warn",
		"HTTP_ADDR":            "",
	} {
		if got, ok := os.LookupEnv(key); !ok || got != want {
			t.Errorf("after readDotEnv(%q): %s = %q (set %v), want %q", path, key, got, ok, want)
		}
	}
	if got, ok := os.LookupEnv("DB_PATH"); ok {
		t.Errorf("after readDotEnv(%q): DB_PATH = %q, want it unset", path, got)
	}
}

func TestReadDotEnvMissingFile(t *testing.T) {
	clearEnv(t)
	path := filepath.Join(t.TempDir(), ".env")
	if err := readDotEnv(path); err != nil {
		t.Errorf("readDotEnv(%q) = %v, want nil", path, err)
	}
	if got, ok := os.LookupEnv("TELEGRAM_BOT_TOKEN"); ok {
		t.Errorf("after readDotEnv(%q): TELEGRAM_BOT_TOKEN = %q, want it unset", path, got)
	}
}

func TestReadDotEnvRefusesBadFile(t *testing.T) {
	tests := []struct {
		name    string
		content string // "" means the path is a directory
	}{
		{"directory", ""},
		{"line without equals", "LOG_LEVEL debug\nTELEGRAM_BOT_TOKEN=" + validToken + "\nGOOGLE_CLIENT_SECRET=GOCSPX-abc\n"},
		{"dash in name", "LOG-LEVEL=debug\nTELEGRAM_BOT_TOKEN=" + validToken + "\nGOOGLE_CLIENT_SECRET=GOCSPX-abc\n"},
		{"unterminated quote", "TELEGRAM_BOT_TOKEN=\"" + validToken + "\nGOOGLE_CLIENT_SECRET=GOCSPX-abc\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			path := t.TempDir()
			if tt.content != "" {
				path = writeFile(t, ".env", tt.content)
			}
			err := readDotEnv(path)
			if err == nil {
				t.Fatalf("readDotEnv(%q) = nil, want a configError", path)
			}
			if ps := problems(t, err); len(ps) != 1 || !strings.Contains(ps[0], path) {
				t.Errorf("readDotEnv(%q) problems = %q, want one naming the file", path, ps)
			}
			for _, secret := range []string{validToken, validSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("readDotEnv(%q) error repeats the secret %q:\n%v", path, secret, err)
				}
			}
			if got, ok := os.LookupEnv("TELEGRAM_BOT_TOKEN"); ok {
				t.Errorf("after failed readDotEnv(%q): TELEGRAM_BOT_TOKEN = %q, want it unset", path, got)
			}
		})
	}
}

func TestEnvconfigUsage(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := envconfigUsage(&buf); err != nil {
		t.Fatalf("envconfigUsage() error: %v", err)
	}
	out := buf.String()
	for _, v := range envVars(t) {
		if !strings.Contains(out, v.name) {
			t.Errorf("envconfigUsage() output lacks %s:\n%s", v.name, out)
		}
		if v.def != "" && !strings.Contains(out, v.def) {
			t.Errorf("envconfigUsage() output lacks %s's default %q:\n%s", v.name, v.def, out)
		}
	}
}

// TestUsageFromRun: help and -h print help and start nothing; an unknown
// command or argument is an error.
func TestUsageFromRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args             []string
		wantOut, wantErr string
	}{
		{[]string{"help"}, "Usage: calbot", ""},
		{[]string{"-h"}, "the real environment wins", ""},
		{[]string{"--help"}, "TELEGRAM_BOT_TOKEN", ""},
		{[]string{"srve"}, "", `unknown command "srve"`},
		{[]string{"serve", "-h"}, "Usage: calbot serve", ""},
		{[]string{"serve", "--help"}, "TELEGRAM_BOT_TOKEN", ""},
		{[]string{"healthcheck", "-h"}, "Usage: calbot healthcheck", ""},
		{[]string{"backup", "-h"}, "Usage: calbot backup [-force] FILE", ""},
		{[]string{"serve", "now"}, "", `calbot serve takes no arguments, got ["now"]`},
		{[]string{"healthcheck", "-v"}, "", "flag provided but not defined: -v"},
		{[]string{"healthcheck", "localhost:8080"}, "", "calbot healthcheck takes no arguments"},
		{[]string{"version"}, "calbot ", ""},
		{[]string{"-version"}, ", built with go", ""},
		{[]string{"version", "-v"}, "", "calbot version takes no arguments"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := run(context.Background(), append([]string{"calbot"}, tt.args...), &buf, &buf)
		if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(buf.String(), tt.wantOut) {
			t.Errorf("run(%q) = %v and printed %q; want error %q and output with %q", tt.args, err, buf.String(), tt.wantErr, tt.wantOut)
		}
	}
}

// exampleLine is a variable assignment in .env.example, commented or not.
var exampleLine = regexp.MustCompile(`^[A-Z][A-Z0-9_]*=`)

// TestDotEnvExample keeps .env.example in step with the env struct: it
// parses, sets only the required variables, and shows every other one
// commented out with its default.
func TestDotEnvExample(t *testing.T) {
	t.Parallel()
	const path = "../../.env.example"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	active, err := godotenv.Read(path)
	if err != nil {
		t.Fatalf("godotenv.Read(%q) error: %v", path, err)
	}
	want := []string{"GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "PUBLIC_URL", "TELEGRAM_BOT_TOKEN"}
	if diff := cmp.Diff(want, slices.Sorted(maps.Keys(active))); diff != "" {
		t.Errorf("%s sets these variables (-want +got):\n%s", path, diff)
	}

	// Uncommented, every example line must parse to a known variable.
	var uncommented strings.Builder
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "# "); ok && exampleLine.MatchString(rest) {
			uncommented.WriteString(rest)
		}
	}
	commented, err := godotenv.Unmarshal(uncommented.String())
	if err != nil {
		t.Fatalf("commented examples in %s do not parse: %v", path, err)
	}
	known := map[string]bool{}
	for _, v := range envVars(t) {
		known[v.name] = true
		_, isActive := active[v.name]
		got, isCommented := commented[v.name]
		switch {
		case !isActive && !isCommented:
			t.Errorf("%s does not show %s", path, v.name)
		case v.def != "" && got != v.def:
			t.Errorf("%s shows %s=%q, want its default %q", path, v.name, got, v.def)
		}
	}
	for name := range commented {
		if !known[name] {
			t.Errorf("%s shows %s, which calbot does not read", path, name)
		}
	}
	for _, s := range []string{"/oauth/callback", "environment wins", "trimmed"} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("%s does not mention %q", path, s)
		}
	}
}

// TestDotEnvExampleIsRefused: a copy of .env.example that was not filled in
// must not start; each of its example values is named.
func TestDotEnvExampleIsRefused(t *testing.T) {
	t.Parallel()
	active, err := godotenv.Read("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	e := envFrom(active)
	_, err = e.validate()
	ps := problems(t, err)
	for name := range active {
		if !slices.ContainsFunc(ps, func(p string) bool {
			return strings.HasPrefix(p, name+" still holds the example value from .env.example")
		}) {
			t.Errorf("validate(.env.example) problems = %q, want one saying %s still holds the example value", ps, name)
		}
	}
}
