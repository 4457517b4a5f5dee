package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
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
	// FirstName and Username name the Telegram user, as the bot saw them,
	// so that pages can say which account the calendar goes to.
	FirstName string `json:"first_name,omitempty"`
	Username  string `json:"username,omitempty"`
	// Browser is the SHA-256 of the cookie of the browser that passed the
	// sign-in check; empty until one did. Only that browser may finish.
	Browser []byte `json:"browser,omitempty"`
	// Grow is the extra scope a sign-in that grows an existing link asks
	// for; empty for a first /connect.
	Grow string `json:"grow,omitempty"`
}

// ErrTooMany is returned by PutPending when the chat started too many
// sign-ins lately.
var ErrTooMany = errors.New("too many sign-ins started")

// Limit bounds how often one chat may start a sign-in: at most N within
// Per. The zero Limit does not limit.
type Limit struct {
	N   int
	Per time.Duration
}

// chatPending is a chat's entry in bucketPendingChats. It holds no secret:
// the nonce alone opens nothing without a state signed with the flow's key.
type chatPending struct {
	Nonce  []byte  `json:"nonce"`
	Starts []int64 `json:"starts"` // unix seconds of the recent starts, oldest first
	Until  int64   `json:"until"`  // unix seconds after which Starts no longer count
}

func pendingAD(nonce []byte) []byte { return append([]byte("pending:"), nonce...) }

// PutPending stores p under nonce as the only pending login of p.ChatID: the
// chat's earlier one is deleted in the same transaction, so its link stops
// working. It returns ErrTooMany, and changes nothing, if the chat already
// started lim.N sign-ins within lim.Per before now.
func (db *DB) PutPending(nonce []byte, p Pending, now time.Time, lim Limit) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		idx := tx.Bucket(bucketPendingChats)
		key := chatKey(p.ChatID)
		var cp chatPending
		if v := idx.Get(key); v != nil {
			// An entry that does not read only loses the count.
			json.Unmarshal(v, &cp)
		}
		recent := cp.Starts[:0]
		for _, at := range cp.Starts {
			if lim.N > 0 && now.Unix()-at < int64(lim.Per/time.Second) {
				recent = append(recent, at)
			}
		}
		if lim.N > 0 && len(recent) >= lim.N {
			return ErrTooMany
		}
		if len(cp.Nonce) > 0 {
			if err := tx.Bucket(bucketPending).Delete(cp.Nonce); err != nil {
				return err
			}
		}
		sealed, err := db.seal(p, pendingAD(nonce))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketPending).Put(nonce, sealed); err != nil {
			return err
		}
		until := now.Add(lim.Per)
		if p.Expires.After(until) {
			until = p.Expires
		}
		cp = chatPending{Nonce: nonce, Starts: append(recent, now.Unix()), Until: until.Unix()}
		raw, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		return idx.Put(key, raw)
	})
	if errors.Is(err, ErrTooMany) {
		return fmt.Errorf("store pending login of chat %d: %w", p.ChatID, err)
	}
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

// UpdatePending applies fn to the pending login under nonce in one
// transaction. It returns ErrNotFound if there is none or it expired before
// now, and fn's error unchanged (then nothing is written).
func (db *DB) UpdatePending(nonce []byte, now time.Time, fn func(*Pending) error) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		var p Pending
		if err := db.readPending(tx, nonce, now, &p); err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		sealed, err := db.seal(p, pendingAD(nonce))
		if err != nil {
			return err
		}
		return tx.Bucket(bucketPending).Put(nonce, sealed)
	})
	if err != nil {
		return fmt.Errorf("update pending login: %w", err)
	}
	return nil
}

// TakePending returns the pending login under nonce and deletes it in the
// same transaction, so that a nonce is used at most once. An expired login is
// deleted too and reported as ErrNotFound. If check is not nil and returns
// an error for the login, nothing is deleted and that error is returned:
// the login stays usable by whoever passes the check.
func (db *DB) TakePending(nonce []byte, now time.Time, check func(Pending) error) (Pending, error) {
	var p Pending
	var readErr error
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		// The delete must commit even when the read fails, so the read's
		// error is carried out of the transaction rather than returned.
		readErr = db.readPending(tx, nonce, now, &p)
		if readErr == nil && check != nil {
			if err := check(p); err != nil {
				return err
			}
		}
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

// SweepPending deletes the pending logins that expired before now, the
// chats' sign-in counts that no longer matter, and expired awaited
// phrases, and returns how many records went.
func (db *DB) SweepPending(now time.Time) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		pending := tx.Bucket(bucketPending)
		c := pending.Cursor()
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
		c = tx.Bucket(bucketPendingChats).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var cp chatPending
			if json.Unmarshal(v, &cp) == nil && (now.Unix() < cp.Until || pending.Get(cp.Nonce) != nil) {
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
