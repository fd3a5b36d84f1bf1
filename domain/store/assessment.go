package store

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/assess"
)

// audienceColumns count the audience part of a blast radius row over
// campaign_recipients cr. held: never handed over (pending, claimed, failed,
// cancelled), or handed over with a send_at at least 10 minutes after SendGrid
// accepted the pause (@paused, NULL when it has not); in-doubt recipients are
// possibly received.
const audienceColumns = `count(*)::int AS targeted,
	count(*) FILTER (WHERE cr.state = 'handed')::int AS handed_to_esp,
	count(*) FILTER (WHERE cr.state NOT IN ('handed', 'in_doubt')
		OR (cr.state = 'handed' AND CAST(@paused AS timestamptz) IS NOT NULL AND cr.send_at >= CAST(@paused AS timestamptz) + interval '10 minutes'))::int AS held`

// outcomeColumns count the delivery part over recipient_outcomes o.
const outcomeColumns = `count(*) FILTER (WHERE o.delivery_state = 'delivered')::int AS delivered,
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
	g, gctx := errgroup.WithContext(ctx)
	// The per-segment scan joins a campaign's outcomes to its audience: room
	// for the hash of a 1M-recipient campaign in memory rather than on disk.
	scan := func(dst *[]blastRow, q string) func() error {
		return func() error {
			return s.db.WithContext(gctx).Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec(`SET LOCAL work_mem = '256MB'`).Error; err != nil {
					return err
				}
				return tx.Raw(q, args).Scan(dst).Error
			})
		}
	}
	var totals, segs []blastRow
	// The totals need no join: every outcome row belongs to the audience.
	g.Go(scan(&totals, `SELECT * FROM (SELECT `+audienceColumns+` FROM campaign_recipients cr WHERE cr.campaign_id = @cid) a,
		(SELECT `+outcomeColumns+` FROM recipient_outcomes o WHERE o.campaign_id = @cid) d`))
	g.Go(scan(&segs, `SELECT seg AS segment, `+audienceColumns+`, `+outcomeColumns+`
		FROM campaign_recipients cr`+outcomesJoin+`, unnest(cr.segments) AS seg WHERE cr.campaign_id = @cid
		GROUP BY seg ORDER BY count(*) DESC, seg`))
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
