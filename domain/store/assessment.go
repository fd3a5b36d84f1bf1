package store

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/firebreak/firebreak/domain/assess"
)

// blastColumns counts one row of the blast radius over campaign_recipients cr
// and their outcomes o.
// held: never handed over (pending, claimed, failed, cancelled), or handed over
// with a send_at at least 10 minutes after SendGrid accepted the pause ($2,
// NULL when it has not); in-doubt recipients are possibly received.
const blastColumns = `count(*)::int AS targeted,
	count(*) FILTER (WHERE cr.state = 'handed')::int AS handed_to_esp,
	count(*) FILTER (WHERE cr.state NOT IN ('handed', 'in_doubt')
		OR (cr.state = 'handed' AND CAST(@paused AS timestamptz) IS NOT NULL AND cr.send_at >= CAST(@paused AS timestamptz) + interval '10 minutes'))::int AS held,
	count(*) FILTER (WHERE o.delivery_state = 'delivered')::int AS delivered,
	count(*) FILTER (WHERE o.opened_at IS NOT NULL)::int AS opened,
	count(*) FILTER (WHERE o.clicked_at IS NOT NULL)::int AS clicked,
	count(*) FILTER (WHERE o.delivery_state IN ('bounced', 'blocked'))::int AS bounced,
	count(*) FILTER (WHERE o.complained_at IS NOT NULL)::int AS complained,
	count(*) FILTER (WHERE o.unsubscribed_at IS NOT NULL)::int AS unsubscribed`

// outcomesJoin adds each recipient's delivery outcome and engagement (o), if any.
const outcomesJoin = `
	LEFT JOIN recipient_outcomes o ON o.campaign_id = cr.campaign_id AND o.recipient_id = cr.recipient_id`

// BlastRadius computes a campaign's blast radius exactly, with two aggregate
// scans run in parallel (totals, and per segment with each recipient counted
// in every segment it belongs to). espPausedAt is when SendGrid accepted the
// pause, or nil.
func (s *Store) BlastRadius(ctx context.Context, campaignID string, espPausedAt *time.Time) (assess.BlastRadius, error) {
	out := assess.BlastRadius{ComputedAt: time.Now().UTC(), BySegment: []assess.Segment{}}
	args := map[string]any{"cid": campaignID, "paused": espPausedAt}
	var totals []blastRow
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return s.db.WithContext(gctx).Raw(`SELECT `+blastColumns+` FROM campaign_recipients cr`+outcomesJoin+` WHERE cr.campaign_id = @cid`,
			args).Scan(&totals).Error
	})
	var segs []blastRow
	g.Go(func() error {
		return s.db.WithContext(gctx).Raw(`SELECT seg AS segment, `+blastColumns+`
			FROM campaign_recipients cr`+outcomesJoin+`, unnest(cr.segments) AS seg WHERE cr.campaign_id = @cid
			GROUP BY seg ORDER BY count(*) DESC, seg`, args).Scan(&segs).Error
	})
	if err := g.Wait(); err != nil {
		return out, fmt.Errorf("blast radius of %s: %w", campaignID, translate(err, nil, nil))
	}
	if len(totals) == 1 {
		out.Totals = totals[0].numbers()
	}
	for _, sg := range segs {
		out.BySegment = append(out.BySegment, assess.Segment{Segment: sg.Segment, Numbers: sg.numbers()})
	}
	return out, nil
}

// blastRow is one scanned row (gorm does not fill embedded structs from Raw).
type blastRow struct {
	Segment                                                 string
	Targeted, HandedToESP, Held, Delivered, Opened, Clicked int
	Bounced, Complained, Unsubscribed                       int
}

func (r blastRow) numbers() assess.Numbers {
	return assess.Numbers{Targeted: r.Targeted, HandedToESP: r.HandedToESP, Held: r.Held, Delivered: r.Delivered,
		Opened: r.Opened, Clicked: r.Clicked, Bounced: r.Bounced, Complained: r.Complained, Unsubscribed: r.Unsubscribed}
}
