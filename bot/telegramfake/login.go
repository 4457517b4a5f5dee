package telegramfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SetDomain links a domain to the bot, as /setdomain in @BotFather does.
// Once a domain is set, PressLoginURL refuses login_url buttons to other
// hosts, as Telegram clients do ("Bot domain invalid"). With none set it
// accepts any host, so tests need not set one.
func (s *Server) SetDomain(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domain = host
}

// SetClock sets the clock that dates the logins PressLoginURL signs
// (default time.Now), so that they agree with a bot under a fake clock.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// PressLoginURL does what a Telegram client does when u presses a login_url
// button of msg labelled text: it returns the button's URL with u's identity
// (id, first_name, username, auth_date) appended and signed with the bot's
// token, as https://core.telegram.org/widgets/login#checking-authorization
// describes. Open the result in a browser to follow the sign-in.
func (s *Server) PressLoginURL(u User, msg SentMessage, text string) (string, error) {
	b, ok := msg.Button(text)
	if !ok || b.LoginURL == nil {
		return "", errors.New("telegramfake: the message has no login_url button " + strconv.Quote(text))
	}
	return s.LoginURL(u, b.LoginURL.URL)
}

// LoginURL returns link as a Telegram client opens a login_url button to it
// that u pressed: with u's signed identity appended. It fails like a client
// would for a link Telegram refuses or a host other than SetDomain's.
func (s *Server) LoginURL(u User, link string) (string, error) {
	if !validLoginURL(link) {
		return "", errors.New("telegramfake: login_url must be https with a domain")
	}
	p, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	domain, now := s.domain, s.now
	s.mu.Unlock()
	if domain != "" && !strings.EqualFold(p.Hostname(), domain) {
		return "", errors.New("telegramfake: Bot domain invalid: link the domain with SetDomain (/setdomain in @BotFather)")
	}
	if now == nil {
		now = time.Now
	}
	fields := url.Values{"id": {strconv.FormatInt(u.ID, 10)}, "first_name": {u.FirstName}, "auth_date": {strconv.FormatInt(now().Unix(), 10)}}
	if u.Username != "" {
		fields.Set("username", u.Username)
	}
	q := p.Query()
	for k, v := range fields {
		q[k] = v
	}
	q.Set("hash", SignLogin(s.token, fields))
	p.RawQuery = q.Encode()
	return p.String(), nil
}

// SignLogin is Telegram's hash of the login fields: HMAC-SHA-256, keyed
// with the SHA-256 of the bot token, of the fields sorted by name as
// "key=value" lines, in hex. Tests that forge or alter a login use it.
func SignLogin(token string, fields url.Values) string {
	keys := slices.Sorted(maps.Keys(fields))
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + fields.Get(k)
	}
	secret := sha256.Sum256([]byte(token))
	mac := hmac.New(sha256.New, secret[:])
	mac.Write([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(mac.Sum(nil))
}

// validLoginURL is what Telegram asks of a login_url: an HTTPS URL, with a
// host that has a dot.
func validLoginURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && validButtonURL(raw)
}

// checkLoginButton validates a login_url button like Telegram does.
func checkLoginButton(l *tgbotapi.LoginURL) *apiError {
	if !validLoginURL(l.URL) {
		return badRequest("BUTTON_URL_INVALID")
	}
	return nil
}
