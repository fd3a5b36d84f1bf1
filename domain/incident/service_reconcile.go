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

// The window of the reconciler's detection pass. Each pass covers the
// campaigns with events since the previous pass without a failure began, less
// reconcileOverlap (a batch committed as that pass read, and clocks of other
// hosts). The first pass of a process does not know when detection last ran,
// and a Redis outage stops the detection tasks and the reconciler alike (it is
// a task too), so it looks back reconcileFirstLookback (SendGrid retries a post
// for that long).
const (
	reconcileOverlap       = 2 * time.Minute
	reconcileFirstLookback = 24 * time.Hour
)

// Reconcile re-derives incident work from Postgres (run periodically): it
// re-runs detection on the campaigns with events since its last pass (a crash
// between a webhook commit and its detection, a lost detection task or a Redis
// outage loses no incident), and the escalation check of every unacknowledged
// incident is (re-)scheduled (a flushed Redis loses no escalation; the check
// itself runs once, as the scheduled task). A campaign whose detection fails is
// logged and the others are still checked; the next pass covers it again.
func (s *Service) Reconcile(ctx context.Context, r Reconciler) error {
	began := s.now()
	s.mu.Lock()
	since := s.reconciled.Add(-reconcileOverlap)
	if s.reconciled.IsZero() {
		since = began.Add(-reconcileFirstLookback)
	}
	s.mu.Unlock()
	ids, err := r.RecentlyEventful(ctx, since)
	if err != nil {
		return err
	}
	failed := false
	for _, id := range ids {
		if err := s.Detect(ctx, id); err != nil {
			failed = true
			s.log.Error("incident detection failed", "campaign_id", id, "err", err.Error())
		}
	}
	if !failed {
		s.mu.Lock()
		if began.After(s.reconciled) {
			s.reconciled = began
		}
		s.mu.Unlock()
	}
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
