package schedule

import (
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/storage"
)

func TestSameEvents(t *testing.T) {
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ev := calendar.Event{ID: "e1", CalendarID: "primary", Title: "Standup", Start: start, End: start.Add(time.Hour), Reminders: []time.Duration{10 * time.Minute}}
	with := func(f func(*calendar.Event)) []calendar.Event {
		e := ev
		e.Reminders = []time.Duration{10 * time.Minute}
		f(&e)
		return []calendar.Event{e}
	}
	tests := []struct {
		name string
		b    []calendar.Event
		want bool
	}{
		{"same", with(func(*calendar.Event) {}), true},
		{"only what is not kept differs", with(func(e *calendar.Event) { e.ICalUID, e.Marker, e.CalendarName = "u", "m", "Work" }), true},
		{"same instants in another zone", with(func(e *calendar.Event) { e.Start, e.End = e.Start.In(time.Local), e.End.In(time.Local) }), true},
		{"moved", with(func(e *calendar.Event) { e.Start = e.Start.Add(time.Minute) }), false},
		{"longer", with(func(e *calendar.Event) { e.End = e.End.Add(time.Minute) }), false},
		{"renamed", with(func(e *calendar.Event) { e.Title = "Retro" }), false},
		{"elsewhere", with(func(e *calendar.Event) { e.Location = "Room 2" }), false},
		{"declined", with(func(e *calendar.Event) { e.Response = calendar.Declined }), false},
		{"answered", with(func(e *calendar.Event) { e.Response = calendar.Accepted }), false},
		{"organizer", with(func(e *calendar.Event) { e.Organizer = true }), false},
		{"other lead", with(func(e *calendar.Event) { e.Reminders = []time.Duration{5 * time.Minute} }), false},
		{"join link added", with(func(e *calendar.Event) { e.JoinURL = "https://meet.example/x" }), false},
		{"other calendar", with(func(e *calendar.Event) { e.CalendarID = "team@example.com" }), false},
		{"cancelled", nil, false},
	}
	now := start.Add(-time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameEvents(trim([]calendar.Event{ev}, now), trim(tt.b, now)); got != tt.want {
				t.Errorf("sameEvents(%v, %v) = %v, want %v", ev, tt.b, got, tt.want)
			}
		})
	}
}

func TestTrimKeepsWhatMayBeReminded(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	at := func(id string, h int) calendar.Event {
		s := now.Add(time.Duration(h) * time.Hour)
		return calendar.Event{ID: id, Title: id, Start: s, End: s.Add(time.Hour), Marker: "m", ICalUID: "u", CalendarName: "Work"}
	}
	allDay := at("allday", -9)
	allDay.AllDay = true
	declined := at("declined", 2)
	declined.Response = calendar.Declined
	events := []calendar.Event{allDay, at("started", -1), at("now", 0), declined, at("later", 3)}
	got := trim(events, now)
	var ids []string
	for _, e := range got {
		ids = append(ids, e.id)
	}
	if want := []string{"now", "later"}; !slices.Equal(ids, want) {
		t.Errorf("trim kept %v, want %v", ids, want)
	}
	if cap(got) != len(got) {
		t.Errorf("trim's slice has room for %d, holds %d: it keeps more than it needs", cap(got), len(got))
	}
	if trim(events[:2], now) != nil {
		t.Error("trim of nothing remindable is not nil")
	}
}

// TestKeptEvent: what a reminder carries of an event kept between reads is
// the event as read, its times in the chat's zone; and the kept event
// is no bigger than it is said to be.
func TestKeptEvent(t *testing.T) {
	moscow, tokyo := mustZone(t, "Europe/Moscow"), mustZone(t, "Asia/Tokyo")
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, moscow)
	e := calendar.Event{
		ID: "e1", CalendarID: string([]byte("primary")), Title: "Review", Location: "Room 4", Link: "https://www.google.com/calendar/event?eid=x",
		JoinURL: "https://meet.google.com/abc", Start: start, End: start.Add(90 * time.Minute), Reminders: []time.Duration{10 * time.Minute, time.Hour},
		Response: calendar.Response([]byte("needsAction")), Organizer: true, Marker: "m", ICalUID: "u", CalendarName: "Work",
	}
	k := keep(&e)
	got := k.full(tokyo)
	want := e
	want.Marker, want.ICalUID, want.CalendarName = "", "", ""
	if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || got.Start.Location() != tokyo {
		t.Errorf("times %v–%v, want %v–%v in Asia/Tokyo", got.Start, got.End, want.Start, want.End)
	}
	got.Start, got.End, want.Start, want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept event gives\n%+v\nwant\n%+v", got, want)
	}
	if unsafe.StringData(k.calendarID) != unsafe.StringData("primary") || unsafe.StringData(string(k.response)) != unsafe.StringData(string(calendar.NeedsAction)) {
		t.Error("the kept event holds its own copies of \"primary\" and of the answer")
	}
	if size := unsafe.Sizeof(keptEvent{}); size > 160 {
		t.Errorf("a kept event is %d bytes, more than the 160 its doc says", size)
	}
}

