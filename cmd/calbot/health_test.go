package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestHealthyRightAfterStart: a quiet bot's first long poll takes 30 s, and
// /healthz (doctor, container health checks, the README's own check) must
// say ok meanwhile. It also asks the bot with the clock the bot was given.
func TestHealthyRightAfterStart(t *testing.T) {
	h := newHarness(t)
	resp, body := h.get(h.public + "/healthz")
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz right after start = %d %q, want 200 ok", resp.StatusCode, body)
	}
}
