package loopback

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestStartServesAndCloses(t *testing.T) {
	s := Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") }))
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q, want http://127.0.0.1:port", s.URL)
	}
	resp, err := http.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Errorf("body = %q, want %q", body, "hi")
	}
	s.Close()
	if _, err := http.Get(s.URL); err == nil {
		t.Errorf("GET after Close succeeded, want an error")
	}
}
