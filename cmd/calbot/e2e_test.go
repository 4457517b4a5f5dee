package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// TestStory drives the whole product through the fakes, in both languages:
// /connect → consent → callback → "Connected as …" → /today → /add → a
// redelivered /add → Undo → /disconnect.
func TestStory(t *testing.T) {
	tests := []struct {
		name string
		user telegramfake.User
		acct oauthfake.Account
		want map[string]string // step → a phrase the reply must contain
	}{
		{"english", alice, aliceG, map[string]string{
			"help": "/connect", "page": "Connected", "connected": "Connected as <b>alice@example.com</b>. Not you? /disconnect",
			"zone": "Europe/Moscow", "today": "Today, Saturday, 21 November", "added": "Added <b>Lunch</b>",
			"when": "Sunday, 22 November, 13:00–14:00 (Europe/Moscow)", "undo": "Undo", "undone": "Undone",
			"disconnected": "Disconnected <b>alice@example.com</b>",
		}},
		{"russian", boris, borisG, map[string]string{
			"help": "/connect", "page": "Календарь подключён", "connected": "Подключено: <b>boris@example.ru</b>. Это не вы? /disconnect",
			"zone": "Europe/Moscow", "today": "Сегодня, суббота, 21 ноября", "added": "Добавлено: <b>Обед</b>",
			"when": "воскресенье, 22 ноября, 13:00–14:00 (Europe/Moscow)", "undo": "Отменить", "undone": "Отменено",
			"disconnected": "Отключено: <b>boris@example.ru</b>",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.seed(tt.acct)
			contains := func(step, got string) {
				t.Helper()
				if !strings.Contains(got, tt.want[step]) {
					t.Errorf("%s: reply %q does not contain %q", step, got, tt.want[step])
				}
			}

			contains("help", h.say(tt.user, "/start").Text)
			if cmds := h.tg.Commands(""); len(cmds) == 0 {
				t.Error("no command menu registered")
			}
			if cmds := h.tg.Commands("ru"); len(cmds) == 0 {
				t.Error("no Russian command menu registered")
			}

			status, page, m := h.connect(tt.user, tt.acct)
			if status != http.StatusOK {
				t.Fatalf("callback page status = %d, want 200; page: %s", status, page)
			}
			contains("page", page)
			contains("connected", m.Text)
			contains("zone", m.Text)
			if got := h.g.LastAuthRequest(); got.Get("access_type") != "offline" || got.Get("prompt") != "consent" || got.Get("code_challenge_method") != "S256" {
				t.Errorf("auth request = %v, want offline access, forced consent and PKCE S256", got)
			}

			lists := h.cal.Requests("list")
			today := h.say(tt.user, "/today").Text
			contains("today", today)
			if n := h.cal.Requests("list") - lists; n != 1 {
				t.Errorf("/today made %d Calendar requests, want 1", n)
			}
			order := []string{"Holiday", "Party", "Gym", "Standup &lt;team&gt; &amp; co", "Room 1", "Night train"}
			last := -1
			for _, s := range order {
				i := strings.Index(today, s)
				if i < 0 || i < last {
					t.Errorf("/today: %q missing or out of order in %q", s, today)
				}
				last = i
			}
			if strings.Contains(today, "Not today") {
				t.Errorf("/today shows tomorrow's event: %q", today)
			}

			title := map[string]string{"english": "Lunch", "russian": "Обед"}[tt.name]
			tomorrow := map[string]string{"english": "tomorrow", "russian": "завтра"}[tt.name]
			upd := h.tg.SendText(tt.user, telegramfake.Private(tt.user), "/add "+title+" "+tomorrow+" 13:00-14:00")
			added := h.tg.WaitMessage(t, tt.user.ID, waitFor)
			contains("added", added.Text)
			contains("when", added.Text)
			undo, ok := added.Button(tt.want["undo"])
			if !ok || undo.CallbackData == nil {
				t.Fatalf("/add reply has no %q button: %+v", tt.want["undo"], added.Markup)
			}
			events := h.cal.Events(tt.acct.Email)
			if n := len(events); n != 7 {
				t.Fatalf("calendar has %d events after /add, want 7", n)
			}

			// Telegram delivers at least once: the same update again must not
			// make a second event.
			// The redelivered update is dropped; the next reply is /help's.
			h.tg.Redeliver(upd)
			if m := h.say(tt.user, "/help"); !strings.Contains(m.Text, tt.want["help"]) {
				t.Errorf("after a redelivered /add the bot said %q, want only the /help reply", m.Text)
			}
			if n := len(h.cal.Events(tt.acct.Email)); n != 7 {
				t.Errorf("calendar has %d events after a redelivered /add, want 7", n)
			}

			press := h.tg.PressButton(tt.user, added, *undo.CallbackData)
			edited := h.tg.WaitMessage(t, tt.user.ID, waitFor)
			contains("undone", edited.Text)
			if !edited.Edited || edited.Markup != nil && len(edited.Markup.InlineKeyboard) > 0 {
				t.Errorf("after Undo the message = %+v, want it edited without buttons", edited)
			}
			if _, ok := h.tg.Answered(press.CallbackQuery.ID); !ok {
				t.Error("the Undo callback was not answered")
			}
			for _, e := range h.cal.Events(tt.acct.Email) {
				if e.Summary == title && e.Status != "cancelled" {
					t.Errorf("event %q still in the calendar after Undo", title)
				}
			}

			revokes := h.g.Requests("revoke")
			contains("disconnected", h.say(tt.user, "/disconnect").Text)
			if h.g.Requests("revoke") != revokes+1 {
				t.Error("/disconnect did not revoke the grant at Google")
			}
			not := h.say(tt.user, "/today").Text
			if !strings.Contains(not, "/connect") {
				t.Errorf("/today after /disconnect = %q, want a hint to /connect", not)
			}
			if r := h.tg.Rejected(); len(r) > 0 {
				t.Errorf("Telegram rejected requests: %q", r)
			}
		})
	}
}

