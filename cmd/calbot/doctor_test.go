package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// TestDoctorConfig runs calbot doctor as a user does and checks how the
// configuration reaches it: problems named with their variables, .env read,
// the client read from GOOGLE_CREDENTIALS_FILE, secrets never shown. The
// checks themselves are tested in internal/doctor.
func TestDoctorConfig(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		want    []string // lines of the output, with DIR for the directory
		wantErr string   // "" for success
	}{
		{"complete", nil, []string{
			"✓ configuration: complete",
			"✓ telegram: token valid, bot @calbot_test_bot",
			"✓ google: client id and secret accepted by the token endpoint",
			"✓ database: DIR/calbot.db does not exist yet; calbot creates it on first start (the directory is writable)",
		}, ""},
		{"problems skip what needs them", func(t *testing.T, dir string) {
			unsetenv(t, "TELEGRAM_BOT_TOKEN")
			t.Setenv("PUBLIC_URL", "ftp://calbot.example.com")
		}, []string{
			"✗ configuration: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token here",
			`✗ configuration: PUBLIC_URL "ftp://calbot.example.com" is not a plain http(s) base URL like https://calbot.example.com`,
			"– telegram: skipped: fix TELEGRAM_BOT_TOKEN first",
			"– google: skipped: fix PUBLIC_URL first",
		}, "2 problems found"},
		{"bad key", func(t *testing.T, dir string) { t.Setenv("SECRET_KEY", "c2hvcnQ=") }, []string{
			"✗ configuration: SECRET_KEY decodes to 5 bytes, want 32: generate one with `openssl rand -base64 32`, or unset it to let calbot make one",
			"– secret key: skipped: fix SECRET_KEY first",
		}, "1 problem found"},
		{"settings from .env", func(t *testing.T, dir string) {
			unsetenv(t, "TELEGRAM_BOT_TOKEN")
			os.WriteFile(filepath.Join(dir, ".env"), []byte("TELEGRAM_BOT_TOKEN="+testBotToken+"\n"), 0o600)
		}, []string{"✓ configuration: complete", "✓ telegram: token valid, bot @calbot_test_bot"}, ""},
		{"broken .env", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, ".env"), []byte("LOG-LEVEL=debug\n"), 0o600)
		}, []string{
			"✗ configuration: .env is not a valid .env file: each line must be KEY=value or a # comment (quote values with spaces or #)",
			"✓ telegram: token valid, bot @calbot_test_bot",
		}, "1 problem found"},
		{"client from GOOGLE_CREDENTIALS_FILE", func(t *testing.T, dir string) {
			unsetenv(t, "GOOGLE_CLIENT_ID")
			unsetenv(t, "GOOGLE_CLIENT_SECRET")
			path := filepath.Join(dir, "client_secret.json")
			os.WriteFile(path, []byte(`{"web":{"client_id":"`+testClientID+`","client_secret":"`+testClientSecret+`"}}`), 0o600)
			t.Setenv("GOOGLE_CREDENTIALS_FILE", path)
		}, []string{"✓ configuration: complete", "✓ google: client id and secret accepted by the token endpoint"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := doctorEnv(t)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"calbot", "doctor", "-timeout", "5s"}, &stdout, &stderr)
			got := strings.ReplaceAll(stdout.String(), dir, "DIR")
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Errorf("calbot doctor = %v, want %q", err, tt.wantErr)
			}
			for _, want := range tt.want {
				if !strings.Contains("\n"+got, "\n"+want+"\n") {
					t.Errorf("calbot doctor output lacks the line\n%s\noutput:\n%s", want, got)
				}
			}
			for _, secret := range []string{testBotToken, testClientSecret, testSecretKey} {
				if strings.Contains(got, secret) {
					t.Errorf("calbot doctor output repeats the secret %q:\n%s", secret, got)
				}
			}
		})
	}
}

// doctorEnv sets an environment that passes every check of calbot doctor:
// fake Telegram and Google on 127.0.0.1, a free HTTP_ADDR that PUBLIC_URL
// names, and a temporary directory for the database that is also the
// working directory, which it returns.
func doctorEnv(t *testing.T) string {
	t.Helper()
	clearEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	public := "http://" + addr
	tg := telegramfake.New(t, testBotToken)
	g := oauthfake.New(t, testClientID, testClientSecret, public+"/oauth/callback")
	// Doctor tests the client with a made-up code on purpose.
	g.Tolerate("POST /token: ")
	for k, v := range map[string]string{
		"TELEGRAM_BOT_TOKEN":   testBotToken,
		"TELEGRAM_API_URL":     tg.URL(),
		"PUBLIC_URL":           public,
		"GOOGLE_CLIENT_ID":     testClientID,
		"GOOGLE_CLIENT_SECRET": testClientSecret,
		"GOOGLE_TOKEN_URL":     g.TokenURL(),
		"SECRET_KEY":           testSecretKey,
		"HTTP_ADDR":            addr,
		"DB_PATH":              filepath.Join(dir, "calbot.db"),
	} {
		t.Setenv(k, v)
	}
	return dir
}
