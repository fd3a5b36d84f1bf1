package campaign

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/esp"
)

// Pause stops a sending campaign on both planes. Firebreak's plane first: the
// status goes to paused in the transaction that stops further claims, and Pause
// does not return until every in-flight handoff request of the campaign has
// finished or passed its deadline — so after Pause returns, no mail/send for
// this campaign leaves Firebreak. Then SendGrid's plane: the batch is paused,
// and the campaign says "paused at SendGrid" only once SendGrid accepted it;
// a refusal is recorded with its reason and retried in the background.
// Pausing a paused campaign repeats only what has not succeeded yet.
func (s *Service) Pause(ctx context.Context, actor audit.Actor, id, reason string) (View, error) {
	// A sent campaign is paused too: "sent" means handed to SendGrid, which
	// still holds every message whose send_at is over 10 minutes away.
	c, err := s.repo.SetStatus(ctx, id, pauseFrom, Paused, s.cfg.Now(), ErrNotSending,
		audit.Entry{Actor: actor, Action: "campaign.pause", SubjectType: "campaign", SubjectID: id,
			Data: map[string]any{"reason": reason}})
	if errors.Is(err, ErrNotSending) && c.Status == Paused {
		err = nil // idempotent: make sure both planes are paused
	}
	if err != nil {
		return View{}, err
	}
	if c, err = s.afterInFlight(ctx, c); err != nil {
		return View{}, err
	}
	if c, err = s.applyESP(ctx, actor, c); err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

// pauseFrom are the statuses a pause moves from; a paused campaign is paused
// again idempotently.
var pauseFrom = []Status{Sending, Sent}

// Pausable reports whether Pause applies to the campaign now.
func (c Campaign) Pausable() bool { return slices.Contains(pauseFrom, c.Status) || c.Status == Paused }

// Resume lifts a pause: SendGrid releases what it holds, Firebreak hands over
// the rest.
//
// A campaign whose content was corrected while paused is resumed as a fix
// (resumeFixed): what SendGrid holds with the old content is cancelled and
// handed over again with the new. Repo.SetStatus refuses the plain resume of
// such a campaign (ErrFixPending), so a correction that lands between the
// read and the status change is never released with the old content.
func (s *Service) Resume(ctx context.Context, actor audit.Actor, id string) (View, error) {
	c, err := s.repo.SetStatus(ctx, id, []Status{Paused}, Sending, s.cfg.Now(), ErrNotPaused,
		audit.Entry{Actor: actor, Action: "campaign.resume", SubjectType: "campaign", SubjectID: id})
	if errors.Is(err, ErrFixPending) {
		return s.resumeFixed(ctx, actor, c)
	}
	if err != nil {
		return View{}, err
	}
	if c, err = s.applyESP(ctx, actor, c); err != nil {
		return View{}, err
	}
	if err := s.jobs.HandOff(ctx, id); err != nil {
		s.cfg.Log.Warn("enqueue handoff", "campaign_id", id, "err", err.Error())
	}
	return s.view(ctx, c)
}

// Cancel stops a campaign for good: Firebreak drops what it still holds and
// SendGrid discards what it holds for the batch.
func (s *Service) Cancel(ctx context.Context, actor audit.Actor, id string) (View, error) {
	c, err := s.repo.SetStatus(ctx, id, []Status{Draft, Sending, Paused, Sent}, Cancelled, s.cfg.Now(), ErrFinished,
		audit.Entry{Actor: actor, Action: "campaign.cancel", SubjectType: "campaign", SubjectID: id})
	if errors.Is(err, ErrFinished) && c.Status == Cancelled {
		err = nil
	}
	if err != nil {
		return View{}, err
	}
	if c, err = s.afterInFlight(ctx, c); err != nil {
		return View{}, err
	}
	if c, err = s.applyESP(ctx, actor, c); err != nil {
		return View{}, err
	}
	return s.view(ctx, c)
}

// RetryESP brings SendGrid's plane in line with the campaign's status (the
// background retry after a refused pause, resume or cancel). It returns an
// error while SendGrid still refuses, so the job is retried.
func (s *Service) RetryESP(ctx context.Context, id string) error {
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return err
	}
	if c, err = s.applyESP(ctx, audit.System, c); err != nil {
		return err
	}
	if c.ESPState == ESPFailed {
		return errors.New("sendgrid still refuses: " + c.ESPError)
	}
	return nil
}

