package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.etcd.io/bbolt"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func openTest(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "calbot.db")
	db, err := Open(path, testKey, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenModeAndLock(t *testing.T) {
	db, path := openTest(t)
	_ = db
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %o, want 600", mode)
	}
	_, err = Open(path, testKey, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
}

func TestOpenRejectsBadKeyAndNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calbot.db")
	if _, err := Open(path, []byte("short"), Options{}); err == nil {
		t.Error("Open with a 5-byte key succeeded")
	}
	b, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Update(func(tx *bbolt.Tx) error {
		m, _ := tx.CreateBucketIfNotExists(bucketMeta)
		return m.Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion+1))
	})
	b.Close()
	if _, err := Open(path, testKey, Options{}); err == nil {
		t.Error("Open of a newer schema succeeded")
	}
}

func TestLinkRoundTripSealed(t *testing.T) {
	db, path := openTest(t)
	l := Link{ChatID: 42, UserID: 42, Sub: "s1", Email: "alice@example.com", RefreshToken: "1//refresh-secret", AccessToken: "ya29.access", LinkedAt: time.Unix(1700000000, 0).UTC()}
	if _, replaced, err := db.PutLink(l); err != nil || replaced {
		t.Fatalf("PutLink = %v, %v", replaced, err)
	}
	got, err := db.Link(42)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, got); diff != "" {
		t.Errorf("Link(42) mismatch (-want +got):\n%s", diff)
	}
	if _, err := db.Link(43); !errors.Is(err, ErrNotFound) {
		t.Errorf("Link(43) = %v, want ErrNotFound", err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"refresh-secret", "ya29.access", "alice@example.com"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("database file contains %q in the clear", secret)
		}
	}
}

func TestLinkCannotMoveToAnotherChat(t *testing.T) {
	db, _ := openTest(t)
	if _, _, err := db.PutLink(Link{ChatID: 1, RefreshToken: "r"}); err != nil {
		t.Fatal(err)
	}
	// Copy chat 1's sealed record under chat 2's key, as an attacker with write
	// access to the file could.
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketLinks)
		return b.Put(chatKey(2), append([]byte(nil), b.Get(chatKey(1))...))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Link(2); err == nil {
		t.Error("Link(2) opened a record sealed for chat 1")
	}
}

func TestPutLinkReturnsReplaced(t *testing.T) {
	db, _ := openTest(t)
	db.PutLink(Link{ChatID: 5, Email: "old@example.com", RefreshToken: "old"})
	old, replaced, err := db.PutLink(Link{ChatID: 5, Email: "new@example.com", RefreshToken: "new"})
	if err != nil || !replaced || old.RefreshToken != "old" {
		t.Errorf("PutLink = %v, %v, %v; want old link replaced", old, replaced, err)
	}
}

