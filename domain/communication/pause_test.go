package communication_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/runbook"
)

// statusRepo is fakeRepo with the status changes and SendGrid's plane.
type statusRepo struct{ *fakeRepo }

func (r statusRepo) SetCommunicationStatus(_ context.Context, id string, from []communication.Status, to communication.Status,
	_ time.Time, errWrong error, a audit.Entry) (communication.Communication, error) {
	c := r.comms[id]
	if !slices.Contains(from, c.Status) {
		return c, errWrong
	}
	c.Status = to
	r.comms[id] = c
	r.entries = append(r.entries, a)
	return c, nil
}

func (r statusRepo) CommunicationInFlight(context.Context, string, time.Time) (int, error) {
	return 0, nil
}

func (r statusRepo) LeaseCommunicationESP(context.Context, communication.Communication, time.Duration) (bool, error) {
	return true, nil
}

func (r statusRepo) SetCommunicationESPState(_ context.Context, id string, st campaign.ESPState, at time.Time, msg string, a audit.Entry) (communication.Communication, error) {
	c := r.comms[id]
	c.ESPState, c.ESPStateAt, c.ESPError = st, &at, msg
	r.comms[id] = c
	r.entries = append(r.entries, a)
	return c, nil
}

func (r statusRepo) ESPFailedCommunications(context.Context) ([]string, error) {
	var out []string
	for id, c := range r.comms {
		if c.ESPState == campaign.ESPFailed {
			out = append(out, id)
		}
	}
	return out, nil
}

// refusingScheduler refuses every call while refuse is set.
type refusingScheduler struct {
	refuse bool
	calls  []string
}

func (s *refusingScheduler) SetBatchStatus(_ context.Context, batch string, st esp.ScheduleStatus) error {
	s.calls = append(s.calls, string(st)+" "+batch)
	if s.refuse {
		return errors.New("sendgrid: 10 batches already paused")
	}
	return nil
}

func (s *refusingScheduler) ClearBatchStatus(_ context.Context, batch string) error {
	s.calls = append(s.calls, "clear "+batch)
	return nil
}

// TestPauseRefusedBySendGridIsRecordedAndRetried: when SendGrid refuses the
// batch pause, the pause still holds on Firebreak's plane, esp_state says
// failed with SendGrid's reason (on the incident's timeline), and the
// reconciler asks again until SendGrid accepts.
func TestPauseRefusedBySendGridIsRecordedAndRetried(t *testing.T) {
	repo := statusRepo{&fakeRepo{comms: map[string]communication.Communication{}}}
	repo.comms["c1"] = communication.Communication{ID: "c1", IncidentID: runbook.WrongSegment, Kind: communication.Apology,
		Status: communication.Sending, BatchID: "b1", ESPState: campaign.ESPNone, Counts: communication.Counts{HandedToESP: 10}}
	sched := &refusingScheduler{refuse: true}
	s := communication.NewService(communication.Deps{Repo: repo, Incidents: testIncidents(), Runbooks: testRunbooks(),
		Sched: sched, Jobs: &countingJobs{}})
	v, err := s.Pause(context.Background(), audit.Actor{Name: "m"}, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != communication.Paused || v.ESPState != campaign.ESPFailed || v.ESPError == "" {
		t.Fatalf("refused pause: status %s, esp %s %q; want paused, failed with the reason", v.Status, v.ESPState, v.ESPError)
	}
	var actions []string
	for _, e := range repo.entries {
		actions = append(actions, e.Action)
		if e.SubjectID != runbook.WrongSegment || e.Data["communication_id"] != "c1" {
			t.Errorf("entry %s is not on the incident's timeline: %+v", e.Action, e)
		}
	}
	if !slices.Equal(actions, []string{"communication.pause", "communication.esp_failed"}) {
		t.Errorf("timeline %v", actions)
	}
	sched.refuse = false
	if err := s.Reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := repo.comms["c1"]; got.ESPState != campaign.ESPPaused || got.ESPError != "" {
		t.Errorf("after the reconciler: esp %s %q, want paused", got.ESPState, got.ESPError)
	}
	if !slices.Equal(sched.calls, []string{"pause b1", "pause b1"}) {
		t.Errorf("SendGrid calls %v", sched.calls)
	}
	// Resume clears SendGrid's status and queues the handoff again.
	jobs := &countingJobs{}
	s = communication.NewService(communication.Deps{Repo: repo, Incidents: testIncidents(), Runbooks: testRunbooks(), Sched: sched, Jobs: jobs})
	if v, err := s.Resume(context.Background(), audit.Actor{Name: "m"}, "c1"); err != nil || v.ESPState != campaign.ESPResumed || jobs.n != 1 {
		t.Errorf("resume: %v esp %s, %d handoffs queued", err, v.ESPState, jobs.n)
	}
}
