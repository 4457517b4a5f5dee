package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	gcal "google.golang.org/api/calendar/v3"
)

func TestInsert(t *testing.T) {
	moscow := load(t, "Europe/Moscow")
	tests := []struct {
		name      string
		ev        NewEvent
		wantStart gcal.EventDateTime // as stored by the fake
		wantEnd   gcal.EventDateTime
	}{
		{
			"timed",
			NewEvent{ID: EventID(testEventKey, 1, 2), Title: "Lunch", Start: time.Date(2026, 11, 21, 13, 0, 0, 0, moscow), End: time.Date(2026, 11, 21, 14, 0, 0, 0, moscow)},
			gcal.EventDateTime{DateTime: "2026-11-21T13:00:00+03:00", TimeZone: "Europe/Moscow"},
			gcal.EventDateTime{DateTime: "2026-11-21T14:00:00+03:00", TimeZone: "Europe/Moscow"},
		},
		{
			"all day",
			NewEvent{ID: EventID(testEventKey, 1, 3), Title: "Отпуск", AllDay: true, Start: time.Date(2026, 11, 25, 0, 0, 0, 0, moscow), End: time.Date(2026, 11, 28, 0, 0, 0, 0, moscow)},
			gcal.EventDateTime{Date: "2026-11-25"},
			gcal.EventDateTime{Date: "2026-11-28"},
		},
		{
			"fixed zone sends no zone name",
			NewEvent{ID: EventID(testEventKey, 1, 4), Title: "Call", Start: time.Date(2026, 11, 21, 13, 0, 0, 0, time.FixedZone("X", 3600)), End: time.Date(2026, 11, 21, 13, 30, 0, 0, time.FixedZone("X", 3600))},
			gcal.EventDateTime{DateTime: "2026-11-21T13:00:00+01:00"},
			gcal.EventDateTime{DateTime: "2026-11-21T13:30:00+01:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			got, err := e.svc.Insert(context.Background(), e.ts, tt.ev)
			if err != nil {
				t.Fatalf("Insert: %v", err)
			}
			want := Event{ID: tt.ev.ID, Title: tt.ev.Title, AllDay: tt.ev.AllDay, Start: tt.ev.Start, End: tt.ev.End, Link: got.Link,
				CalendarID: "primary", ICalUID: tt.ev.ID + "@google.com", Organizer: true}
			if !cmp.Equal(got, want) || got.Start.Location() != tt.ev.Start.Location() || !strings.HasPrefix(got.Link, "https://") {
				t.Errorf("Insert = %+v, want %+v with a link", got, want)
			}
			stored := e.fake.Events(alice)
			if len(stored) != 1 {
				t.Fatalf("stored %d events, want 1", len(stored))
			}
			if diff := cmp.Diff(tt.wantStart, *stored[0].Start); diff != "" {
				t.Errorf("stored start (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantEnd, *stored[0].End); diff != "" {
				t.Errorf("stored end (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInsertTwice(t *testing.T) {
	e := newEnv(t)
	ev := NewEvent{ID: EventID(testEventKey, 42, 7), Title: "Lunch", Start: time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)}
	first, err := e.svc.Insert(context.Background(), e.ts, ev)
	if err != nil {
		t.Fatalf("first Insert: %v", err)
	}
	second, err := e.svc.Insert(context.Background(), e.ts, ev)
	if err != nil {
		t.Fatalf("second Insert: %v", err)
	}
	if !cmp.Equal(first, second) {
		t.Errorf("second Insert = %+v, want %+v", second, first)
	}
	if n := len(e.fake.Events(alice)); n != 1 {
		t.Errorf("stored %d events, want 1", n)
	}
	if ins, get := e.fake.Requests("insert"), e.fake.Requests("get"); ins != 2 || get != 1 {
		t.Errorf("requests: %d insert, %d get; want 2, 1", ins, get)
	}
}

func TestInsertRejectsEmptyRange(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	if _, err := e.svc.Insert(context.Background(), e.ts, NewEvent{Title: "x", Start: at, End: at}); err == nil {
		t.Error("Insert with End == Start: no error")
	}
	if n := e.fake.Requests("insert"); n != 0 {
		t.Errorf("insert requests = %d, want 0", n)
	}
}

func TestInsertWithoutID(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	got, err := e.svc.Insert(context.Background(), e.ts, NewEvent{Title: "x", Start: at, End: at.Add(time.Hour)})
	if err != nil || len(got.ID) != 26 {
		t.Errorf("Insert = %+v, %v; want a 26-character id", got, err)
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fake.Add(alice, allDay("holiday", "holiday", "2026-11-22", "2026-11-23"))
	tests := []struct {
		name, id     string
		wantNotFound bool
	}{
		{"present", "holiday", false},
		{"already deleted", "holiday", true},
		{"never existed", "nosuchevent", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.svc.Delete(ctx, e.ts, tt.id)
			if got := errors.Is(err, ErrNotFound); got != tt.wantNotFound || (err != nil && !got) {
				t.Errorf("Delete(%q) = %v, want ErrNotFound: %v", tt.id, err, tt.wantNotFound)
			}
		})
	}
	if _, err := e.svc.Get(ctx, e.ts, "holiday", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of deleted event = %v, want ErrNotFound", err)
	}
}

func TestGet(t *testing.T) {
	e := newEnv(t)
	tokyo := load(t, "Asia/Tokyo")
	e.fake.Add(alice, timed("lunch", "Lunch", "2026-11-21T13:00:00+03:00", "2026-11-21T14:00:00+03:00"))
	got, err := e.svc.Get(context.Background(), e.ts, "lunch", tokyo)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.Start.Location() != tokyo || got.Start.Hour() != 19 {
		t.Errorf("Get start = %v, want 19:00 in Asia/Tokyo", got.Start)
	}
}

func TestEventID(t *testing.T) {
	valid := regexp.MustCompile(`^[a-v0-9]{26}$`)
	other := []byte("another key, another calbot ....")
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"same message", EventID(testEventKey, -100123, 7), EventID(testEventKey, -100123, 7), true},
		{"other message", EventID(testEventKey, -100123, 7), EventID(testEventKey, -100123, 8), false},
		{"other chat", EventID(testEventKey, 1, 2), EventID(testEventKey, 2, 1), false},
		{"other key", EventID(testEventKey, 1, 2), EventID(other, 1, 2), false},
		{"not the old plain hash", EventID(testEventKey, 1, 2), plainEventID(1, 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !valid.MatchString(tt.a) || !valid.MatchString(tt.b) {
				t.Errorf("EventID = %q, %q; want 26 characters of a-v0-9", tt.a, tt.b)
			}
			if (tt.a == tt.b) != tt.same {
				t.Errorf("ids %q and %q: same = %v, want %v", tt.a, tt.b, tt.a == tt.b, tt.same)
			}
		})
	}
}

// plainEventID is how calbot derived event ids before they were keyed:
// anyone could compute the id of a chat's next message.
func plainEventID(parts ...int64) string {
	h := sha256.New()
	h.Write([]byte("calbot event id v1"))
	for _, p := range parts {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(p)))
	}
	return idEncoding.EncodeToString(h.Sum(nil)[:16])
}
