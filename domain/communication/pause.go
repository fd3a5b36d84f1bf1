package communication

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// StatusRepo is the storage a pause, resume or cancel needs; the same
// two-plane contract as the campaign's (campaign.Repo SetStatus, InFlight,
// LeaseESP, SetESPState), kept apart from Repo so the send-side fakes need
// not grow.
type StatusRepo interface {
	// SetCommunicationStatus moves a communication from one of from to to
	// under its dispatch lock held exclusively, so once it commits no new
	// handoff request of the communication can be claimed; cancelling marks
	// the pending recipients cancelled. The audit entry is written in the same
	// transaction. A status not in from is errWrong, with the stored row.
	SetCommunicationStatus(ctx context.Context, id string, from []Status, to Status, now time.Time, errWrong error, a audit.Entry) (Communication, error)
	// CommunicationInFlight counts the communication's requests still
	// sending before their deadline.
	CommunicationInFlight(ctx context.Context, id string, now time.Time) (int, error)
	// LeaseCommunicationESP takes the right to talk to SendGrid about the
	// batch for ttl, unless another caller holds it or SendGrid's plane
	// changed since seen was read.
	LeaseCommunicationESP(ctx context.Context, seen Communication, ttl time.Duration) (bool, error)
	// SetCommunicationESPState records SendGrid's answer (and releases the lease).
	SetCommunicationESPState(ctx context.Context, id string, state campaign.ESPState, at time.Time, errMsg string, a audit.Entry) (Communication, error)
	// ESPFailedCommunications lists the communications whose last SendGrid
	// call was refused, for the reconciler's retry.
	ESPFailedCommunications(ctx context.Context) ([]string, error)
}

// pauseFrom are the statuses a pause moves from: a sent communication is
// paused too, as SendGrid still holds what is scheduled in the send buffer.
var pauseFrom = []Status{Sending, Sent}

// Pause stops a sending communication on both planes, exactly as
// campaign.Service.Pause: the status goes to paused in the transaction that
// stops further claims, Pause waits until no handoff request is in flight (so
// after it returns nothing more of it leaves Firebreak), then the batch is
// paused at SendGrid and esp_state says so once SendGrid accepted; a refusal
// is recorded (esp_state failed, esp_error) and retried by the reconciler.
// Pausing a paused communication repeats only what has not succeeded yet; a
// draft (or anything not sending) is ErrNotSending.
func (s *Service) Pause(ctx context.Context, actor audit.Actor, id string) (View, error) {
	return s.changeStatus(ctx, actor, id, pauseFrom, Paused, ErrNotSending, "communication.pause", true)
}

// Resume lifts a pause: SendGrid releases what it holds for the batch and the
// handoff is queued again for the rest. The recipients still pending are
// re-checked against the suppression list at their claim, so someone
// suppressed while paused is skipped (skipped_suppressed). Anything but
// paused is ErrNotPaused.
func (s *Service) Resume(ctx context.Context, actor audit.Actor, id string) (View, error) {
	v, err := s.changeStatus(ctx, actor, id, []Status{Paused}, Sending, ErrNotPaused, "communication.resume", false)
	if err != nil {
		return View{}, err
	}
	if s.d.Jobs != nil {
		if err := s.d.Jobs.HandOffCommunication(ctx, id); err != nil {
			return View{}, fmt.Errorf("queue the handoff of communication %s (the reconciler retries): %w", id, err)
		}
	}
	return v, nil
}

// Cancel stops a communication for good: its pending recipients become
// cancelled (never handed), in-flight requests finish, and SendGrid discards
// what it holds for the batch. Cancelling a cancelled one is idempotent; a
// sent one is cancelled too (SendGrid may still hold its last batches).
func (s *Service) Cancel(ctx context.Context, actor audit.Actor, id string) (View, error) {
	return s.changeStatus(ctx, actor, id, []Status{Draft, InReview, Approved, Sending, Paused, Sent}, Cancelled,
		ErrFinished, "communication.cancel", true)
}

func (s *Service) changeStatus(ctx context.Context, actor audit.Actor, id string, from []Status, to Status,
	errWrong error, action string, wait bool) (View, error) {
	repo, ok := s.d.Repo.(StatusRepo)
	if !ok {
		return View{}, fmt.Errorf("communication %s to %s: %w", id, to, errNoSending)
	}
	cur, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return View{}, err
	}
	c, err := repo.SetCommunicationStatus(ctx, id, from, to, s.d.Now(), errWrong, entry(actor, action, cur, nil))
	if errors.Is(err, errWrong) && c.Status == to && to != Sending {
		err = nil // idempotent: make sure both planes agree
	}
	if err != nil {
		return View{}, err
	}
	if wait {
		if c, err = s.afterInFlight(ctx, repo, c); err != nil {
			return View{}, err
		}
	}
	if c, err = s.applyESP(ctx, repo, actor, c); err != nil {
		return View{}, err
	}
	inc, err := s.d.Incidents.GetIncident(ctx, c.IncidentID)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inc, c)
}

