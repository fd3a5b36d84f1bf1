package incident_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// detectRepo is the storage detection reads: OpenIncidentFor answers open
// and openErr; CreateIncident records what it was asked to open.
type detectRepo struct {
	incident.Repo // unused methods panic
	open          incident.Incident
	openErr       error
	created       []incident.Incident
}

func (r *detectRepo) OpenIncidentFor(context.Context, string) (incident.Incident, error) {
	return r.open, r.openErr
}

func (r *detectRepo) ListIncidents(context.Context, string, string) ([]incident.Incident, error) {
	return nil, nil
}

func (r *detectRepo) CreateIncident(_ context.Context, inc incident.Incident, _ []incident.Task, _ []audit.Entry) (incident.Incident, bool, error) {
	inc.ID = fmt.Sprintf("i%d", len(r.created)+1)
	r.created = append(r.created, inc)
	return inc, true, nil
}

// spikingCampaign is a campaign whose complaints are over every threshold.
type spikingCampaign struct{ incident.Campaigns }

func (spikingCampaign) Get(_ context.Context, id string) (campaign.View, error) {
	return campaign.View{Campaign: campaign.Campaign{ID: id, Status: campaign.Sending},
		Counts: campaign.Counts{Delivered: 1000, HandedToESP: 1000, Complained: 50}}, nil
}

// oneRunbook is a runbook set of one runbook that does not pause.
type oneRunbook struct{ rb runbook.Runbook }

func (o oneRunbook) Get(id string) (runbook.Runbook, bool) { return o.rb, id == o.rb.ID }
func (o oneRunbook) All() []runbook.Runbook                { return []runbook.Runbook{o.rb} }

// TestDetectionOpensAnIncidentOnlyWhenNoneIsOpenForSure: only "not found"
// means no incident is open. Any other failure to look is the detection's
// failure: returned (the incident:detect task is retried, and the reconciler
// runs detection again), and no incident is opened on a guess.
func TestDetectionOpensAnIncidentOnlyWhenNoneIsOpenForSure(t *testing.T) {
	rb := triage()
	rb.Triggers = spikeRules
	tests := []struct {
		name    string
		open    incident.Incident
		openErr error
		opened  int
		failed  string // "" : Detect succeeds
	}{
		{name: "none open: the rule opens one", openErr: incident.ErrNotFound, opened: 1},
		{name: "one open: left alone", open: open(t), opened: 0},
		{name: "Postgres unreachable: nothing opened, the failure logged",
			openErr: fmt.Errorf("open incident of c1: %w: connection refused", errs.Unavailable),
			opened:  0, failed: "connection refused"},
		{name: "context cancelled: nothing opened, the failure logged",
			openErr: context.Canceled, opened: 0, failed: context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &detectRepo{open: tt.open, openErr: tt.openErr}
			svc := incident.NewService(incident.Deps{Repo: repo, Campaigns: spikingCampaign{}, Runbooks: oneRunbook{rb},
				Now: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			err := svc.Detect(context.Background(), "c1")
			if len(repo.created) != tt.opened {
				t.Errorf("opened %d incidents, want %d", len(repo.created), tt.opened)
			}
			if tt.opened == 1 && (repo.created[0].Trigger == nil || repo.created[0].Trigger.Rule != "complaint-spike") {
				t.Errorf("opened %+v, want one with the complaint-spike trigger", repo.created[0])
			}
			switch {
			case tt.failed == "" && err != nil:
				t.Errorf("Detect: %v, want success", err)
			case tt.failed != "" && (err == nil || !strings.Contains(err.Error(), tt.failed)):
				t.Errorf("Detect: %v, want the failure with %q", err, tt.failed)
			}
		})
	}
}
