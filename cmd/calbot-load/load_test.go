package main

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// TestRequestsScenario runs the real calbot (built with deploy/build.sh)
// through the cheapest scenario, so the tool keeps compiling and working.
func TestRequestsScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs calbot")
	}
	o, err := parseOptions([]string{"-scenario", "requests", "-chats", "5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.calbot, err = buildCalbot(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	res, err := requests(t.Context(), o)
	if err != nil {
		t.Fatalf("requests: %v", err)
	}
	var out bytes.Buffer
	if !report(&out, []result{res}) {
		t.Errorf("requests scenario missed a target:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Google requests per /today") {
		t.Errorf("report lacks the requests figure:\n%s", out.String())
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := percentilesOf(d)
	want := percentiles{p50: 100 * time.Millisecond, p99: 198 * time.Millisecond, max: 200 * time.Millisecond}
	if got != want {
		t.Errorf("percentilesOf(1..200 ms) = %+v, want %+v", got, want)
	}
	if got := percentilesOf(nil); got != (percentiles{}) {
		t.Errorf("percentilesOf(nil) = %+v, want zero", got)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"odd", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"skips missing", []float64{math.NaN(), 5, 7}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestReplyKind(t *testing.T) {
	tests := []struct{ text, want string }{
		{"<b>Today, Sat 21 Nov</b> (Europe/Moscow)\n\n…", kindToday},
		{"Nothing on your calendar today, Sat 21 Nov (Europe/Moscow).", kindToday},
		{"<b>calbot</b> links this chat to your Google Calendar.", kindHelp},
		{"<b>Сегодня, суббота, 21 ноября</b> (Europe/Moscow)", kindToday},
		{"Google is slow to answer right now.", kindOther},
	}
	for _, tt := range tests {
		if got := replyKind(tt.text); got != tt.want {
			t.Errorf("replyKind(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestOptionsBounds(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "nope"},
		{"-runs", "0"},
		{"-chats", "1000000"},
		{"-scenario", "burst", "-chats", "100000"},
		{"-rate", "1000000", "-duration", "5m"},
	} {
		if _, err := parseOptions(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseOptions(%q) accepted it", args)
		}
	}
}