// afterInFlight waits until no handoff request of the campaign is in flight
// and returns the campaign as it is then. c is the row the status change
// returned; it is read again only when it may be stale in a way that matters:
// a request was still in flight (its outcome changes the counters), or c says
// nothing is at SendGrid yet — a request that finished between the status
// change and the first look at the ledger would make that untrue, and then
// SendGrid's plane must be paused after all. A campaign without a batch (a
// draft) never had a request.
func (s *Service) afterInFlight(ctx context.Context, c Campaign) (Campaign, error) {
	waited, err := WaitInFlight(ctx, s.cfg.Now, func(ctx context.Context, now time.Time) (int, error) {
		return s.repo.InFlight(ctx, c.ID, now)
	})
	if err != nil {
		return c, err
	}
	if waited || (c.BatchID != "" && c.nothingAtESP()) {
		return s.repo.GetCampaign(ctx, c.ID)
	}
	return c, nil
}

// applyESP makes SendGrid's batch state match the campaign's status: paused ->
// pause, cancelled -> cancel, sending -> no status. Nothing is asked of
// SendGrid when nothing was ever handed to it.
//
// c is the campaign as the caller last read (or changed) it: its status and
// SendGrid's plane decide the call, one caller at a time (ApplyESP, with
// Repo.LeaseESP, which refuses when SendGrid's plane changed since c was
// read); a refusal is retried by the job the asking caller enqueued.
func (s *Service) applyESP(ctx context.Context, actor audit.Actor, c Campaign) (Campaign, error) {
	return ApplyESP(ctx, c, Plane[Campaign]{
		Wanted: Campaign.espWanted,
		Leased: func(c Campaign) bool { return c.ESPBusyUntil != nil },
		Lease: func(ctx context.Context, c Campaign) (bool, error) {
			return s.repo.LeaseESP(ctx, c, s.cfg.ESPTimeout+2*time.Second)
		},
		Call: func(ctx context.Context, c Campaign, want ESPState) (Campaign, error) {
			return s.callESP(ctx, actor, c, want)
		},
		Reread: func(ctx context.Context) (Campaign, error) { return s.repo.GetCampaign(ctx, c.ID) },
	})
}

// espWanted says which state SendGrid's plane should be in for the campaign's
// status, and whether a call is needed to get it there.
func (c Campaign) espWanted() (ESPState, bool) {
	var want ESPState
	switch c.Status {
	case Paused:
		want = ESPPaused
	case Cancelled:
		want = ESPCancelled
	case Sending, Sent:
		if c.ESPState == ESPNone || c.ESPState == ESPResumed {
			return "", false
		}
		want = ESPResumed
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

// nothingAtESP reports whether, as far as c knows, nothing of the campaign
// ever reached SendGrid: nothing handed, no request that may have been
// accepted, and SendGrid's plane never touched.
func (c Campaign) nothingAtESP() bool {
	return c.HandedToESP == 0 && c.UncertainRequests == 0 && c.ESPState == ESPNone
}

// callESP asks SendGrid for want, under the caller's lease, and records the
// answer (which releases the lease).
func (s *Service) callESP(ctx context.Context, actor audit.Actor, c Campaign, want ESPState) (Campaign, error) {
	ectx, cancel := context.WithTimeout(ctx, s.cfg.ESPTimeout)
	defer cancel()
	var err error
	switch want {
	case ESPPaused:
		err = s.sched.SetBatchStatus(ectx, c.BatchID, esp.StatusPause)
	case ESPCancelled:
		err = s.sched.SetBatchStatus(ectx, c.BatchID, esp.StatusCancel)
	case ESPResumed:
		err = s.sched.ClearBatchStatus(ectx, c.BatchID)
	}
	// Record the answer even if the caller's context ended meanwhile.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	now := s.cfg.Now()
	entry := audit.Entry{Actor: actor, SubjectType: "campaign", SubjectID: c.ID}
	if err != nil {
		entry.Action, entry.Data = "campaign.esp_failed", map[string]any{"wanted": string(want), "error": err.Error()}
		c, serr := s.repo.SetESPState(rctx, c.ID, ESPFailed, now, err.Error(), entry)
		if serr != nil {
			return c, serr
		}
		if jerr := s.jobs.RetryESP(rctx, c.ID, 5*time.Second); jerr != nil {
			s.cfg.Log.Warn("enqueue ESP retry", "campaign_id", c.ID, "err", jerr.Error())
		}
		return c, nil
	}
	entry.Action, entry.Data = "campaign.esp_"+string(want), map[string]any{"batch_id": c.BatchID}
	return s.repo.SetESPState(rctx, c.ID, want, now, "", entry)
}
