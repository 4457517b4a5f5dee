package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// The scheduler's records. Done keys are hashed, so the file does not show
// calendar ids or event ids in the clear; planned messages (snoozes) carry
// event titles, so they are sealed like everything users write.
var (
	bucketSchedDone    = []byte("schedule_done")
	bucketSchedPlanned = []byte("schedule_planned")
)

// Planned is a message the scheduler must remember across restarts because
// it cannot be derived again from the calendar (a snooze). Payload is the
// scheduler's own encoding.
type Planned struct {
	ChatID  int64
	Key     string
	Payload []byte
}

func doneKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:16]
}

func plannedKey(chatID int64, key string) []byte { return append(chatKey(chatID), key...) }

func plannedAD(k []byte) []byte { return append([]byte("planned:"), k...) }

// MarkDone records that the scheduler is finished with key (handed over or
// skipped) at t.
func (db *DB) MarkDone(key string, t time.Time) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSchedDone).Put(doneKey(key), binary.BigEndian.AppendUint64(nil, uint64(t.Unix())))
	})
	if err != nil {
		return fmt.Errorf("mark scheduled message done: %w", err)
	}
	return nil
}

// Done reports whether MarkDone recorded key (and it was not pruned since).
func (db *DB) Done(key string) (bool, error) {
	var done bool
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		done = tx.Bucket(bucketSchedDone).Get(doneKey(key)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("read scheduled message state: %w", err)
	}
	return done, nil
}

// PruneDone forgets done keys recorded before t and returns how many.
func (db *DB) PruneDone(before time.Time) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketSchedDone).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) != 8 || int64(binary.BigEndian.Uint64(v)) < before.Unix() {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune scheduled messages: %w", err)
	}
	return n, nil
}

// PutPlanned stores a planned message, sealed, replacing one of the same
// chat and key.
func (db *DB) PutPlanned(p Planned) error {
	k := plannedKey(p.ChatID, p.Key)
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSchedPlanned).Put(k, db.aead.Seal(nil, nil, p.Payload, plannedAD(k)))
	})
	if err != nil {
		return fmt.Errorf("store planned message of chat %d: %w", p.ChatID, err)
	}
	return nil
}

// DeletePlanned forgets one planned message; a missing one is no error.
func (db *DB) DeletePlanned(chatID int64, key string) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSchedPlanned).Delete(plannedKey(chatID, key))
	})
	if err != nil {
		return fmt.Errorf("delete planned message of chat %d: %w", chatID, err)
	}
	return nil
}

// ForgetPlanned deletes every planned message of chatID.
func (db *DB) ForgetPlanned(chatID int64) error {
	prefix := chatKey(chatID)
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketSchedPlanned).Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) >= 8 && string(k[:8]) == string(prefix); k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget planned messages of chat %d: %w", chatID, err)
	}
	return nil
}

// AllPlanned returns every planned message. A record that does not open is
// skipped and counted in skipped.
func (db *DB) AllPlanned() (planned []Planned, skipped int, err error) {
	err = db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSchedPlanned).ForEach(func(k, v []byte) error {
			plain, err := db.aead.Open(nil, nil, v, plannedAD(k))
			if err != nil || len(k) < 8 {
				skipped++
				return nil
			}
			planned = append(planned, Planned{ChatID: int64(binary.BigEndian.Uint64(k[:8])), Key: string(k[8:]), Payload: plain})
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read planned messages: %w", err)
	}
	return planned, skipped, nil
}
