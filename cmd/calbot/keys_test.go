package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeriveKeys(t *testing.T) {
	t.Parallel()
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i)
	}
	k, err := deriveKeys(master)
	if err != nil {
		t.Fatalf("deriveKeys(%x) error: %v", master, err)
	}
	if len(k.state) != 32 || len(k.seal) != 32 {
		t.Errorf("deriveKeys(%x) = %d-byte state key, %d-byte seal key; want 32 and 32", master, len(k.state), len(k.seal))
	}
	if bytes.Equal(k.state, k.seal) {
		t.Errorf("deriveKeys(%x) gave the same key for states and seals", master)
	}
	if bytes.Equal(k.state, master) || bytes.Equal(k.seal, master) {
		t.Errorf("deriveKeys(%x) returned the master key itself", master)
	}

	again, err := deriveKeys(bytes.Clone(master))
	if err != nil || !bytes.Equal(again.state, k.state) || !bytes.Equal(again.seal, k.seal) {
		t.Errorf("deriveKeys(%x) twice = %x, %x then %x, %x (%v); want the same keys", master, k.state, k.seal, again.state, again.seal, err)
	}

	other := bytes.Clone(master)
	other[31] ^= 1
	o, err := deriveKeys(other)
	if err != nil {
		t.Fatalf("deriveKeys(%x) error: %v", other, err)
	}
	if bytes.Equal(o.state, k.state) || bytes.Equal(o.seal, k.seal) {
		t.Errorf("deriveKeys(%x) and deriveKeys(%x) share a key", master, other)
	}
}

// TestDeriveKeysNeverChange pins the derivation (HKDF-SHA256, no salt, infos
// "calbot state v1" and "calbot seal v1"): if it changed, every token in
// every existing database would become unreadable. The values come from a
// separate HMAC-SHA256 implementation of RFC 5869.
func TestDeriveKeysNeverChange(t *testing.T) {
	t.Parallel()
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i)
	}
	const (
		wantState = "4314e216b8207a50e9443c6749730d125a0fc11472142c6cd5deb8a1bd55a667"
		wantSeal  = "5abf71944612c7e29a1e550a020b5ac24080b334beb11633313f0b098da8c0c7"
	)
	k, err := deriveKeys(master)
	if err != nil {
		t.Fatalf("deriveKeys(%x) error: %v", master, err)
	}
	if got := hex.EncodeToString(k.state); got != wantState {
		t.Errorf("deriveKeys(%x).state = %s, want %s", master, got, wantState)
	}
	if got := hex.EncodeToString(k.seal); got != wantSeal {
		t.Errorf("deriveKeys(%x).seal = %s, want %s", master, got, wantSeal)
	}
}

// TestDeriveButtonAndEventKeys pins the keys of buttons ("calbot callback
// v1") and events ("calbot event v1"): if they changed, every Undo button
// already sent would stop working and calbot would no longer recognise its
// own events. Values from Python's hmac per RFC 5869.
func TestDeriveButtonAndEventKeys(t *testing.T) {
	t.Parallel()
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i)
	}
	const (
		wantCallback = "6bc6e293dce14d35e798da9453b066d10aee479de84ed05e6497000cbfe2bd8a"
		wantEvent    = "926158b89c09191d2dcd6577e3e15c34666c0d9c8e06e31217c4f292d730cc6b"
	)
	k, err := deriveKeys(master)
	if err != nil {
		t.Fatalf("deriveKeys(%x) error: %v", master, err)
	}
	if got := hex.EncodeToString(k.callback); got != wantCallback {
		t.Errorf("deriveKeys(%x).callback = %s, want %s", master, got, wantCallback)
	}
	if got := hex.EncodeToString(k.event); got != wantEvent {
		t.Errorf("deriveKeys(%x).event = %s, want %s", master, got, wantEvent)
	}
}

func TestKeyFile(t *testing.T) {
	t.Parallel()
	if got, want := keyFile("/var/lib/calbot/calbot.db"), "/var/lib/calbot/calbot.db.key"; got != want {
		t.Errorf("keyFile(%q) = %q, want %q", "/var/lib/calbot/calbot.db", got, want)
	}
}

