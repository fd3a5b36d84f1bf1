package monitoring_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/monitoring"
)

var detected = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func at(t time.Time) *time.Time { return &t }

func send(id string, started time.Time, delivered, bounced, complained, unsub int) monitoring.Send {
	return monitoring.Send{Kind: monitoring.KindCampaign, ID: id, Name: "c " + id, StartedAt: at(started),
		HandedToESP: delivered, Delivered: delivered, HardBounced: bounced, Complained: complained, Unsubscribed: unsub}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestComputeBaseline(t *testing.T) {
	day := 24 * time.Hour
	sends := []monitoring.Send{
		send("a", detected.Add(-10*day), 1000, 10, 1, 5),
		send("b", detected.Add(-5*day), 1000, 30, 3, 15),
		send("c", detected.Add(-29*day), 2000, 20, 2, 10),
		send("old", detected.Add(-31*day), 5000, 500, 50, 50),    // before the 30 days
		send("own", detected.Add(-1*time.Hour), 9000, 900, 9, 9), // the incident's campaign
		send("after", detected.Add(time.Hour), 9000, 900, 9, 9),  // after detection
		{Kind: monitoring.KindCampaign, ID: "draft", Delivered: 0},
	}
	b := monitoring.ComputeBaseline(sends, detected, "own")
	if b.Sends != 3 || b.Delivered != 4000 {
		t.Fatalf("sends %d delivered %d, want 3 and 4000", b.Sends, b.Delivered)
	}
	if !near(b.BounceRate, 60.0/4000) || !near(b.ComplaintRate, 6.0/4000) || !near(b.UnsubscribeRate, 30.0/4000) {
		t.Errorf("rates %+v", b.Rates)
	}
	if !b.EnoughHistory || !b.From.Equal(detected.AddDate(0, 0, -30)) || !b.To.Equal(detected) {
		t.Errorf("enough %v from %v to %v", b.EnoughHistory, b.From, b.To)
	}
	// bounce rates 0.01, 0.03, 0.01: mean 0.01667, population sd 0.009428
	if !near(math.Round(b.Spread.BounceRate*1e6)/1e6, 0.009428) {
		t.Errorf("bounce spread %v", b.Spread.BounceRate)
	}
	// the own campaign is only excluded as a campaign, not a communication with the same id
	c := send("own", detected.Add(-time.Hour), 10, 0, 0, 0)
	c.Kind = monitoring.KindCommunication
	if got := monitoring.ComputeBaseline([]monitoring.Send{c}, detected, "own"); got.Sends != 1 {
		t.Errorf("a communication is not the incident's campaign: %d sends", got.Sends)
	}
}

func TestBaselineEnoughHistory(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name   string
		sends  []monitoring.Send
		enough bool
		note   string
	}{
		{"none", nil, false, "Too little history (0 sends, 0 delivered): the fixed thresholds alone apply."},
		{"one send", []monitoring.Send{send("a", detected.Add(-day), 240, 0, 0, 0)}, false,
			"Too little history (1 send, 240 delivered): the fixed thresholds alone apply."},
		{"three sends, 999 delivered", []monitoring.Send{send("a", detected.Add(-day), 333, 0, 0, 0),
			send("b", detected.Add(-day), 333, 0, 0, 0), send("c", detected.Add(-day), 333, 0, 0, 0)}, false,
			"Too little history (3 sends, 999 delivered): the fixed thresholds alone apply."},
		{"two sends, plenty delivered", []monitoring.Send{send("a", detected.Add(-day), 5000, 0, 0, 0),
			send("b", detected.Add(-day), 5000, 0, 0, 0)}, false,
			"Too little history (2 sends, 10,000 delivered): the fixed thresholds alone apply."},
		{"three sends, 1,000 delivered", []monitoring.Send{send("a", detected.Add(-day), 334, 0, 0, 0),
			send("b", detected.Add(-day), 333, 0, 0, 0), send("c", detected.Add(-day), 333, 0, 0, 0)}, true,
			"Baseline of 3 sends, 1,000 delivered, in the 30 days before the incident."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := monitoring.ComputeBaseline(tt.sends, detected, "")
			if b.EnoughHistory != tt.enough || b.Note != tt.note {
				t.Errorf("enough %v note %q, want %v %q", b.EnoughHistory, b.Note, tt.enough, tt.note)
			}
		})
	}
}

