package incident

import (
	"fmt"

	"github.com/firebreak/firebreak/domain/runbook"
)

// Counters are a campaign's rolling numbers that the detection rules read
// after every webhook batch (campaign.Counts holds them).
type Counters struct {
	Delivered   int
	HandedToESP int
	Complained  int
	HardBounced int
	Dropped     int
}

// The metrics of runbook.Metrics.
const (
	MetricComplaintRate  = "complaint_rate"   // complained / delivered, volume: delivered
	MetricHardBounceRate = "hard_bounce_rate" // hard bounced / handed to ESP, volume: handed
	MetricDropRate       = "drop_rate"        // dropped / handed to ESP, volume: handed
)

// Evaluate returns the first of triggers (in order) that fires on c, or nil.
// A trigger fires when its metric reaches its Threshold (value ≥ threshold)
// once the volume the metric is measured against reaches MinVolume: delivered
// for complaint_rate, handed to the ESP for hard_bounce_rate and drop_rate.
// A zero volume never fires; an unknown metric never fires (the runbook loader
// refuses them).
func Evaluate(c Counters, triggers []runbook.Trigger) *Trigger {
	for _, t := range triggers {
		var num, vol int
		var basis string
		switch t.Metric {
		case MetricComplaintRate:
			num, vol, basis = c.Complained, c.Delivered, "delivered"
		case MetricHardBounceRate:
			num, vol, basis = c.HardBounced, c.HandedToESP, "handed to the ESP"
		case MetricDropRate:
			num, vol, basis = c.Dropped, c.HandedToESP, "handed to the ESP"
		default:
			continue
		}
		if vol <= 0 || vol < t.MinVolume {
			continue
		}
		// float64(num)/float64(vol) is correctly rounded, so a rate exactly at
		// a decimal threshold (3/1000 vs 0.003) compares equal.
		value := float64(num) / float64(vol)
		if value < t.Threshold {
			continue
		}
		return &Trigger{Rule: t.Rule, Metric: t.Metric, Value: value, Threshold: t.Threshold,
			Window: fmt.Sprintf("%d of %d %s", num, vol, basis), Suggests: t.Suggests}
	}
	return nil
}
