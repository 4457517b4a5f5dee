package draft

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	var nows []time.Time
	for _, sec := range readCorpus(f) {
		nows = append(nows, sec.now)
		for _, s := range sec.phrases {
			f.Add(s, uint8(len(nows)-1))
		}
	}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		now := nows[int(which)%len(nows)]
		d, err := Parse(text, now)
		d2, err2 := Parse(text, now)
		if !d.Equal(d2) || describe(d, err) != describe(d2, err2) {
			t.Fatalf("Parse(%q) not deterministic: %v, %v then %v, %v", text, d, err, d2, err2)
		}
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.Kind < KindEmpty || de.Kind > KindAmbiguous {
				t.Fatalf("Parse(%q) error %v is not a *Error with a known Kind", text, err)
			}
			return
		}
		if d.Title == "" || !utf8.ValidString(d.Title) {
			t.Errorf("Parse(%q) title %q: want non-empty valid UTF-8", text, d.Title)
		}
		if !d.End.After(d.Start) {
			t.Errorf("Parse(%q) = %v .. %v: end not after start", text, d.Start, d.End)
		}
		if d.Start.Location() != now.Location() || d.End.Location() != now.Location() {
			t.Errorf("Parse(%q) times not in %v", text, now.Location())
		}
		if d.AllDay {
			for _, x := range []time.Time{d.Start, d.End} {
				y, m, dd := x.Date()
				if !x.Equal(time.Date(y, m, dd, 0, 0, 0, 0, x.Location())) {
					t.Errorf("Parse(%q) all-day bound %v is not a midnight", text, x)
				}
			}
		} else if d.End.Sub(d.Start) > MaxDuration {
			t.Errorf("Parse(%q) lasts %v, over MaxDuration", text, d.End.Sub(d.Start))
		}
	})
}
