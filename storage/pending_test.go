package storage

import (
	"errors"
	"testing"
	"time"
)

func TestPutPendingReplacesTheChatsEarlierLogin(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	put := func(nonce string, chat int64) {
		t.Helper()
		if err := db.PutPending([]byte(nonce), Pending{ChatID: chat, Expires: now.Add(10 * time.Minute)}, now, Limit{}); err != nil {
			t.Fatalf("PutPending(%s): %v", nonce, err)
		}
	}
	put("first-of-chat-1", 1)
	put("only-of-chat-2", 2)
	put("second-of-chat-1", 1)
	tests := []struct {
		name  string
		nonce string
		live  bool
	}{
		{"replaced", "first-of-chat-1", false},
		{"replacement", "second-of-chat-1", true},
		{"another chat's", "only-of-chat-2", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Pending([]byte(tt.nonce), now)
			if live := err == nil; live != tt.live {
				t.Errorf("Pending(%s) = %v; want live %v", tt.nonce, err, tt.live)
			}
		})
	}
}

func TestPutPendingLimitsEachChat(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	lim := Limit{N: 3, Per: 10 * time.Minute}
	put := func(nonce string, chat int64, at time.Time) error {
		return db.PutPending([]byte(nonce), Pending{ChatID: chat, Expires: at.Add(10 * time.Minute)}, at, lim)
	}
	tests := []struct {
		name    string
		chat    int64
		at      time.Duration // after now
		tooMany bool
	}{
		{"first", 1, 0, false},
		{"second", 1, time.Minute, false},
		{"third", 1, 2 * time.Minute, false},
		{"fourth within ten minutes", 1, 3 * time.Minute, true},
		{"another chat is not limited", 2, 3 * time.Minute, false},
		{"once the first is ten minutes old", 1, 10 * time.Minute, false},
		{"but not the second", 1, 10*time.Minute + 30*time.Second, true},
	}
	for i, tt := range tests {
		err := put(tt.name, tt.chat, now.Add(tt.at))
		if got := errors.Is(err, ErrTooMany); got != tt.tooMany || (err != nil && !got) {
			t.Errorf("%d %s: PutPending = %v, want ErrTooMany %v", i, tt.name, err, tt.tooMany)
		}
	}
	// A refused start left the chat's live login alone.
	if _, err := db.Pending([]byte("once the first is ten minutes old"), now.Add(11*time.Minute)); err != nil {
		t.Errorf("the live login was touched by a refused start: %v", err)
	}
}

func TestTakePendingCheckKeepsTheLogin(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	nonce := []byte("nonce")
	db.PutPending(nonce, Pending{ChatID: 1, Expires: now.Add(time.Minute)}, now, Limit{})
	wrong := errors.New("wrong browser")
	if _, err := db.TakePending(nonce, now, func(Pending) error { return wrong }); !errors.Is(err, wrong) {
		t.Fatalf("TakePending(failing check) = %v, want %v", err, wrong)
	}
	if err := db.UpdatePending(nonce, now, func(p *Pending) error { p.Browser = []byte("b"); return nil }); err != nil {
		t.Fatalf("UpdatePending: %v", err)
	}
	p, err := db.TakePending(nonce, now, func(p Pending) error {
		if string(p.Browser) != "b" {
			return wrong
		}
		return nil
	})
	if err != nil || string(p.Browser) != "b" {
		t.Fatalf("TakePending(passing check) = %+v, %v", p, err)
	}
	if _, err := db.Pending(nonce, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("login still there after a take: %v", err)
	}
}

func TestLinkedChats(t *testing.T) {
	db, _ := openTest(t)
	for _, l := range []Link{{ChatID: 1, Sub: "alice"}, {ChatID: 2, Sub: "bob"}, {ChatID: 3, Sub: "alice"}} {
		if _, _, err := db.PutLink(l); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		sub  string
		want int
	}{{"alice", 2}, {"bob", 1}, {"carol", 0}}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			got, err := db.LinkedChats(tt.sub)
			if err != nil || len(got) != tt.want {
				t.Errorf("LinkedChats(%q) = %v, %v; want %d chats", tt.sub, got, err, tt.want)
			}
		})
	}
}
