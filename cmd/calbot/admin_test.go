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
	"time"

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
			if err := backup(context.Background(), cfg, file, false, &out); err != nil {
				t.Fatalf("backup: %v", err)
			}
			if !strings.Contains(out.String(), tt.wantSource) || !strings.Contains(out.String(), "1 linked chat)") {
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
			if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
				t.Errorf("backup left files behind: %v", entries)
			}
		})
	}
}

func TestBackupRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "calbot.db")
	os.WriteFile(db, []byte("not a database"), 0o600)
	file := filepath.Join(dir, "backup.db")
	err := backup(context.Background(), config{env: env{DBPath: db}}, file, false, io.Discard)
	if err == nil {
		t.Fatal("backup of a file that is not a database succeeded")
	}
	if _, serr := os.Stat(file); !os.IsNotExist(serr) {
		t.Errorf("a failed backup left %s behind", file)
	}
}

// TestBackupRefusesCalbotsOwnFiles: a backup must never replace the
// database, its key file or socket, an existing file unless -force, or a
// file another process holds.
func TestBackupRefusesCalbotsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	dbPath := filepath.Join(dir, "calbot.db")
	seedDB(t, dbPath, mustKey(t), 1)
	for name, content := range map[string]string{"calbot.db.key": testSecretKey + "\n", "old.db": "an older backup", "calbot.db.sock": "stands in for the socket"} {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	held := filepath.Join(dir, "other.db")
	seedDB(t, held, mustKey(t), 0)
	other, err := storage.Open(held, mustKey(t), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	cfg := config{env: env{DBPath: dbPath}}
	tests := []struct {
		name, file string
		force      bool
		wantErr    string // "" for success
	}{
		{"the database", dbPath, true, "is DB_PATH"},
		{"the database, relative", "./calbot.db", true, "is DB_PATH"},
		{"its key file", "calbot.db.key", true, "is the key file of DB_PATH"},
		{"its socket", "calbot.db.sock", true, "is ADMIN_SOCKET"},
		{"an existing file", "old.db", false, "old.db exists: choose another name, or pass -force"},
		{"a directory", dir, true, "is not a regular file"},
		{"a database another process holds", held, true, "is held by another process"},
		{"an existing file with -force", "old.db", true, ""},
		{"a new file", "new.db", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.file)
			err := backup(context.Background(), cfg, tt.file, tt.force, io.Discard)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("backup(%q, force %v) = %v, want nil", tt.file, tt.force, err)
				}
				if info, err := storage.Inspect(tt.file); err != nil || info.Links != 1 {
					t.Errorf("backup(%q) wrote %+v, %v; want a copy with 1 link", tt.file, info, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("backup(%q, force %v) = %v, want an error with %q", tt.file, tt.force, err, tt.wantErr)
			}
			if after, _ := os.ReadFile(tt.file); !bytes.Equal(before, after) {
				t.Errorf("backup(%q) changed the file although it refused", tt.file)
			}
		})
	}
	if n, err := other.CountLinks(); err != nil || n != 0 {
		t.Errorf("the held database reads %d, %v after the backups", n, err)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".*partial*")); len(entries) != 0 {
		t.Errorf("backups left partial files: %v", entries)
	}
}

func TestParseBackupFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantFile  string
		wantForce bool
		wantErr   string
	}{
		{"file", []string{"b.db"}, "b.db", false, ""},
		{"force first", []string{"-force", "b.db"}, "b.db", true, ""},
		{"force after the file", []string{"b.db", "-force"}, "b.db", true, ""},
		{"help", []string{"-h"}, "", false, "help requested"},
		{"no file", nil, "", false, "usage: calbot backup"},
		{"two files", []string{"a.db", "b.db"}, "", false, "usage: calbot backup"},
		{"unknown flag", []string{"-fast", "b.db"}, "", false, "not defined: -fast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			file, force, err := parseBackupFlags(tt.args, &out)
			if file != tt.wantFile || force != tt.wantForce || (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseBackupFlags(%q) = %q, %v, %v; want %q, %v, %q", tt.args, file, force, err, tt.wantFile, tt.wantForce, tt.wantErr)
			}
			if tt.name == "help" && !strings.Contains(out.String(), "Usage: calbot backup [-force] FILE") {
				t.Errorf("backup -h printed %q, want the usage", out.String())
			}
		})
	}
}

// seedDB makes a database at path, sealed with master, with n links.
func seedDB(t *testing.T, path string, master []byte, n int) {
	t.Helper()
	k, _ := deriveKeys(master)
	db, err := storage.Open(path, k.seal, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		if _, _, err := db.PutLink(storage.Link{ChatID: int64(100 + i), RefreshToken: "1//0seed", LinkedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
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
