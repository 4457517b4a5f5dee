//go:build unix

package main

import "syscall"

// umask sets the process umask and returns the old one, so the admin socket
// is born without group or other access.
func umask(mask int) int { return syscall.Umask(mask) }
