package oauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Check is how /oauth/start makes sure that the person who opens a sign-in
// link is the Telegram user who asked for it.
type Check int

const (
	// CheckTelegram needs the link opened through a login_url button:
	// Telegram signs who pressed it, and that must be the link's user. It
	// needs an https PUBLIC_URL whose domain is linked to the bot with
	// /setdomain in @BotFather.
	CheckTelegram Check = iota
	// CheckPage shows a page naming the Telegram account the calendar will
	// be linked to, with a Continue button, before Google. It is weaker:
	// the person must read it.
	CheckPage
)

// String returns the SIGNIN_CHECK value of c.
func (c Check) String() string {
	if c == CheckPage {
		return "page"
	}
	return "telegram"
}

// ParseCheck reads a SIGNIN_CHECK value: "telegram" or "page".
func ParseCheck(s string) (Check, error) {
	switch s {
	case "telegram":
		return CheckTelegram, nil
	case "page":
		return CheckPage, nil
	}
	return 0, fmt.Errorf("sign-in check %q is not telegram or page", s)
}

// LoginURLWorks reports whether Telegram accepts login_url buttons to
// publicURL: an https URL whose host has a dot.
func LoginURLWorks(publicURL string) bool {
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme != "https" {
		return false
	}
	h := u.Hostname()
	return strings.Contains(h, ".") && !strings.HasPrefix(h, ".") && !strings.HasSuffix(h, ".")
}

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