// bufLogger returns a logger that writes text records to the returned buffer.
func bufLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func TestLoadOrCreateKeyCreates(t *testing.T) {
	t.Parallel()
	path := keyFile(filepath.Join(t.TempDir(), "calbot.db"))
	log, logs := bufLogger()

	key, _, err := loadOrCreateKey(path, log)
	if err != nil {
		t.Fatalf("loadOrCreateKey(%q) error: %v", path, err)
	}
	if len(key) != 32 {
		t.Errorf("loadOrCreateKey(%q) = %d bytes, want 32", path, len(key))
	}
	if bytes.Equal(key, make([]byte, 32)) {
		t.Errorf("loadOrCreateKey(%q) = all zero bytes, want random ones", path)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("loadOrCreateKey(%q) made no file: %v", path, err)
	}
	if got := fi.Mode(); got != 0o600 {
		t.Errorf("loadOrCreateKey(%q) made a file with mode %v, want %v", path, got, os.FileMode(0o600))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || !bytes.Equal(onDisk, key) {
		t.Errorf("loadOrCreateKey(%q) wrote %q (%v), want the base64 of the %x it returned", path, raw, err, key)
	}

	out := logs.String()
	if !strings.Contains(out, path) {
		t.Errorf("loadOrCreateKey(%q) logged %q, want the key file's path", path, out)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if s := enc.EncodeToString(key); strings.Contains(out, s) || strings.Contains(out, s[:16]) {
			t.Errorf("loadOrCreateKey(%q) logged the key (%s):\n%s", path, s, out)
		}
	}
	if s := hex.EncodeToString(key); strings.Contains(out, s[:16]) {
		t.Errorf("loadOrCreateKey(%q) logged the key in hex:\n%s", path, out)
	}

	log2, logs2 := bufLogger()
	again, _, err := loadOrCreateKey(path, log2)
	if err != nil || !bytes.Equal(again, key) {
		t.Errorf("loadOrCreateKey(%q) second call = %x, %v; want %x, nil", path, again, err, key)
	}
	if out := logs2.String(); out != "" {
		t.Errorf("loadOrCreateKey(%q) second call logged %q, want nothing", path, out)
	}
}

func TestLoadOrCreateKeyReadsExisting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
	}{
		{"standard with newline", base64.StdEncoding.EncodeToString(testKey) + "\n"},
		{"standard without padding", base64.RawStdEncoding.EncodeToString(testKey)},
		{"url-safe", base64.URLEncoding.EncodeToString(testKey)},
		{"url-safe without padding and crlf", base64.RawURLEncoding.EncodeToString(testKey) + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "calbot.db.key", tt.content)
			log, logs := bufLogger()
			got, _, err := loadOrCreateKey(path, log)
			if err != nil || !bytes.Equal(got, testKey) {
				t.Errorf("loadOrCreateKey(%q) with %q = %x, %v; want %x, nil", path, tt.content, got, err, testKey)
			}
			if out := logs.String(); out != "" {
				t.Errorf("loadOrCreateKey(%q) logged %q, want nothing", path, out)
			}
		})
	}
}

func TestLoadOrCreateKeyRefusesCorruptFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content, want string
	}{
		{"not base64", "this is not a key!\n", "is not base64"},
		{"too short", base64.StdEncoding.EncodeToString([]byte("short")) + "\n", "decodes to 5 bytes"},
		{"hex", hex.EncodeToString(testKey) + "\n", "decodes to 48 bytes"},
		{"empty", "", "decodes to 0 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "calbot.db.key", tt.content)
			log, logs := bufLogger()
			got, _, err := loadOrCreateKey(path, log)
			if err == nil {
				t.Fatalf("loadOrCreateKey(%q) with %q = %x, nil; want an error", path, tt.content, got)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) {
				t.Errorf("loadOrCreateKey(%q) with %q error = %q, want it to name the file and say %q", path, tt.content, msg, tt.want)
			}
			if raw, err := os.ReadFile(path); err != nil || string(raw) != tt.content {
				t.Errorf("loadOrCreateKey(%q) changed the corrupt file to %q (%v); want it left as %q", path, raw, err, tt.content)
			}
			if out := logs.String(); out != "" {
				t.Errorf("loadOrCreateKey(%q) logged %q, want nothing", path, out)
			}
		})
	}
}

func TestLoadOrCreateKeyUnusablePath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, path string
	}{
		{"directory", dir},
		{"missing directory", filepath.Join(dir, "absent", "calbot.db.key")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := bufLogger()
			got, _, err := loadOrCreateKey(tt.path, log)
			if err == nil || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("loadOrCreateKey(%q) = %x, %v; want an error naming the path", tt.path, got, err)
			}
		})
	}
}
