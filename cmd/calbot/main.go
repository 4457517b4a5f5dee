// Command calbot is a Telegram bot that links a chat to Google Calendar.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// atExit runs when run returns; a build with -tags pprof sets it (profile.go).
var atExit = func() {}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args, os.Stdout, os.Stderr)
	atExit()
	if err != nil {
		fmt.Fprintln(os.Stderr, "calbot:", err)
		stop()
		os.Exit(1)
	}
}
