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

// confirmInDoubt is the reconciler's last step: recipients left in doubt by a
// timeout, a 5xx or a crashed worker, for which SendGrid has since posted an
// event carrying their custom args, were handed over after all — they move to
// handed, with the campaign's counters, in one transaction. What no event
// settles stays in doubt (never resent by the reconciler); a marketer may
// send it after the wait (POST /api/v1/campaigns/{id}/send-in-doubt).
func (h campaignTasks) confirmInDoubt(ctx context.Context) error {
	n, err := h.Reconciler.ConfirmInDoubt(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		h.Log.InfoContext(ctx, "in-doubt recipients confirmed handed over by SendGrid's events", "recipients", n)
	}
	return nil
}
