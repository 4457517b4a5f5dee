package storage

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// Pending is a login that /connect started and Google's callback finishes.
// Verifier is the PKCE code verifier: it never leaves the server.
type Pending struct {
	ChatID   int64     `json:"chat_id"`
	UserID   int64     `json:"user_id"`
	Lang     string    `json:"lang,omitempty"`
	Verifier string    `json:"verifier"`
	Expires  time.Time `json:"expires"`
}

func pendingAD(nonce []byte) []byte { return append([]byte("pending:"), nonce...) }

// PutPending stores p under nonce.
func (db *DB) PutPending(nonce []byte, p Pending) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		sealed, err := db.seal(p, pendingAD(nonce))
		if err != nil {
			return err
		}
		return tx.Bucket(bucketPending).Put(nonce, sealed)
	})
	if err != nil {
		return fmt.Errorf("store pending login: %w", err)
	}
	return nil
}

// Pending returns the pending login under nonce without using it up, or
// ErrNotFound if there is none or it expired before now.
func (db *DB) Pending(nonce []byte, now time.Time) (Pending, error) {
	var p Pending
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return db.readPending(tx, nonce, now, &p)
	})
	if err != nil {
		return Pending{}, fmt.Errorf("read pending login: %w", err)
	}
	return p, nil
}

// TakePending returns the pending login under nonce and deletes it in the
// same transaction, so that a nonce is used at most once. An expired login is
// deleted too and reported as ErrNotFound.
func (db *DB) TakePending(nonce []byte, now time.Time) (Pending, error) {
	var p Pending
	var readErr error
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		// The delete must commit even when the read fails, so the read's
		// error is carried out of the transaction rather than returned.
		readErr = db.readPending(tx, nonce, now, &p)
		return tx.Bucket(bucketPending).Delete(nonce)
	})
	if err == nil {
		err = readErr
	}
	if err != nil {
		return Pending{}, fmt.Errorf("take pending login: %w", err)
	}
	return p, nil
}

func (db *DB) readPending(tx *bbolt.Tx, nonce []byte, now time.Time, p *Pending) error {
	v := tx.Bucket(bucketPending).Get(nonce)
	if v == nil {
		return ErrNotFound
	}
	if err := db.open(v, pendingAD(nonce), p); err != nil {
		return ErrNotFound
	}
	if !now.Before(p.Expires) {
		return ErrNotFound
	}
	return nil
}

// SweepPending deletes the pending logins that expired before now, and
// expired awaited phrases, and returns how many records went.
func (db *DB) SweepPending(now time.Time) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketPending).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var p Pending
			if err := db.open(v, pendingAD(k), &p); err == nil && now.Before(p.Expires) {
				continue
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		c = tx.Bucket(bucketAwait).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 8 && now.Unix() < int64(binary.BigEndian.Uint64(v)) {
				continue
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep pending logins: %w", err)
	}
	return n, nil
}

// Await records that the chat was asked "what and when?" and that its next
// message, until the given time, is the answer.
func (db *DB) Await(chatID int64, until time.Time) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketAwait).Put(chatKey(chatID), binary.BigEndian.AppendUint64(nil, uint64(until.Unix())))
	})
	if err != nil {
		return fmt.Errorf("remember question to chat %d: %w", chatID, err)
	}
	return nil
}

// TakeAwait reports whether the chat was asked a question that is still
// open at now, and forgets the question either way.
func (db *DB) TakeAwait(chatID int64, now time.Time) (bool, error) {
	open := false
	var asked bool
	// Most messages answer no question: look before taking the write lock.
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		asked = tx.Bucket(bucketAwait).Get(chatKey(chatID)) != nil
		return nil
	})
	if err != nil || !asked {
		return false, err
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAwait)
		key := chatKey(chatID)
		v := b.Get(key)
		if v == nil {
			return nil
		}
		open = len(v) == 8 && now.Unix() < int64(binary.BigEndian.Uint64(v))
		return b.Delete(key)
	})
	if err != nil {
		return false, fmt.Errorf("read question to chat %d: %w", chatID, err)
	}
	return open, nil
}
