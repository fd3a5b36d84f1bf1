package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/errs"
)

// Detector runs one campaign's incident detection rules (incident.Service).
type Detector interface {
	Detect(ctx context.Context, campaignID string) error
}

type incidentTasks struct{ Deps }

// detect runs the detection rules of the task's campaign (incident:detect,
// enqueued after a committed webhook batch). Detection is idempotent, so a
// repeated or late run changes nothing; a campaign that no longer exists is
// not retried, other errors are (the reconciler also repeats detection).
func (h incidentTasks) detect(ctx context.Context, t *asynq.Task) error {
	id, err := campaignID(t)
	if err != nil {
		return err
	}
	err = h.Detector.Detect(ctx, id)
	if errors.Is(err, errs.NotFound) {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return err
}
