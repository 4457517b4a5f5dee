package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts the bot's commands and dropped updates for Prometheus. A nil *Metrics records
// nothing, so tests and tools need not set one up.
type Metrics struct {
	commands *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	drops    *prometheus.CounterVec
}

// NewMetrics registers the bot's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_commands_total",
			Help: "Commands handled, by command and outcome (ok, not_linked, revoked, google_unavailable, bad_input, private_only, error).",
		}, []string{"command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "calbot_reply_latency_seconds",
			Help:    "Time from taking an update to finishing its replies, by command.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"command"}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_updates_dropped_total",
			Help: "Updates confirmed to Telegram but not handled, by reason (queue_full, rate: the chat sent too fast; undecodable).",
		}, []string{"reason"}),
	}
	for _, r := range []string{dropQueueFull, dropRate, dropUndecodable} {
		m.drops.WithLabelValues(r)
	}
	reg.MustRegister(m.commands, m.latency, m.drops)
	return m
}

// Outcomes of a command, as the calbot_commands_total label says them.
const (
	outcomeOK          = "ok"
	outcomeNotLinked   = "not_linked"
	outcomeRevoked     = "revoked"
	outcomeUnavailable = "google_unavailable"
	outcomeBadInput    = "bad_input"
	outcomePrivateOnly = "private_only"
	outcomeError       = "error"
)

// knownCommands bounds the command label: anything else counts as "other".
var knownCommands = map[string]bool{"start": true, "help": true, "connect": true, "today": true, "add": true, "disconnect": true, "cancel": true,
	"tomorrow": true, "week": true, "next": true, "settings": true}

func (m *Metrics) observe(command, outcome string, took time.Duration) {
	if m == nil || command == "" {
		return
	}
	m.commands.WithLabelValues(command, outcome).Inc()
	m.latency.WithLabelValues(command).Observe(took.Seconds())
}

// dropped counts an update that was confirmed to Telegram but not handled.
func (m *Metrics) dropped(reason string) {
	if m == nil {
		return
	}
	m.drops.WithLabelValues(reason).Inc()
}
