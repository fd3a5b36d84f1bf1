package api

import (
	"time"

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
	ack      *prometheus.HistogramVec
	paused   *prometheus.HistogramVec
	resolved *prometheus.HistogramVec
}

// incidentLabels are the labels of the incident response-time histograms:
// the incident's runbook and severity when the moment happened.
var incidentLabels = []string{"runbook", "severity"}

// TimeToAcknowledge records how long an incident waited for an owner (its
// first acknowledge) (incident.Observer).
func (m *Metrics) TimeToAcknowledge(runbook, severity string, d time.Duration) {
	m.ack.WithLabelValues(runbook, severity).Observe(d.Seconds())
}

// TimeToPause records how long from detection to the campaign's first pause.
func (m *Metrics) TimeToPause(runbook, severity string, d time.Duration) {
	m.paused.WithLabelValues(runbook, severity).Observe(d.Seconds())
}

// TimeToResolve records how long from detection to a resolve (every resolve,
// so also a reopened incident's second one).
func (m *Metrics) TimeToResolve(runbook, severity string, d time.Duration) {
	m.resolved.WithLabelValues(runbook, severity).Observe(d.Seconds())
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
		Help: "Event Webhook posts refused or flagged, by reason (bad_signature, malformed, not_stored, old_timestamp, too_large, busy, detection_unscheduled).",
	}, []string{"reason"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "firebreak_webhook_events_total",
		Help: "Event Webhook events received, by result (stored, duplicate, unattributed, quarantined).",
	}, []string{"result"})
	m.ack = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "firebreak_incident_time_to_acknowledge_seconds",
		Help:    "From detection to the first acknowledgement, by runbook and severity.",
		Buckets: []float64{5, 15, 30, 60, 120, 300, 600, 1800, 3600}}, incidentLabels)
	m.paused = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "firebreak_incident_time_to_pause_seconds",
		Help:    "From detection to the campaign's first pause, by runbook and severity.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2, 5, 30, 120, 600}}, incidentLabels)
	m.resolved = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "firebreak_incident_time_to_resolve_seconds",
		Help: "From detection to the resolve (each resolve; a reopened incident is observed again), by runbook and severity.",
		Buckets: []float64{300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 2 * 86400, 4 * 86400,
			7 * 86400, 14 * 86400, 30 * 86400}}, incidentLabels)
	reg.MustRegister(m.requests, m.latency, m.webhook, m.events, m.ack, m.paused, m.resolved,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range extra {
		reg.MustRegister(c)
	}
	return m
}
