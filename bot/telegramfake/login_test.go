package telegramfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestLoginURLSignsLikeTelegram(t *testing.T) {
	srv := NewServer(token)
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	srv.SetClock(func() time.Time { return at })
	got, err := srv.LoginURL(User{ID: 42, FirstName: "Алиса", Username: "alice"}, "https://calbot.example.com/oauth/start?state=abc")
	if err != nil {
		t.Fatalf("LoginURL: %v", err)
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("state") != "abc" || u.Host != "calbot.example.com" || u.Path != "/oauth/start" {
		t.Errorf("LoginURL = %q, want the button's URL kept", got)
	}
	// The data-check-string, written out by hand.
	check := "auth_date=" + "1795251600" + "\nfirst_name=Алиса\nid=42\nusername=alice"
	if q.Get("auth_date") != "1795251600" {
		t.Fatalf("auth_date = %q, want the fake's clock", q.Get("auth_date"))
	}
	secret := sha256.Sum256([]byte(token))
	mac := hmac.New(sha256.New, secret[:])
	mac.Write([]byte(check))
	if want := hex.EncodeToString(mac.Sum(nil)); q.Get("hash") != want {
		t.Errorf("hash = %q, want %q", q.Get("hash"), want)
	}
}

func TestLoginURLRefuses(t *testing.T) {
	tests := []struct {
		name, domain, link, want string
	}{
		{"http", "", "http://calbot.example.com/oauth/start", "https"},
		{"no dot", "", "https://localhost/oauth/start", "https"},
		{"domain not linked", "calbot.example.com", "https://evil.example.org/oauth/start", "Bot domain invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(token)
			srv.SetDomain(tt.domain)
			if _, err := srv.LoginURL(alice, tt.link); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoginURL(%q) = %v, want an error about %q", tt.link, err, tt.want)
			}
		})
	}
}

func TestPressLoginURL(t *testing.T) {
	srv := NewServer(token)
	k := keyboard(loginButton("https://calbot.example.com/oauth/start?state=s"), tgbotapi.NewInlineKeyboardButtonData("Undo", "u"))
	msg := SentMessage{Markup: &k}
	got, err := srv.PressLoginURL(alice, msg, "Connect")
	if err != nil || !strings.HasPrefix(got, "https://calbot.example.com/oauth/start?") || !strings.Contains(got, "hash=") {
		t.Errorf("PressLoginURL = %q, %v; want the signed link", got, err)
	}
	if _, err := srv.PressLoginURL(alice, msg, "Undo"); err == nil {
		t.Error("PressLoginURL on a callback button succeeded")
	}
}
