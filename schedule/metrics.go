package schedule

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what the scheduler does, for Prometheus. A nil *Metrics
// records nothing.
type Metrics struct {
	due, handed, late *prometheus.CounterVec
	skipped           *prometheus.CounterVec
	reads             *prometheus.CounterVec
	interval          prometheus.Gauge
	chats             prometheus.Gauge
}

// NewMetrics registers the scheduler's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		due: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_schedule_due_total",
			Help: "Scheduled messages whose moment came, by kind (agenda, reminder, revoked).",
		}, []string{"kind"}),
		handed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_schedule_handed_total",
			Help: "Scheduled messages handed to the bot for sending, by kind.",
		}, []string{"kind"}),
		late: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_schedule_late_total",
			Help: "Scheduled messages handed over late (after downtime, or held by quiet hours), by kind.",
		}, []string{"kind"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_schedule_skipped_total",
			Help: "Scheduled messages not sent, by kind and reason (too_late, started).",
		}, []string{"kind", "reason"}),
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_schedule_reads_total",
			Help: "Background calendar reads by outcome (ok, unavailable, revoked, not_linked, error).",
		}, []string{"outcome"}),
		interval: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "calbot_schedule_read_interval_seconds",
			Help: "The interval between two reads of one chat now in use, stretched to fit the Google budget.",
		}),
		chats: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "calbot_schedule_chats",
			Help: "Chats the scheduler plans for.",
		}),
	}
	reg.MustRegister(m.due, m.handed, m.late, m.skipped, m.reads, m.interval, m.chats)
	return m
}

func (k Kind) String() string {
	switch k {
	case Agenda:
		return "agenda"
	case Reminder:
		return "reminder"
	case Revoked:
		return "revoked"
	}
	return "unknown"
}

// count adds one to the counter named by what (due, handed, late, skipped,
// reads).
func (m *Metrics) count(what string, labels ...string) {
	if m == nil {
		return
	}
	v := map[string]*prometheus.CounterVec{"due": m.due, "handed": m.handed, "late": m.late, "skipped": m.skipped, "reads": m.reads}[what]
	v.WithLabelValues(labels...).Inc()
}

func (m *Metrics) setInterval(sec float64, chats int) {
	if m != nil {
		m.interval.Set(sec)
		m.chats.Set(float64(chats))
	}
}
