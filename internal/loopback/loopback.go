// Package loopback serves an http.Handler on 127.0.0.1 for the fakes of
// Telegram and Google, without net/http/httptest, so that the calbot binary
// (whose sandbox runs the fakes) links no test code.
package loopback

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Server is a handler served on a free 127.0.0.1 port.
type Server struct {
	URL string // such as "http://127.0.0.1:1234", no trailing slash
	srv *http.Server
	ln  net.Listener
}

// Start serves h on 127.0.0.1 until Close. It panics if no port can be had,
// as httptest.NewServer does: the callers are tests and the sandbox, for
// whom no loopback port is a broken machine.
func Start(h http.Handler) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("loopback: listen on 127.0.0.1: " + err.Error())
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	return s
}

// Close stops listening and closes every connection, idle or not, so that
// pending long polls end at once.
func (s *Server) Close() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Shutdown with an ended context closes idle ones and returns
	s.srv.Shutdown(ctx)
	s.srv.Close()
}

// TB is the part of testing.TB that the fakes' test constructors use; taking
// it instead of testing.TB keeps package testing out of the calbot binary.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}
