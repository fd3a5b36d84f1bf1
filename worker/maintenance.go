package worker

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

type maintenance struct{ Deps }

// purge removes expired sessions and sign-in failures older than a day (the
// rate limit only looks back minutes; a day keeps some for investigation).
func (m maintenance) purge(ctx context.Context, _ *asynq.Task) error {
	n, err := m.Purger.PurgeExpired(ctx, time.Now(), 24*time.Hour)
	if err != nil {
		return err
	}
	m.Log.InfoContext(ctx, "purged expired sessions and sign-in failures", "rows", n)
	return nil
}