// RetryESP brings SendGrid's plane in line with the communication's status
// (after a refusal); an error while SendGrid still refuses.
func (s *Service) RetryESP(ctx context.Context, id string) error {
	repo, ok := s.d.Repo.(StatusRepo)
	if !ok {
		return nil
	}
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return err
	}
	if c, err = s.applyESP(ctx, repo, audit.System, c); err != nil {
		return err
	}
	if c.ESPState == campaign.ESPFailed {
		return errors.New("sendgrid still refuses: " + c.ESPError)
	}
	return nil
}

// afterInFlight waits until no handoff request of the communication is in
// flight and returns it as it is then (re-read when it may be stale in a way
// that matters: a request finished meanwhile, or nothing seemed handed yet).
func (s *Service) afterInFlight(ctx context.Context, repo StatusRepo, c Communication) (Communication, error) {
	waited, err := campaign.WaitInFlight(ctx, s.d.Now, func(ctx context.Context, now time.Time) (int, error) {
		return repo.CommunicationInFlight(ctx, c.ID, now)
	})
	if err != nil {
		return c, err
	}
	if waited || (c.BatchID != "" && c.nothingAtESP()) {
		return s.d.Repo.GetCommunication(ctx, c.ID)
	}
	return c, nil
}

// espWanted says which state SendGrid's plane should be in for the status,
// and whether a call is needed to get it there.
func (c Communication) espWanted() (campaign.ESPState, bool) {
	var want campaign.ESPState
	switch c.Status {
	case Paused:
		want = campaign.ESPPaused
	case Cancelled:
		want = campaign.ESPCancelled
	case Sending, Sent:
		if c.ESPState == campaign.ESPNone || c.ESPState == campaign.ESPResumed || c.ESPState == "" {
			return "", false
		}
		want = campaign.ESPResumed
	default:
		return "", false
	}
	if c.ESPState == want {
		return want, false
	}
	if c.BatchID == "" || c.nothingAtESP() {
		return want, false // nothing at SendGrid to hold
	}
	return want, true
}

// nothingAtESP: nothing of the communication ever reached SendGrid as far
// as c knows (nothing handed, SendGrid's plane never touched). In-doubt
// recipients may be at SendGrid, so a batch with any is treated as reached:
// counted through HandedToESP only, so a claimed-but-unknown request keeps
// the check conservative by the in-flight wait before it.
func (c Communication) nothingAtESP() bool {
	return c.Counts.HandedToESP == 0 && (c.ESPState == campaign.ESPNone || c.ESPState == "")
}

// applyESP makes SendGrid's batch state match the status, one caller at a
// time (campaign.ApplyESP, the mechanism a campaign's pause uses too); the
// others wait for its answer and return it.
func (s *Service) applyESP(ctx context.Context, repo StatusRepo, actor audit.Actor, c Communication) (Communication, error) {
	if s.d.Sched == nil {
		return c, nil
	}
	timeout := s.d.ESPTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return campaign.ApplyESP(ctx, c, campaign.Plane[Communication]{
		Wanted: Communication.espWanted,
		Leased: func(c Communication) bool { return c.ESPBusyUntil != nil },
		Lease: func(ctx context.Context, c Communication) (bool, error) {
			return repo.LeaseCommunicationESP(ctx, c, timeout+2*time.Second)
		},
		Call: func(ctx context.Context, c Communication, want campaign.ESPState) (Communication, error) {
			return s.callESP(ctx, repo, actor, c, want, timeout)
		},
		Reread: func(ctx context.Context) (Communication, error) { return s.d.Repo.GetCommunication(ctx, c.ID) },
	})
}

// callESP asks SendGrid for want under the caller's lease and records the
// answer on the incident's timeline.
func (s *Service) callESP(ctx context.Context, repo StatusRepo, actor audit.Actor, c Communication, want campaign.ESPState, timeout time.Duration) (Communication, error) {
	ectx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	switch want {
	case campaign.ESPPaused:
		err = s.d.Sched.SetBatchStatus(ectx, c.BatchID, esp.StatusPause)
	case campaign.ESPCancelled:
		err = s.d.Sched.SetBatchStatus(ectx, c.BatchID, esp.StatusCancel)
	case campaign.ESPResumed:
		err = s.d.Sched.ClearBatchStatus(ectx, c.BatchID)
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	now := s.d.Now()
	if err != nil {
		return repo.SetCommunicationESPState(rctx, c.ID, campaign.ESPFailed, now, err.Error(),
			entry(actor, "communication.esp_failed", c, map[string]any{"wanted": string(want), "error": err.Error()}))
	}
	return repo.SetCommunicationESPState(rctx, c.ID, want, now, "",
		entry(actor, "communication.esp_"+string(want), c, map[string]any{"batch_id": c.BatchID}))
}
