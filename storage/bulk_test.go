package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPutLinks(t *testing.T) {
	db, _ := openTest(t)
	if _, _, err := db.PutLink(Link{ChatID: 2, RefreshToken: "old", Email: "old@example.com"}); err != nil {
		t.Fatal(err)
	}
	expiry := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var links []Link
	for id := int64(1); id <= 500; id++ {
		links = append(links, Link{
			ChatID: id, UserID: id, Sub: fmt.Sprint(1000 + id), Email: fmt.Sprintf("u%d@example.com", id),
			RefreshToken: fmt.Sprintf("r%d", id), AccessToken: fmt.Sprintf("a%d", id), TokenType: "Bearer",
			Expiry: expiry, LinkedAt: expiry.Add(-time.Hour),
		})
	}
	if err := db.PutLinks(links); err != nil {
		t.Fatalf("PutLinks: %v", err)
	}
	if n, err := db.CountLinks(); err != nil || n != len(links) {
		t.Errorf("CountLinks = %d, %v; want %d", n, err, len(links))
	}
	for _, want := range []Link{links[0], links[1], links[499]} {
		got, err := db.Link(want.ChatID)
		if err != nil {
			t.Fatalf("Link(%d): %v", want.ChatID, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Link(%d) after PutLinks (-want +got):\n%s", want.ChatID, diff)
		}
	}
}

func TestPutLinksEmpty(t *testing.T) {
	db, _ := openTest(t)
	if err := db.PutLinks(nil); err != nil {
		t.Errorf("PutLinks(nil) = %v", err)
	}
}

func BenchmarkPutLinks1000(b *testing.B) {
	db, _ := openTest(b)
	links := make([]Link, 1000)
	for i := range links {
		links[i] = Link{ChatID: int64(i + 1), RefreshToken: "r", AccessToken: "a", Email: "alice@example.com"}
	}
	for b.Loop() {
		if err := db.PutLinks(links); err != nil {
			b.Fatal(err)
		}
	}
}
