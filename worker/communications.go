package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/worker/tasks"
)

// Communications is what the communication tasks need from the domain
// (communication.Service).
type Communications interface {
	HandOff(ctx context.Context, communicationID string) error
	// Detect runs the spike rules on a communication and halts it when one fires.
	Detect(ctx context.Context, communicationID string) error
}

// communicationHandoff runs a communication's dispatcher; a bad payload or a
// vanished communication is not retried, anything else is (the ledger makes a
// rerun safe: claims never overlap, in-doubt recipients are never resent).
func communicationHandoff(c Communications) asynq.HandlerFunc {
	return communicationTask(c, func(ctx context.Context, id string) error { return c.HandOff(ctx, id) })
}

// communicationDetect runs a communication's spike rules (communication:detect,
// after a committed webhook batch changed its counters): idempotent, so a
// repeated or late run changes nothing; retried on errors, not when the
// communication is gone.
func communicationDetect(c Communications) asynq.HandlerFunc {
	return communicationTask(c, func(ctx context.Context, id string) error { return c.Detect(ctx, id) })
}

// communicationTask reads the payload and runs do; a bad payload or a
// vanished communication is not retried.
func communicationTask(c Communications, do func(ctx context.Context, id string) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p tasks.CommunicationPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.CommunicationID == "" {
			return fmt.Errorf("bad payload %q: %w", t.Payload(), asynq.SkipRetry)
		}
		if c == nil {
			return fmt.Errorf("communications are not wired in this worker: %w", asynq.SkipRetry)
		}
		err := do(ctx, p.CommunicationID)
		if errors.Is(err, errs.NotFound) {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return err
	}
}
