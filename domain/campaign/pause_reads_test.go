package campaign_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// pauseRepo is the storage of one campaign as a pause sees it: the row the
// status change returns (atPause), and the row as it is afterwards (now),
// which differs when a handoff request finished in between.
type pauseRepo struct {
	campaign.Repo // unused methods panic
	atPause, now  campaign.Campaign
	inFlight      []int // InFlight's answers, one per call; 0 once used up
	reads         int   // GetCampaign calls
}

func (r *pauseRepo) SetStatus(_ context.Context, _ string, _ []campaign.Status, to campaign.Status, _ time.Time,
	_ error, _ audit.Entry) (campaign.Campaign, error) {
	r.atPause.Status, r.now.Status = to, to
	return r.atPause, nil
}

func (r *pauseRepo) InFlight(context.Context, string, time.Time) (int, error) {
	if len(r.inFlight) == 0 {
		return 0, nil
	}
	n := r.inFlight[0]
	r.inFlight = r.inFlight[1:]
	return n, nil
}

func (r *pauseRepo) GetCampaign(context.Context, string) (campaign.Campaign, error) {
	r.reads++
	return r.now, nil
}

func (r *pauseRepo) LeaseESP(context.Context, campaign.Campaign, time.Duration) (bool, error) {
	return true, nil
}

func (r *pauseRepo) SetESPState(_ context.Context, _ string, state campaign.ESPState, at time.Time, _ string, _ audit.Entry) (campaign.Campaign, error) {
	r.now.ESPState, r.now.ESPStateAt = state, &at
	return r.now, nil
}

func (r *pauseRepo) Handed(context.Context, string) ([]campaign.Handed, error) { return nil, nil }

// pauseCalls counts SendGrid's batch pauses.
type pauseCalls struct{ n int }

func (p *pauseCalls) SetBatchStatus(context.Context, string, esp.ScheduleStatus) error {
	p.n++
	return nil
}
func (p *pauseCalls) ClearBatchStatus(context.Context, string) error { return nil }

// TestPauseReadsTheCampaignAgainOnlyWhenItsRowMayBeStale: the row the status
// change returned decides SendGrid's plane, unless a request was still in
// flight or the row says nothing reached SendGrid yet — then a request that
// finished meanwhile may have handed mail over, and the pause must still
// reach SendGrid.
func TestPauseReadsTheCampaignAgainOnlyWhenItsRowMayBeStale(t *testing.T) {
	sending := campaign.Campaign{ID: "c1", Status: campaign.Sending, BatchID: "b1", Audience: 10, ESPState: campaign.ESPNone}
	handed := sending
	handed.HandedToESP = 5
	tests := []struct {
		name        string
		atPause     campaign.Campaign
		now         campaign.Campaign
		inFlight    []int
		reads       int
		espPauses   int
		wantHandled int
	}{
		{name: "mail at SendGrid, nothing in flight: the status change's row is enough",
			atPause: handed, now: handed, reads: 0, espPauses: 1, wantHandled: 5},
		{name: "a request in flight: read again once it finished",
			atPause: handed, now: func() campaign.Campaign { c := handed; c.HandedToESP = 8; return c }(),
			inFlight: []int{1, 1, 0}, reads: 1, espPauses: 1, wantHandled: 8},
		{name: "nothing handed at the status change, the first request accepted before the ledger check",
			atPause: sending, now: handed, reads: 1, espPauses: 1, wantHandled: 5},
		{name: "nothing handed at all: SendGrid is not asked",
			atPause: sending, now: sending, reads: 1, espPauses: 0, wantHandled: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := &pauseRepo{atPause: tt.atPause, now: tt.now, inFlight: tt.inFlight}
			sched := &pauseCalls{}
			svc := campaign.NewService(repo, nil, sched, nil, campaign.Config{})
			v, err := svc.Pause(context.Background(), audit.System, "c1", "stop")
			if err != nil {
				t.Fatal(err)
			}
			if repo.reads != tt.reads || sched.n != tt.espPauses {
				t.Errorf("read the campaign %d times and paused at SendGrid %d times, want %d and %d",
					repo.reads, sched.n, tt.reads, tt.espPauses)
			}
			if v.Counts.HandedToESP != tt.wantHandled || v.Campaign.Status != campaign.Paused {
				t.Errorf("pause answered %s with %d handed, want paused with %d", v.Campaign.Status, v.Counts.HandedToESP, tt.wantHandled)
			}
			wantESP := campaign.ESPNone
			if tt.espPauses > 0 {
				wantESP = campaign.ESPPaused
			}
			if v.Campaign.ESPState != wantESP {
				t.Errorf("SendGrid's plane %q, want %q", v.Campaign.ESPState, wantESP)
			}
		})
	}
}
