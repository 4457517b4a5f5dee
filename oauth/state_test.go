package oauth

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var stateKey = bytes.Repeat([]byte{1}, 32)

func testState(now time.Time) State {
	return State{Nonce: [NonceSize]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, ChatID: 42, UserID: 4242, Expires: now.Add(10 * time.Minute).Truncate(time.Second)}
}

func TestParseState(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	good := SignState(stateKey, testState(now))
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	otherChat := testState(now)
	otherChat.ChatID = 43
	tests := []struct {
		name    string
		state   string
		key     []byte
		now     time.Time
		wantErr bool
	}{
		{"valid", good, stateKey, now, false},
		{"valid until the last second", good, stateKey, now.Add(10*time.Minute - time.Second), false},
		{"expired", good, stateKey, now.Add(10 * time.Minute), true},
		{"other key", good, bytes.Repeat([]byte{2}, 32), now, true},
		{"nonce tampered", flip(0), stateKey, now, true},
		{"chat swapped", flip(NonceSize + 7), stateKey, now, true},
		{"user swapped", flip(NonceSize + 15), stateKey, now, true},
		{"expiry extended", flip(NonceSize + 20), stateKey, now, true},
		{"mac tampered", flip(stateSize - 1), stateKey, now, true},
		{"other chat's valid state is not this one", SignState(stateKey, otherChat), stateKey, now, false},
		{"empty", "", stateKey, now, true},
		{"truncated", good[:len(good)-1], stateKey, now, true},
		{"padded", good + "=", stateKey, now, true},
		{"garbage", strings.Repeat("!", len(good)), stateKey, now, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseState(tt.key, tt.state, tt.now)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidState) {
					t.Errorf("ParseState(%q) = %v, %v; want ErrInvalidState", tt.state, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseState(%q) = %v", tt.state, err)
			}
			if tt.state == good && got != testState(now) {
				t.Errorf("ParseState = %+v, want %+v", got, testState(now))
			}
		})
	}
}

func FuzzParseState(f *testing.F) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	good := SignState(stateKey, testState(now))
	f.Add(good)
	f.Add("")
	f.Add(good[:10])
	f.Add(strings.Repeat("A", len(good)))
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseState(stateKey, s, now)
		if err != nil {
			if !errors.Is(err, ErrInvalidState) {
				t.Fatalf("ParseState(%q) error %v does not wrap ErrInvalidState", s, err)
			}
			return
		}
		// Anything accepted must be exactly what SignState makes of it: no
		// second encoding of one state passes.
		if SignState(stateKey, st) != s {
			t.Fatalf("ParseState accepted %q, which SignState would not produce", s)
		}
	})
}

func BenchmarkSignState(b *testing.B) {
	s := testState(time.Now())
	for b.Loop() {
		SignState(stateKey, s)
	}
}

func BenchmarkParseState(b *testing.B) {
	now := time.Now()
	enc := SignState(stateKey, testState(now))
	for b.Loop() {
		if _, err := ParseState(stateKey, enc, now); err != nil {
			b.Fatal(err)
		}
	}
}
