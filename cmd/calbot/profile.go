//go:build pprof

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// In a binary built with -tags pprof, CALBOT_PROFILE=PREFIX writes a CPU
// profile of the whole run to PREFIX.cpu, and every 30 s a heap profile to
// PREFIX.heap (so the last one shows the heap of the running bot, not of
// its shutdown). calbot-load's -profile sets it. The release build has
// neither the code nor the variable.
func init() {
	prefix := os.Getenv("CALBOT_PROFILE")
	if prefix == "" {
		return
	}
	cpu, err := os.Create(prefix + ".cpu")
	if err == nil {
		err = pprof.StartCPUProfile(cpu)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "calbot: profile:", err)
		os.Exit(1)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := writeHeap(prefix + ".heap"); err != nil {
					fmt.Fprintln(os.Stderr, "calbot: profile:", err)
				}
			}
		}
	}()
	atExit = func() {
		close(stop)
		<-done
		pprof.StopCPUProfile()
		cpu.Close()
	}
}

// writeHeap writes a heap profile to path, replacing it whole.
func writeHeap(path string) error {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
