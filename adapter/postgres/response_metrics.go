package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/incident"
)

var _ incident.MetricsRepo = (*Store)(nil)

// responseMetricsSQL is GET /response-metrics in one statement: the three
// response times of every incident detected in [from, to), in microseconds
// from detected_at (the same differences the incident answer shows), summed
// up per runbook and severity and for all together (GROUPING SETS; the ()
// set yields its row even when no incident matches). percentile_disc ignores
// the NULLs of incidents where the moment has not happened (never
// acknowledged, never paused, not resolved — a reopened incident has no
// resolved_at) and answers a value some incident really took. Ordered with
// the C collation so runbook ids sort the same whatever the database's locale;
// the total row (GROUPING not 0) comes last.
const responseMetricsSQL = `
WITH d AS (
    SELECT runbook, severity,
           (extract(epoch FROM acknowledged_at - detected_at) * 1000000)::bigint AS ack_us,
           (extract(epoch FROM paused_at - detected_at) * 1000000)::bigint       AS pause_us,
           (extract(epoch FROM resolved_at - detected_at) * 1000000)::bigint     AS resolve_us
    FROM incidents
    WHERE detected_at >= ? AND detected_at < ?
)
SELECT runbook, severity, GROUPING(runbook, severity) <> 0 AS is_total, count(*) AS incidents,
       count(ack_us) AS ack_count,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY ack_us) AS ack_median,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY ack_us) AS ack_p90,
       max(ack_us) AS ack_max,
       count(pause_us) AS pause_count,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY pause_us) AS pause_median,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY pause_us) AS pause_p90,
       max(pause_us) AS pause_max,
       count(resolve_us) AS resolve_count,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY resolve_us) AS resolve_median,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY resolve_us) AS resolve_p90,
       max(resolve_us) AS resolve_max
FROM d
GROUP BY GROUPING SETS ((runbook, severity), ())
ORDER BY GROUPING(runbook, severity), runbook COLLATE "C", severity COLLATE "C"`

// responseMetricsRow is one row of responseMetricsSQL: a group, or the
// total (IsTotal, Runbook and Severity NULL). Times in microseconds.
type responseMetricsRow struct {
	Runbook       *string
	Severity      *string
	IsTotal       bool
	Incidents     int
	AckCount      int
	AckMedian     *int64
	AckP90        *int64
	AckMax        *int64
	PauseCount    int
	PauseMedian   *int64
	PauseP90      *int64
	PauseMax      *int64
	ResolveCount  int
	ResolveMedian *int64
	ResolveP90    *int64
	ResolveMax    *int64
}

func micros(v *int64) *time.Duration {
	if v == nil {
		return nil
	}
	d := time.Duration(*v) * time.Microsecond
	return &d
}

func durationStats(count int, median, p90, max *int64) incident.DurationStats {
	return incident.DurationStats{Count: count, Median: micros(median), P90: micros(p90), Max: micros(max)}
}

func toResponseStats(r responseMetricsRow) incident.ResponseStats {
	return incident.ResponseStats{Incidents: r.Incidents,
		ToAcknowledge: durationStats(r.AckCount, r.AckMedian, r.AckP90, r.AckMax),
		ToPause:       durationStats(r.PauseCount, r.PauseMedian, r.PauseP90, r.PauseMax),
		ToResolve:     durationStats(r.ResolveCount, r.ResolveMedian, r.ResolveP90, r.ResolveMax)}
}

// ResponseMetrics computes the response times of the incidents detected in
// p (incident.ResponseMetrics has the definitions), with one query served by
// incidents_detected_at_idx.
func (s *Store) ResponseMetrics(ctx context.Context, p incident.Period) (incident.ResponseMetrics, error) {
	var rows []responseMetricsRow
	if err := s.db.WithContext(ctx).Raw(responseMetricsSQL, p.From, p.To).Scan(&rows).Error; err != nil {
		return incident.ResponseMetrics{}, fmt.Errorf("response metrics: %w", translate(err, nil, nil))
	}
	out := incident.ResponseMetrics{Period: p, Groups: []incident.ResponseGroup{}}
	for _, r := range rows {
		if r.IsTotal {
			out.Total = toResponseStats(r)
			continue
		}
		g := incident.ResponseGroup{ResponseStats: toResponseStats(r)}
		if r.Runbook != nil {
			g.Runbook = *r.Runbook
		}
		if r.Severity != nil {
			g.Severity = *r.Severity
		}
		out.Groups = append(out.Groups, g)
	}
	return out, nil
}
