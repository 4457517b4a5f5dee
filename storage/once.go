package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Keys of scheduled messages already taken (AddEventOnce), and short keys
// that stand for longer data behind the bot's buttons (PutNote), each with
// an index by expiry so that old ones are pruned a few at a time.
var (
	bucketEventKeys     = []byte("event_keys")
	bucketEventKeyTimes = []byte("event_key_times")
	bucketNotes         = []byte("notes")
	bucketNoteTimes     = []byte("note_times")
)

// pruneBatch bounds the expired entries one write removes, so that a write
// after a long pause stays short; each write removes some, so they never
// pile up.
const pruneBatch = 64

// expiryKey is the index key of key: its expiry in unix seconds, then key,
// so that the oldest come first.
func expiryKey(expires time.Time, key []byte) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(max(expires.Unix(), 0))), key...)
}

// prune deletes up to pruneBatch entries of main whose expiry in index is
// before now.
func prune(tx *bbolt.Tx, main, index []byte, now time.Time) error {
	m, ix := tx.Bucket(main), tx.Bucket(index)
	c := ix.Cursor()
	limit := binary.BigEndian.AppendUint64(nil, uint64(max(now.Unix(), 0)))
	var old [][]byte
	for k, _ := c.First(); k != nil && len(old) < pruneBatch && bytes.Compare(k[:8], limit) < 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := ix.Delete(k); err != nil {
			return err
		}
		if err := m.Delete(k[8:]); err != nil {
			return err
		}
	}
	return nil
}

// AddEventOnce stores an event, like AddEvent, unless an event with key was
// added before and its key has not yet expired: then it stores nothing and
// returns added false. Key and event are written in one transaction, so a
// crash keeps both or neither. The key is remembered until expires; keys
// past it are forgotten a few per call.
func (db *DB) AddEventOnce(key string, raw []byte, now, expires time.Time) (id uint64, added bool, err error) {
	k := []byte(key)
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		if err := prune(tx, bucketEventKeys, bucketEventKeyTimes, now); err != nil {
			return err
		}
		keys := tx.Bucket(bucketEventKeys)
		if keys.Get(k) != nil {
			return nil
		}
		ek := expiryKey(expires, k)
		if err := keys.Put(k, ek[:8]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketEventKeyTimes).Put(ek, nil); err != nil {
			return err
		}
		b := tx.Bucket(bucketEvents)
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		ik := binary.BigEndian.AppendUint64(nil, id)
		added = true
		return b.Put(ik, db.aead.Seal(nil, nil, raw, eventAD(ik)))
	})
	if err != nil {
		return 0, false, fmt.Errorf("store event %q once: %w", key, err)
	}
	return id, added, nil
}

func noteKey(chatID int64, key string) []byte { return append(chatKey(chatID), key...) }

func noteAD(k []byte) []byte { return append([]byte("note:"), k...) }

// PutNote stores raw for chatID under key until expires, sealed and bound
// to the chat, replacing what key held. The bot keeps there what a button's
// short data stands for.
func (db *DB) PutNote(chatID int64, key string, raw []byte, now, expires time.Time) error {
	k := noteKey(chatID, key)
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		if err := prune(tx, bucketNotes, bucketNoteTimes, now); err != nil {
			return err
		}
		notes, times := tx.Bucket(bucketNotes), tx.Bucket(bucketNoteTimes)
		if old := notes.Get(k); len(old) >= 8 {
			if err := times.Delete(append(bytes.Clone(old[:8]), k...)); err != nil {
				return err
			}
		}
		ek := expiryKey(expires, k)
		if err := times.Put(ek, nil); err != nil {
			return err
		}
		return notes.Put(k, append(ek[:8:8], db.aead.Seal(nil, nil, raw, noteAD(k))...))
	})
	if err != nil {
		return fmt.Errorf("store note of chat %d: %w", chatID, err)
	}
	return nil
}

// deleteNotes deletes every note of chatID, with its expiry entry.
func deleteNotes(tx *bbolt.Tx, chatID int64) error {
	notes, times := tx.Bucket(bucketNotes), tx.Bucket(bucketNoteTimes)
	prefix := chatKey(chatID)
	var keys, timeKeys [][]byte
	c := notes.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		keys = append(keys, bytes.Clone(k))
		if len(v) >= 8 {
			timeKeys = append(timeKeys, append(bytes.Clone(v[:8]), k...))
		}
	}
	for _, k := range timeKeys {
		if err := times.Delete(k); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if err := notes.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Note returns what PutNote stored for chatID under key. It returns
// ErrNotFound if there is none, it has expired, or it does not open.
func (db *DB) Note(chatID int64, key string, now time.Time) ([]byte, error) {
	k := noteKey(chatID, key)
	var raw []byte
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketNotes).Get(k)
		if len(v) < 8 || int64(binary.BigEndian.Uint64(v[:8])) < now.Unix() {
			return ErrNotFound
		}
		var err error
		if raw, err = db.aead.Open(nil, nil, v[8:], noteAD(k)); err != nil {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read note of chat %d: %w", chatID, err)
	}
	return raw, nil
}
