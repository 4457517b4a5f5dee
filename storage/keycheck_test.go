package storage

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestCheckKey(t *testing.T) {
	right, wrong := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	tests := []struct {
		name      string
		links     int
		openWith  []byte
		wantLinks int
		wantErr   error
	}{
		{"empty database", 0, wrong, 0, nil},
		{"right key", 2, right, 2, nil},
		{"wrong key", 3, wrong, 3, ErrWrongKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "calbot.db")
			db, err := Open(path, right, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.links {
				if _, _, err := db.PutLink(Link{ChatID: int64(100 + i), RefreshToken: "1//0x", LinkedAt: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			db, err = Open(path, tt.openWith, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			n, err := db.CheckKey()
			if n != tt.wantLinks || !errors.Is(err, tt.wantErr) {
				t.Errorf("CheckKey() = %d, %v; want %d, %v", n, err, tt.wantLinks, tt.wantErr)
			}
		})
	}
}