func TestUpdateAndDeleteLink(t *testing.T) {
	db, _ := openTest(t)
	db.PutLink(Link{ChatID: 9, RefreshToken: "r", Zone: "UTC"})
	err := db.UpdateLink(9, func(l *Link) error { l.Zone = "Europe/Moscow"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := db.Link(9); l.Zone != "Europe/Moscow" {
		t.Errorf("Zone = %q after UpdateLink", l.Zone)
	}
	boom := errors.New("boom")
	if err := db.UpdateLink(9, func(*Link) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("UpdateLink = %v, want fn's error", err)
	}
	if n, _ := db.CountLinks(); n != 1 {
		t.Errorf("CountLinks = %d, want 1", n)
	}
	db.Await(9, time.Now().Add(time.Hour))
	l, err := db.DeleteLink(9)
	if err != nil || l.RefreshToken != "r" {
		t.Errorf("DeleteLink = %v, %v", l, err)
	}
	if _, err := db.DeleteLink(9); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteLink = %v, want ErrNotFound", err)
	}
	if err := db.UpdateLink(9, func(*Link) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateLink after delete = %v, want ErrNotFound", err)
	}
	if open, _ := db.TakeAwait(9, time.Now()); open {
		t.Error("question survived DeleteLink")
	}
}

func TestPendingSingleUseAndExpiry(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	p := Pending{ChatID: 1, UserID: 2, Lang: "ru", Verifier: "v", Expires: now.Add(10 * time.Minute)}
	nonce := []byte("0123456789abcdef")
	if err := db.PutPending(nonce, p, now, Limit{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		op      func() (Pending, error)
		wantErr bool
	}{
		{"peek", func() (Pending, error) { return db.Pending(nonce, now) }, false},
		{"peek again", func() (Pending, error) { return db.Pending(nonce, now) }, false},
		{"peek after expiry", func() (Pending, error) { return db.Pending(nonce, now.Add(10*time.Minute)) }, true},
		{"take", func() (Pending, error) { return db.TakePending(nonce, now, nil) }, false},
		{"take again", func() (Pending, error) { return db.TakePending(nonce, now, nil) }, true},
		{"peek after take", func() (Pending, error) { return db.Pending(nonce, now) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.op()
			if tt.wantErr {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("err = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("got %v, %v; want %v", got, err, p)
			}
		})
	}
}

func TestTakeExpiredPendingDeletesIt(t *testing.T) {
	db, _ := openTest(t)
	now := time.Now()
	nonce := []byte("n1")
	db.PutPending(nonce, Pending{ChatID: 1, Expires: now.Add(-time.Second)}, now, Limit{})
	if _, err := db.TakePending(nonce, now, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("TakePending(expired) = %v, want ErrNotFound", err)
	}
	if _, err := db.Pending(nonce, now.Add(-time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired pending login still stored")
	}
}

func TestSweep(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	db.PutPending([]byte("old"), Pending{ChatID: 1, Expires: now.Add(-time.Minute)}, now.Add(-11*time.Minute), Limit{})
	db.PutPending([]byte("new"), Pending{ChatID: 2, Expires: now.Add(time.Minute)}, now.Add(-9*time.Minute), Limit{})
	db.Await(1, now.Add(-time.Minute))
	db.Await(2, now.Add(time.Minute))
	n, err := db.SweepPending(now)
	// The old login, its chat's entry and the old question.
	if err != nil || n != 3 {
		t.Fatalf("SweepPending = %d, %v; want 3", n, err)
	}
	if _, err := db.Pending([]byte("new"), now); err != nil {
		t.Errorf("live pending login swept: %v", err)
	}
	if open, _ := db.TakeAwait(2, now); !open {
		t.Error("live question swept")
	}
}

func TestAwait(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if open, err := db.TakeAwait(1, now); open || err != nil {
		t.Errorf("TakeAwait with no question = %v, %v", open, err)
	}
	db.Await(1, now.Add(time.Minute))
	if open, _ := db.TakeAwait(1, now); !open {
		t.Error("TakeAwait = false, want the open question")
	}
	if open, _ := db.TakeAwait(1, now); open {
		t.Error("TakeAwait answered the same question twice")
	}
	db.Await(1, now.Add(time.Minute))
	if open, _ := db.TakeAwait(1, now.Add(2*time.Minute)); open {
		t.Error("TakeAwait answered an expired question")
	}
}

func TestWrongKeyDoesNotOpenRecords(t *testing.T) {
	db, path := openTest(t)
	db.PutLink(Link{ChatID: 1, RefreshToken: "r"})
	db.Close()
	db2, err := Open(path, bytes.Repeat([]byte{8}, 32), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := db2.Link(1); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("Link with the wrong key = %v, want a clear decryption error", err)
	}
}

func TestLinkRedactsTokens(t *testing.T) {
	l := Link{ChatID: 1, Email: "a@b.c", RefreshToken: "secret-r", AccessToken: "secret-a"}
	if s := l.String(); bytes.Contains([]byte(s), []byte("secret")) {
		t.Errorf("String() = %q leaks a token", s)
	}
	for _, h := range []func(io.Writer) slog.Handler{
		func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("x", "link", l)
		if bytes.Contains(buf.Bytes(), []byte("secret")) {
			t.Errorf("logging a Link printed its tokens: %s", buf.String())
		}
	}
}

func BenchmarkLinkGet(b *testing.B) {
	db, _ := openTest(b)
	db.PutLink(Link{ChatID: 1, RefreshToken: "r", AccessToken: "a", Email: "alice@example.com"})
	for b.Loop() {
		if _, err := db.Link(1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLinkPut(b *testing.B) {
	db, _ := openTest(b)
	l := Link{ChatID: 1, RefreshToken: "r", AccessToken: "a", Email: "alice@example.com"}
	for b.Loop() {
		if _, _, err := db.PutLink(l); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDeleteLinkIf(t *testing.T) {
	db, _ := openTest(t)
	db.PutLink(Link{ChatID: 3, RefreshToken: "new"})
	if err := db.DeleteLinkIf(3, "old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteLinkIf(old) = %v, want ErrNotFound", err)
	}
	if _, err := db.Link(3); err != nil {
		t.Errorf("DeleteLinkIf(old) deleted the new link: %v", err)
	}
	if err := db.DeleteLinkIf(3, "new"); err != nil {
		t.Errorf("DeleteLinkIf(new) = %v", err)
	}
	if _, err := db.Link(3); !errors.Is(err, ErrNotFound) {
		t.Errorf("link still there after DeleteLinkIf: %v", err)
	}
}

func TestInbox(t *testing.T) {
	db, path := openTest(t)
	if off, q, _, err := db.Inbox(); off != 0 || len(q) != 0 || err != nil {
		t.Fatalf("empty Inbox = %d, %v, %v", off, q, err)
	}
	ups := []Queued{{ID: 10, Raw: []byte(`{"update_id":10,"message":{"text":"secret plans"}}`)}, {ID: 11, Raw: []byte(`{"update_id":11}`)}}
	if err := db.Enqueue(12, ups); err != nil {
		t.Fatal(err)
	}
	if err := db.Dequeue(10); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("secret plans")) {
		t.Error("queued update stored in the clear")
	}
	db, err := Open(path, testKey, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	off, q, skipped, err := db.Inbox()
	if err != nil || off != 12 || skipped != 0 || len(q) != 1 || q[0].ID != 11 || string(q[0].Raw) != `{"update_id":11}` {
		t.Errorf("Inbox after reopen = %d, %+v, %d, %v; want offset 12 and update 11", off, q, skipped, err)
	}
}

func TestEvents(t *testing.T) {
	db, path := openTest(t)
	if ev, skipped, err := db.Events(); len(ev) != 0 || skipped != 0 || err != nil {
		t.Fatalf("empty Events = %v, %d, %v", ev, skipped, err)
	}
	var ids []uint64
	for _, raw := range []string{`{"email":"first@example.com"}`, `{"email":"second@example.com"}`, `{"email":"third@example.com"}`} {
		id, err := db.AddEvent([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if !(ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Errorf("AddEvent ids %v do not grow", ids)
	}
	if err := db.DeleteEvent(ids[1]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("example.com")) {
		t.Error("event stored in the clear")
	}
	db, err := Open(path, testKey, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ev, skipped, err := db.Events()
	want := []Event{{ID: ids[0], Raw: []byte(`{"email":"first@example.com"}`)}, {ID: ids[2], Raw: []byte(`{"email":"third@example.com"}`)}}
	if err != nil || skipped != 0 || !cmp.Equal(ev, want) {
		t.Errorf("Events after reopen = %+v, %d, %v; want %+v", ev, skipped, err, want)
	}
}
