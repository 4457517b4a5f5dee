package oauth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/storage"
)

// errOtherBrowser: the browser lacks the cookie bound to the login.
var errOtherBrowser = errors.New("browser is not the one that started the sign-in")

// HandleStart serves GET /oauth/start?state=…. With CheckTelegram it
// requires Telegram's signature of the link's user (a login_url button),
// binds the login to this browser and redirects to Google's consent page.
// With CheckPage it shows a page naming the Telegram account, whose
// Continue button posts to HandleContinue. Nothing here uses the login up,
// and a fetch that fails the check changes nothing: link previews, a second
// tap and strangers do no harm.
func (f *Flow) HandleStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	s, p, err := f.lookup(state)
	if err != nil {
		f.log.Info("sign-in link refused", "step", "start", "err", err)
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, pageData{})
		return
	}
	lang := pageLang(p.Lang, r)
	who := person(p)
	if f.check == CheckPage {
		token := randomValue()
		f.setCookie(w, confirmCookie(s), token, int(s.Expires.Sub(f.now()).Seconds())+1)
		renderPage(w, http.StatusOK, lang, pageConfirm, pageData{Telegram: who.Name(), FormTarget: origin(f.cfg.AuthURL),
			Form: &confirmForm{Action: f.cfg.PublicURL + "/oauth/start", State: state, Confirm: token}})
		return
	}
	if err := f.tg.verify(q, s.UserID, f.now()); err != nil {
		f.log.Info("sign-in link refused", "step", "start", "chat_id", s.ChatID, "err", err)
		f.cfg.Metrics.connect("not_yours")
		renderPage(w, http.StatusForbidden, lang, pageOtherAccount, pageData{})
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusNoContent) // a HEAD binds no browser
		return
	}
	f.toGoogle(w, r, state, s, http.StatusFound)
}

// HandleContinue serves POST /oauth/start, the Continue button of the page
// CheckPage shows. It binds the login to this browser and redirects to
// Google. The form must echo the confirm cookie the page set.
func (f *Flow) HandleContinue(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, pageData{})
		return
	}
	state := r.PostForm.Get("state")
	s, p, err := f.lookup(state)
	if err != nil || f.check != CheckPage {
		f.log.Info("sign-in link refused", "step", "continue", "err", err)
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, pageData{})
		return
	}
	c, err := r.Cookie(confirmCookie(s))
	if err != nil || !hmac.Equal([]byte(c.Value), []byte(r.PostForm.Get("confirm"))) || c.Value == "" {
		f.log.Info("sign-in continue refused: confirm cookie missing or wrong", "chat_id", s.ChatID)
		f.cfg.Metrics.connect("other_browser")
		renderPage(w, http.StatusForbidden, pageLang(p.Lang, r), pageOtherBrowser, pageData{})
		return
	}
	f.setCookie(w, confirmCookie(s), "", -1)
	f.toGoogle(w, r, state, s, http.StatusSeeOther)
}

// toGoogle binds the login to this browser, with a cookie only it holds,
// and redirects to Google's consent page. A browser that holds the cookie
// already keeps it; any other replaces the binding, which only someone who
// passed the check can do.
func (f *Flow) toGoogle(w http.ResponseWriter, r *http.Request, state string, s State, status int) {
	name := browserCookie(s)
	value := ""
	if c, err := r.Cookie(name); err == nil {
		value = c.Value
	}
	var verifier, grow string
	err := f.db.UpdatePending(s.Nonce[:], f.now(), func(p *storage.Pending) error {
		if value == "" || !sameBrowser(*p, value) {
			value = randomValue()
			sum := sha256.Sum256([]byte(value))
			p.Browser = sum[:]
		}
		verifier, grow = p.Verifier, p.Grow
		return nil
	})
	if err != nil {
		f.log.Info("sign-in link refused", "step", "bind", "err", pendingErr(err))
		renderPage(w, http.StatusBadRequest, pageLang("", r), pageInvalid, pageData{})
		return
	}
	f.setCookie(w, name, value, int(s.Expires.Sub(f.now()).Seconds())+1)
	opts := []oauth2.AuthCodeOption{oauth2.AccessTypeOffline, oauth2.ApprovalForce, oauth2.S256ChallengeOption(verifier)}
	if grow != "" {
		opts = append(opts, growOptions(grow)...)
	}
	u := f.oauth.AuthCodeURL(state, opts...)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u, status)
}

// fromSameBrowser returns nil if r carries the cookie bound to p.
func fromSameBrowser(r *http.Request, s State, p storage.Pending) error {
	c, err := r.Cookie(browserCookie(s))
	if err != nil || !sameBrowser(p, c.Value) {
		return errOtherBrowser
	}
	return nil
}

func sameBrowser(p storage.Pending, value string) bool {
	sum := sha256.Sum256([]byte(value))
	return len(p.Browser) == sha256.Size && hmac.Equal(p.Browser, sum[:])
}

// browserCookie names the cookie of one login, so that sign-ins of two
// chats in one browser do not undo each other. The nonce is not secret.
func browserCookie(s State) string {
	return "calbot_login_" + base64.RawURLEncoding.EncodeToString(s.Nonce[:9])
}

// confirmCookie names the cookie that carries the token the Continue form
// of CheckPage must echo: a cross-site POST does not carry a SameSite=Lax
// cookie, so no other site can press Continue for a visitor.
func confirmCookie(s State) string {
	return "calbot_confirm_" + base64.RawURLEncoding.EncodeToString(s.Nonce[:9])
}

// setCookie sets (maxAge > 0) or deletes (maxAge < 0) a cookie for /oauth/
// that scripts cannot read, that is Secure when PUBLIC_URL is https, and
// that browsers do not send along with requests from other sites' pages.
func (f *Flow) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/oauth/", MaxAge: maxAge,
		HttpOnly: true, Secure: strings.HasPrefix(f.cfg.PublicURL, "https://"), SameSite: http.SameSiteLaxMode,
	})
}

func person(p storage.Pending) Person {
	return Person{ID: p.UserID, FirstName: p.FirstName, Username: p.Username}
}

func randomValue() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// origin returns the scheme and host of rawURL, for a CSP source.
func origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
