package oauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidState is returned for a state that was not made by this server's
// key, names another chat or user, has expired, or was already used.
var ErrInvalidState = errors.New("invalid or expired sign-in link")

// NonceSize is the size of a state's random nonce: 128 bits.
const NonceSize = 16

const (
	stateBodySize = NonceSize + 8 + 8 + 8
	stateMACSize  = sha256.Size
	stateSize     = stateBodySize + stateMACSize
)

// State is what a sign-in link carries through Google and back: a random
// nonce that names the pending login, the chat and Telegram user it belongs
// to, and when it stops being valid. It is signed, not secret.
type State struct {
	Nonce   [NonceSize]byte
	ChatID  int64
	UserID  int64
	Expires time.Time
}

// SignState encodes s and appends an HMAC-SHA256 with key, as URL-safe base64.
func SignState(key []byte, s State) string {
	buf := make([]byte, 0, stateSize)
	buf = append(buf, s.Nonce[:]...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(s.ChatID))
	buf = binary.BigEndian.AppendUint64(buf, uint64(s.UserID))
	buf = binary.BigEndian.AppendUint64(buf, uint64(s.Expires.Unix()))
	mac := hmac.New(sha256.New, key)
	mac.Write(buf)
	buf = mac.Sum(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// ParseState verifies a state made by SignState with key and returns it. It
// returns an error wrapping ErrInvalidState if the state is malformed, its
// MAC does not match (compared in constant time), or it expired before now.
// Whether the state was already used is for the caller's store to say.
func ParseState(key []byte, encoded string, now time.Time) (State, error) {
	if len(encoded) != base64.RawURLEncoding.EncodedLen(stateSize) {
		return State{}, fmt.Errorf("%w: malformed", ErrInvalidState)
	}
	buf, err := base64.RawURLEncoding.Strict().DecodeString(encoded)
	if err != nil || len(buf) != stateSize {
		return State{}, fmt.Errorf("%w: malformed", ErrInvalidState)
	}
	body, sum := buf[:stateBodySize], buf[stateBodySize:]
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	if !hmac.Equal(sum, mac.Sum(nil)) {
		return State{}, fmt.Errorf("%w: bad signature", ErrInvalidState)
	}
	var s State
	copy(s.Nonce[:], body)
	s.ChatID = int64(binary.BigEndian.Uint64(body[NonceSize:]))
	s.UserID = int64(binary.BigEndian.Uint64(body[NonceSize+8:]))
	s.Expires = time.Unix(int64(binary.BigEndian.Uint64(body[NonceSize+16:])), 0).UTC()
	if !now.Before(s.Expires) {
		return State{}, fmt.Errorf("%w: expired", ErrInvalidState)
	}
	return s, nil
}
