package worker

import (
	"context"

	"github.com/hibiken/asynq"
)

// Monitor runs step 6's tick (monitoring.Service).
type Monitor interface {
	Tick(ctx context.Context) error
}

// monitoringTick runs one monitoring:tick. It is not retried (MaxRetry 0):
// the next tick, 30 s later, re-derives the same work from Postgres.
func monitoringTick(m Monitor) func(context.Context, *asynq.Task) error {
	return func(ctx context.Context, _ *asynq.Task) error {
		if m == nil {
			return nil
		}
		return m.Tick(ctx)
	}
}
