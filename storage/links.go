package storage

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"go.etcd.io/bbolt"
)

// Link is a chat's grant to a Google account. It holds the refresh token: it is
// stored sealed and must never be logged (String and LogValue redact it).
type Link struct {
	ChatID int64  `json:"chat_id"`
	UserID int64  `json:"user_id"` // the Telegram user who linked it
	Sub    string `json:"sub"`     // Google's stable account id
	Email  string `json:"email"`
	Scope  string `json:"scope"`
	Lang   string `json:"lang,omitempty"`
	// Zone is where versions before Settings kept the calendar's zone.
	// Nothing writes it now: Settings reads it as a fallback, and the first
	// UpdateSettings of the chat clears it.
	Zone string `json:"zone,omitempty"`

	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	LinkedAt     time.Time `json:"linked_at"`
}

// String describes the link without its tokens.
func (l Link) String() string {
	return fmt.Sprintf("link{chat %d, user %d, %s}", l.ChatID, l.UserID, l.Email)
}

// LogValue keeps the tokens out of structured logs, whatever the handler.
func (l Link) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("chat_id", l.ChatID), slog.Int64("user_id", l.UserID), slog.String("sub", l.Sub))
}

func linkAD(chatID int64) []byte { return append([]byte("link:"), chatKey(chatID)...) }

// Link returns the link of chatID, or ErrNotFound.
func (db *DB) Link(chatID int64) (Link, error) {
	var l Link
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketLinks).Get(chatKey(chatID))
		if v == nil {
			return ErrNotFound
		}
		return db.open(v, linkAD(chatID), &l)
	})
	if err != nil {
		return Link{}, fmt.Errorf("read link of chat %d: %w", chatID, err)
	}
	return l, nil
}

// PutLink stores l under l.ChatID and returns the link it replaced, if any
// (so the caller can revoke the old grant). The write is synced before PutLink
// returns.
func (db *DB) PutLink(l Link) (old Link, replaced bool, err error) {
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		key := chatKey(l.ChatID)
		if v := b.Get(key); v != nil {
			// A record that no longer opens is replaced all the same.
			replaced = db.open(v, linkAD(l.ChatID), &old) == nil
		}
		sealed, err := db.seal(l, linkAD(l.ChatID))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketLinked).Put(key, nil); err != nil {
			return err
		}
		return b.Put(key, sealed)
	})
	if err != nil {
		return Link{}, false, fmt.Errorf("store link of chat %d: %w", l.ChatID, err)
	}
	return old, replaced, nil
}

// UpdateLink applies fn to the stored link of chatID in one transaction.
// It returns ErrNotFound if the chat is not linked (for example because it
// was disconnected while a refresh was under way), and fn's error unchanged.
func (db *DB) UpdateLink(chatID int64, fn func(*Link) error) error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		key := chatKey(chatID)
		v := b.Get(key)
		if v == nil {
			return ErrNotFound
		}
		var l Link
		if err := db.open(v, linkAD(chatID), &l); err != nil {
			return err
		}
		if err := fn(&l); err != nil {
			return err
		}
		l.ChatID = chatID
		sealed, err := db.seal(l, linkAD(chatID))
		if err != nil {
			return err
		}
		return b.Put(key, sealed)
	})
	if err != nil {
		return fmt.Errorf("update link of chat %d: %w", chatID, err)
	}
	return nil
}

// DeleteLink removes the link of chatID and returns it, or ErrNotFound.
// It also forgets the chat's settings and any phrase it was asked for.
func (db *DB) DeleteLink(chatID int64) (Link, error) {
	return db.deleteLink(chatID, func(Link) bool { return true })
}

// DeleteLinkIf removes the link of chatID only if it still holds
// refreshToken, so that a grant found dead is not confused with one the chat
// linked meanwhile. It returns ErrNotFound if there is no such link.
func (db *DB) DeleteLinkIf(chatID int64, refreshToken string) error {
	_, err := db.deleteLink(chatID, func(l Link) bool { return l.RefreshToken == refreshToken })
	return err
}

func (db *DB) deleteLink(chatID int64, match func(Link) bool) (Link, error) {
	var l Link
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		key := chatKey(chatID)
		b := tx.Bucket(bucketLinks)
		v := b.Get(key)
		if v == nil {
			return ErrNotFound
		}
		if err := db.open(v, linkAD(chatID), &l); err != nil {
			l = Link{ChatID: chatID}
		}
		if !match(l) {
			return ErrNotFound
		}
		if err := tx.Bucket(bucketAwait).Delete(key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSettings).Delete(key); err != nil {
			return err
		}
		if err := deleteNotes(tx, chatID); err != nil {
			return err
		}
		if err := tx.Bucket(bucketLinked).Delete(key); err != nil {
			return err
		}
		return b.Delete(key)
	})
	if err != nil {
		return Link{}, fmt.Errorf("delete link of chat %d: %w", chatID, err)
	}
	return l, nil
}

// CountLinks returns how many chats are linked.
func (db *DB) CountLinks() (int, error) {
	var n int
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucketLinked).Stats().KeyN // the index: Stats walks every page
		return nil
	})
	return n, err
}

// LinkedChats returns the chats whose link is to the Google account sub, in
// no particular order. It reads every link: links are few enough, and an
// index would store sub in the clear beside sealed records.
func (db *DB) LinkedChats(sub string) ([]int64, error) {
	var chats []int64
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketLinks).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return nil
			}
			id := int64(binary.BigEndian.Uint64(k))
			var l Link
			if db.open(v, linkAD(id), &l) == nil && l.Sub == sub {
				chats = append(chats, id)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("find chats linked to one account: %w", err)
	}
	return chats, nil
}
