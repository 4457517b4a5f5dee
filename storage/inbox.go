package storage

import (
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"
)

// Queued is a Telegram update that was fetched but not yet fully handled.
// Raw is its JSON, sealed at rest like everything users write.
type Queued struct {
	ID  int
	Raw []byte
}

var keyOffset = []byte("telegram_offset")

func updateKey(id int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func updateAD(id int) []byte { return append([]byte("update:"), updateKey(id)...) }

// Enqueue stores fetched updates and the getUpdates offset that confirms
// them, in one transaction: once it returns, the updates survive a crash, so
// Telegram may forget them.
func (db *DB) Enqueue(offset int, updates []Queued) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for _, u := range updates {
			sealed := db.aead.Seal(nil, nil, u.Raw, updateAD(u.ID))
			if err := b.Put(updateKey(u.ID), sealed); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyOffset, binary.BigEndian.AppendUint64(nil, uint64(offset)))
	})
	if err != nil {
		return fmt.Errorf("queue %d updates: %w", len(updates), err)
	}
	return nil
}

// Dequeue forgets a handled update. Concurrent calls share transactions
// (bbolt's Batch), so many handlers finishing at once cost few disk syncs.
func (db *DB) Dequeue(id int) error {
	err := db.bolt.Batch(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketInbox).Delete(updateKey(id))
	})
	if err != nil {
		return fmt.Errorf("dequeue update %d: %w", id, err)
	}
	return nil
}

// Inbox returns the stored getUpdates offset (0 if none) and the updates
// not yet handled, oldest first. A record that does not open is skipped and
// reported in skipped.
func (db *DB) Inbox() (offset int, queued []Queued, skipped int, err error) {
	err = db.bolt.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyOffset); len(v) == 8 {
			offset = int(binary.BigEndian.Uint64(v))
		}
		return tx.Bucket(bucketInbox).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				skipped++
				return nil
			}
			id := int(binary.BigEndian.Uint64(k))
			raw, err := db.aead.Open(nil, nil, v, updateAD(id))
			if err != nil {
				skipped++
				return nil
			}
			queued = append(queued, Queued{ID: id, Raw: raw})
			return nil
		})
	})
	if err != nil {
		return 0, nil, 0, fmt.Errorf("read queued updates: %w", err)
	}
	return offset, queued, skipped, nil
}

// Event is something a chat must be told that did not come from Telegram,
// such as how a sign-in ended. Like an update, it is kept until handled, so
// a crash between its arrival and its message loses nothing. Raw is the
// caller's own encoding, sealed at rest.
type Event struct {
	ID  uint64
	Raw []byte
}

func eventAD(key []byte) []byte { return append([]byte("event:"), key...) }

// AddEvent stores an event and returns its id; ids grow with each call.
// Once it returns, the event survives a crash.
func (db *DB) AddEvent(raw []byte) (uint64, error) {
	var id uint64
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		var err error
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		key := binary.BigEndian.AppendUint64(nil, id)
		return b.Put(key, db.aead.Seal(nil, nil, raw, eventAD(key)))
	})
	if err != nil {
		return 0, fmt.Errorf("store event: %w", err)
	}
	return id, nil
}

// DeleteEvent forgets a handled event. Unlike Dequeue it commits at once
// rather than batching: events are few, and a crash right after one was
// told should not tell it again.
func (db *DB) DeleteEvent(id uint64) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketEvents).Delete(binary.BigEndian.AppendUint64(nil, id))
	})
	if err != nil {
		return fmt.Errorf("delete event %d: %w", id, err)
	}
	return nil
}

// Events returns the stored events not yet handled, oldest first. A record
// that does not open is skipped and reported in skipped.
func (db *DB) Events() (events []Event, skipped int, err error) {
	err = db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
			raw, err := db.aead.Open(nil, nil, v, eventAD(k))
			if len(k) != 8 || err != nil {
				skipped++
				return nil
			}
			events = append(events, Event{ID: binary.BigEndian.Uint64(k), Raw: raw})
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read stored events: %w", err)
	}
	return events, skipped, nil
}
