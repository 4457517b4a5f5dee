package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/calbot/calbot/storage"
)

// newRegistry returns a Prometheus registry with the Go runtime and process
// collectors and a gauge of linked chats, read from db at scrape time.
func newRegistry(db *storage.DB) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "calbot_linked_chats",
			Help: "Chats with a linked Google account.",
		}, func() float64 {
			n, err := db.CountLinks()
			if err != nil {
				return -1
			}
			return float64(n)
		}),
	)
	return reg
}

// metricsRoutes serves /metrics on the metrics address only, never on the
// public callback server.
func metricsRoutes(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}
