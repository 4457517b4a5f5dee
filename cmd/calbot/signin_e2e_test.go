package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/calbot/calbot/bot/telegramfake"
)

var mallory = telegramfake.User{ID: 1666, FirstName: "Mallory", Username: "mallory", LanguageCode: "en"}

// TestPhishing is the attack of issue 8 through the fakes: Mallory sends
// /connect in his own chat and gets Alice to use the link, or Google's
// consent page behind it. His chat must never get her calendar.
func TestPhishing(t *testing.T) {
	for _, scheme := range []string{"https", "http"} {
		t.Run(scheme, func(t *testing.T) {
			h := newHarnessAt(t, scheme)
			link := h.connectLink(mallory)
			victim := newBrowser()

			// Alice presses the forwarded button (or opens the bare link).
			resp := h.open(victim, alice, link)
			if scheme == "https" {
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("the forwarded button pressed by Alice = %s, want 403", resp.Status)
				}
			} else if _, page := h.fetch(newBrowser(), link); !strings.Contains(page, "Telegram account Mallory (@mallory)") {
				// Without a linked domain the page is the defence: it names
				// the account the calendar would go to.
				t.Errorf("the sign-in page does not name Mallory's account:\n%s", page)
			}

			// Mallory passes the check himself and forwards Google's page.
			auth := h.consent(mallory, link, newBrowser())
			cb, err := h.g.Approve(auth, aliceG)
			if err != nil {
				t.Fatal(err)
			}
			resp, page := h.fetch(victim, cb)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Finish in the browser you started in") {
				t.Errorf("Google's page forwarded to Alice = %s, want 403 and the page about another browser:\n%s", resp.Status, page)
			}
			if n := h.g.Requests("authorization_code"); n != 0 {
				t.Errorf("a code was exchanged %d times for Mallory's chat", n)
			}
			if m := h.say(mallory, "/today"); !strings.Contains(m.Text, "No Google Calendar is linked") {
				t.Errorf("Mallory's /today = %q, want no calendar", m.Text)
			}
		})
	}
}

// TestSignInInOwnBrowserOnly: Alice herself cannot finish in another
// browser either, and the refused attempt does not spend her link.
func TestSignInInOwnBrowserOnly(t *testing.T) {
	h := newHarness(t)
	link := h.connectLink(alice)
	auth := h.consent(alice, link)
	cb, err := h.g.Approve(auth, aliceG)
	if err != nil {
		t.Fatal(err)
	}
	other := newBrowser()
	if resp, _ := h.fetch(other, cb+"&error=access_denied"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("error= from another browser = %s, want 403", resp.Status)
	}
	// A link scanner's HEAD cannot complete or spend it.
	req, _ := http.NewRequest(http.MethodHead, cb, nil)
	resp, err := h.web.Do(req)
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET" {
		t.Errorf("HEAD callback = %v, %v; want 405 with Allow: GET", resp, err)
	}
	resp, _ = h.get(cb)
	if m := h.tg.WaitMessage(t, alice.ID, waitFor); resp.StatusCode != http.StatusOK || !strings.Contains(m.Text, "Connected as") {
		t.Errorf("callback in her browser = %s, %q", resp.Status, m.Text)
	}
}

func TestOneLiveSignInPerChat(t *testing.T) {
	h := newHarness(t)
	first := h.connectLink(alice)
	second := h.connectLink(alice)
	pressed, err := h.tg.LoginURL(alice, first)
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := h.get(pressed); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "no longer valid") {
		t.Errorf("the replaced link = %s, want 400 no longer valid", resp.Status)
	}
	h.consent(alice, second)
	// Three more, then the chat must wait.
	for range 3 {
		h.connectLink(alice)
	}
	if m := h.say(alice, "/connect"); !strings.Contains(m.Text, "Wait a few minutes") || m.Markup != nil {
		t.Errorf("the sixth /connect in ten minutes = %q, %+v; want to wait, no button", m.Text, m.Markup)
	}
	if m := h.say(boris, "/connect"); m.Markup == nil {
		t.Errorf("another chat's /connect = %q, want a button", m.Text)
	}
}

// TestDisconnectKeepsASharedGrant: two chats linked to one Google account;
// one disconnects, and the other's link must go on working.
func TestDisconnectKeepsASharedGrant(t *testing.T) {
	h := newHarness(t)
	h.connect(alice, aliceG)
	h.connect(boris, aliceG)
	revokes := h.g.Requests("revoke")
	if m := h.say(alice, "/disconnect"); !strings.Contains(m.Text, "Another chat of this bot still uses that Google account") {
		t.Errorf("/disconnect = %q, want it to say the grant was kept for the other chat", m.Text)
	}
	if n := h.g.Requests("revoke"); n != revokes {
		t.Errorf("revoke requests = %d, want none", n-revokes)
	}
	h.g.ExpireAccessTokens() // the next call must refresh with Boris's grant
	if m := h.say(boris, "/today"); strings.Contains(m.Text, "/connect") {
		t.Errorf("Boris's /today after Alice's /disconnect = %q", m.Text)
	}
	if m := h.say(boris, "/disconnect"); !strings.Contains(m.Text, "Отключено: <b>alice@example.com</b>. Доступ calbot отозван") {
		t.Errorf("the last /disconnect = %q, want revoked", m.Text)
	}
}
