package main

import (
	"bytes"
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

// masterKey is the key calbot seals with and where it came from.
type masterKey struct {
	key     []byte
	from    string // "SECRET_KEY" or "the key file PATH", for messages
	created bool   // the key file was created just now
	// ignored is the key file that holds another key than SECRET_KEY, which
	// wins; "" if there is none.
	ignored string
}

// chooseKey returns SECRET_KEY (secret) if it is set, else the key file
// beside dbPath, created if missing. A key file that holds another key than
// SECRET_KEY is noted in ignored, so that the caller can refuse to start
// when records exist: a new SECRET_KEY must never silently win.
func chooseKey(secret []byte, dbPath string, log *slog.Logger) (masterKey, error) {
	kf := keyFile(dbPath)
	if secret == nil {
		k, created, err := loadOrCreateKey(kf, log)
		if err != nil {
			return masterKey{}, fmt.Errorf("DB_PATH (%s): %w", dbPath, err)
		}
		return masterKey{key: k, from: "the key file " + kf, created: created}, nil
	}
	m := masterKey{key: secret, from: "SECRET_KEY"}
	raw, err := os.ReadFile(kf)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err == nil {
		var k []byte
		if k, err = decodeKey(strings.TrimSpace(string(raw))); err == nil && bytes.Equal(k, secret) {
			return m, nil
		}
	}
	m.ignored = kf
	return m, nil
}

// keyChecker opens one stored record and counts the links
// (storage.DB.CheckKey).
type keyChecker interface {
	CheckKey() (links int, err error)
}

// check refuses, with one line that says what to do, a key that cannot
// open the links db holds: a wrong SECRET_KEY, a missing key file, or a
// SECRET_KEY that differs from the key file while links exist. Without
// links, a differing key file is only logged.
func (m masterKey) check(db keyChecker, dbPath string, log *slog.Logger) error {
	links, err := db.CheckKey()
	wrong := errors.Is(err, storage.ErrWrongKey)
	if err != nil && !wrong {
		return fmt.Errorf("read DB_PATH (%s): %w", dbPath, err)
	}
	chats := plural(links, "linked chat")
	switch {
	case links == 0 && m.ignored != "":
		log.Warn("SECRET_KEY is used; the key file holds another key and is ignored (no chat is linked yet)", "key_file", m.ignored)
	case links == 0:
	case m.created:
		return fmt.Errorf("DB_PATH (%s) holds %s but SECRET_KEY is not set and its key file %s is missing: restore the key file from your backup or set SECRET_KEY (to start over, move the database away)", dbPath, chats, keyFile(dbPath))
	case m.ignored != "":
		opens := "opens them"
		if wrong {
			opens = "does not open them"
		}
		return fmt.Errorf("SECRET_KEY and the key file %s hold different keys and DB_PATH (%s) holds %s; SECRET_KEY %s. Fix: keep the one they were sealed with and remove the other (unset SECRET_KEY, or move %s away)", m.ignored, dbPath, chats, opens, m.ignored)
	case wrong:
		return fmt.Errorf("%s does not open the %s in DB_PATH (%s): it is not the key they were sealed with. Fix: set SECRET_KEY or restore the key file they were sealed with, from your backup (to start over, move the database away)", m.from, chats, dbPath)
	}
	return nil
}

// plural is "1 linked chat", "2 linked chats".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
