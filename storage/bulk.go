package storage

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// PutLinks stores many links in one transaction, for tools that seed or
// import a database (calbot-load seeds 100,000 chats; one PutLink each would
// sync the file 100,000 times). A link replaces any stored for its chat, and
// the replaced ones are not returned, so nothing revokes their grants: it is
// not for chats that may already be linked to other accounts. Either every
// link is stored or, on error, none is.
func (db *DB) PutLinks(links []Link) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		for _, l := range links {
			sealed, err := db.seal(l, linkAD(l.ChatID))
			if err != nil {
				return fmt.Errorf("chat %d: %w", l.ChatID, err)
			}
			if err := b.Put(chatKey(l.ChatID), sealed); err != nil {
				return fmt.Errorf("chat %d: %w", l.ChatID, err)
			}
			if err := tx.Bucket(bucketLinked).Put(chatKey(l.ChatID), nil); err != nil {
				return fmt.Errorf("chat %d: %w", l.ChatID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store %d links: %w", len(links), err)
	}
	return nil
}
