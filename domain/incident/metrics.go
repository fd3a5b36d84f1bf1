package incident

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// Response metrics (issue 15): how fast incidents were handled over a
// period, per runbook and severity. The three figures are exactly the ones
// the incident and its postmortem show, so a dashboard never contradicts an
// incident page:
//
//   - to acknowledge: AcknowledgedAt − DetectedAt (the first acknowledge; a
//     later reassignment keeps it);
//   - to pause: PausedAt − DetectedAt (the first pause of the campaign for
//     this incident);
//   - to resolve: ResolvedAt − DetectedAt, where ResolvedAt is the latest
//     resolve: a step-6 alert reopens an incident and clears ResolvedAt, so a
//     reopened incident that is open again has no time to resolve (it is not
//     counted) until it is resolved again, and then counts with that time.
//
// An incident counts in the period in which it was detected, [From, To), in
// the group of its current runbook and severity (after any reclassification).

// Period bounds of GET /response-metrics.
const (
	// DefaultMetricsPeriod is the period when from is not given: 30 days before to.
	DefaultMetricsPeriod = 30 * 24 * time.Hour
	// MaxMetricsPeriod caps to − from, so one query never reads years of incidents.
	MaxMetricsPeriod = 366 * 24 * time.Hour
)

// Period is the half-open interval [From, To) of detection times.
type Period struct {
	From, To time.Time
}

// NewPeriod parses the from and to of a request (RFC 3339; empty: the
// default, to = now and from = to − 30 days) and checks that from is before to
// and the period is at most 366 days. Errors are field errors (kind Invalid)
// naming from or to.
func NewPeriod(from, to string, now time.Time) (Period, error) {
	var f errs.Fields
	p := Period{To: now.UTC()}
	parse := func(field, v string, into *time.Time) bool {
		v = strings.TrimSpace(v)
		if v == "" {
			return true
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			hint := ""
			if strings.Contains(v, " ") {
				hint = " (a + in the offset must be sent as %2B in a query string)"
			}
			f.Add(field, "must be an RFC 3339 time such as 2026-01-31T00:00:00Z"+hint)
			return false
		}
		*into = t.UTC()
		return true
	}
	okTo := parse("to", to, &p.To)
	p.From = p.To.Add(-DefaultMetricsPeriod)
	okFrom := parse("from", from, &p.From)
	if okTo && okFrom {
		switch {
		case !p.From.Before(p.To):
			f.Add("from", "must be before to")
		case p.To.Sub(p.From) > MaxMetricsPeriod:
			f.Add("from", fmt.Sprintf("the period from %s to %s is over 366 days; ask for a shorter one",
				p.From.Format(time.RFC3339), p.To.Format(time.RFC3339)))
		}
	}
	if err := f.Err(); err != nil {
		return Period{}, err
	}
	return p, nil
}

// DurationStats summarises one response time over the incidents where it
// happened: Count of them, and the median, 90th percentile and maximum. The
// percentiles are discrete (Postgres percentile_disc): each is a time some
// incident really took. They are nil when Count is 0.
type DurationStats struct {
	Count  int
	Median *time.Duration
	P90    *time.Duration
	Max    *time.Duration
}

// ResponseStats are the three response times of a set of incidents.
type ResponseStats struct {
	Incidents     int // detected in the period
	ToAcknowledge DurationStats
	ToPause       DurationStats
	ToResolve     DurationStats
}

// ResponseGroup is ResponseStats of one runbook and severity.
type ResponseGroup struct {
	Runbook  string
	Severity string
	ResponseStats
}

// ResponseMetrics is the answer for a period: every incident detected in it
// together, and per runbook and severity (runbook, then severity order;
// only groups with at least one incident).
type ResponseMetrics struct {
	Period Period
	Total  ResponseStats
	Groups []ResponseGroup
}

// MetricsRepo computes the response metrics of a period in the store.
type MetricsRepo interface {
	ResponseMetrics(ctx context.Context, p Period) (ResponseMetrics, error)
}

// ResponseMetrics answers GET /response-metrics for from and to as the
// request gave them (see NewPeriod); every role may read it.
func (s *Service) ResponseMetrics(ctx context.Context, from, to string) (ResponseMetrics, error) {
	p, err := NewPeriod(from, to, s.now())
	if err != nil {
		return ResponseMetrics{}, err
	}
	m, err := s.repo.ResponseMetrics(ctx, p)
	if err != nil {
		return ResponseMetrics{}, err
	}
	m.Period = p
	if m.Groups == nil {
		m.Groups = []ResponseGroup{}
	}
	return m, nil
}
