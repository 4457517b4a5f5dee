package storage

import (
	"errors"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestAddEventOnce(t *testing.T) {
	db, path := openTest(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	week := now.AddDate(0, 0, 7)
	if _, added, err := db.AddEventOnce("a", []byte("one"), now, week); err != nil || !added {
		t.Fatalf("first AddEventOnce(a) = %v, %v; want added", added, err)
	}
	if _, added, err := db.AddEventOnce("a", []byte("two"), now, week); err != nil || added {
		t.Fatalf("second AddEventOnce(a) = %v, %v; want not added", added, err)
	}
	db.Close()
	db, err := Open(path, testKey, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, added, err := db.AddEventOnce("a", []byte("three"), now.Add(time.Hour), week); err != nil || added {
		t.Fatalf("AddEventOnce(a) after reopening = %v, %v; want not added", added, err)
	}
	if ev, _, _ := db.Events(); len(ev) != 1 || string(ev[0].Raw) != "one" {
		t.Fatalf("events = %v, want the first one only", ev)
	}
	// Once expired, the key is pruned by a later write and may come again.
	later := week.Add(time.Hour)
	if _, added, err := db.AddEventOnce("b", []byte("b"), later, later.AddDate(0, 0, 7)); err != nil || !added {
		t.Fatalf("AddEventOnce(b) = %v, %v", added, err)
	}
	if _, added, err := db.AddEventOnce("a", []byte("again"), later, later.AddDate(0, 0, 7)); err != nil || !added {
		t.Fatalf("AddEventOnce(a) after its key expired = %v, %v; want added", added, err)
	}
}

func TestNotes(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if err := db.PutNote(1, "k", []byte("v1"), now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutNote(1, "k", []byte("v2"), now, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		chat int64
		at   time.Time
		want string
	}{
		{"replaced", 1, now, "v2"},
		{"kept past the first expiry", 1, now.Add(90 * time.Minute), "v2"},
		{"another chat", 2, now, ""},
		{"expired", 1, now.Add(3 * time.Hour), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Note(tt.chat, "k", tt.at)
			if tt.want == "" {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("Note = %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("Note = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestDeleteLinkDeletesNotes: /disconnect leaves nothing of the chat's
// buttons behind, and another chat's notes stay.
func TestDeleteLinkDeletesNotes(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for _, chat := range []int64{1, 2} {
		if _, _, err := db.PutLink(Link{ChatID: chat, RefreshToken: "r"}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b"} {
			if err := db.PutNote(chat, k, []byte("v"), now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.DeleteLink(1); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if _, err := db.Note(1, k, now); !errors.Is(err, ErrNotFound) {
			t.Errorf("Note(1, %q) after DeleteLink: %v, want ErrNotFound", k, err)
		}
		if _, err := db.Note(2, k, now); err != nil {
			t.Errorf("Note(2, %q): %v, want the other chat's note kept", k, err)
		}
	}
	var times int
	db.bolt.View(func(tx *bbolt.Tx) error { times = tx.Bucket(bucketNoteTimes).Stats().KeyN; return nil })
	if times != 2 {
		t.Errorf("%d expiry entries left, want the other chat's 2", times)
	}
}