// TestSettingsReadOnTouchOrHourly: reads plan from the settings an earlier
// read took (a Touch has the next read take them anew); a change made
// without Touch is still seen within settingsMaxAge.
func TestSettingsReadOnTouchOrHourly(t *testing.T) {
	h := newHarness(t, at(2, 0, 0), Config{})
	h.chat(1, storage.Settings{Zone: "Europe/Berlin", Agenda: storage.Agenda{On: true, At: 8 * 60}})
	h.start()
	h.update(1, func(s *storage.Settings) { s.Agenda.At = 6 * 60 }) // no Touch
	h.runUntil(at(2, 7, 0))
	checkExactly(t, h.take(), map[string]time.Time{AgendaKey(1, at(2, 0, 0)): at(2, 6, 0)})
	h.mu.Lock()
	settings := h.settingsReads
	h.mu.Unlock()
	h.src.mu.Lock()
	reads := len(h.src.calls[1])
	h.src.mu.Unlock()
	if reads < 100 || settings > 10 {
		t.Errorf("in 7 hours: %d reads, %d settings reads; want about 200 reads and a settings read an hour", reads, settings)
	}

	h.update(1, func(s *storage.Settings) { s.Agenda.At = 8 * 60 })
	h.s.Touch(1)
	h.runUntil(h.now.Add(time.Second))
	h.mu.Lock()
	settings, h.settingsReads = h.settingsReads-settings, 0
	h.mu.Unlock()
	if settings != 1 {
		t.Errorf("a Touch made %d settings reads, want 1, at once", settings)
	}
	h.runUntil(at(3, 8, 1))
	checkExactly(t, h.take(), map[string]time.Time{AgendaKey(1, at(3, 0, 0)): at(3, 8, 0)})
}

func TestOnGrid(t *testing.T) {
	base := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ in, want time.Duration }{
		{0, 0}, {time.Nanosecond, readGrid}, {readGrid - 1, readGrid}, {readGrid, readGrid}, {readGrid + 1, 2 * readGrid},
	} {
		if got := onGrid(base.Add(tt.in)); !got.Equal(base.Add(tt.want)) {
			t.Errorf("onGrid(+%v) = +%v, want +%v", tt.in, got.Sub(base), tt.want)
		}
	}
}

// TestReadsOnGrid: the reads of many chats happen on the read grid, several
// on one point of it, so the loop wakes once for them.
func TestReadsOnGrid(t *testing.T) {
	h := newHarness(t, at(2, 0, 0).Add(123*time.Millisecond), Config{})
	for id := int64(1); id <= 3000; id++ { // 25 reads a second
		h.chat(id, storage.Settings{Zone: "Europe/Berlin"})
	}
	h.start()
	h.runUntil(at(2, 0, 10))
	points := map[time.Time]int{}
	h.src.mu.Lock()
	for _, calls := range h.src.calls {
		for _, from := range calls {
			if !from.Equal(from.Truncate(readGrid)) {
				t.Errorf("a read at %v, off the %v grid", from, readGrid)
			}
			points[from]++
		}
	}
	h.src.mu.Unlock()
	reads := 0
	for _, n := range points {
		reads += n
	}
	if reads < 3000*4 || len(points) > reads/2 {
		t.Errorf("%d reads in 10 minutes on %d points of the grid; want over 12,000, at least two a point", reads, len(points))
	}
}

// TestBatches: the reads due at one point of the grid go to one reader
// against a fast server, and one by one against a slow one.
func TestBatches(t *testing.T) {
	jobs := make([]readJob, 12)
	for i := range jobs {
		jobs[i].chat = int64(i)
	}
	for _, tt := range []struct {
		latency time.Duration
		want    []int
	}{
		{0, []int{12}},
		{time.Millisecond, []int{12}},
		{10 * time.Millisecond, []int{5, 5, 2}},
		{200 * time.Millisecond, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
	} {
		var sizes []int
		next := int64(0)
		for _, b := range batches(jobs, tt.latency) {
			sizes = append(sizes, len(b))
			for _, j := range b {
				if j.chat != next {
					t.Fatalf("latency %v: batches out of order or with gaps at %d", tt.latency, j.chat)
				}
				next++
			}
		}
		if !slices.Equal(sizes, tt.want) {
			t.Errorf("latency %v: batches of %v, want %v", tt.latency, sizes, tt.want)
		}
	}
	if batches(nil, 0) != nil {
		t.Error("batches of no reads")
	}
}
