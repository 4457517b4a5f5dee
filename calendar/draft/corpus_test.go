package draft

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "time/tzdata" // zones load the same everywhere

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus.golden")

// corpusSection is a clock and the phrases evaluated against it.
type corpusSection struct {
	header  string // the "now=" line as written
	now     time.Time
	phrases []string
}

// readCorpus reads testdata/corpus.txt: "now=<RFC 3339> <zone>" lines start
// a section, every other non-blank line that does not start with '#' is a
// phrase.
func readCorpus(tb testing.TB) []corpusSection {
	tb.Helper()
	f, err := os.Open("testdata/corpus.txt")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	var secs []corpusSection
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "now="):
			secs = append(secs, corpusSection{header: line, now: parseNow(tb, strings.TrimPrefix(line, "now="))})
		case len(secs) == 0:
			tb.Fatalf("corpus: phrase %q before the first now= line", line)
		default:
			secs[len(secs)-1].phrases = append(secs[len(secs)-1].phrases, line)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return secs
}

// parseNow parses "2026-11-21T09:00:00+03:00 Europe/Moscow" and checks that
// the offset is one the zone really has at that instant.
func parseNow(tb testing.TB, s string) time.Time {
	tb.Helper()
	stamp, zone, ok := strings.Cut(s, " ")
	if !ok {
		tb.Fatalf("corpus: now=%s: want <RFC 3339> <zone>", s)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		tb.Fatal(err)
	}
	t = t.In(loc)
	if got := t.Format(time.RFC3339); got != stamp {
		tb.Fatalf("corpus: now=%s is %s in %s", stamp, got, zone)
	}
	return t
}

// describe renders one result the way corpus.golden shows it. All-day
// events show their first and last day, both inclusive.
func describe(d Draft, err error) string {
	var de *Error
	var s string
	switch {
	case errors.As(err, &de) && de.Kind == KindUnusedWord:
		s = fmt.Sprintf("error %v %q keep=%q", de.Kind, de.Token, de.Keep)
		if d.Title == "" {
			return s
		}
		return s + " read=" + describe(d, nil)
	case de != nil:
		return fmt.Sprintf("error %v %q", de.Kind, de.Token)
	case err != nil:
		return "error " + err.Error()
	case d.AllDay:
		s = fmt.Sprintf("%s | all-day %s..%s", d.Title,
			d.Start.Format("Mon 2006-01-02"), d.End.AddDate(0, 0, -1).Format("Mon 2006-01-02"))
	default:
		s = fmt.Sprintf("%s | %s – %s", d.Title,
			d.Start.Format("Mon "+time.RFC3339), d.End.Format(time.RFC3339))
	}
	if d.RRULE != "" {
		s += " | " + d.RRULE
	}
	return s
}

func TestCorpus(t *testing.T) {
	var b strings.Builder
	n := 0
	for _, sec := range readCorpus(t) {
		fmt.Fprintf(&b, "%s\n", sec.header)
		for _, phrase := range sec.phrases {
			d, err := Parse(phrase, sec.now)
			fmt.Fprintf(&b, "%s => %s\n", phrase, describe(d, err))
			n++
		}
		b.WriteString("\n")
	}
	if n < 90 {
		t.Errorf("corpus has %d phrases, want at least 90", n)
	}
	got := b.String()
	const golden = "testdata/corpus.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("corpus mismatch (-want +got), run go test -update if intended:\n%s", diff)
	}
}
