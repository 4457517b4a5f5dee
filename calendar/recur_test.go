package calendar

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/calendar/draft"
)

// TestRecurringSeries adds what "/add Yoga every Monday 8am until 14.12"
// describes, sees its instances on two Mondays and none on the Tuesday
// between, and deletes the whole series by the id Insert returned (what
// Undo does).
func TestRecurringSeries(t *testing.T) {
	ctx := context.Background()
	moscow := load(t, "Europe/Moscow")
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, moscow) // a Saturday
	d, err := draft.Parse("Yoga every Monday 8am until 14.12", now)
	if err != nil || d.RRULE == "" {
		t.Fatalf("draft.Parse = %+v, %v; want a recurring draft", d, err)
	}
	e := newEnv(t)
	e.fake.SetZone(alice, "Europe/Moscow")
	ev, err := e.svc.Insert(ctx, e.ts, NewEvent{ID: EventID(testEventKey, 7, 1), Title: d.Title, Start: d.Start, End: d.End, Recurrence: []string{d.RRULE}})
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if stored := e.fake.Events(alice); len(stored) != 1 || !cmp.Equal(stored[0].Recurrence, []string{d.RRULE}) {
		t.Fatalf("stored %+v, want one event with recurrence %q", stored, d.RRULE)
	}
	day := func(y int, m time.Month, dd int) []string {
		t.Helper()
		got, err := e.svc.Day(ctx, e.ts, time.Date(y, m, dd, 12, 0, 0, 0, moscow), moscow)
		if err != nil {
			t.Fatalf("Day(%d-%02d-%02d): %v", y, m, dd, err)
		}
		var out []string
		for _, in := range got.Events {
			out = append(out, in.Title+" "+in.Start.Format("Mon 02 Jan 15:04")+"-"+in.End.Format("15:04"))
		}
		return out
	}
	checks := []struct {
		name string
		y    int
		m    time.Month
		d    int
		want []string
	}{
		{"first Monday", 2026, 11, 23, []string{"Yoga Mon 23 Nov 08:00-09:00"}},
		{"Tuesday between", 2026, 11, 24, nil},
		{"second Monday", 2026, 11, 30, []string{"Yoga Mon 30 Nov 08:00-09:00"}},
		{"last Monday", 2026, 12, 14, []string{"Yoga Mon 14 Dec 08:00-09:00"}},
		{"after until", 2026, 12, 21, nil},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, day(c.y, c.m, c.d)); diff != "" {
			t.Errorf("%s: Day (-want +got):\n%s", c.name, diff)
		}
	}
	if err := e.svc.Delete(ctx, e.ts, ev.ID); err != nil {
		t.Fatalf("Delete(series %s): %v", ev.ID, err)
	}
	for _, c := range checks {
		if got := day(c.y, c.m, c.d); got != nil {
			t.Errorf("after deleting the series, %s still shows %v", c.name, got)
		}
	}
	if err := e.svc.Delete(ctx, e.ts, ev.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
}

func TestInsertRecurringNeedsNamedZone(t *testing.T) {
	e := newEnv(t)
	x := time.FixedZone("X", 3600)
	_, err := e.svc.Insert(context.Background(), e.ts, NewEvent{Title: "Yoga", Start: time.Date(2026, 11, 23, 8, 0, 0, 0, x),
		End: time.Date(2026, 11, 23, 9, 0, 0, 0, x), Recurrence: []string{"RRULE:FREQ=DAILY"}})
	if err == nil || len(e.fake.Events(alice)) != 0 {
		t.Errorf("Insert of a series in a fixed zone = %v; want an error and nothing stored", err)
	}
}