func TestThresholdsFloorOrMultiple(t *testing.T) {
	tests := []struct {
		name   string
		b      monitoring.Baseline
		values map[monitoring.Metric]float64
	}{
		{"quiet brand: the floors", monitoring.Baseline{EnoughHistory: true, Rates: monitoring.Rates{
			ComplaintRate: 0.0002, BounceRate: 0.005, UnsubscribeRate: 0.001}},
			map[monitoring.Metric]float64{monitoring.ComplaintRate: 0.001, monitoring.BounceRate: 0.02, monitoring.UnsubscribeRate: 0.01}},
		{"noisy brand: the multiples", monitoring.Baseline{EnoughHistory: true, Rates: monitoring.Rates{
			ComplaintRate: 0.0008, BounceRate: 0.015, UnsubscribeRate: 0.005}},
			map[monitoring.Metric]float64{monitoring.ComplaintRate: 0.0016, monitoring.BounceRate: 0.03, monitoring.UnsubscribeRate: 0.015}},
		{"noisy brand without enough history: the floors alone", monitoring.Baseline{EnoughHistory: false, Rates: monitoring.Rates{
			ComplaintRate: 0.0008, BounceRate: 0.015, UnsubscribeRate: 0.005}},
			map[monitoring.Metric]float64{monitoring.ComplaintRate: 0.001, monitoring.BounceRate: 0.02, monitoring.UnsubscribeRate: 0.01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ths := monitoring.Thresholds(tt.b)
			if len(ths) != 3 {
				t.Fatalf("%d thresholds", len(ths))
			}
			for _, th := range ths {
				if !near(th.Value, tt.values[th.Metric]) || th.MinDelivered != 200 {
					t.Errorf("%s: %v (min %d), want %v", th.Metric, th.Value, th.MinDelivered, tt.values[th.Metric])
				}
			}
		})
	}
}

func window(b monitoring.Baseline) monitoring.Window {
	return monitoring.NewWindow("inc", "brand", "camp", detected, 14*24*time.Hour, b)
}

func TestEvaluate(t *testing.T) {
	noHistory := monitoring.Baseline{}
	in := detected.Add(time.Hour)
	tests := []struct {
		name  string
		send  monitoring.Send
		fires []monitoring.Metric
	}{
		{"clean send", send("s", in, 1000, 5, 0, 2), nil},
		{"complaints at the floor", send("s", in, 1000, 0, 1, 0), []monitoring.Metric{monitoring.ComplaintRate}},
		{"hard bounces at the floor", send("s", in, 1000, 20, 0, 0), []monitoring.Metric{monitoring.BounceRate}},
		{"hard bounces just under", send("s", in, 1000, 19, 0, 0), nil},
		{"unsubscribes at the floor", send("s", in, 1000, 0, 0, 10), []monitoring.Metric{monitoring.UnsubscribeRate}},
		{"everything", send("s", in, 1000, 50, 5, 50), []monitoring.Metric{monitoring.ComplaintRate, monitoring.BounceRate, monitoring.UnsubscribeRate}},
		{"below the minimum volume nothing fires", send("s", in, 199, 100, 100, 100), nil},
		{"at the minimum volume it fires", send("s", in, 200, 0, 1, 0), []monitoring.Metric{monitoring.ComplaintRate}},
		{"started before the window", send("s", detected.Add(-time.Minute), 1000, 500, 50, 50), nil},
		{"started after the window", send("s", detected.Add(15*24*time.Hour), 1000, 500, 50, 50), nil},
		{"not started", monitoring.Send{Kind: monitoring.KindCampaign, ID: "s", Delivered: 1000, Complained: 50}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := monitoring.Evaluate(window(noHistory), []monitoring.Send{tt.send}, nil, in.Add(time.Hour))
			var got []monitoring.Metric
			for _, a := range out.Alerts {
				got = append(got, a.Metric)
				if a.SendID != "s" || a.Delivered != tt.send.Delivered || a.Value < a.Threshold {
					t.Errorf("alert %+v", a)
				}
			}
			if strings.Join(metricNames(got), ",") != strings.Join(metricNames(tt.fires), ",") {
				t.Errorf("fired %v, want %v", got, tt.fires)
			}
			if out.CloseClear {
				t.Error("closed clear before the window's end")
			}
		})
	}
}

