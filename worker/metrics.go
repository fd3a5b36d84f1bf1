package worker

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/firebreak/firebreak/worker/tasks"
)

// QueueCollector exports asynq queue depths per queue and state on /metrics.
// It reads Redis on each scrape; when Redis is down it exports nothing (readyz
// says why) rather than failing the whole scrape.
type QueueCollector struct {
	inspector *asynq.Inspector
	depth     *prometheus.Desc
	latency   *prometheus.Desc
}

// NewQueueCollector returns a collector over inspector.
func NewQueueCollector(inspector *asynq.Inspector) *QueueCollector {
	return &QueueCollector{
		inspector: inspector,
		depth: prometheus.NewDesc("firebreak_asynq_queue_tasks",
			"Tasks in each asynq queue, by state.", []string{"queue", "state"}, nil),
		latency: prometheus.NewDesc("firebreak_asynq_queue_latency_seconds",
			"Age of the oldest pending task in each asynq queue.", []string{"queue"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.depth
	ch <- q.latency
}

// Collect implements prometheus.Collector.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	queues, err := q.inspector.Queues()
	if err != nil {
		return
	}
	// Firebreak's queues are always reported, at 0 before their first task.
	known := map[string]bool{}
	for name := range tasks.QueueWeights {
		known[name] = true
	}
	for _, name := range queues {
		known[name] = true
	}
	for name := range known {
		info, err := q.inspector.GetQueueInfo(name)
		if err != nil { // a queue that never held a task: Redis answered above
			info = &asynq.QueueInfo{Queue: name}
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active,
			"scheduled": info.Scheduled, "retry": info.Retry, "archived": info.Archived} {
			ch <- prometheus.MustNewConstMetric(q.depth, prometheus.GaugeValue, float64(n), name, state)
		}
		ch <- prometheus.MustNewConstMetric(q.latency, prometheus.GaugeValue, info.Latency.Seconds(), name)
	}
}
