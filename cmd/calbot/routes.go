package main

import (
	"net/http"

	"github.com/calbot/calbot/oauth"
)

// routes is calbot's whole HTTP surface.
func routes(flow *oauth.Flow, health http.HandlerFunc) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/start", flow.HandleStart)
	mux.HandleFunc("POST /oauth/start", flow.HandleContinue)
	mux.HandleFunc("GET /oauth/callback", flow.HandleCallback)
	// A GET pattern serves HEAD too; a link scanner's HEAD must not reach
	// the callback.
	mux.HandleFunc("HEAD /oauth/callback", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
	})
	mux.HandleFunc("GET /healthz", health)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("calbot is running. Talk to the bot in Telegram.\n"))
	})
	return mux
}
