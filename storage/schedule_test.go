package storage

import (
	"slices"
	"testing"
	"time"
)

func TestScheduleDone(t *testing.T) {
	db, _ := openTest(t)
	t0 := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		do   func() error
		key  string
		want bool
	}{
		{"unknown", nil, "a:1:2026-11-03", false},
		{"marked", func() error { return db.MarkDone("a:1:2026-11-03", t0) }, "a:1:2026-11-03", true},
		{"other key", nil, "a:1:2026-11-04", false},
		{"kept by prune", func() error { _, err := db.PruneDone(t0.Add(-time.Hour)); return err }, "a:1:2026-11-03", true},
		{"pruned", func() error { _, err := db.PruneDone(t0.Add(time.Second)); return err }, "a:1:2026-11-03", false},
	}
	for _, tt := range steps {
		if tt.do != nil {
			if err := tt.do(); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		if got, err := db.Done(tt.key); err != nil || got != tt.want {
			t.Errorf("%s: Done(%q) = %v, %v; want %v", tt.name, tt.key, got, err, tt.want)
		}
	}
}

func TestSchedulePlanned(t *testing.T) {
	db, _ := openTest(t)
	for _, p := range []Planned{
		{ChatID: 1, Key: "r:1:x:snooze:1", Payload: []byte(`{"a":1}`)},
		{ChatID: 1, Key: "r:1:y:snooze:2", Payload: []byte(`{"a":2}`)},
		{ChatID: -5, Key: "r:-5:z:snooze:3", Payload: []byte(`{"a":3}`)},
	} {
		if err := db.PutPlanned(p); err != nil {
			t.Fatal(err)
		}
	}
	keys := func() []string {
		t.Helper()
		all, skipped, err := db.AllPlanned()
		if err != nil || skipped != 0 {
			t.Fatalf("AllPlanned: %v, %d skipped", err, skipped)
		}
		var ks []string
		for _, p := range all {
			ks = append(ks, p.Key)
		}
		slices.Sort(ks)
		return ks
	}
	if got := keys(); !slices.Equal(got, []string{"r:-5:z:snooze:3", "r:1:x:snooze:1", "r:1:y:snooze:2"}) {
		t.Errorf("AllPlanned = %v", got)
	}
	if err := db.DeletePlanned(1, "r:1:x:snooze:1"); err != nil {
		t.Fatal(err)
	}
	if got := keys(); !slices.Equal(got, []string{"r:-5:z:snooze:3", "r:1:y:snooze:2"}) {
		t.Errorf("after DeletePlanned: %v", got)
	}
	if err := db.ForgetPlanned(1); err != nil {
		t.Fatal(err)
	}
	if got := keys(); !slices.Equal(got, []string{"r:-5:z:snooze:3"}) {
		t.Errorf("after ForgetPlanned(1): %v", got)
	}
}

func TestScheduleChats(t *testing.T) {
	db, _ := openTest(t)
	for _, id := range []int64{3, 1, 2} {
		if _, _, err := db.PutLink(Link{ChatID: id, RefreshToken: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Chats()
	if err != nil || !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("Chats() = %v, %v; want [1 2 3]", got, err)
	}
}
