package sandbox

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	// A deliberate exception: the sandbox drives the fakes (see sandbox.go).
	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// errSandboxQuit ends the terminal chat: /quit, the end of the input, or ctx.
var errSandboxQuit = errors.New("quit")

// sandboxReplyWait bounds how long the chat waits for calbot to react before it
// reads the next line.
const sandboxReplyWait = 15 * time.Second

// sandboxChat is the user's private chat with calbot, in a terminal. The
// fake Telegram carries it both ways, so calbot sees a real chat.
type sandboxChat struct {
	si     *sandboxFakes
	con    *sandboxConsole
	public string // calbot's base URL
	user   telegramfake.User
	lang   string
	web    *http.Client // a browser that shows redirects instead of following them
	lines  <-chan string
	served <-chan struct{} // closed when calbot stops
	echo   bool            // show each line read: the input is not a terminal that does

	mu     sync.Mutex
	keys   map[int]telegramfake.SentMessage // messages that have buttons now, by id
	events int                              // bot messages, edits and deletions shown so far
	wake   chan struct{}                    // closed and replaced when events grows
}

func newSandboxChat(si *sandboxFakes, con *sandboxConsole, public, lang string) *sandboxChat {
	u := sandboxUser
	u.LanguageCode = lang
	// The browser keeps cookies: calbot binds a sign-in to the browser
	// that started it.
	jar, _ := cookiejar.New(nil)
	return &sandboxChat{
		si: si, con: con, public: public, user: u, lang: lang,
		web: &http.Client{
			Jar:           jar,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		keys: make(map[int]telegramfake.SentMessage),
		wake: make(chan struct{}),
	}
}

// run reads lines from in until /quit, the end of in, ctx's end, or calbot
// stopping (served closed), and shows calbot's messages as they come.
func (c *sandboxChat) run(ctx context.Context, in io.Reader, served <-chan struct{}) {
	ctx, cancel := context.WithCancel(ctx)
	lines := make(chan string)
	c.lines, c.served = lines, served
	var wg sync.WaitGroup
	wg.Go(func() { c.watch(ctx) })
	defer func() { cancel(); wg.Wait() }()
	// Not in wg: a read from a terminal cannot be interrupted.
	go sandboxReadLines(ctx, in, lines)
	c.echo = !sandboxIsTTY(in)
	for {
		line, err := c.next(ctx)
		if err != nil || c.handle(ctx, line) != nil {
			return // errSandboxQuit, the only error there is
		}
	}
}

func sandboxReadLines(ctx context.Context, in io.Reader, lines chan<- string) {
	defer close(lines)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		select {
		case lines <- sc.Text():
		case <-ctx.Done():
			return
		}
	}
}

// next returns the next line the user typed, or errSandboxQuit.
func (c *sandboxChat) next(ctx context.Context) (string, error) {
	select {
	case <-ctx.Done():
	case <-c.served:
	case line, ok := <-c.lines:
		if ok {
			line = strings.TrimSpace(line)
			if c.echo && line != "" {
				c.con.echo(line)
			}
			return line, nil
		}
	}
	return "", errSandboxQuit
}

// handle acts on one line: a command of the sandbox, a button number, or a
// message to calbot.
func (c *sandboxChat) handle(ctx context.Context, line string) error {
	switch {
	case line == "":
		return nil
	case line == "/quit" || line == "/exit":
		return errSandboxQuit
	}
	if n, err := strconv.Atoi(line); err == nil && len(line) <= 2 {
		return c.press(ctx, n)
	}
	before := c.shown()
	c.si.tg.SendText(c.user, telegramfake.Private(c.user), line)
	c.waitShown(ctx, before)
	return nil
}

// watch shows every message calbot sends to the chat, and every edit and
// deletion of one, until ctx ends.
func (c *sandboxChat) watch(ctx context.Context) {
	for {
		m, err := c.si.tg.NextMessage(ctx, c.user.ID)
		if err != nil {
			return
		}
		c.mu.Lock()
		if !m.Deleted && m.Markup != nil && len(m.Markup.InlineKeyboard) > 0 {
			c.keys[m.MessageID] = m
		} else {
			delete(c.keys, m.MessageID) // its buttons were taken away
		}
		c.mu.Unlock()
		c.con.message(m, c.public+"/oauth/start")
		c.mu.Lock()
		c.events++
		close(c.wake)
		c.wake = make(chan struct{})
		c.mu.Unlock()
	}
}

func (c *sandboxChat) shown() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events
}

// waitShown waits until calbot's reaction to what the user just did is on
// the screen, so that the next line (typed ahead, or piped in) meets the
// chat as a user reading it would.
func (c *sandboxChat) waitShown(ctx context.Context, before int) {
	t := time.NewTimer(sandboxReplyWait)
	defer t.Stop()
	for {
		c.mu.Lock()
		n, wake := c.events, c.wake
		c.mu.Unlock()
		if n > before {
			return
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return
		case <-c.served:
			return
		case <-t.C:
			return
		}
	}
}

// press taps button n (from 1) of the latest message that has buttons.
func (c *sandboxChat) press(ctx context.Context, n int) error {
	c.mu.Lock()
	var m telegramfake.SentMessage
	for id, k := range c.keys {
		if id > m.MessageID {
			m = k
		}
	}
	c.mu.Unlock()
	if m.Markup == nil {
		c.con.note(smNoButtons)
		return nil
	}
	buttons := slices.Concat(m.Markup.InlineKeyboard...)
	if n < 1 || n > len(buttons) {
		c.con.note(smNoSuchButton, n, len(buttons))
		return nil
	}
	switch b := buttons[n-1]; {
	case b.CallbackData != nil:
		return c.tap(ctx, m, *b.CallbackData)
	case b.URL != nil && strings.HasPrefix(*b.URL, c.public+"/oauth/start?"):
		return c.follow(ctx, *b.URL)
	case b.LoginURL != nil:
		// Telegram opens a login_url button with the presser's signed
		// identity appended.
		link, err := c.si.tg.LoginURL(c.user, b.LoginURL.URL)
		if err != nil {
			c.con.note(smBrowserFailed, err)
			return nil
		}
		return c.follow(ctx, link)
	case b.URL != nil:
		c.con.note(smOpensURL, *b.URL)
	}
	return nil
}

