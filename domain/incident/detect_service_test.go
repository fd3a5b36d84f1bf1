package incident_test

import (
	"bytes"
	"context"
	"fmt"
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
// failure: logged (the reconciler runs detection again within a minute), and
// no incident is opened on a guess.
func TestDetectionOpensAnIncidentOnlyWhenNoneIsOpenForSure(t *testing.T) {
	rb := triage()
	rb.Triggers = spikeRules
	tests := []struct {
		name    string
		open    incident.Incident
		openErr error
		opened  int
		logged  string // "" : nothing logged at error level
	}{
		{name: "none open: the rule opens one", openErr: incident.ErrNotFound, opened: 1},
		{name: "one open: left alone", open: open(t), opened: 0},
		{name: "Postgres unreachable: nothing opened, the failure logged",
			openErr: fmt.Errorf("open incident of c1: %w: connection refused", errs.Unavailable),
			opened:  0, logged: "connection refused"},
		{name: "context cancelled: nothing opened, the failure logged",
			openErr: context.Canceled, opened: 0, logged: context.Canceled.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &detectRepo{open: tt.open, openErr: tt.openErr}
			var logs bytes.Buffer
			svc := incident.NewService(incident.Deps{Repo: repo, Campaigns: spikingCampaign{}, Runbooks: oneRunbook{rb},
				Now: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))})
			svc.Detect(context.Background(), []string{"c1"})
			if len(repo.created) != tt.opened {
				t.Errorf("opened %d incidents, want %d", len(repo.created), tt.opened)
			}
			if tt.opened == 1 && (repo.created[0].Trigger == nil || repo.created[0].Trigger.Rule != "complaint-spike") {
				t.Errorf("opened %+v, want one with the complaint-spike trigger", repo.created[0])
			}
			got := logs.String()
			switch {
			case tt.logged == "" && got != "":
				t.Errorf("logged %q, want nothing", got)
			case tt.logged != "" && !(strings.Contains(got, "incident detection failed") && strings.Contains(got, tt.logged) &&
				strings.Contains(got, "campaign_id=c1")):
				t.Errorf("logged %q, want the detection failure of c1 with %q", got, tt.logged)
			}
		})
	}
}
