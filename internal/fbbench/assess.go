package fbbench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
)

const assessGoal = 2 * time.Second

// assessSpec is a 1M-recipient campaign after a send: four overlapping
// segments, 97 % handed over with send_at spread over an hour, and a
// delivery and engagement mix in the recipient outcomes the assessment reads.
var assessSpec = seedSpec{
	status: "paused",
	segments: `(ARRAY[(ARRAY['newsletter','customers','trial','eu'])[1 + i % 4]]
		|| CASE WHEN i % 3 = 0 THEN ARRAY[(ARRAY['newsletter','customers','trial','eu'])[1 + (i + 1) % 4]] ELSE '{}'::text[] END
		|| CASE WHEN i % 10 = 0 THEN ARRAY[(ARRAY['newsletter','customers','trial','eu'])[1 + (i + 2) % 4]] ELSE '{}'::text[] END)`,
	cols:  `state, handed_at, send_at`,
	exprs: `x.state, x.h, x.h + interval '15 minutes'`,
	outcomeCols: `segments, delivery_state, delivery_rank, delivery_at, hard_bounced,
		opened_at, machine_opened_at, clicked_at, complained_at, unsubscribed_at`,
	outcomeExprs: `x.segments, CASE WHEN x.state <> 'handed' THEN '' WHEN i % 50 = 0 THEN 'bounced' WHEN i % 200 = 1 THEN 'blocked'
			WHEN i % 40 = 2 THEN 'deferred' WHEN i % 97 = 3 THEN 'processed' ELSE 'delivered' END,
		CASE WHEN x.state <> 'handed' THEN 0 WHEN i % 40 = 2 THEN 2 WHEN i % 97 = 3 THEN 1 ELSE 3 END,
		x.h + interval '16 minutes',
		x.state = 'handed' AND i % 100 = 0,
		CASE WHEN x.state = 'handed' AND i % 50 <> 0 AND i % 10 < 4 THEN x.h + interval '1 hour' END,
		CASE WHEN x.state = 'handed' AND i % 50 <> 0 AND i % 10 = 4 THEN x.h + interval '20 minutes' END,
		CASE WHEN x.state = 'handed' AND i % 50 <> 0 AND i % 10 = 1 THEN x.h + interval '65 minutes' END,
		CASE WHEN x.state = 'handed' AND i % 2000 = 5 THEN x.h + interval '2 hours' END,
		CASE WHEN x.state = 'handed' AND i % 500 = 7 THEN x.h + interval '2 hours' END`,
}

