package storage

import (
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestChatIndex(t *testing.T) {
	db, path := openTest(t)
	for _, id := range []int64{3, 1, 2} {
		if _, _, err := db.PutLink(Link{ChatID: id, RefreshToken: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutLinks([]Link{{ChatID: 5, RefreshToken: "r"}, {ChatID: 4, RefreshToken: "r"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteLink(2); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateSettings(4, func(s *Settings) { s.Zone = "UTC" }); err != nil {
		t.Fatal(err)
	}
	want := []int64{1, 3, 4, 5}
	steps := []struct {
		name string
		do   func()
	}{
		{"kept by PutLink, PutLinks and DeleteLink", nil},
		{"built at Open for a file written before the index", func() {
			// The file as an older calbot left it: links, no index.
			db.Close()
			b, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketLinked) }); err != nil {
				t.Fatal(err)
			}
			b.Close()
			if db, err = Open(path, testKey, Options{LockTimeout: time.Second}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
		}},
	}
	for _, tt := range steps {
		if tt.do != nil {
			tt.do()
		}
		if got, err := db.Chats(); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: Chats() = %v, %v; want %v", tt.name, got, err, want)
		}
		if n, err := db.CountLinks(); err != nil || n != len(want) {
			t.Errorf("%s: CountLinks() = %d, %v; want %d", tt.name, n, err, len(want))
		}
		if got, err := db.SettingsChats(); err != nil || !slices.Equal(got, []int64{4}) {
			t.Errorf("%s: SettingsChats() = %v, %v; want [4]", tt.name, got, err)
		}
	}
}
