package communication_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/runbook"
)

// haltRepo is statusRepo with the halt.
type haltRepo struct{ statusRepo }

func (r haltRepo) HaltCommunication(_ context.Context, id, reason string, now time.Time, a audit.Entry) (communication.Communication, bool, error) {
	c := r.comms[id]
	if c.HaltedAt != nil || !slices.Contains([]communication.Status{communication.Sending, communication.Paused, communication.Sent}, c.Status) {
		return c, false, nil
	}
	c.Status, c.HaltedAt, c.HaltReason = communication.Paused, &now, reason
	r.comms[id] = c
	r.entries = append(r.entries, a)
	return c, true, nil
}

// TestDetectHaltsOnTheSpikeRulesOnly: the deliverability-spike runbook's
// complaint and hard-bounce rules halt a sending, sent or paused
// communication once they fire on enough volume; its drop rule, a rate under
// the threshold, too little volume, a draft or an earlier halt do not.
func TestDetectHaltsOnTheSpikeRulesOnly(t *testing.T) {
	spike := runbook.Runbook{ID: runbook.DeliverabilitySpike, Triggers: []runbook.Trigger{
		{Rule: "complaint-spike", Metric: "complaint_rate", Threshold: 0.003, MinVolume: 200},
		{Rule: "hard-bounce-spike", Metric: "hard_bounce_rate", Threshold: 0.05, MinVolume: 200},
		{Rule: "drop-spike", Metric: "drop_rate", Threshold: 0.05, MinVolume: 200}}}
	earlier := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		status     communication.Status
		counts     communication.Counts
		haltedAt   *time.Time
		wantMetric string // "" no halt
	}{
		"complaints":            {communication.Sending, communication.Counts{HandedToESP: 300, Delivered: 250, Complained: 1}, nil, "complaint_rate"},
		"hard bounces":          {communication.Sending, communication.Counts{HandedToESP: 300, Delivered: 280, HardBounced: 15}, nil, "hard_bounce_rate"},
		"sent, still buffered":  {communication.Sent, communication.Counts{HandedToESP: 300, Delivered: 250, Complained: 1}, nil, "complaint_rate"},
		"paused by a person":    {communication.Paused, communication.Counts{HandedToESP: 300, Delivered: 250, Complained: 1}, nil, "complaint_rate"},
		"under the threshold":   {communication.Sending, communication.Counts{HandedToESP: 1000, Delivered: 1000, Complained: 2}, nil, ""},
		"too little volume":     {communication.Sending, communication.Counts{HandedToESP: 150, Delivered: 150, Complained: 5}, nil, ""},
		"a draft":               {communication.Draft, communication.Counts{HandedToESP: 300, Delivered: 250, Complained: 1}, nil, ""},
		"cancelled":             {communication.Cancelled, communication.Counts{HandedToESP: 300, Delivered: 250, Complained: 9}, nil, ""},
		"halted before":         {communication.Sending, communication.Counts{HandedToESP: 300, Delivered: 250, Complained: 9}, &earlier, ""},
		"complaints at exactly": {communication.Sending, communication.Counts{HandedToESP: 1000, Delivered: 1000, Complained: 3}, nil, "complaint_rate"},
	} {
		t.Run(name, func(t *testing.T) {
			repo := haltRepo{statusRepo{&fakeRepo{comms: map[string]communication.Communication{
				"c1": {ID: "c1", IncidentID: "i1", Kind: communication.Apology, Status: tc.status, BatchID: "b1",
					Counts: tc.counts, HaltedAt: tc.haltedAt}}}}}
			sched := &refusingScheduler{}
			svc := communication.NewService(communication.Deps{Repo: repo, Sched: sched,
				Runbooks: fakeRunbooks{runbook.DeliverabilitySpike: spike}})
			if err := svc.Detect(context.Background(), "c1"); err != nil {
				t.Fatal(err)
			}
			var halts []audit.Entry
			for _, e := range repo.entries {
				if e.Action == "communication.halted" {
					halts = append(halts, e)
				}
			}
			got := repo.comms["c1"]
			if tc.wantMetric == "" {
				if len(halts) != 0 || got.Status != tc.status || len(sched.calls) != 0 {
					t.Fatalf("halted: entries %v, status %s, SendGrid %v", halts, got.Status, sched.calls)
				}
				return
			}
			if len(halts) != 1 || halts[0].Data["metric"] != tc.wantMetric || halts[0].Actor != audit.Webhook ||
				halts[0].SubjectID != "i1" || got.Status != communication.Paused || got.HaltedAt == nil {
				t.Fatalf("entries %v, status %s", halts, got.Status)
			}
			if !slices.Equal(sched.calls, []string{"pause b1"}) {
				t.Errorf("SendGrid %v, want the batch paused", sched.calls)
			}
			// Run again (a second batch, the reconciler): nothing more.
			if err := svc.Detect(context.Background(), "c1"); err != nil {
				t.Fatal(err)
			}
			if n := len(repo.entries); n != 2 || len(sched.calls) != 1 { // halted + esp_paused
				t.Errorf("a second run: %d entries, SendGrid %v", n, sched.calls)
			}
		})
	}
}
