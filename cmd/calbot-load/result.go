package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// metric is one figure of a scenario run, with its target if it has one.
type metric struct {
	name   string
	value  float64
	unit   string
	target string
	ok     func(float64) bool // nil: informative only
}

// result is one run of a scenario.
type result struct {
	scenario string
	metrics  []metric
	notes    []string
}

func (r *result) add(name string, value float64, unit, target string, ok func(float64) bool) {
	r.metrics = append(r.metrics, metric{name: name, value: value, unit: unit, target: target, ok: ok})
}

func (r *result) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func atMost(x float64) func(float64) bool  { return func(v float64) bool { return v <= x } }
func atLeast(x float64) func(float64) bool { return func(v float64) bool { return v >= x } }
func eq(x float64) func(float64) bool      { return func(v float64) bool { return v == x } }

func ms(d time.Duration) float64  { return float64(d) / float64(time.Millisecond) }
func sec(d time.Duration) float64 { return d.Seconds() }

func format(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case unit == "ms" && v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case unit == "ms":
		return fmt.Sprintf("%.0f ms", v)
	case unit == "s":
		return fmt.Sprintf("%.2f s", v)
	case unit == "MB":
		return fmt.Sprintf("%.1f MB", v)
	case unit == "/s":
		return fmt.Sprintf("%.0f /s", v)
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func verdict(m metric, v float64) string {
	switch {
	case m.ok == nil:
		return ""
	case m.ok(v):
		return "PASS"
	}
	return "FAIL"
}

// report prints the runs of one scenario side by side with their median,
// and reports whether every median meets its target.
func report(w io.Writer, runs []result) (pass bool) {
	if len(runs) == 0 {
		return false
	}
	fmt.Fprintf(w, "\n== %s (%d run%s) ==\n", runs[0].scenario, len(runs), map[bool]string{true: "s"}[len(runs) > 1])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "metric"
	if len(runs) > 1 {
		for i := range runs {
			head += fmt.Sprintf("\trun %d", i+1)
		}
		head += "\tmedian"
	} else {
		head += "\tvalue"
	}
	fmt.Fprintln(tw, head+"\ttarget\t")
	pass = true
	for i, m := range runs[0].metrics {
		var vals []float64
		row := m.name
		for _, r := range runs {
			v := math.NaN()
			if i < len(r.metrics) && r.metrics[i].name == m.name {
				v = r.metrics[i].value
			}
			vals = append(vals, v)
			if len(runs) > 1 {
				row += "\t" + format(v, m.unit)
			}
		}
		med := median(vals)
		v := verdict(m, med)
		if v == "FAIL" {
			pass = false
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", row, format(med, m.unit), m.target, v)
	}
	tw.Flush()
	for i, r := range runs {
		for _, n := range r.notes {
			fmt.Fprintf(w, "  run %d: %s\n", i+1, n)
		}
	}
	return pass
}

// median of the values that are numbers.
func median(vals []float64) float64 {
	var s []float64
	for _, v := range vals {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// commandLine is how to repeat a run, for the report.
func commandLine(args []string) string {
	return "go run ./cmd/calbot-load " + strings.Join(args, " ")
}
