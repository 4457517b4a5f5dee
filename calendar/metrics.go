package calendar

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/api/googleapi"
)

// Metrics counts Calendar API requests for Prometheus. A nil *Metrics
// records nothing.
type Metrics struct {
	calls  *prometheus.CounterVec
	errors *prometheus.CounterVec
}

// NewMetrics registers the Calendar metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_google_api_calls_total",
			Help: "Calendar API requests, retries included, by operation (list, zone, insert, get, delete, calendars, respond).",
		}, []string{"op"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "calbot_google_api_errors_total",
			Help: "Failed Calendar API requests by operation and reason (Google's reason, the HTTP status, token, timeout or network).",
		}, []string{"op", "reason"}),
	}
	reg.MustRegister(m.calls, m.errors)
	return m
}

func (m *Metrics) observe(op string, err error) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(op).Inc()
	if err != nil {
		m.errors.WithLabelValues(op, reason(err)).Inc()
	}
}

// reason names an error with a bounded set of words, for a metric label.
func reason(err error) string {
	var te *tokenError
	var gerr *googleapi.Error
	var uerr *url.Error
	switch {
	case errors.As(err, &te):
		return "token"
	case errors.As(err, &gerr):
		for _, e := range gerr.Errors {
			switch e.Reason {
			case "rateLimitExceeded", "userRateLimitExceeded", "backendError", "notFound", "deleted", "duplicate", "forbidden", "authError", "quotaExceeded", "insufficientPermissions", "requiredAccessLevel":
				return e.Reason
			}
		}
		return strconv.Itoa(gerr.Code)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &uerr):
		return "network"
	}
	return "other"
}
