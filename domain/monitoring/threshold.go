package monitoring

import "math"

// Threshold is the line a send's rate of Metric must stay under:
// Value = max(Floor, Multiple × baseline), the Floor alone without enough
// history; judged once the send has MinDelivered delivered.
type Threshold struct {
	Metric       Metric
	Floor        float64
	Multiple     float64
	Baseline     float64
	Value        float64
	MinDelivered int
}

// rule is DESIGN.md's floor and multiple of one metric.
type rule struct {
	metric   Metric
	floor    float64
	multiple float64
}

// rules: complaints ≥ max(0.1 %, 2 × baseline), hard bounces ≥ max(2 %,
// 2 × baseline), unsubscribes ≥ max(1 %, 3 × baseline).
var rules = []rule{
	{ComplaintRate, 0.001, 2},
	{BounceRate, 0.02, 2},
	{UnsubscribeRate, 0.01, 3},
}

// Thresholds are the three thresholds a window judges by, from its baseline.
func Thresholds(b Baseline) []Threshold {
	out := make([]Threshold, 0, len(rules))
	for _, r := range rules {
		t := Threshold{Metric: r.metric, Floor: r.floor, Multiple: r.multiple, Baseline: b.Of(r.metric),
			Value: r.floor, MinDelivered: MinDelivered}
		if b.EnoughHistory {
			t.Value = math.Max(r.floor, r.multiple*t.Baseline)
		}
		out = append(out, t)
	}
	return out
}

// Crossed reports whether the send crosses t: judged (≥ MinDelivered
// delivered) and its rate at or above the threshold.
func (t Threshold) Crossed(s Send) bool {
	return s.Delivered >= t.MinDelivered && s.Rate(t.Metric) >= t.Value
}
