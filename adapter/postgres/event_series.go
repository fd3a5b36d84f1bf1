package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
)

var _ campaign.SeriesRepo = (*Store)(nil)

// outcomeTimesSQL is every outcome of campaign @cid with its time, one row per
// recipient and outcome, from recipient_outcomes — the rows the campaign's
// counters count (events.go), by the same rules: the final delivery outcome
// (delivered, bounced, blocked, dropped) at delivery_at, deferred and each
// engagement at its first time. A processed-only row has no outcome.
const outcomeTimesSQL = `outcome_times AS (
	SELECT v.kind, v.at FROM recipient_outcomes o
	CROSS JOIN LATERAL (VALUES
		(CASE WHEN o.delivery_state IN ('delivered', 'bounced', 'blocked', 'dropped') THEN o.delivery_state END, o.delivery_at),
		('deferred', o.deferred_at), ('opened', o.opened_at), ('clicked', o.clicked_at),
		('complained', o.complained_at), ('unsubscribed', o.unsubscribed_at)) AS v(kind, at)
	WHERE o.campaign_id = @cid AND v.kind IS NOT NULL AND v.at IS NOT NULL
)`

// seriesOrigin aligns the buckets: whole minutes, hours and days in UTC.
const seriesOrigin = `TIMESTAMPTZ '2000-01-01 00:00:00+00'`

// OutcomeSpan reads the earliest and latest outcome time of a campaign.
func (s *Store) OutcomeSpan(ctx context.Context, campaignID string) (*time.Time, *time.Time, error) {
	var rows []struct{ From, To *time.Time }
	err := s.db.WithContext(ctx).Raw(`WITH `+outcomeTimesSQL+` SELECT min(at) AS "from", max(at) AS "to" FROM outcome_times`,
		map[string]any{"cid": campaignID}).Scan(&rows).Error
	if err != nil {
		return nil, nil, fmt.Errorf("outcome span of %s: %w", campaignID, translate(err, nil, nil))
	}
	if len(rows) == 0 || rows[0].From == nil || rows[0].To == nil {
		return nil, nil, nil
	}
	from, to := rows[0].From.UTC(), rows[0].To.UTC()
	return &from, &to, nil
}

// OutcomeSeries counts a campaign's outcomes per bucket in one aggregate
// (date_bin) and fills the empty buckets in between (generate_series).
func (s *Store) OutcomeSeries(ctx context.Context, campaignID string, bucket time.Duration, from, to time.Time, limit int) ([]campaign.SeriesBucket, error) {
	var rows []struct {
		At                                             time.Time
		Delivered, Bounced, Blocked, Dropped, Deferred int
		Opened, Clicked, Complained, Unsubscribed      int
	}
	err := s.db.WithContext(ctx).Raw(`WITH `+outcomeTimesSQL+`,
	per_bucket AS (
		SELECT date_bin(CAST(@bucket AS interval), at, `+seriesOrigin+`) AS at,
			count(*) FILTER (WHERE kind = 'delivered')::int AS delivered,
			count(*) FILTER (WHERE kind = 'bounced')::int AS bounced,
			count(*) FILTER (WHERE kind = 'blocked')::int AS blocked,
			count(*) FILTER (WHERE kind = 'dropped')::int AS dropped,
			count(*) FILTER (WHERE kind = 'deferred')::int AS deferred,
			count(*) FILTER (WHERE kind = 'opened')::int AS opened,
			count(*) FILTER (WHERE kind = 'clicked')::int AS clicked,
			count(*) FILTER (WHERE kind = 'complained')::int AS complained,
			count(*) FILTER (WHERE kind = 'unsubscribed')::int AS unsubscribed
		FROM outcome_times GROUP BY 1
	)
	SELECT g.at, coalesce(p.delivered, 0) AS delivered, coalesce(p.bounced, 0) AS bounced,
		coalesce(p.blocked, 0) AS blocked, coalesce(p.dropped, 0) AS dropped, coalesce(p.deferred, 0) AS deferred,
		coalesce(p.opened, 0) AS opened, coalesce(p.clicked, 0) AS clicked, coalesce(p.complained, 0) AS complained,
		coalesce(p.unsubscribed, 0) AS unsubscribed
	FROM generate_series(date_bin(CAST(@bucket AS interval), CAST(@from AS timestamptz), `+seriesOrigin+`),
		date_bin(CAST(@bucket AS interval), CAST(@to AS timestamptz), `+seriesOrigin+`), CAST(@bucket AS interval)) AS g(at)
	LEFT JOIN per_bucket p ON p.at = g.at
	ORDER BY g.at LIMIT @limit`,
		map[string]any{"cid": campaignID, "bucket": fmt.Sprintf("%d seconds", int64(bucket/time.Second)),
			"from": from, "to": to, "limit": limit}).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("outcome series of %s: %w", campaignID, translate(err, nil, nil))
	}
	out := make([]campaign.SeriesBucket, len(rows))
	for i, r := range rows {
		out[i] = campaign.SeriesBucket{At: r.At.UTC(), SeriesCounts: campaign.SeriesCounts{Delivered: r.Delivered,
			Bounced: r.Bounced, Blocked: r.Blocked, Dropped: r.Dropped, Deferred: r.Deferred, Opened: r.Opened,
			Clicked: r.Clicked, Complained: r.Complained, Unsubscribed: r.Unsubscribed}}
	}
	return out, nil
}