func TestCallbackRefusesBadState(t *testing.T) {
	h := newHarness(t)
	link := h.connectLink(alice)
	state := mustQuery(t, link, "state")
	googleURL := h.consent(alice, link)
	cb, err := h.g.Approve(googleURL, aliceG)
	if err != nil {
		t.Fatal(err)
	}
	code := mustQuery(t, cb, "code")
	tampered := []byte(state)
	tampered[5] ^= 1
	tests := []struct {
		name string
		url  string
	}{
		{"forged state", h.public + "/oauth/callback?code=" + code + "&state=AAAA"},
		{"tampered state", h.public + "/oauth/callback?code=" + code + "&state=" + string(tampered)},
		{"no state", h.public + "/oauth/callback?code=" + code},
		{"forged start", h.public + "/oauth/start?state=" + string(tampered)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.get(tt.url)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "/connect") {
				t.Errorf("GET = %d %q, want 400 with advice to /connect", resp.StatusCode, body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("headers = %v, want no-store and no-referrer", resp.Header)
			}
		})
	}
	if n := h.g.Requests("authorization_code"); n != 0 {
		t.Errorf("bad states caused %d code exchanges, want 0", n)
	}

	// The real callback still works once, and only once.
	resp, _ := h.get(cb)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("real callback = %s", resp.Status)
	}
	if m := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "alice@example.com") {
		t.Errorf("chat told %q", m.Text)
	}
	resp, _ = h.get(cb)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback = %s, want 400", resp.Status)
	}
	if n := h.g.Requests("authorization_code"); n != 1 {
		t.Errorf("code exchanged %d times, want exactly 1", n)
	}
}

func TestExpiredLink(t *testing.T) {
	h := newHarness(t)
	link := h.connectLink(alice)
	h.clock.Advance(11 * time.Minute)
	resp, body := h.get(link)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "10 minutes") {
		t.Errorf("expired link = %d %q, want 400 that says links last 10 minutes", resp.StatusCode, body)
	}
}

func TestStartLinkSurvivesPreviews(t *testing.T) {
	h := newHarness(t)
	link := h.connectLink(alice)
	// A link preview fetches the bare link: refused, nothing changes.
	if resp, _ := h.fetch(newBrowser(), link); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bare sign-in link = %s, want 403", resp.Status)
	}
	// The user's own tap, twice, and a HEAD in between.
	h.consent(alice, link)
	pressed, err := h.tg.LoginURL(alice, link)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := h.web.Head(pressed); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("HEAD sign-in link = %v, %v; want a success that goes nowhere", resp, err)
	}
	cb, err := h.g.Approve(h.consent(alice, link), aliceG)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := h.get(cb)
	if m := h.tg.WaitMessage(t, alice.ID, waitFor); resp.StatusCode != http.StatusOK || !strings.Contains(m.Text, "Connected as") {
		t.Errorf("connect after previews = %d, %q", resp.StatusCode, m.Text)
	}
}

func TestConsentRefused(t *testing.T) {
	tests := []struct {
		name     string
		do       func(h *harness, googleURL string) (string, error)
		wantPage string
		wantChat string
	}{
		{"access denied", func(h *harness, u string) (string, error) { return h.g.Deny(u) }, "cancelled", "cancelled"},
		{"calendar unticked", func(h *harness, u string) (string, error) { return h.g.Approve(u, aliceG, "openid", "email") }, "tick the Google Calendar box", "tick it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			cb, err := tt.do(h, h.consent(alice, h.connectLink(alice)))
			if err != nil {
				t.Fatal(err)
			}
			_, page := h.get(cb)
			if !strings.Contains(page, tt.wantPage) {
				t.Errorf("page = %q, want %q", page, tt.wantPage)
			}
			if m := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, tt.wantChat) {
				t.Errorf("chat told %q, want %q", m.Text, tt.wantChat)
			}
			if m := h.say(alice, "/today"); !strings.Contains(m.Text, "No Google Calendar is linked") {
				t.Errorf("/today after a refused consent = %q, want not linked", m.Text)
			}
		})
	}
}