func metricNames(ms []monitoring.Metric) []string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m))
	}
	return out
}

func TestEvaluateMultipleOfBaseline(t *testing.T) {
	b := monitoring.Baseline{EnoughHistory: true, Rates: monitoring.Rates{ComplaintRate: 0.001}} // threshold 0.2 %
	in := detected.Add(time.Hour)
	if out := monitoring.Evaluate(window(b), []monitoring.Send{send("s", in, 1000, 0, 1, 0)}, nil, in); len(out.Alerts) != 0 {
		t.Errorf("0.1 %% is under 2 × a 0.1 %% baseline: %+v", out.Alerts)
	}
	out := monitoring.Evaluate(window(b), []monitoring.Send{send("s", in, 1000, 0, 2, 0)}, nil, in)
	if len(out.Alerts) != 1 || !near(out.Alerts[0].Threshold, 0.002) || !near(out.Alerts[0].Baseline, 0.001) {
		t.Errorf("0.2 %% crosses 2 × 0.1 %%: %+v", out.Alerts)
	}
}

func TestEvaluateNeverTwice(t *testing.T) {
	in := detected.Add(time.Hour)
	w := window(monitoring.Baseline{})
	spiky := []monitoring.Send{send("s", in, 1000, 0, 5, 0), send("t", in, 1000, 0, 5, 0)}
	first := monitoring.Evaluate(w, spiky, nil, in)
	if len(first.Alerts) != 2 {
		t.Fatalf("first: %+v", first.Alerts)
	}
	again := monitoring.Evaluate(w, spiky, first.Alerts[:1], in.Add(time.Minute))
	if len(again.Alerts) != 1 || again.Alerts[0].SendID != "t" {
		t.Errorf("second: only t's alert is new, got %+v", again.Alerts)
	}
	if out := monitoring.Evaluate(w, spiky, first.Alerts, in.Add(time.Minute)); len(out.Alerts) != 0 {
		t.Errorf("third: nothing new, got %+v", out.Alerts)
	}
	// a window no longer watching decides nothing
	w.Status = monitoring.Alerted
	if out := monitoring.Evaluate(w, spiky, nil, in); len(out.Alerts) != 0 || out.CloseClear {
		t.Errorf("not watching: %+v", out)
	}
}

func TestEvaluateCloseClear(t *testing.T) {
	w := window(monitoring.Baseline{})
	clean := []monitoring.Send{send("s", detected.Add(time.Hour), 1000, 0, 0, 0)}
	if out := monitoring.Evaluate(w, clean, nil, w.End.Add(-time.Second)); out.CloseClear {
		t.Error("closed before the end")
	}
	if out := monitoring.Evaluate(w, clean, nil, w.End); !out.CloseClear {
		t.Error("not closed at the end")
	}
	late := []monitoring.Send{send("s", detected.Add(time.Hour), 1000, 0, 9, 0)}
	if out := monitoring.Evaluate(w, late, nil, w.End.Add(time.Hour)); out.CloseClear || len(out.Alerts) != 1 {
		t.Errorf("a crossing seen at the last tick alerts instead of closing: %+v", out)
	}
	if got := w.DaysLeft(detected.Add(24 * time.Hour)); !near(got, 13) {
		t.Errorf("days left %v", got)
	}
}

func TestEvaluateRestartedWindowClosesClear(t *testing.T) {
	w := window(monitoring.Baseline{})
	earlier := []monitoring.Alert{{At: w.Start.Add(-time.Hour), Metric: monitoring.ComplaintRate, SendKind: monitoring.KindCampaign, SendID: "old"}}
	if out := monitoring.Evaluate(w, nil, earlier, w.End); !out.CloseClear {
		t.Error("an alert of the earlier watch kept the restarted window open")
	}
	during := []monitoring.Alert{{At: w.Start.Add(time.Hour), Metric: monitoring.ComplaintRate, SendKind: monitoring.KindCampaign, SendID: "s"}}
	if out := monitoring.Evaluate(w, nil, during, w.End); out.CloseClear {
		t.Error("a window with an alert closed clear")
	}
}
