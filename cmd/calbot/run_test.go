package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveEnv is a valid configuration with its database in a temporary
// directory and Telegram at apiURL.
func serveEnv(t *testing.T, apiURL string) env {
	t.Helper()
	e := validEnv()
	e.DBPath = filepath.Join(t.TempDir(), "calbot.db")
	e.HTTPAddr = "127.0.0.1:0"
	e.AdminSocket = filepath.Join(t.TempDir(), "a.sock")
	e.TelegramAPIURL = apiURL
	e.SecretKey = testSecretKey
	return e
}

// TestServeRefusesKeyThatDoesNotOpen: a key that cannot open the stored
// links stops calbot at start, with one line naming the key and the fix,
// before it reaches Telegram; a key file it made for the purpose is removed.
func TestServeRefusesKeyThatDoesNotOpen(t *testing.T) {
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name      string
		secretKey string // SECRET_KEY; "" unset
		keyFile   string // the key file's content; "" none
		links     int    // sealed with other
		want      string
	}{
		{"wrong SECRET_KEY", testSecretKey, "", 1, "SECRET_KEY does not open the 1 linked chat in DB_PATH ("},
		{"wrong key file", "", testSecretKey + "\n", 2, "the key file DIR/calbot.db.key does not open the 2 linked chats in DB_PATH (DIR/calbot.db)"},
		{"key file missing", "", "", 3, "DB_PATH (DIR/calbot.db) holds 3 linked chats but SECRET_KEY is not set and its key file DIR/calbot.db.key is missing"},
		{"SECRET_KEY differs from the key file", testSecretKey, other + "\n", 1, "SECRET_KEY and the key file DIR/calbot.db.key hold different keys and DB_PATH (DIR/calbot.db) holds 1 linked chat; SECRET_KEY does not open them"},
		{"SECRET_KEY right, but differs from the key file", other, testSecretKey + "\n", 1, "hold different keys and DB_PATH (DIR/calbot.db) holds 1 linked chat; SECRET_KEY opens them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			telegram := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("calbot called Telegram (%s) although its key is wrong", r.URL.Path)
			}))
			defer telegram.Close()
			e := serveEnv(t, telegram.URL)
			e.SecretKey = tt.secretKey
			dir := filepath.Dir(e.DBPath)
			otherKey, _ := decodeKey(other)
			seedDB(t, e.DBPath, otherKey, tt.links)
			if tt.keyFile != "" {
				os.WriteFile(keyFile(e.DBPath), []byte(tt.keyFile), 0o600)
			}
			cfg, err := e.validate()
			if err != nil {
				t.Fatal(err)
			}
			err = serve(context.Background(), cfg, deps{log: slog.New(slog.DiscardHandler)})
			if err == nil {
				t.Fatal("serve started with a key that does not open the links")
			}
			msg := strings.ReplaceAll(err.Error(), dir, "DIR")
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("serve = %q, want one line with %q", msg, tt.want)
			}
			for _, secret := range []string{testSecretKey, other} {
				if strings.Contains(msg, secret) {
					t.Errorf("serve's error shows a key: %q", msg)
				}
			}
			if _, err := os.Stat(keyFile(e.DBPath)); tt.keyFile == "" && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("serve left a key file it made: %v", err)
			}
		})
	}
}

// TestStartIsBounded: a Telegram that takes the connection and never
// answers must fail the start in time, with a message that names
// TELEGRAM_API_URL, instead of hanging silently.
func TestStartIsBounded(t *testing.T) {
	release := make(chan struct{})
	telegram := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer telegram.Close()
	defer close(release)
	cfg, err := serveEnv(t, telegram.URL).validate()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- serve(context.Background(), cfg, deps{log: slog.New(slog.DiscardHandler), startTimeout: 200 * time.Millisecond})
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "TELEGRAM_API_URL ("+telegram.URL+")") || !strings.Contains(err.Error(), "within 200ms") {
			t.Errorf("serve = %v, want an error naming TELEGRAM_API_URL and the time limit", err)
		}
	case <-time.After(waitFor):
		t.Fatalf("serve still starting after %v against a Telegram that never answers", waitFor)
	}
}

// TestHealthz: /healthz says ok once a poll returned, judged by the clock
// the bot stores its polls with (the harness's stands still in 2026).
func TestHealthz(t *testing.T) {
	h := newHarness(t)
	h.say(alice, "/help") // a poll returned
	resp, body := h.get(h.public + "/healthz")
	if resp.StatusCode != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("GET /healthz Cache-Control = %q, want no-store", got)
	}
}
