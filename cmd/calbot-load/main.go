// Command calbot-load measures calbot under load. It runs the real calbot
// binary against fake Telegram and Google servers that it serves itself on
// 127.0.0.1, with a database it seeds beforehand, and prints what it
// measured next to the targets in docs/PERFORMANCE.md:
//
//	go run ./cmd/calbot-load -scenario all -runs 3
//
// Scenarios: requests, refresh, burst, paced, sustained, startup, wave,
// steady, all.
// Every run is bounded in commands and time, and nothing leaves loopback.
// Run it from the repository: without -calbot it builds the binary with
// deploy/build.sh.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "calbot-load:", err)
		stop()
		os.Exit(1)
	}
}

// run runs the scenarios args ask for and prints their tables to w. It
// fails if a scenario could not run or missed a target.
func run(ctx context.Context, args []string, w io.Writer) error {
	o, err := parseOptions(args, w)
	if err != nil {
		return err
	}
	if o.calbot == "" {
		dir, err := os.MkdirTemp("", "calbot-load-bin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if o.calbot, err = buildCalbot(dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "%s\n%s\n", commandLine(args), machine())
	var failed []string
	for _, sc := range scenarios {
		if o.scenario != "all" && o.scenario != sc.name {
			continue
		}
		var runs []result
		for i := range o.runs {
			res, err := sc.run(ctx, o)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", sc.name, i+1, err)
			}
			runs = append(runs, res)
		}
		if !report(w, runs) {
			failed = append(failed, sc.name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("targets missed in: %v", failed)
	}
	return nil
}
