package oauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LoginMaxAge is how old the identity Telegram appends to a login_url may
// be: it is signed when the button is pressed, so an older one was replayed
// from a history or a log.
const LoginMaxAge = 10 * time.Minute

// loginSkew is how far in the future auth_date may be, for clocks that
// disagree a little.
const loginSkew = time.Minute

var (
	// errNotFromTelegram: the link was opened without Telegram's signature,
	// with a wrong one, or with a stale one.
	errNotFromTelegram = errors.New("not opened from telegram")
	// errOtherAccount: Telegram signed for another user than the link's.
	errOtherAccount = errors.New("opened by another telegram user")
)

// loginCheck verifies the identity that Telegram appends to a login_url
// (id, first_name, last_name, username, photo_url, auth_date, hash), as
// https://core.telegram.org/widgets/login#checking-authorization says. It
// holds the SHA-256 of the bot token, which is the HMAC key, never the
// token.
type loginCheck struct {
	secret [sha256.Size]byte
}

// verify returns nil if q carries Telegram's signature of user want, made
// within LoginMaxAge of now. Our own parameter, state, is not part of what
// Telegram signs.
func (c loginCheck) verify(q url.Values, want int64, now time.Time) error {
	sum, err := hex.DecodeString(q.Get("hash"))
	if err != nil || len(sum) != sha256.Size {
		return errNotFromTelegram
	}
	keys := make([]string, 0, len(q))
	for k, v := range q {
		if k == "hash" || k == "state" {
			continue
		}
		if len(v) != 1 {
			return errNotFromTelegram
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + q.Get(k)
	}
	mac := hmac.New(sha256.New, c.secret[:])
	mac.Write([]byte(strings.Join(lines, "\n")))
	if !hmac.Equal(mac.Sum(nil), sum) {
		return errNotFromTelegram
	}
	at, err := strconv.ParseInt(q.Get("auth_date"), 10, 64)
	if err != nil {
		return errNotFromTelegram
	}
	if age := now.Sub(time.Unix(at, 0)); age > LoginMaxAge || age < -loginSkew {
		return errNotFromTelegram
	}
	id, err := strconv.ParseInt(q.Get("id"), 10, 64)
	if err != nil || id != want {
		return errOtherAccount
	}
	return nil
}
