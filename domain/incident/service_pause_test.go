package incident_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// The dashboard's pause: it opens (or joins) the campaign's incident with
// runbook triage, makes the caller its owner and pauses the campaign on both
// planes.
func TestPauseCampaign(t *testing.T) {
	ana := audit.Actor{UserID: alice, Name: "alice@example.com"}
	bobActor := audit.Actor{UserID: bob, Name: "bob@example.com"}
	// webhookIncident lets detection open (and auto-pause) c1's incident first.
	webhookIncident := func(e *svcEnv) {
		_ = e.svc.Detect(context.Background(), "c1")
	}
	tests := []struct {
		name      string
		status    campaign.Status
		reason    string
		src       incident.Source
		id        string        // default c1
		setup     func(*svcEnv) // runs at t0; the pause comes 3 minutes later
		wantErr   error
		opened    bool            // a new incident was opened (else none, or the one setup made, is there)
		runbook   string          // of the incident paused
		source    incident.Source // of the incident paused
		summary   string
		owner     string
		acks      int // times to acknowledge observed
		stops     int // times to pause observed
		wantSteps string
		actions   []string // the incident's timeline after the pause
	}{
		{name: "sending, no incident: a triage incident the caller owns, paused",
			status: campaign.Sending, reason: "wrong segment", src: incident.SourceDashboard,
			opened: true, runbook: runbook.Triage, source: incident.SourceDashboard, summary: "wrong segment", owner: alice,
			acks: 1, stops: 1, wantSteps: "DDAPPP",
			actions: []string{incident.ActionOpen, incident.ActionAcknowledge, incident.ActionPause}},
		{name: "no reason: the summary names the caller",
			status: campaign.Sending, src: incident.SourceDashboard,
			opened: true, runbook: runbook.Triage, source: incident.SourceDashboard, summary: "Campaign paused by alice@example.com",
			owner: alice, acks: 1, stops: 1, wantSteps: "DDAPPP",
			actions: []string{incident.ActionOpen, incident.ActionAcknowledge, incident.ActionPause}},
		{name: "from the API: the incident says so",
			status: campaign.Sent, reason: "prices wrong", src: incident.SourceAPI,
			opened: true, runbook: runbook.Triage, source: incident.SourceAPI, summary: "prices wrong", owner: alice,
			acks: 1, stops: 1, wantSteps: "DDAPPP",
			actions: []string{incident.ActionOpen, incident.ActionAcknowledge, incident.ActionPause}},
		{name: "an unowned webhook incident is open: joined, the caller owns it",
			status: campaign.Sending, reason: "complaints", src: incident.SourceDashboard, setup: webhookIncident,
			runbook: runbook.DeliverabilitySpike, source: incident.SourceWebhook, owner: alice,
			acks: 1, stops: 1, wantSteps: "DDAPPP",
			actions: []string{incident.ActionOpen, incident.ActionPause, incident.ActionAcknowledge}},
		{name: "an incident bob owns is open: joined, bob keeps it",
			status: campaign.Sending, reason: "complaints", src: incident.SourceDashboard,
			setup: func(e *svcEnv) {
				webhookIncident(e)
				if _, err := e.svc.Acknowledge(context.Background(), bobActor, "i1", ""); err != nil {
					panic(err)
				}
			},
			runbook: runbook.DeliverabilitySpike, source: incident.SourceWebhook, owner: bob,
			acks: 1, stops: 1, wantSteps: "DDAPPP",
			actions: []string{incident.ActionOpen, incident.ActionPause, incident.ActionAcknowledge}},
		{name: "a draft: not_sending, no incident opened",
			status: campaign.Draft, reason: "oops", src: incident.SourceDashboard, wantErr: campaign.ErrNotSending},
		{name: "a cancelled campaign: not_sending, no incident opened",
			status: campaign.Cancelled, reason: "oops", src: incident.SourceDashboard, wantErr: campaign.ErrNotSending},
		{name: "an unknown campaign: campaign_not_found, no incident opened",
			id: "nope", status: campaign.Sending, reason: "oops", src: incident.SourceDashboard, wantErr: campaign.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSvcEnv(runbookSet(), campaignView(tt.status, complaintSpike))
			if tt.setup != nil {
				tt.setup(e)
			}
			before := e.repo.all()
			pausesBefore := len(e.campaigns.got())
			acksBefore, stopsBefore := e.observe.got()
			e.clock.Advance(3 * time.Minute)
			id := tt.id
			if id == "" {
				id = "c1"
			}

			v, inc, err := e.svc.PauseCampaign(context.Background(), ana, id, tt.reason, tt.src)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("PauseCampaign: err %v, want %v", err, tt.wantErr)
			}
			all := e.repo.all()
			pauses := e.campaigns.got()[pausesBefore:]
			if tt.wantErr != nil {
				if len(all) != len(before) || len(pauses) != 0 {
					t.Errorf("refused, yet %d incidents stored (before %d) and pauses asked %v", len(all), len(before), pauses)
				}
				return
			}
			if want := len(before) + btoi(tt.opened); len(all) != want {
				t.Fatalf("%d incidents stored, want %d", len(all), want)
			}
			stored := all[len(all)-1]
			if inc.ID != stored.ID || stored.CampaignID != "c1" {
				t.Errorf("returned incident %s, stored %s of %s", inc.ID, stored.ID, stored.CampaignID)
			}
			if stored.Runbook != tt.runbook || stored.Source != tt.source || stored.OwnerID != tt.owner {
				t.Errorf("incident runbook %s source %s owner %s; want %s, %s, %s",
					stored.Runbook, stored.Source, stored.OwnerID, tt.runbook, tt.source, tt.owner)
			}
			if tt.summary != "" && stored.Summary != tt.summary {
				t.Errorf("summary %q, want %q", stored.Summary, tt.summary)
			}
			if stored.AcknowledgedAt == nil || stored.PausedAt == nil || render(stored) != tt.wantSteps {
				t.Errorf("acknowledged %v, paused %v, steps %s; want both set, steps %s",
					stored.AcknowledgedAt, stored.PausedAt, render(stored), tt.wantSteps)
			}
			if got := e.repo.actions(stored.ID); !slices.Equal(got, tt.actions) {
				t.Errorf("timeline %v, want %v", got, tt.actions)
			}
			want := []pauseCall{{ana.Name, "c1", tt.reason}}
			if !slices.Equal(pauses, want) {
				t.Errorf("campaign pauses asked %v, want %v", pauses, want)
			}
			if v.Campaign.Status != campaign.Paused || v.Campaign.ESPState != campaign.ESPPaused {
				t.Errorf("returned campaign %s at SendGrid %s, want paused on both planes", v.Campaign.Status, v.Campaign.ESPState)
			}
			acks, stops := e.observe.got()
			if len(acks) != tt.acks || len(stops) != tt.stops {
				t.Errorf("observed %v to acknowledge (before %v) and %v to pause (before %v); want %d and %d",
					acks, acksBefore, stops, stopsBefore, tt.acks, tt.stops)
			}
		})
	}
}
