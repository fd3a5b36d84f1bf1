package incident_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// spikeRunbook opens on spikeRules and pauses the campaign by itself.
func spikeRunbook() runbook.Runbook {
	return runbook.Runbook{ID: runbook.DeliverabilitySpike, Severity: "sev2", AutoPause: true,
		Acknowledge: runbook.Acknowledge{Deadline: 5 * time.Minute, Repeat: 10 * time.Minute,
			Escalation: []runbook.Target{{Role: "security"}, {Email: "oncall@example.com"}, {Slack: true}}},
		Triggers: spikeRules,
		Tasks:    []runbook.TaskTemplate{{Title: "Check the SendGrid account", Kind: "internal", OwnerRole: "security", Due: 4 * time.Hour}}}
}

// staleRunbook is what a drop spike suggests; it does not pause by itself.
func staleRunbook() runbook.Runbook {
	return runbook.Runbook{ID: runbook.StaleSuppressionList, Severity: "sev3",
		Acknowledge: runbook.Acknowledge{Deadline: 15 * time.Minute}}
}

func runbookSet() fakeRunbooks { return fakeRunbooks{triage(), spikeRunbook(), staleRunbook()} }

// campaignView is campaign c1 in status with counts.
func campaignView(status campaign.Status, counts campaign.Counts) campaign.View {
	return campaign.View{Campaign: campaign.Campaign{ID: "c1", Name: "November sale", Status: status, BatchID: "b1",
		Audience: counts.HandedToESP, HandedToESP: counts.HandedToESP, ESPState: campaign.ESPNone}, Counts: counts}
}

var (
	complaintSpike = campaign.Counts{Delivered: 10000, HandedToESP: 10000, Complained: 40}
	dropSpike      = campaign.Counts{Delivered: 900, HandedToESP: 1000, Dropped: 60}
	belowVolume    = campaign.Counts{Delivered: 199, HandedToESP: 199, Complained: 50}
	quiet          = campaign.Counts{Delivered: 10000, HandedToESP: 10000, Complained: 2}
)

