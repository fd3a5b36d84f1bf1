package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/worker/tasks"
)

// Campaigns is what the campaign tasks need from the domain.
type Campaigns interface {
	HandOff(ctx context.Context, campaignID string) error
	RetryESP(ctx context.Context, campaignID string) error
	// ReleaseCancelledBatches removes the cancellations a fix left at
	// SendGrid once their messages' send_at has passed (patch.go).
	ReleaseCancelledBatches(ctx context.Context) (int, error)
}

// Reconciler is the storage the reconciler reads.
type Reconciler interface {
	AbandonExpired(ctx context.Context, now time.Time) (int, error)
	Sending(ctx context.Context) ([]string, error)
	ESPRetryDue(ctx context.Context) ([]string, error)
	// ConfirmInDoubt moves in-doubt recipients that SendGrid's events prove
	// handed over to handed (maintenance.go).
	ConfirmInDoubt(ctx context.Context) (int, error)
}

type campaignTasks struct{ Deps }

func campaignID(t *asynq.Task) (string, error) {
	var p tasks.CampaignPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.CampaignID == "" {
		return "", fmt.Errorf("bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	return p.CampaignID, nil
}

// handoff runs the dispatcher; a vanished campaign is not retried.
func (h campaignTasks) handoff(ctx context.Context, t *asynq.Task) error {
	id, err := campaignID(t)
	if err != nil {
		return err
	}
	err = h.Campaigns.HandOff(ctx, id)
	if errors.Is(err, errs.NotFound) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	if errors.Is(err, campaign.ErrNothingToClaim) {
		return nil
	}
	return err
}

// espSync retries SendGrid's plane; an error makes asynq retry with backoff.
func (h campaignTasks) espSync(ctx context.Context, t *asynq.Task) error {
	id, err := campaignID(t)
	if err != nil {
		return err
	}
	err = h.Campaigns.RetryESP(ctx, id)
	if errors.Is(err, errs.NotFound) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}

// reconcile is maintenance:reconcile: it re-derives work from Postgres, so a
// flushed Redis or a crashed worker loses nothing: abandoned requests become
// uncertain, sending campaigns get their handoff tasks again (deduplicated by
// task id), the incidents' detection and escalation checks run again
// (IncidentReconciler), failed ESP pauses are retried, cancellations a fix
// left at SendGrid are removed once their messages' send_at passed, and recipients in doubt
// that SendGrid's events settled are moved to handed.
func (h campaignTasks) reconcile(ctx context.Context, _ *asynq.Task) error {
	if n, err := h.Reconciler.AbandonExpired(ctx, time.Now()); err != nil {
		return err
	} else if n > 0 {
		h.Log.WarnContext(ctx, "abandoned handoff requests marked uncertain", "requests", n)
	}
	ids, err := h.Reconciler.Sending(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := h.Jobs.HandOff(ctx, id); err != nil {
			return err
		}
	}
	if h.IncidentReconciler != nil {
		if err := h.IncidentReconciler(ctx); err != nil {
			return err
		}
	}
	ids, err = h.Reconciler.ESPRetryDue(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := h.Jobs.RetryESP(ctx, id, 0); err != nil {
			return err
		}
	}
	if h.Campaigns != nil { // a mux built for the maintenance tasks only has none
		if n, err := h.Campaigns.ReleaseCancelledBatches(ctx); err != nil {
			h.Log.WarnContext(ctx, "release cancelled batches", "err", err.Error())
		} else if n > 0 {
			h.Log.InfoContext(ctx, "released SendGrid cancellations that no longer matter", "batches", n)
		}
	}
	return h.confirmInDoubt(ctx)
}
