package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/firebreak/firebreak/domain/assess"
)

// audienceCounts are the audience part of a blast radius, over
// campaign_recipients cr. held: never handed over (pending, claimed, failed,
// cancelled), or handed over with a send_at at least 10 minutes after SendGrid
// accepted the pause (@paused, NULL when it has not); in-doubt recipients are
// possibly received.
var audienceCounts = []count{
	{"targeted", "true"},
	{"handed_to_esp", "cr.state = 'handed'"},
	{"held", `cr.state NOT IN ('handed', 'in_doubt') OR (cr.state = 'handed' AND CAST(@paused AS timestamptz) IS NOT NULL
		AND cr.send_at >= CAST(@paused AS timestamptz) + interval '10 minutes')`},
}

// outcomeCounts are the delivery part, over recipient_outcomes o.
var outcomeCounts = []count{
	{"delivered", "o.delivery_state = 'delivered'"},
	{"opened", "o.opened_at IS NOT NULL"},
	{"clicked", "o.clicked_at IS NOT NULL"},
	{"bounced", "o.delivery_state IN ('bounced', 'blocked')"},
	{"complained", "o.complained_at IS NOT NULL"},
	{"unsubscribed", "o.unsubscribed_at IS NOT NULL"},
}

// count is one number of a blast radius: its column name and which rows it counts.
type count struct{ name, cond string }

// bySegmentSQL counts, in one scan of table (aliased as alias, with the
// recipients' segments), every number per segment — a recipient in each of
// its segments — and again as first_<name> only in the recipient's first
// segment (or the NULL segment when it has none), whose sum is the total with
// each recipient counted once.
func bySegmentSQL(table, alias string, counts []count) string {
	var cols []string
	for _, c := range counts {
		cols = append(cols, fmt.Sprintf("count(*) FILTER (WHERE %s)::int AS %s", c.cond, c.name),
			fmt.Sprintf("count(*) FILTER (WHERE (%s) AND coalesce(u.n, 1) = 1)::int AS first_%s", c.cond, c.name))
	}
	return `SELECT u.seg AS segment, ` + strings.Join(cols, ",\n\t") + `
	FROM ` + table + ` ` + alias + ` LEFT JOIN LATERAL unnest(` + alias + `.segments) WITH ORDINALITY AS u(seg, n) ON true
	WHERE ` + alias + `.campaign_id = @cid GROUP BY u.seg`
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
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return s.db.WithContext(gctx).Raw(bySegmentSQL("campaign_recipients", "cr", audienceCounts), args).Scan(&audience).Error
	})
	g.Go(func() error {
		return s.db.WithContext(gctx).Raw(bySegmentSQL("recipient_outcomes", "o", outcomeCounts), args).Scan(&outcomes).Error
	})
	if err := g.Wait(); err != nil {
		return out, fmt.Errorf("blast radius of %s: %w", campaignID, translate(err, nil, nil))
	}
	segs := map[string]*assess.Numbers{}
	add := func(r countRow) {
		out.Totals = out.Totals.Add(r.numbers(true))
		if r.Segment == nil {
			return
		}
		n := segs[*r.Segment]
		if n == nil {
			n = &assess.Numbers{}
			segs[*r.Segment] = n
		}
		*n = n.Add(r.numbers(false))
	}
	for _, r := range audience {
		add(r)
	}
	for _, r := range outcomes {
		add(r)
	}
	for name, n := range segs {
		out.BySegment = append(out.BySegment, assess.Segment{Segment: name, Numbers: *n})
	}
	// The largest segments first.
	slices.SortFunc(out.BySegment, func(x, y assess.Segment) int {
		if c := cmp.Compare(y.Targeted, x.Targeted); c != 0 {
			return c
		}
		return strings.Compare(x.Segment, y.Segment)
	})
	return out, nil
}

// countRow is one scanned row of bySegmentSQL (gorm does not fill embedded
// structs from Raw); a query fills only its own counts.
type countRow struct {
	Segment                                                                     *string
	Targeted, HandedToESP, Held, Delivered, Opened, Clicked                     int
	Bounced, Complained, Unsubscribed                                           int
	FirstTargeted, FirstHandedToESP, FirstHeld, FirstDelivered                  int
	FirstOpened, FirstClicked, FirstBounced, FirstComplained, FirstUnsubscribed int
}

// numbers are the row's counts per segment, or (first) its share of the totals.
func (r countRow) numbers(first bool) assess.Numbers {
	if first {
		return assess.Numbers{Targeted: r.FirstTargeted, HandedToESP: r.FirstHandedToESP, Held: r.FirstHeld,
			Delivered: r.FirstDelivered, Opened: r.FirstOpened, Clicked: r.FirstClicked, Bounced: r.FirstBounced,
			Complained: r.FirstComplained, Unsubscribed: r.FirstUnsubscribed}
	}
	return assess.Numbers{Targeted: r.Targeted, HandedToESP: r.HandedToESP, Held: r.Held, Delivered: r.Delivered,
		Opened: r.Opened, Clicked: r.Clicked, Bounced: r.Bounced, Complained: r.Complained, Unsubscribed: r.Unsubscribed}
}