// earlier is an incident of c1 stored before detection runs: open, or
// resolved after rule fired (rule "" : opened from the dashboard).
func earlier(t *testing.T, status incident.Status, rule string) incident.Incident {
	t.Helper()
	inc := open(t)
	inc.ID, inc.Status, inc.DetectedAt = "old", status, t0.Add(-time.Hour)
	if rule != "" {
		inc.Source, inc.Runbook = incident.SourceWebhook, runbook.DeliverabilitySpike
		inc.Trigger = &incident.Trigger{Rule: rule, Metric: incident.MetricComplaintRate}
	}
	if status == incident.Resolved {
		at := t0.Add(-time.Minute)
		inc.ResolvedAt = &at
	}
	return inc
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name    string
		status  campaign.Status // default sending
		counts  campaign.Counts
		before  func(*testing.T) []incident.Incident
		raced   bool     // before was committed by someone else just after detection looked for an open incident
		ids     []string // default c1
		runs    int      // default 1
		opened  string   // runbook of the incident detection opened; "" : none opened
		rule    string
		paused  bool // the opened incident records the campaign's pause
		pauses  int  // campaign pauses asked
		escalAt time.Duration
	}{
		{name: "complaint spike: one incident, campaign paused", counts: complaintSpike,
			opened: runbook.DeliverabilitySpike, rule: "complaint-spike", paused: true, pauses: 1, escalAt: 5 * time.Minute},
		{name: "a second spike joins the incident the first opened", counts: complaintSpike, runs: 2,
			opened: runbook.DeliverabilitySpike, rule: "complaint-spike", paused: true, pauses: 1, escalAt: 5 * time.Minute},
		{name: "below the minimum volume: nothing", counts: belowVolume},
		{name: "a quiet campaign: nothing", counts: quiet},
		{name: "an open incident is already handling the campaign: left alone", counts: complaintSpike,
			before: func(t *testing.T) []incident.Incident { return []incident.Incident{earlier(t, incident.Open, "")} }},
		{name: "a dashboard incident committed just after detection looked: left to it, no second incident or pause",
			counts: complaintSpike, raced: true,
			before: func(t *testing.T) []incident.Incident { return []incident.Incident{earlier(t, incident.Open, "")} }},
		{name: "the rule already opened an incident, since resolved: not reopened", counts: complaintSpike,
			before: func(t *testing.T) []incident.Incident {
				return []incident.Incident{earlier(t, incident.Resolved, "complaint-spike")}
			}},
		{name: "another rule's resolved incident does not stop this rule", counts: complaintSpike,
			before: func(t *testing.T) []incident.Incident {
				return []incident.Incident{earlier(t, incident.Resolved, "hard-bounce-spike")}
			},
			opened: runbook.DeliverabilitySpike, rule: "complaint-spike", paused: true, pauses: 1, escalAt: 5 * time.Minute},
		{name: "drop spike: opened in the runbook it suggests, which does not pause", counts: dropSpike,
			opened: runbook.StaleSuppressionList, rule: "drop-spike", escalAt: 15 * time.Minute},
		{name: "a cancelled campaign: incident opened, nothing to pause", status: campaign.Cancelled, counts: complaintSpike,
			opened: runbook.DeliverabilitySpike, rule: "complaint-spike", pauses: 1, escalAt: 5 * time.Minute},
		{name: "an unknown campaign does not stop the others", counts: complaintSpike, ids: []string{"nope", "c1"},
			opened: runbook.DeliverabilitySpike, rule: "complaint-spike", paused: true, pauses: 1, escalAt: 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := tt.status
			if status == "" {
				status = campaign.Sending
			}
			e := newSvcEnv(runbookSet(), campaignView(status, tt.counts))
			var before []incident.Incident
			if tt.before != nil {
				before = tt.before(t)
			}
			for _, inc := range before {
				e.repo.put(inc)
			}
			e.repo.missOpen = tt.raced
			ids := tt.ids
			if ids == nil {
				ids = []string{"c1"}
			}
			for range max(tt.runs, 1) {
				for _, id := range ids { // as the reconciler runs it: a failing campaign does not stop the others
					_ = e.svc.Detect(context.Background(), id)
				}
				e.clock.Advance(time.Second)
			}

			all := e.repo.all()
			if want := len(before) + btoi(tt.opened != ""); len(all) != want {
				t.Fatalf("%d incidents stored, want %d: %+v", len(all), want, all)
			}
			pauses := e.campaigns.got()
			if len(pauses) != tt.pauses {
				t.Errorf("campaign pauses asked %+v, want %d", pauses, tt.pauses)
			}
			for _, p := range pauses {
				if p.Actor != "webhook" || p.ID != "c1" {
					t.Errorf("pause asked %+v, want by webhook of c1", p)
				}
			}
			if tt.opened == "" {
				if s := e.jobs.scheduled(); len(s) != 0 {
					t.Errorf("escalations scheduled %v for no new incident", s)
				}
				return
			}
			inc := all[len(all)-1]
			if inc.Runbook != tt.opened || inc.Source != incident.SourceWebhook || inc.Trigger == nil || inc.Trigger.Rule != tt.rule {
				t.Errorf("opened runbook %s source %s trigger %+v; want %s, webhook, rule %s",
					inc.Runbook, inc.Source, inc.Trigger, tt.opened, tt.rule)
			}
			if inc.Status != incident.Open || inc.OwnerID != "" || inc.CurrentStep() != incident.StepOwn {
				t.Errorf("opened %s, owner %q, current step %s; want open, unowned, own", inc.Status, inc.OwnerID, inc.CurrentStep())
			}
			if (inc.PausedAt != nil) != tt.paused {
				t.Errorf("incident paused_at %v, want paused: %v", inc.PausedAt, tt.paused)
			}
			wantActions := []string{incident.ActionOpen}
			if tt.paused {
				wantActions = append(wantActions, incident.ActionPause)
			}
			if got := e.repo.actions(inc.ID); !slices.Equal(got, wantActions) {
				t.Errorf("timeline %v, want %v", got, wantActions)
			}
			want := []escalateAt{{inc.ID, inc.DetectedAt.Add(tt.escalAt)}}
			if got := e.jobs.scheduled(); !slices.Equal(got, want) {
				t.Errorf("escalations scheduled %v, want %v", got, want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
