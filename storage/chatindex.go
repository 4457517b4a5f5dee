package storage

import (
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"
)

// bucketLinked holds the id of every linked chat as a key with an empty
// value: an index of bucketLinks that lists the chats without touching the
// pages of their sealed links (bbolt keeps values on the pages of their
// keys, so a walk over the links reads the whole bucket).
var bucketLinked = []byte("linked")

// indexLinks makes bucketLinked, filled from the links, if the file has
// none yet (written by a calbot before the index).
func indexLinks(tx *bbolt.Tx) error {
	if tx.Bucket(bucketLinked) != nil {
		return nil
	}
	idx, err := tx.CreateBucket(bucketLinked)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketLinks).ForEach(func(k, _ []byte) error {
		if len(k) != 8 {
			return nil
		}
		return idx.Put(k, nil)
	})
}

// Chats returns every chat that has a linked account, in id order. It reads
// the keys-only index, so it is cheap even with many links.
func (db *DB) Chats() ([]int64, error) {
	ids, err := db.keys(bucketLinked)
	if err != nil {
		return nil, fmt.Errorf("list linked chats: %w", err)
	}
	return ids, nil
}

// SettingsChats returns every chat that has a settings record, in id order,
// without opening the records. A chat without one has default settings.
func (db *DB) SettingsChats() ([]int64, error) {
	ids, err := db.keys(bucketSettings)
	if err != nil {
		return nil, fmt.Errorf("list chats with settings: %w", err)
	}
	return ids, nil
}

// keys returns the chat ids that are keys of the bucket name.
func (db *DB) keys(name []byte) ([]int64, error) {
	var ids []int64
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(name).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				ids = append(ids, int64(binary.BigEndian.Uint64(k)))
			}
			return nil
		})
	})
	return ids, err
}
