package storage

import (
	"strings"
	"testing"
	"time"
)

// benchLink is a link the size of a real one: Google's tokens are a few
// hundred bytes.
func benchLink() Link {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	return Link{
		ChatID: 123456789, UserID: 123456789, Sub: "100000000000000000001", Email: "alice@example.com",
		Scope: "https://www.googleapis.com/auth/calendar.events.owned openid https://www.googleapis.com/auth/userinfo.email",
		Zone:  "Europe/Moscow", RefreshToken: "1//0" + strings.Repeat("r", 99), AccessToken: "ya29.a0" + strings.Repeat("a", 240),
		TokenType: "Bearer", Expiry: at.Add(time.Hour), LinkedAt: at,
	}
}

func BenchmarkSeal(b *testing.B) {
	db, _ := openTest(b)
	l := benchLink()
	ad := linkAD(l.ChatID)
	for b.Loop() {
		if _, err := db.seal(l, ad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	db, _ := openTest(b)
	l := benchLink()
	ad := linkAD(l.ChatID)
	sealed, err := db.seal(l, ad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(sealed)))
	for b.Loop() {
		var got Link
		if err := db.open(sealed, ad, &got); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSettingsWithoutRecord reads the settings of a chat that has none:
// what the scheduler's first read of such a chat costs.
func BenchmarkSettingsWithoutRecord(b *testing.B) {
	db, _ := openTest(b)
	l := benchLink()
	l.Zone = ""
	if _, _, err := db.PutLink(l); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.Settings(l.ChatID); err != nil {
			b.Fatal(err)
		}
	}
}
