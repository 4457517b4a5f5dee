package calendar

import (
	"context"
	"errors"
	"testing"
	"time"

	gcal "google.golang.org/api/calendar/v3"
)

var testEventKey = []byte("0123456789abcdef0123456789abcdef")

func TestMarker(t *testing.T) {
	a, b := Marker(testEventKey, 1001), Marker(testEventKey, 1002)
	if a == b || a != Marker(testEventKey, 1001) || a == Marker([]byte("another key"), 1001) {
		t.Errorf("Marker: chat 1001 %q, chat 1002 %q; want stable, per chat and per key", a, b)
	}
	if len(a) > 1024 || len(MarkerProperty) > 44 {
		t.Errorf("marker %q = %q is over Google's limits (key 44, value 1024 characters)", MarkerProperty, a)
	}
}

func TestInsertMarksAndChecksConflicts(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	ours := Marker(testEventKey, 7)
	tests := []struct {
		name    string
		planted *gcal.Event // already under the id, or nil
		wantErr error
	}{
		{"new event", nil, nil},
		{"repeat of ours", &gcal.Event{ExtendedProperties: &gcal.EventExtendedProperties{Private: map[string]string{MarkerProperty: ours}}}, nil},
		{"squatted without marker", &gcal.Event{}, ErrNotOurs},
		{"squatted with a shared marker", &gcal.Event{ExtendedProperties: &gcal.EventExtendedProperties{Shared: map[string]string{MarkerProperty: ours}}}, ErrNotOurs},
		{"another chat's marker", &gcal.Event{ExtendedProperties: &gcal.EventExtendedProperties{Private: map[string]string{MarkerProperty: Marker(testEventKey, 8)}}}, ErrNotOurs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id := EventID(testEventKey, 7, 1)
			if tt.planted != nil {
				tt.planted.Id, tt.planted.Summary = id, "Planted"
				tt.planted.Start = &gcal.EventDateTime{DateTime: at.Format(time.RFC3339)}
				tt.planted.End = &gcal.EventDateTime{DateTime: at.Add(time.Hour).Format(time.RFC3339)}
				e.fake.Add(alice, tt.planted)
			}
			got, err := e.svc.Insert(ctx, e.ts, NewEvent{ID: id, Title: "Lunch", Start: at, End: at.Add(time.Hour), Marker: ours})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Insert = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got.Marker != ours {
				t.Errorf("Insert returned marker %q, want %q", got.Marker, ours)
			}
			stored := e.fake.Events(alice)
			if len(stored) != 1 {
				t.Fatalf("stored %d events, want 1", len(stored))
			}
			if p := stored[0].ExtendedProperties; tt.planted == nil && (p == nil || p.Private[MarkerProperty] != ours) {
				t.Errorf("stored extendedProperties = %+v, want the private marker", p)
			}
			if tt.planted != nil && stored[0].Summary != "Planted" {
				t.Errorf("the planted event became %q", stored[0].Summary)
			}
		})
	}
}

func TestDeleteMarked(t *testing.T) {
	ctx := context.Background()
	ours := Marker(testEventKey, 7)
	e := newEnv(t)
	mine := allDay("mine0", "Mine", "2026-11-22", "2026-11-23")
	mine.ExtendedProperties = &gcal.EventExtendedProperties{Private: map[string]string{MarkerProperty: ours}}
	e.fake.Add(alice, mine)
	e.fake.Add(alice, allDay("theirs", "Theirs", "2026-11-22", "2026-11-23"))
	tests := []struct {
		name, id string
		want     error
	}{
		{"unmarked", "theirs", ErrNotOurs},
		{"marked", "mine0", nil},
		{"marked, already deleted", "mine0", ErrNotFound},
		{"missing", "nosuchevent", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.svc.DeleteMarked(ctx, e.ts, tt.id, ours)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("DeleteMarked(%q) = %v, want %v", tt.id, err, tt.want)
			}
		})
	}
	for _, ev := range e.fake.Events(alice) {
		if ev.Id == "theirs" && ev.Status == "cancelled" {
			t.Error("DeleteMarked deleted an event without the marker")
		}
	}
}