// tap presses a callback button and shows the answer, as Telegram shows it
// over the chat.
func (c *sandboxChat) tap(ctx context.Context, m telegramfake.SentMessage, data string) error {
	before := c.shown()
	upd := c.si.tg.PressButton(c.user, m, data)
	actx, cancel := context.WithTimeout(ctx, sandboxReplyWait)
	defer cancel()
	a, err := c.si.tg.WaitAnswer(actx, upd.CallbackQuery.ID)
	switch {
	case ctx.Err() != nil:
		return errSandboxQuit
	case err != nil:
		c.con.note(smNoAnswer)
	case a.ShowAlert:
		c.con.note(smAlert, a.Text) // and nothing else changes
	default:
		if a.Text != "" {
			c.con.note(smToast, a.Text)
		}
		// An edit or a message follows, e.g. the Undo confirmation.
		c.waitShown(ctx, before)
	}
	return nil
}

// follow plays the browser for a sign-in link: calbot sends it to the
// stand-in Google, the user answers the consent question here, and Google
// sends the browser back to calbot's callback.
func (c *sandboxChat) follow(ctx context.Context, link string) error {
	resp, page, err := c.get(ctx, link)
	if err != nil {
		c.con.note(smBrowserFailed, err)
		return nil
	}
	if resp.StatusCode == http.StatusOK {
		// SIGNIN_CHECK=page: calbot names the Telegram account first. The
		// sandbox's user is that account, so the browser continues.
		c.con.note(smBrowserShows, sandboxHeading(page, resp.Status))
		if resp, page, err = c.confirm(ctx, page); err != nil {
			c.con.note(smBrowserFailed, err)
			return nil
		}
	}
	auth := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(auth, c.si.gURL+oauthfake.AuthPath+"?") {
		c.con.note(smBrowserShows, sandboxHeading(page, resp.Status))
		return nil
	}
	c.con.note(smConsent, sandboxAccount.Email)
	for {
		answer, err := c.next(ctx)
		if err != nil {
			return err
		}
		var callback string
		switch sandboxConsentChoice(answer) {
		case "/quit":
			return errSandboxQuit
		case "allow":
			callback, err = c.si.g.Approve(auth, sandboxAccount)
		case "untick":
			callback, err = c.si.g.Approve(auth, sandboxAccount, slices.DeleteFunc(slices.Clone(oauth.Scopes), func(s string) bool { return s == oauth.CalendarScope })...)
		case "deny":
			callback, err = c.si.g.Deny(auth)
		default:
			c.con.note(smConsentChoices)
			continue
		}
		if err != nil {
			c.con.note(smBrowserFailed, err)
			return nil
		}
		before := c.shown()
		resp, page, err := c.get(ctx, callback)
		if err != nil {
			c.con.note(smBrowserFailed, err)
			return nil
		}
		c.con.note(smBrowserShows, sandboxHeading(page, resp.Status))
		c.waitShown(ctx, before)
		return nil
	}
}

// confirm presses Continue on calbot's page that names the Telegram account:
// it posts the page's form back, with the browser's cookies.
func (c *sandboxChat) confirm(ctx context.Context, page string) (*http.Response, string, error) {
	form := url.Values{}
	for _, name := range []string{"state", "confirm"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(page)
		if m == nil {
			return nil, "", fmt.Errorf("the page has no %s field", name)
		}
		form.Set(name, html.UnescapeString(m[1]))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.public+"/oauth/start", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.public)
	return c.do(req)
}

// sandboxConsentChoice reads an answer to the consent question, in either
// language and either keyboard layout.
func sandboxConsentChoice(answer string) string {
	a := strings.ToLower(strings.TrimSpace(answer))
	if a == "/quit" || a == "/exit" {
		return "/quit"
	}
	r, _ := utf8.DecodeRuneInString(a)
	switch r {
	case 'a', 'y', 'р', 'ф', 'д': // allow, yes, разрешить; ф is A on a Russian keyboard; да
		return "allow"
	case 'u', 'с', 'г': // untick, снять; г is U on a Russian keyboard
		return "untick"
	case 'd', 'n', 'о', 'в', 'н': // deny, no, отклонить; в is D on a Russian keyboard; нет
		return "deny"
	}
	return ""
}

// get fetches u like a browser that does not follow redirects, and returns
// the start of the page.
func (c *sandboxChat) get(ctx context.Context, u string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	return c.do(req)
}

// do sends req like a browser that does not follow redirects, and returns
// the start of the page.
func (c *sandboxChat) do(req *http.Request) (*http.Response, string, error) {
	req.Header.Set("Accept-Language", c.lang)
	resp, err := c.web.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp, string(body), err
}

// sandboxHeading is the text of a page's <h1>, or fallback.
func sandboxHeading(page, fallback string) string {
	_, rest, ok := strings.Cut(page, "<h1>")
	h, _, ok2 := strings.Cut(rest, "</h1>")
	if !ok || !ok2 {
		return fallback
	}
	return strings.TrimSpace(sandboxPlainText(h, false))
}