func TestRevokedGrant(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	// The user removes calbot at myaccount.google.com: Google kills the
	// access token at once and refuses the refresh token.
	h.g.RevokeAll(aliceG.Sub)
	m := h.say(alice, "/today")
	for _, want := range []string{"revoked or has expired", "/connect", "7 days"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("/today after revocation = %q, want %q", m.Text, want)
		}
	}
	if m := h.say(alice, "/today"); !strings.Contains(m.Text, "No Google Calendar is linked") {
		t.Errorf("the dead grant was not deleted: /today = %q", m.Text)
	}
}

func TestNotConnected(t *testing.T) {
	h := newHarness(t)
	for _, cmd := range []string{"/today", "/add Lunch tomorrow 13:00", "/disconnect"} {
		if m := h.say(alice, cmd); !strings.Contains(m.Text, "/connect") {
			t.Errorf("%s when not connected = %q, want a hint to /connect", cmd, m.Text)
		}
	}
}

func TestGroupChat(t *testing.T) {
	h := newHarness(t)
	group := telegramfake.Group(-100500, "Team")
	for _, cmd := range []string{"/connect", "/today@" + h.tg.Me().Username} {
		h.tg.SendText(alice, group, cmd)
		m := h.tg.WaitMessage(t, group.ID, waitFor)
		b, ok := m.Button("Open private chat")
		if !ok || b.URL == nil || !strings.HasPrefix(*b.URL, "https://t.me/"+h.tg.Me().Username) {
			t.Errorf("%s in a group = %+v, want a button to the private chat", cmd, m)
		}
		if strings.Contains(m.Text, "/oauth/start") {
			t.Errorf("%s in a group leaked a sign-in link", cmd)
		}
	}
	// Commands for other bots and plain chatter get no answer: the next
	// message in the group is the reply to /help.
	h.tg.SendText(alice, group, "/today@some_other_bot")
	h.tg.SendText(alice, group, "hello everyone")
	h.tg.SendText(alice, group, "/help")
	if m := h.tg.WaitMessage(t, group.ID, waitFor); !strings.Contains(m.Text, "/connect") {
		t.Errorf("group got %q, want only the /help reply", m.Text)
	}
}

func TestBareAddAsksAndUnreadablePhrase(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	if m := h.say(alice, "/add"); !strings.Contains(m.Text, "What and when?") {
		t.Errorf("/add = %q, want the question", m.Text)
	}
	if m := h.say(alice, "Dentist 25.11 9:30 1h"); !strings.Contains(m.Text, "Added <b>Dentist</b>") {
		t.Errorf("answer to the question = %q, want the event added", m.Text)
	}
	before := len(h.cal.Events(aliceG.Email))
	m := h.say(alice, "/add Lunch 31.02 13:00")
	if !strings.Contains(m.Text, "no such date") || !strings.Contains(m.Text, "Examples") {
		t.Errorf("unreadable /add = %q, want an explanation with examples", m.Text)
	}
	if m := h.say(alice, "just chatting"); !strings.Contains(m.Text, "/help") {
		t.Errorf("plain text = %q, want a hint to /help", m.Text)
	}
	if n := len(h.cal.Events(aliceG.Email)); n != before {
		t.Errorf("a bad phrase created %d events", n-before)
	}
}

func TestRelinkRevokesOldGrant(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	revokes := h.g.Requests("revoke")
	link := h.connectLink(alice)
	if m := h.tg.Messages(alice.ID); !strings.Contains(m[len(m)-1].Text, "already linked to <b>alice@example.com</b>") {
		t.Errorf("/connect when linked = %q, want it to name the linked account", m[len(m)-1].Text)
	}
	cb, err := h.g.Approve(h.consent(alice, link), borisG)
	if err != nil {
		t.Fatal(err)
	}
	h.get(cb)
	if m := h.tg.WaitMessage(t, alice.ID, waitFor); !strings.Contains(m.Text, "boris@example.ru</b> (replaces alice@example.com)") {
		t.Errorf("relink told %q", m.Text)
	}
	if h.g.Requests("revoke") != revokes+1 {
		t.Error("the replaced grant was not revoked")
	}
}

func TestUndoOnlyByItsAuthor(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	added := h.say(alice, "/add Lunch tomorrow 13:00")
	undo, _ := added.Button("Undo")
	h.tg.SendText(boris, telegramfake.Private(boris), "/help")
	h.tg.WaitMessage(t, boris.ID, waitFor)
	press := h.tg.PressButton(boris, added, *undo.CallbackData)
	a := waitAnswer(t, h.tg, press.CallbackQuery.ID)
	if !strings.Contains(a.Text, "только тот") && !strings.Contains(a.Text, "Only the person") {
		t.Errorf("someone else's Undo answered %q", a.Text)
	}
	for _, e := range h.cal.Events(aliceG.Email) {
		if e.Summary == "Lunch" && e.Status == "cancelled" {
			t.Error("someone else's Undo deleted the event")
		}
	}
}

// waitAnswer waits for the bot to answer a callback query.
func waitAnswer(t *testing.T, tg *telegramfake.Server, id string) telegramfake.Answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	a, err := tg.WaitAnswer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