// assess builds a campaign of --assess-recipients recipients and five events
// each, then times the blast radius.
func (b *bench) assess(ctx context.Context) error {
	n := b.opt.assessRecipients
	db := b.st.store.SQL()
	base := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	spec := assessSpec
	// x: the handoff state and handed_at of recipient i: 97 % handed over an
	// hour from base, 1 % pending, 1 % in doubt, 1 % failed.
	spec.lateral = `, LATERAL (SELECT CASE WHEN i % 100 < 97 THEN 'handed' WHEN i % 100 = 97 THEN 'pending'
			WHEN i % 100 = 98 THEN 'in_doubt' ELSE 'failed' END AS state,
			CASE WHEN i % 100 < 97 OR i % 100 = 98 THEN '` + base.Format(time.RFC3339) +
		`'::timestamptz + (i % 3600) * interval '1 second' END AS h) x`
	t0 := time.Now()
	id, err := b.seedCampaign(ctx, "bench assessment", "a", "bench-assess-batch", n, spec)
	if err != nil {
		return err
	}
	tCR := time.Since(t0)
	t1 := time.Now()
	// Five events per recipient: processed, delivered (or bounce), open, click, open.
	if _, err := db.ExecContext(ctx, `INSERT INTO events (sg_event_id, natural_key, event, email, occurred_at, received_at,
		sg_message_id, campaign_id, recipient_id, bounce_kind, bounce_level, machine_open, url, raw)
		SELECT 'as-' || cr.message_id || '-' || k, cr.message_id || '.f|' || e.ev || '|' || extract(epoch FROM e.at)::bigint || e.u,
			e.ev, cr.email, e.at, e.at + interval '3 seconds', cr.message_id || '.f', cr.campaign_id, cr.recipient_id,
			CASE WHEN e.ev = 'bounce' THEN 'hard' ELSE '' END, CASE WHEN e.ev = 'bounce' THEN 'address' ELSE '' END,
			false, ltrim(e.u, '|'),
			jsonb_build_object('email', cr.email, 'event', e.ev, 'timestamp', extract(epoch FROM e.at)::bigint,
				'sg_event_id', 'as-' || cr.message_id || '-' || k, 'sg_message_id', cr.message_id || '.f',
				'category', jsonb_build_array('newsletter'), 'firebreak_campaign_id', cr.campaign_id,
				'firebreak_recipient_id', cr.recipient_id)
		FROM campaign_recipients cr LEFT JOIN recipient_outcomes o USING (campaign_id, recipient_id), generate_series(0, 4) k,
		LATERAL (SELECT (ARRAY['processed', CASE WHEN o.delivery_state = 'bounced' THEN 'bounce' ELSE 'delivered' END,
				'open', 'click', 'open'])[k + 1] AS ev,
			coalesce(cr.handed_at, $2::timestamptz) + k * interval '7 minutes' AS at,
			CASE WHEN k = 3 THEN '|https://news.bench.example/story/1' ELSE '' END AS u) e
		WHERE cr.campaign_id = $1`, id, base); err != nil {
		return fmt.Errorf("assessment events: %w", err)
	}
	tEv := time.Since(t1)
	t2 := time.Now()
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE campaign_recipients`); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE recipient_outcomes`); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE events`); err != nil {
		return err
	}
	tVac := time.Since(t2)
	var crRows, crAll, evRows, evAll int64
	var crMB, evMB int64
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1),
		(SELECT count(*) FROM campaign_recipients), (SELECT count(*) FROM events WHERE campaign_id = $1), (SELECT count(*) FROM events),
		pg_total_relation_size('campaign_recipients') / 1000000, pg_total_relation_size('events') / 1000000`, id).
		Scan(&crRows, &crAll, &evRows, &evAll, &crMB, &evMB); err != nil {
		return err
	}
	fmt.Printf("setup: campaign_recipients %s rows for the campaign (%s in the table, %s MB with indexes) in %s; "+
		"events %s rows for it (%s in the table, %s MB with indexes) in %s; VACUUM ANALYZE %s\n",
		thousands(crRows), thousands(crAll), thousands(crMB), secs(tCR), thousands(evRows), thousands(evAll), thousands(evMB),
		secs(tEv), secs(tVac))

	paused := base.Add(30 * time.Minute) // SendGrid accepted the pause half an hour into the hour of handoffs
	var times []time.Duration
	var last assess.BlastRadius
	b.meter.begin()
	for range 5 {
		s := time.Now()
		if last, err = b.st.store.BlastRadius(ctx, id, &paused); err != nil {
			return err
		}
		times = append(times, time.Since(s))
	}
	use := b.meter.end()
	first := times[0]
	slices.Sort(times)
	t := last.Totals
	fmt.Printf("assess  BlastRadius × 5 over %s recipients / %s events: min %s, median %s, max %s (first %s)%s\n        %s\n",
		thousands(crRows), thousands(evRows), ms(times[0]), ms(times[2]), ms(times[4]), ms(first),
		verdict(times[2] <= assessGoal && times[4] <= assessGoal, "≤ 2 s"), use)
	fmt.Printf("        totals: targeted %s, handed %s, held %s, delivered %s, opened %s, clicked %s, bounced %s, complained %s, unsubscribed %s; %d segments\n",
		thousands(int64(t.Targeted)), thousands(int64(t.HandedToESP)), thousands(int64(t.Held)), thousands(int64(t.Delivered)),
		thousands(int64(t.Opened)), thousands(int64(t.Clicked)), thousands(int64(t.Bounced)), thousands(int64(t.Complained)),
		thousands(int64(t.Unsubscribed)), len(last.BySegment))
	if t.Targeted != n {
		return fmt.Errorf("assess: targeted %d, want %d", t.Targeted, n)
	}
	return nil
}
