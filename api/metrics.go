package api

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the HTTP layer's Prometheus series, registered on one registry that
// /metrics serves (with Go runtime, process and any collectors passed to NewMetrics).
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	webhook  *prometheus.CounterVec
	events   *prometheus.CounterVec
}

// NewMetrics builds the registry with the HTTP series, the Go runtime and process
// collectors, and extra (for example asynq queue depths).
func NewMetrics(extra ...prometheus.Collector) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "firebreak_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "firebreak_http_request_duration_seconds",
			Help:    "HTTP request latency, by method, route template and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	m.webhook = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "firebreak_webhook_refused_total",
		Help: "Event Webhook posts refused or flagged, by reason (bad_signature, malformed, not_stored, old_timestamp).",
	}, []string{"reason"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "firebreak_webhook_events_total",
		Help: "Event Webhook events received, by result (stored, duplicate, unattributed).",
	}, []string{"result"})
	reg.MustRegister(m.requests, m.latency, m.webhook, m.events,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range extra {
		reg.MustRegister(c)
	}
	return m
}
