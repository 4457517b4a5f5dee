package main

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/calbot/calbot/storage"
)

// keys are the keys calbot derives from its master SECRET_KEY, so that
// a key is never used for two jobs.
type keys struct {
	state    []byte // signs sign-in states (HMAC-SHA256)
	seal     []byte // seals tokens at rest (AES-256-GCM)
	callback []byte // signs the data of the bot's buttons (HMAC-SHA256)
	event    []byte // keys event ids and calbot's marker on its events (HMAC-SHA256)
}

func deriveKeys(master []byte) (keys, error) {
	state, err := hkdf.Key(sha256.New, master, nil, "calbot state v1", 32)
	if err != nil {
		return keys{}, err
	}
	seal, err := storage.SealKey(master)
	if err != nil {
		return keys{}, err
	}
	callback, err := hkdf.Key(sha256.New, master, nil, "calbot callback v1", 32)
	if err != nil {
		return keys{}, err
	}
	event, err := hkdf.Key(sha256.New, master, nil, "calbot event v1", 32)
	if err != nil {
		return keys{}, err
	}
	return keys{state: state, seal: seal, callback: callback, event: event}, nil
}

// keyFile is where calbot keeps the master key it generated for dbPath.
func keyFile(dbPath string) string { return dbPath + ".key" }

// loadOrCreateKey returns the master key from path, creating it (mode 0600)
// with 32 random bytes if it does not exist yet; created says which.
func loadOrCreateKey(path string, log *slog.Logger) (key []byte, created bool, err error) {
	raw, err := os.ReadFile(path)
	if err == nil {
		k, err := decodeKey(strings.TrimSpace(string(raw)))
		if err != nil {
			return nil, false, fmt.Errorf("secret key file %s %v: restore it from a backup (tokens sealed with another key cannot be read)", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read secret key file: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create secret key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("write secret key file: %w", err)
	}
	log.Warn("generated a new secret key; back it up with the database, or set SECRET_KEY", "path", path)
	return k, true, nil
}
