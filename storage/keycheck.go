package storage

import (
	"encoding/binary"
	"errors"

	"go.etcd.io/bbolt"
)

// ErrWrongKey is returned by CheckKey when the stored records were sealed
// with another key than the one the database was opened with.
var ErrWrongKey = errors.New("the stored links do not open with this key")

// CheckKey opens one stored link, if there is any, and returns how many
// chats are linked. It returns ErrWrongKey if that link does not open with
// the key db was opened with: every token would then be unreadable. It is
// the check calbot makes at start and calbot doctor makes.
func (db *DB) CheckKey() (links int, err error) {
	err = db.bolt.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		links = tx.Bucket(bucketLinked).Stats().KeyN // the index: Stats walks every page
		k, v := b.Cursor().First()
		if k == nil || len(k) != 8 {
			return nil
		}
		if _, err := db.aead.Open(nil, nil, v, linkAD(int64(binary.BigEndian.Uint64(k)))); err != nil {
			return ErrWrongKey
		}
		return nil
	})
	return links, err
}
