package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calbot/calbot/storage"
)

func TestBackupWhileRunningAndStopped(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	sock := h.dbPath + ".sock"
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("admin socket = %v, %v; want a socket with mode 600", fi, err)
	}
	cfg := config{env: env{DBPath: h.dbPath}}
	tests := []struct {
		name, wantSource string
		before           func()
	}{
		{"live", "from the running calbot", func() {}},
		{"stopped", "calbot was not running", func() {
			if err := h.stop(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.before()
			file := filepath.Join(t.TempDir(), "backup.db")
			var out bytes.Buffer
			if err := backup(context.Background(), cfg, file, &out); err != nil {
				t.Fatalf("backup: %v", err)
			}
			if !strings.Contains(out.String(), tt.wantSource) || !strings.Contains(out.String(), "1 linked chats") {
				t.Errorf("backup said %q, want %q and the count", out.String(), tt.wantSource)
			}
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("backup file = %v, %v; want mode 600", fi, err)
			}
			// Restore: the copy opens with calbot's key and holds the grant.
			k, _ := deriveKeys(mustKey(t))
			db, err := storage.Open(file, k.seal, storage.Options{})
			if err != nil {
				t.Fatalf("open backup: %v", err)
			}
			defer db.Close()
			if l, err := db.Link(alice.ID); err != nil || l.Email != aliceG.Email || l.RefreshToken == "" {
				t.Errorf("backup Link(alice) = %v, %v; want alice's grant", l, err)
			}
			if _, err := os.Stat(file + ".partial"); !os.IsNotExist(err) {
				t.Errorf("backup left its partial file behind: %v", err)
			}
		})
	}
}

func TestBackupRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "calbot.db")
	os.WriteFile(db, []byte("not a database"), 0o600)
	file := filepath.Join(dir, "backup.db")
	err := backup(context.Background(), config{env: env{DBPath: db}}, file, io.Discard)
	if err == nil {
		t.Fatal("backup of a file that is not a database succeeded")
	}
	if _, serr := os.Stat(file); !os.IsNotExist(serr) {
		t.Errorf("a failed backup left %s behind", file)
	}
}

func TestMetrics(t *testing.T) {
	addr := freeAddr(t)
	h := newHarness(t, func(_ *harness, e *env) { e.MetricsAddr = addr })
	h.seed(aliceG)
	h.connect(alice, aliceG)
	h.say(alice, "/today")
	h.say(alice, "/add Lunch 31.02")
	h.say(alice, "/help") // handled after /add has been counted: one chat runs in order
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`calbot_commands_total{command="today",outcome="ok"} 1`,
		`calbot_commands_total{command="connect",outcome="ok"} 1`,
		`calbot_commands_total{command="add",outcome="bad_input"} 1`,
		`calbot_connects_total{result="connected"} 1`,
		`calbot_google_api_calls_total{op="list"} 1`,
		`calbot_linked_chats 1`,
		`calbot_reply_latency_seconds_count{command="today"} 1`,
		`go_goroutines`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if resp, _ := h.get(h.public + "/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("public GET /metrics = %s, want 404: metrics belong on METRICS_ADDR only", resp.Status)
	}
}

func mustKey(t *testing.T) []byte {
	t.Helper()
	k, err := decodeKey(testSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
