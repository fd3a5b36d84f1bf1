package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/firebreak/firebreak/domain/assess"
)

// audienceCounts are the audience part of a blast radius, over
// campaign_recipients cr. held: never handed over (pending, claimed, failed,
// cancelled), or handed over with a send_at at least 10 minutes after SendGrid
// accepted the pause (@paused, NULL when it has not); in-doubt recipients are
// possibly received.
const audienceCounts = `count(*)::int AS targeted,
	count(*) FILTER (WHERE cr.state = 'handed')::int AS handed_to_esp,
	count(*) FILTER (WHERE ` + heldCond + `)::int AS held`

// heldCond is the held rule over campaign_recipients cr and @paused, shared by
// the blast radius and the affected list so their held numbers agree.
const heldCond = `cr.state NOT IN ('handed', 'in_doubt')
		OR (cr.state = 'handed' AND CAST(@paused AS timestamptz) IS NOT NULL
			AND cr.send_at >= CAST(@paused AS timestamptz) + interval '10 minutes')`

// outcomeCounts are the delivery part, over recipient_outcomes o.
const outcomeCounts = `count(*) FILTER (WHERE o.delivery_state = 'delivered')::int AS delivered,
	count(*) FILTER (WHERE o.opened_at IS NOT NULL)::int AS opened,
	count(*) FILTER (WHERE o.clicked_at IS NOT NULL)::int AS clicked,
	count(*) FILTER (WHERE o.delivery_state IN ('bounced', 'blocked'))::int AS bounced,
	count(*) FILTER (WHERE o.complained_at IS NOT NULL)::int AS complained,
	count(*) FILTER (WHERE o.unsubscribed_at IS NOT NULL)::int AS unsubscribed`

// bySegmentSQL counts, in one scan of table (aliased as alias, with the
// recipients' segments), every number per segment — a recipient in each of its
// segments — split by whether the segment is the recipient's first (or the
// NULL segment when it has none): the rows marked first add up to the totals,
// each recipient counted once.
func bySegmentSQL(table, alias, counts string) string {
	return `SELECT u.seg AS segment, coalesce(u.n, 1) = 1 AS first, ` + counts + `
	FROM ` + table + ` ` + alias + ` LEFT JOIN LATERAL unnest(` + alias + `.segments) WITH ORDINALITY AS u(seg, n) ON true
	WHERE ` + alias + `.campaign_id = @cid GROUP BY 1, 2`
}

// BlastRadius computes a campaign's blast radius exactly with two aggregate
// scans run in parallel, neither a join: the audience (campaign_recipients)
// and the outcomes (recipient_outcomes, which carry a copy of the recipient's
// segments), each per segment and in total at once. espPausedAt is when
// SendGrid accepted the pause, or nil.
func (s *Store) BlastRadius(ctx context.Context, campaignID string, espPausedAt *time.Time) (assess.BlastRadius, error) {
	out := assess.BlastRadius{ComputedAt: time.Now().UTC(), BySegment: []assess.Segment{}}
	args := map[string]any{"cid": campaignID, "paused": espPausedAt}
	var audience, outcomes []countRow
	var targeted []string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		targeted, err = s.campaignSegments(gctx, campaignID)
		return err
	})
	g.Go(func() error {
		return s.db.WithContext(gctx).Raw(bySegmentSQL("campaign_recipients", "cr", audienceCounts), args).Scan(&audience).Error
	})
	g.Go(func() error {
		return s.db.WithContext(gctx).Raw(bySegmentSQL("recipient_outcomes", "o", outcomeCounts), args).Scan(&outcomes).Error
	})
	if err := g.Wait(); err != nil {
		return out, fmt.Errorf("blast radius of %s: %w", campaignID, translate(err, nil, nil))
	}
	segs := map[string]assess.Numbers{}
	for _, r := range append(audience, outcomes...) {
		if r.First {
			out.Totals = out.Totals.Add(r.numbers())
		}
		if r.Segment != nil {
			segs[*r.Segment] = segs[*r.Segment].Add(r.numbers())
		}
	}
	for name, n := range segs {
		out.BySegment = append(out.BySegment, assess.Segment{Segment: name, Numbers: n})
	}
	// The segments the campaign targeted first, then the recipients' other
	// memberships, each largest first.
	return out.ForCampaign(targeted), nil
}

// campaignSegments are the segments a campaign was sent to (none for an
// unknown id: the blast radius is then all zeros, as before).
func (s *Store) campaignSegments(ctx context.Context, campaignID string) ([]string, error) {
	var rows []string
	if err := s.db.WithContext(ctx).Raw(`SELECT to_json(segments)::text FROM campaigns WHERE id = ?`, campaignID).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	var segs []string
	if len(rows) > 0 {
		if err := json.Unmarshal([]byte(rows[0]), &segs); err != nil {
			return nil, fmt.Errorf("segments of campaign %s: %w", campaignID, err)
		}
	}
	return segs, nil
}

// countRow is one scanned row of bySegmentSQL (gorm does not fill embedded
// structs from Raw); a query fills only its own counts.
type countRow struct {
	Segment                                                 *string
	First                                                   bool
	Targeted, HandedToESP, Held, Delivered, Opened, Clicked int
	Bounced, Complained, Unsubscribed                       int
}

func (r countRow) numbers() assess.Numbers {
	return assess.Numbers{Targeted: r.Targeted, HandedToESP: r.HandedToESP, Held: r.Held, Delivered: r.Delivered,
		Opened: r.Opened, Clicked: r.Clicked, Bounced: r.Bounced, Complained: r.Complained, Unsubscribed: r.Unsubscribed}
}
