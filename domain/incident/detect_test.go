package incident_test

import (
	"testing"

	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// spikeRules are the deliverability-spike runbook's three rules.
var spikeRules = []runbook.Trigger{
	{Rule: "complaint-spike", Metric: "complaint_rate", Threshold: 0.003, MinVolume: 200},
	{Rule: "hard-bounce-spike", Metric: "hard_bounce_rate", Threshold: 0.05, MinVolume: 200},
	{Rule: "drop-spike", Metric: "drop_rate", Threshold: 0.05, MinVolume: 200, Suggests: runbook.StaleSuppressionList},
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		c      incident.Counters
		rule   string // "" : nothing fires
		value  float64
		window string
	}{
		{name: "nothing happened", c: incident.Counters{}},
		{name: "quiet campaign", c: incident.Counters{Delivered: 10000, HandedToESP: 10000, Complained: 1, HardBounced: 10, Dropped: 10}},

		// complaint_rate = complained / delivered ≥ 0.003, at least 200 delivered.
		{name: "complaints just below", c: incident.Counters{Delivered: 10000, HandedToESP: 10000, Complained: 29}},
		{name: "complaints at threshold", c: incident.Counters{Delivered: 10000, HandedToESP: 10000, Complained: 30},
			rule: "complaint-spike", value: 0.003, window: "30 of 10000 delivered"},
		{name: "complaints just above", c: incident.Counters{Delivered: 10000, HandedToESP: 10000, Complained: 31},
			rule: "complaint-spike", value: 0.0031, window: "31 of 10000 delivered"},
		{name: "complaints at min volume", c: incident.Counters{Delivered: 200, HandedToESP: 200, Complained: 1},
			rule: "complaint-spike", value: 0.005, window: "1 of 200 delivered"},
		{name: "complaints below min volume", c: incident.Counters{Delivered: 199, HandedToESP: 199, Complained: 50}},
		{name: "complaint volume is delivered, not handed", c: incident.Counters{Delivered: 150, HandedToESP: 5000, Complained: 20}},

		// hard_bounce_rate = hard bounced / handed ≥ 0.05, at least 200 handed.
		{name: "hard bounces just below", c: incident.Counters{HandedToESP: 1000, Delivered: 900, HardBounced: 49}},
		{name: "hard bounces at threshold", c: incident.Counters{HandedToESP: 1000, Delivered: 900, HardBounced: 50},
			rule: "hard-bounce-spike", value: 0.05, window: "50 of 1000 handed to the ESP"},
		{name: "hard bounces just above", c: incident.Counters{HandedToESP: 1000, Delivered: 900, HardBounced: 51},
			rule: "hard-bounce-spike", value: 0.051, window: "51 of 1000 handed to the ESP"},
		{name: "hard bounces below min volume", c: incident.Counters{HandedToESP: 199, HardBounced: 100}},
		{name: "hard bounce volume is handed, not delivered", c: incident.Counters{HandedToESP: 300, Delivered: 100, HardBounced: 15},
			rule: "hard-bounce-spike", value: 0.05, window: "15 of 300 handed to the ESP"},

		// drop_rate = dropped / handed ≥ 0.05, at least 200 handed; suggests stale-suppression-list.
		{name: "drops just below", c: incident.Counters{HandedToESP: 1000, Delivered: 900, Dropped: 49}},
		{name: "drops at threshold", c: incident.Counters{HandedToESP: 1000, Delivered: 900, Dropped: 50},
			rule: "drop-spike", value: 0.05, window: "50 of 1000 handed to the ESP"},
		{name: "drops just above", c: incident.Counters{HandedToESP: 1000, Delivered: 900, Dropped: 51},
			rule: "drop-spike", value: 0.051, window: "51 of 1000 handed to the ESP"},
		{name: "drops below min volume", c: incident.Counters{HandedToESP: 199, Dropped: 199}},

		// Several fire: the first rule in the runbook's order wins.
		{name: "complaints and drops: first rule", c: incident.Counters{Delivered: 1000, HandedToESP: 1000, Complained: 10, Dropped: 100},
			rule: "complaint-spike", value: 0.01, window: "10 of 1000 delivered"},
		{name: "bounces and drops: first rule", c: incident.Counters{HandedToESP: 1000, HardBounced: 60, Dropped: 100},
			rule: "hard-bounce-spike", value: 0.06, window: "60 of 1000 handed to the ESP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := incident.Evaluate(tc.c, spikeRules)
			if tc.rule == "" {
				if got != nil {
					t.Fatalf("Evaluate = %+v, want nothing", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("Evaluate = nil, want %s", tc.rule)
			}
			var rule runbook.Trigger
			for _, r := range spikeRules {
				if r.Rule == tc.rule {
					rule = r
				}
			}
			want := incident.Trigger{Rule: rule.Rule, Metric: rule.Metric, Value: tc.value, Threshold: rule.Threshold,
				Window: tc.window, Suggests: rule.Suggests}
			if *got != want {
				t.Errorf("Evaluate = %+v\nwant       %+v", *got, want)
			}
		})
	}
}

func TestEvaluateEdgeRules(t *testing.T) {
	c := incident.Counters{Delivered: 100, HandedToESP: 100, Complained: 100, HardBounced: 100, Dropped: 100}
	if got := incident.Evaluate(c, nil); got != nil {
		t.Errorf("no rules fired %+v", got)
	}
	if got := incident.Evaluate(c, []runbook.Trigger{{Rule: "x", Metric: "open_rate", Threshold: 0}}); got != nil {
		t.Errorf("an unknown metric fired %+v", got)
	}
	zero := []runbook.Trigger{{Rule: "any", Metric: "complaint_rate", Threshold: 0, MinVolume: 0}}
	if got := incident.Evaluate(incident.Counters{}, zero); got != nil {
		t.Errorf("a zero volume fired %+v", got)
	}
	if got := incident.Evaluate(incident.Counters{Delivered: 1}, zero); got == nil || got.Value != 0 {
		t.Errorf("threshold 0 without min volume must fire on any volume: %+v", got)
	}
}
