package telegramfake

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// gateBot serves g on 127.0.0.1 and returns a tgbotapi client of it.
func gateBot(t testing.TB, g *Gate) *tgbotapi.BotAPI {
	t.Helper()
	ts := httptest.NewServer(g)
	t.Cleanup(ts.Close)
	bot, err := tgbotapi.NewBotAPIWithClient(token, ts.URL+"/bot%s/%s", ctxClient{context.Background()})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return bot
}

func TestGateLimits(t *testing.T) {
	bob := User{ID: 1002, FirstName: "Bob"}
	carol := User{ID: 1003, FirstName: "Carol"}
	tests := []struct {
		name    string
		global  int
		perChat time.Duration
		sends   []User // in this order, at once
		want429 []bool
	}{
		{"no limits", 0, 0, []User{alice, alice, alice}, []bool{false, false, false}},
		{"per chat", 0, time.Second, []User{alice, bob, alice, bob, carol}, []bool{false, false, true, true, false}},
		{"global", 2, 0, []User{alice, bob, carol, alice}, []bool{false, false, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, token)
			g := srv.Gate()
			g.SetLimits(tt.global, tt.perChat)
			bot := gateBot(t, g)
			for _, u := range []User{alice, bob, carol} {
				srv.SendText(u, Private(u), "hi")
			}
			n429 := 0
			for i, u := range tt.sends {
				_, err := bot.Send(tgbotapi.NewMessage(u.ID, "hello"))
				got429 := false
				if err != nil {
					e := asAPIError(t, err)
					got429 = e.Code == http.StatusTooManyRequests && e.RetryAfter >= 1
					if !got429 {
						t.Fatalf("send #%d: %v", i+1, err)
					}
					n429++
				}
				if got429 != tt.want429[i] {
					t.Errorf("send #%d to %d: 429 = %v, want %v", i+1, u.ID, got429, tt.want429[i])
				}
			}
			if got := g.TooMany(); got != n429 {
				t.Errorf("TooMany = %d, want %d", got, n429)
			}
			if got := srv.Calls("sendMessage"); got != len(tt.sends)-n429 {
				t.Errorf("Calls(sendMessage) = %d, want %d (refused sends do not reach the server)", got, len(tt.sends)-n429)
			}
		})
	}
}

func TestGateOnSend(t *testing.T) {
	srv := New(t, token)
	g := srv.Gate()
	var mu sync.Mutex
	var seen []SentMessage
	g.OnSend(func(m SentMessage, arrived time.Time) {
		if time.Since(arrived) > time.Minute || arrived.After(time.Now()) {
			t.Errorf("OnSend arrival time %v is not just now", arrived)
		}
		mu.Lock()
		seen = append(seen, m)
		mu.Unlock()
	})
	bot := gateBot(t, g)
	srv.SendText(alice, Private(alice), "/today")
	m := tgbotapi.NewMessage(alice.ID, "<b>hi</b>")
	m.ParseMode = tgbotapi.ModeHTML
	if _, err := bot.Send(m); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "")); err == nil { // refused: empty
		t.Fatal("empty message accepted")
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "today", Description: "today"})); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0].Text != "<b>hi</b>" || seen[0].ChatID != alice.ID || seen[0].ParseMode != "HTML" {
		t.Errorf("OnSend saw %+v, want the one accepted message", seen)
	}
	if got := srv.Messages(alice.ID); len(got) != 1 || got[0] != seen[0] {
		t.Errorf("Messages = %+v, want what OnSend saw", got)
	}
}
