package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLinksNoTestCode keeps the production binary free of package
// testing and net/http/httptest: the sandbox imports the fakes, so the fakes
// must not import them either.
func TestBinaryLinksNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "testing" || pkg == "net/http/httptest" {
			t.Errorf("the calbot binary links %s; production code must not import it", pkg)
		}
	}
}
