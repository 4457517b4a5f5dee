package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// options are the command line. Zero values mean the scenario's default.
type options struct {
	scenario    string
	calbot      string
	profile     string
	env         map[string]string
	runs        int
	chats       int
	commands    int
	latency     time.Duration // < 0: the scenario's default
	duration    time.Duration
	rate        float64
	inflight    int
	concurrency int
	settle      time.Duration
}

// Bounds that keep a run finite and on one machine.
const (
	maxChats    = 200000
	maxValid    = 20000 // chats with live tokens: minting is quadratic in the fake
	maxCommands = 2000000
	maxDuration = 5 * time.Minute
	maxRuns     = 20
)

func parseOptions(args []string, w io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("calbot-load", flag.ContinueOnError)
	fs.SetOutput(w)
	var names []string
	for _, sc := range scenarios {
		names = append(names, sc.name)
	}
	fs.StringVar(&o.scenario, "scenario", "all", "what to measure: "+strings.Join(names, ", ")+" or all")
	fs.StringVar(&o.calbot, "calbot", "", "calbot binary (default: build it with deploy/build.sh)")
	fs.StringVar(&o.profile, "profile", "", "write calbot's CPU and heap profiles to `PREFIX`.cpu and PREFIX.heap (needs -calbot built with -tags pprof; the last run's)")
	o.env = map[string]string{}
	fs.Func("env", "`KEY=VALUE` in calbot's environment besides what the scenario sets (GOMAXPROCS=1, GOGC=50, …); repeatable", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE, got %q", kv)
		}
		o.env[k] = v
		return nil
	})
	fs.IntVar(&o.runs, "runs", 1, "runs of each scenario; the table shows each and their median")
	fs.IntVar(&o.chats, "chats", 0, "linked chats (default per scenario: burst, paced, sustained 1000; requests 100; startup 100000; wave 2000; steady 10000)")
	fs.IntVar(&o.commands, "commands", 0, "refresh: commands the one chat sends at once (default 50)")
	fs.DurationVar(&o.latency, "google-latency", -1, "latency of every request to a Google fake (default: burst and paced 200ms, others 0)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "sustained: length of each phase")
	fs.Float64Var(&o.rate, "rate", 1000, "sustained: commands offered per second in phase one")
	fs.IntVar(&o.inflight, "inflight", 256, "sustained: commands kept in flight in phase two")
	fs.IntVar(&o.concurrency, "concurrency", 0, "CONCURRENCY for calbot (default: calbot's own)")
	fs.DurationVar(&o.settle, "settle", 2*time.Second, "startup: wait before reading idle memory")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var problems []string
	if o.scenario != "all" && !slices.Contains(names, o.scenario) {
		problems = append(problems, fmt.Sprintf("-scenario %q is not one of %s or all", o.scenario, strings.Join(names, ", ")))
	}
	if o.runs < 1 || o.runs > maxRuns {
		problems = append(problems, fmt.Sprintf("-runs must be 1 to %d", maxRuns))
	}
	if o.chats < 0 || o.chats > maxChats {
		problems = append(problems, fmt.Sprintf("-chats must be 1 to %d", maxChats))
	}
	if o.chats > maxValid && o.scenario != "startup" {
		problems = append(problems, fmt.Sprintf("-chats above %d only for -scenario startup", maxValid))
	}
	if o.commands < 0 || o.commands > 10000 {
		problems = append(problems, "-commands must be 1 to 10000")
	}
	if o.latency > 10*time.Second {
		problems = append(problems, "-google-latency must be at most 10s")
	}
	if o.duration <= 0 || o.duration > maxDuration || o.settle < 0 || o.settle > time.Minute {
		problems = append(problems, fmt.Sprintf("-duration must be positive and at most %s, -settle at most 1m", maxDuration))
	}
	if o.rate <= 0 || o.rate*o.duration.Seconds() > maxCommands {
		problems = append(problems, fmt.Sprintf("-rate must be positive, and -rate × -duration at most %d commands", maxCommands))
	}
	if o.inflight < 1 || o.inflight > maxValid {
		problems = append(problems, fmt.Sprintf("-inflight must be 1 to %d", maxValid))
	}
	if o.concurrency < 0 || o.concurrency > 100000 {
		problems = append(problems, "-concurrency must be 1 to 100000")
	}
	if len(problems) > 0 {
		return o, errors.New(strings.Join(problems, "; "))
	}
	return o, nil
}

func (o options) or(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (o options) latencyOr(def time.Duration) time.Duration {
	if o.latency >= 0 {
		return o.latency
	}
	return def
}

// machine describes where the figures come from.
func machine() string {
	model := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range bytes.Lines(raw) {
			if name, val, ok := strings.Cut(string(l), ":"); ok && strings.TrimSpace(name) == "model name" {
				model = strings.TrimSpace(val)
				break
			}
		}
	}
	return fmt.Sprintf("machine: %d CPUs (%s), %s %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
