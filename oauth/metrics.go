package oauth

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts sign-ins and token refreshes for Prometheus. A nil
// *Metrics records nothing.
type Metrics struct {
	connects  *prometheus.CounterVec
	refreshes *prometheus.CounterVec
}

// NewMetrics registers the OAuth metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		connects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_connects_total",
			Help: "Sign-ins, by result: connected, or the cause of failure (denied, missing_scope, invalid_state, misconfigured, google_error, exchange_failed, incomplete, storage_error), a Grow's end (grown, grow_missing_scope, grow_other_account, grow_not_linked), or a refused browser (not_yours: not opened through the user's own login button; other_browser: not the browser that started).",
		}, []string{"result"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_token_refreshes_total",
			Help: "Access token refreshes at Google's token endpoint, by result (ok, revoked, unavailable, error).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.connects, m.refreshes)
	return m
}

func (m *Metrics) connect(result string) {
	if m != nil {
		m.connects.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) refresh(result string) {
	if m != nil {
		m.refreshes.WithLabelValues(result).Inc()
	}
}
