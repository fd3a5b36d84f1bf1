package incident

import (
	"context"
	"time"
)

// Reconciler is the storage the incident reconciler reads.
type Reconciler interface {
	UnacknowledgedOpen(ctx context.Context) ([]string, error)
	RecentlyEventful(ctx context.Context, since time.Time) ([]string, error)
}

// Reconcile re-derives incident work from Postgres (run periodically): it
// re-runs detection on campaigns with recent events (a crash between a webhook
// commit and its detection loses no incident), and the escalation check of
// every unacknowledged incident is (re-)scheduled (a flushed Redis loses no
// escalation; the check itself runs once, as the scheduled task).
func (s *Service) Reconcile(ctx context.Context, r Reconciler) error {
	ids, err := r.RecentlyEventful(ctx, s.now().Add(-2*time.Minute))
	if err != nil {
		return err
	}
	s.Detect(ctx, ids)
	open, err := r.UnacknowledgedOpen(ctx)
	if err != nil {
		return err
	}
	for _, id := range open {
		inc, err := s.repo.GetIncident(ctx, id)
		if err != nil {
			return err
		}
		rb, _ := s.runbooks.Get(inc.Runbook)
		// Keyed on the due time, this dedupes with the check already queued.
		s.scheduleEscalation(ctx, inc, rb)
	}
	return nil
}
