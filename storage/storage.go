// Package storage keeps calbot's state in one bbolt file: the linked Google
// accounts of chats (sealed with AES-256-GCM), pending logins, and small
// per-chat settings. It imports none of calbot's packages.
//
// Methods take no context: bbolt does local, short transactions that cannot
// be cancelled, and a context that is ignored would only mislead.
package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this code writes. Open refuses a file written by
// a newer layout rather than misreading it.
const SchemaVersion = 1

var (
	// ErrNotFound is returned when a chat has no link, or a pending login or
	// awaited phrase does not exist or has expired.
	ErrNotFound = errors.New("not found")
	// ErrLocked is returned by Open when another process holds the file.
	ErrLocked = errors.New("database is locked by another process")
)

var (
	bucketMeta    = []byte("meta")
	bucketLinks   = []byte("links")
	bucketPending = []byte("pending")
	bucketAwait   = []byte("await")
	bucketInbox   = []byte("inbox")
	bucketEvents  = []byte("events")
	keySchema     = []byte("schema")
)

// bucketPendingChats names each chat's live pending login and when the chat
// started its recent ones: one live sign-in per chat, and a rate limit.
var bucketPendingChats = []byte("pending_chats")

// SealKey derives the key that seals records from calbot's master key
// (SECRET_KEY), with HKDF-SHA256, so that the master key itself is never used
// for two jobs.
func SealKey(master []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, master, nil, "calbot seal v1", 32)
}

// Options tune Open. The zero value is usable.
type Options struct {
	// LockTimeout bounds the wait for the file lock (default 2s).
	LockTimeout time.Duration
}

// DB is calbot's database. It is safe for concurrent use.
type DB struct {
	bolt *bbolt.DB
	aead cipher.AEAD
}

// Open opens or creates the database at path with mode 0600. sealKey must be
// 32 bytes; it seals tokens at rest. Open returns an error wrapping ErrLocked
// when another process holds the file.
func Open(path string, sealKey []byte, opts Options) (*DB, error) {
	if len(sealKey) != 32 {
		return nil, fmt.Errorf("open database: seal key must be 32 bytes, got %d", len(sealKey))
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// bbolt only applies the mode when it creates the file; an older file
	// may have been created looser by hand.
	if err := os.Chmod(path, 0o600); err != nil {
		b.Close()
		return nil, fmt.Errorf("restrict %s to its owner: %w", path, err)
	}
	db := &DB{bolt: b, aead: aead}
	if err := db.init(); err != nil {
		b.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

func (db *DB) init() error {
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketLinks, bucketPending, bucketAwait, bucketInbox, bucketSettings, bucketPendingChats, bucketEvents,
			bucketEventKeys, bucketEventKeyTimes, bucketNotes, bucketNoteTimes,
			bucketSchedDone, bucketSchedPlanned} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := indexLinks(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("schema version record is corrupt")
			}
			if got := binary.BigEndian.Uint64(v); got > SchemaVersion {
				return fmt.Errorf("database schema %d is newer than this calbot understands (%d): upgrade calbot", got, SchemaVersion)
			}
		}
		return meta.Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion))
	})
}

// Close closes the file. Pending writes have already been synced by their
// transactions.
func (db *DB) Close() error { return db.bolt.Close() }

// Ping reads the database, for health checks.
func (db *DB) Ping() error {
	return db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("meta bucket missing")
		}
		return nil
	})
}

func chatKey(chatID int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(chatID))
}

// seal encrypts v as JSON, binding it to ad so that a record copied under
// another key fails to open.
func (db *DB) seal(v any, ad []byte) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return db.aead.Seal(nil, nil, plain, ad), nil
}

func (db *DB) open(sealed, ad []byte, v any) error {
	plain, err := db.aead.Open(nil, nil, sealed, ad)
	if err != nil {
		return errors.New("record does not open with this key (wrong SECRET_KEY, or tampered)")
	}
	return json.Unmarshal(plain, v)
}

// WriteTo writes a consistent copy of the whole database to w from one read
// transaction, while writers go on. It is how a live backup is taken.
func (db *DB) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Size is the size in bytes that WriteTo will write now.
func (db *DB) Size() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n, err
}

// CopyFile writes a consistent copy of the database file at path to w, for
// when no calbot runs. It holds the file's lock, so no calbot starts
// meanwhile; a file locked by a running calbot gives ErrLocked.
func CopyFile(path string, w io.Writer) (int64, error) {
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return 0, ErrLocked
	}
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer b.Close()
	var n int64
	err = b.View(func(tx *bbolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Info is what Inspect reads from a database file without its key.
type Info struct {
	Links     int   // linked chats
	FirstChat int64 // the chat of one of them, to try a key on; 0 if none
}

// Inspect opens a database file read-only, under a shared lock and without
// its key, and says what it holds: a check that a backup is whole, or what
// calbot doctor reports. A file locked by a running calbot gives ErrLocked.
func Inspect(path string) (Info, error) {
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: 500 * time.Millisecond})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return Info{}, ErrLocked
	}
	if err != nil {
		return Info{}, err
	}
	defer b.Close()
	var info Info
	err = b.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketMeta).Get(keySchema) == nil {
			return errors.New("no calbot schema record")
		}
		links := tx.Bucket(bucketLinks)
		if links == nil {
			return errors.New("no links bucket")
		}
		info.Links = links.Stats().KeyN
		if k, _ := links.Cursor().First(); len(k) == 8 {
			info.FirstChat = int64(binary.BigEndian.Uint64(k))
		}
		return nil
	})
	return info, err
}
