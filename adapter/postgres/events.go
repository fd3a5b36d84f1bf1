package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/event"
)

var _ event.Repo = (*Store)(nil)

// ingestSQL stores a batch in one statement: attribute each event (custom
// args, else the X-Message-Id prefix + address, else — for events without a
// message id, such as delayed bounces — the address's latest handoff), insert
// it unless its sg_event_id or natural key is already stored, then from the
// newly stored events only: move each recipient's outcome by precedence and
// note first engagements (one upsert per recipient, which also records the
// move in prev_state/changes), maintain the suppression list, and return the
// per-campaign counter deltas of those moves. countSQL applies the deltas in
// the same transaction, as its last statement, so the campaign row — which
// every batch of a campaign updates — is locked only briefly before commit.
const ingestSQL = `
WITH input AS (
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::bool[], $13::text[], $14::text[], $15::text[],
		$16::int[], $17::bool[], $18::text[], $19::bigint[], $20::text[])
	AS t(sg_event_id, natural_key, event, email, occurred_at, sg_message_id, msg_prefix, cid, rid,
		bounce_kind, bounce_level, machine_open, url, raw, dstate, drank, hard, supp_kind, asm_group_id, reason)
),
direct AS (
	SELECT i.*, a.campaign_id AS a_cid, a.recipient_id AS a_rid, a.segments AS a_segs
	FROM input i
	LEFT JOIN campaign_recipients a ON a.campaign_id = NULLIF(i.cid, '')::uuid AND a.recipient_id = NULLIF(i.rid, '')::uuid
),
attributed AS (
	SELECT d.*, d.a_cid AS campaign_id, d.a_rid AS recipient_id, d.a_segs AS segments FROM direct d WHERE d.a_cid IS NOT NULL
	UNION ALL -- the fallbacks only for events the custom args did not attribute
	SELECT d.*, COALESCE(m.campaign_id, e.campaign_id), COALESCE(m.recipient_id, e.recipient_id), COALESCE(m.segments, e.segments)
	FROM direct d
	LEFT JOIN LATERAL (SELECT cr.campaign_id, cr.recipient_id, cr.segments FROM campaign_recipients cr
		WHERE d.msg_prefix <> '' AND cr.message_id = d.msg_prefix AND cr.email = d.email
		LIMIT 1) m ON true
	LEFT JOIN LATERAL (SELECT cr.campaign_id, cr.recipient_id, cr.segments FROM campaign_recipients cr
		WHERE d.msg_prefix = '' AND d.email <> '' AND cr.email = d.email
		AND cr.state IN ('handed', 'in_doubt') ORDER BY cr.handed_at DESC NULLS LAST LIMIT 1) e ON true
	WHERE d.a_cid IS NULL
),
ins AS (
	INSERT INTO events (sg_event_id, natural_key, event, email, occurred_at, received_at, sg_message_id,
		campaign_id, recipient_id, bounce_kind, bounce_level, machine_open, url, raw)
	SELECT sg_event_id, natural_key, event, email, occurred_at, $21, sg_message_id, campaign_id, recipient_id,
		bounce_kind, bounce_level, machine_open, url, raw::jsonb FROM attributed
	ORDER BY sg_event_id -- one order of unique-index waits for concurrent batches
	ON CONFLICT DO NOTHING
	RETURNING sg_event_id
),
fresh AS (SELECT a.* FROM attributed a JOIN ins USING (sg_event_id)),
best AS ( -- each recipient's highest-ranked (then latest) outcome in the batch
	SELECT DISTINCT ON (campaign_id, recipient_id) campaign_id, recipient_id, dstate, drank, occurred_at
	FROM fresh WHERE recipient_id IS NOT NULL AND drank > 0
	ORDER BY campaign_id, recipient_id, drank DESC, occurred_at DESC
),
agg AS (
	SELECT g.campaign_id, g.recipient_id, g.segments, COALESCE(b.drank, 0) AS d_rank, COALESCE(b.dstate, '') AS d_state,
		b.occurred_at AS d_at, g.hard, g.deferred_at, g.opened_at, g.machine_opened_at, g.clicked_at, g.complained_at,
		g.unsubscribed_at
	FROM (SELECT campaign_id, recipient_id, max(segments) AS segments, bool_or(hard) AS hard,
			min(occurred_at) FILTER (WHERE event = 'deferred') AS deferred_at,
			min(occurred_at) FILTER (WHERE event = 'open' AND NOT machine_open) AS opened_at,
			min(occurred_at) FILTER (WHERE event = 'open' AND machine_open) AS machine_opened_at,
			min(occurred_at) FILTER (WHERE event = 'click') AS clicked_at,
			min(occurred_at) FILTER (WHERE event = 'spamreport') AS complained_at,
			min(occurred_at) FILTER (WHERE event IN ('unsubscribe', 'group_unsubscribe')) AS unsubscribed_at
		FROM fresh WHERE recipient_id IS NOT NULL GROUP BY campaign_id, recipient_id) g
	LEFT JOIN best b USING (campaign_id, recipient_id)
),
outcomes AS (
	INSERT INTO recipient_outcomes AS o (campaign_id, recipient_id, segments, delivery_state, delivery_rank, delivery_at,
		deferred_at, hard_bounced, opened_at, machine_opened_at, clicked_at, complained_at, unsubscribed_at,
		prev_state, changes)
	SELECT campaign_id, recipient_id, segments, d_state, d_rank, d_at,
		deferred_at, hard, opened_at, machine_opened_at, clicked_at, complained_at, unsubscribed_at, '',
		(deferred_at IS NOT NULL)::int | (hard::int << 1) | ((opened_at IS NOT NULL)::int << 2)
			| ((machine_opened_at IS NOT NULL)::int << 3) | ((clicked_at IS NOT NULL)::int << 4)
			| ((complained_at IS NOT NULL)::int << 5) | ((unsubscribed_at IS NOT NULL)::int << 6)
	FROM agg ORDER BY campaign_id, recipient_id -- one lock order for concurrent batches
	ON CONFLICT (campaign_id, recipient_id) DO UPDATE SET
		delivery_state = CASE WHEN ` + outcomeMoves + ` THEN EXCLUDED.delivery_state ELSE o.delivery_state END,
		delivery_rank  = CASE WHEN ` + outcomeMoves + ` THEN EXCLUDED.delivery_rank ELSE o.delivery_rank END,
		delivery_at    = CASE WHEN ` + outcomeMoves + ` THEN EXCLUDED.delivery_at ELSE o.delivery_at END,
		deferred_at = LEAST(o.deferred_at, EXCLUDED.deferred_at), hard_bounced = o.hard_bounced OR EXCLUDED.hard_bounced,
		opened_at = LEAST(o.opened_at, EXCLUDED.opened_at),
		machine_opened_at = LEAST(o.machine_opened_at, EXCLUDED.machine_opened_at),
		clicked_at = LEAST(o.clicked_at, EXCLUDED.clicked_at), complained_at = LEAST(o.complained_at, EXCLUDED.complained_at),
		unsubscribed_at = LEAST(o.unsubscribed_at, EXCLUDED.unsubscribed_at),
		prev_state = o.delivery_state,
		changes = (o.deferred_at IS NULL AND EXCLUDED.deferred_at IS NOT NULL)::int
			| ((NOT o.hard_bounced AND EXCLUDED.hard_bounced)::int << 1)
			| ((o.opened_at IS NULL AND EXCLUDED.opened_at IS NOT NULL)::int << 2)
			| ((o.machine_opened_at IS NULL AND EXCLUDED.machine_opened_at IS NOT NULL)::int << 3)
			| ((o.clicked_at IS NULL AND EXCLUDED.clicked_at IS NOT NULL)::int << 4)
			| ((o.complained_at IS NULL AND EXCLUDED.complained_at IS NOT NULL)::int << 5)
			| ((o.unsubscribed_at IS NULL AND EXCLUDED.unsubscribed_at IS NOT NULL)::int << 6)
	WHERE ` + outcomeMoves + ` OR (EXCLUDED.hard_bounced AND NOT o.hard_bounced)
		OR LEAST(o.deferred_at, EXCLUDED.deferred_at) IS DISTINCT FROM o.deferred_at
		OR LEAST(o.opened_at, EXCLUDED.opened_at) IS DISTINCT FROM o.opened_at
		OR LEAST(o.machine_opened_at, EXCLUDED.machine_opened_at) IS DISTINCT FROM o.machine_opened_at
		OR LEAST(o.clicked_at, EXCLUDED.clicked_at) IS DISTINCT FROM o.clicked_at
		OR LEAST(o.complained_at, EXCLUDED.complained_at) IS DISTINCT FROM o.complained_at
		OR LEAST(o.unsubscribed_at, EXCLUDED.unsubscribed_at) IS DISTINCT FROM o.unsubscribed_at
	RETURNING campaign_id, prev_state, delivery_state, changes
),
deltas AS ( -- every campaign the batch touched; rows the batch left unchanged (repeat opens) are not rewritten
	SELECT t.campaign_id::text AS id,
		coalesce(sum((delivery_state = 'delivered')::int - (prev_state = 'delivered')::int), 0)::int AS delivered,
		coalesce(sum((delivery_state = 'bounced')::int - (prev_state = 'bounced')::int), 0)::int AS bounced,
		coalesce(sum((delivery_state = 'blocked')::int - (prev_state = 'blocked')::int), 0)::int AS blocked,
		coalesce(sum((delivery_state = 'dropped')::int - (prev_state = 'dropped')::int), 0)::int AS dropped,
		count(*) FILTER (WHERE changes & 1 <> 0)::int AS deferred,
		count(*) FILTER (WHERE changes & 2 <> 0)::int AS hard_bounced,
		count(*) FILTER (WHERE changes & 4 <> 0)::int AS opened,
		count(*) FILTER (WHERE changes & 8 <> 0)::int AS machine_opened,
		count(*) FILTER (WHERE changes & 16 <> 0)::int AS clicked,
		count(*) FILTER (WHERE changes & 32 <> 0)::int AS complained,
		count(*) FILTER (WHERE changes & 64 <> 0)::int AS unsubscribed
	FROM (SELECT DISTINCT campaign_id FROM agg) t LEFT JOIN outcomes USING (campaign_id) GROUP BY t.campaign_id
),
` + suppressionCTEs + `
SELECT (SELECT count(*) FROM ins)::int, (SELECT count(*) FROM fresh WHERE campaign_id IS NULL)::int,
	(SELECT count(*) FROM supp)::int, (SELECT count(*) FROM resub)::int,
	coalesce(array_agg(id), '{}'), coalesce(array_agg(delivered), '{}'), coalesce(array_agg(bounced), '{}'),
	coalesce(array_agg(blocked), '{}'), coalesce(array_agg(dropped), '{}'), coalesce(array_agg(deferred), '{}'),
	coalesce(array_agg(hard_bounced), '{}'), coalesce(array_agg(opened), '{}'), coalesce(array_agg(machine_opened), '{}'),
	coalesce(array_agg(clicked), '{}'), coalesce(array_agg(complained), '{}'), coalesce(array_agg(unsubscribed), '{}')
FROM deltas`

// suppressionCTEs maintain the suppression list from a batch's newly stored
// events (CTE "fresh": email, supp_kind, asm_group_id, reason, event): upsert
// what the events suppress (a group unsubscribe per group, the rest globally),
// delete what a group resubscribe lifts. The campaign and the communication
// ingest statements share them, so both lists move alike.
const suppressionCTEs = `supp AS (
	INSERT INTO suppressions (email, kind, group_id, source, reason)
	SELECT DISTINCT ON (email, supp_kind, gid) email, supp_kind, gid, 'webhook', reason
	FROM (SELECT email, supp_kind, CASE WHEN supp_kind = 'group_unsubscribe' THEN asm_group_id ELSE 0 END AS gid, reason
		FROM fresh WHERE supp_kind <> '' AND email <> '') x
	ORDER BY email, supp_kind, gid
	ON CONFLICT (email, kind, group_id) DO UPDATE SET last_seen = now()
	RETURNING 1
),
resub AS (
	DELETE FROM suppressions s USING fresh f
	WHERE f.event = 'group_resubscribe' AND f.asm_group_id > 0 AND s.email = f.email
		AND s.kind = 'group_unsubscribe' AND s.group_id = f.asm_group_id
	RETURNING 1
)`

// outcomeMoves: the batch's outcome (EXCLUDED) replaces the stored one (o) —
// a higher rank, or a later final outcome (a bounce after a delivery).
const outcomeMoves = `(EXCLUDED.delivery_rank > o.delivery_rank
	OR (EXCLUDED.delivery_rank = 3 AND o.delivery_rank = 3 AND EXCLUDED.delivery_at > o.delivery_at))`

// countSQL shifts the campaigns' counters by a batch's deltas.
const countSQL = `UPDATE campaigns c SET delivered = c.delivered + d.delivered, bounced = c.bounced + d.bounced,
	blocked = c.blocked + d.blocked, dropped = c.dropped + d.dropped, deferred = c.deferred + d.deferred,
	hard_bounced = c.hard_bounced + d.hard_bounced, opened = c.opened + d.opened,
	machine_opened = c.machine_opened + d.machine_opened, clicked = c.clicked + d.clicked,
	complained = c.complained + d.complained, unsubscribed = c.unsubscribed + d.unsubscribed, last_event_at = $13
FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[],
	$10::int[], $11::int[], $12::int[])
	AS d(id, delivered, bounced, blocked, dropped, deferred, hard_bounced, opened, machine_opened, clicked, complained, unsubscribed)
WHERE c.id = d.id
RETURNING c.id::text`

// IngestEvents stores a batch durably in one transaction (committed before it
// returns) and reports what it stored. Repeats of stored events change nothing.
// A batch Postgres refuses for its data is event.ErrUnstorable, and nothing of
// it is stored. Events with a communication id (a step-5 message's mail, even
// if it also names a campaign) are stored by commIngestSQL in the same
// transaction and never reach ingestSQL, so they never count on a campaign.
func (s *Store) IngestEvents(ctx context.Context, recs []event.Record, received time.Time) (event.Result, error) {
	res := event.Result{Campaigns: []string{}, Communications: []string{}}
	if len(recs) == 0 {
		return res, nil
	}
	n := len(recs)
	// A communication's events go through their own statement, run only
	// when the batch has any (communication_events.go).
	var comm *eventCols
	if slices.ContainsFunc(recs, func(r event.Record) bool { return r.CommunicationID != "" }) {
		comm = &eventCols{}
		rest := make([]event.Record, 0, len(recs))
		for _, r := range recs {
			if r.CommunicationID != "" {
				comm.add(r)
			} else {
				rest = append(rest, r)
			}
		}
		recs = rest
	}
	var cols eventCols
	for _, r := range recs {
		cols.add(r)
	}
	store := func(tx pgx.Tx) error {
		res = event.Result{Campaigns: []string{}, Communications: []string{}} // run again after a deadlock
		var supp, resub int
		var d struct {
			ids                                                  []string
			delivered, bounced, blocked, dropped, deferred, hard []int32
			opened, machine, clicked, complained, unsubscribed   []int32
		}
		if len(recs) > 0 {
			err := tx.QueryRow(ctx, ingestSQL, cols.id, cols.key, cols.ev, cols.email, cols.at, cols.msg, cols.prefix,
				cols.cid, cols.rid, cols.bk, cols.bl, cols.machine, cols.url, cols.raw, cols.dstate, cols.rank, cols.hard,
				cols.supp, cols.group, cols.reason, received).Scan(&res.Stored, &res.Unattributed, &supp, &resub,
				&d.ids, &d.delivered, &d.bounced, &d.blocked, &d.dropped, &d.deferred, &d.hard, &d.opened, &d.machine,
				&d.clicked, &d.complained, &d.unsubscribed)
			if err != nil {
				return err
			}
		}
		var cd commDeltas
		if comm != nil {
			var err error
			if cd, err = ingestCommunicationEvents(ctx, tx, comm, received); err != nil {
				return err
			}
			res.Stored += cd.stored
			res.Unattributed += cd.unattributed
			supp += cd.supp
			resub += cd.resub
		}
		res.Duplicates = n - res.Stored
		res.Suppressed = supp
		if supp > 0 || resub > 0 {
			q, args, err := auditInsert(ctx, audit.Entry{Actor: audit.Webhook, Action: "suppression.webhook",
				SubjectType: "suppressions", Data: map[string]any{"upserted": supp, "resubscribed": resub, "events": res.Stored}})
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		// Last before commit: every batch of a campaign (or communication)
		// updates its row.
		if len(d.ids) > 0 {
			rows, err := tx.Query(ctx, countSQL, d.ids, d.delivered, d.bounced, d.blocked, d.dropped, d.deferred, d.hard,
				d.opened, d.machine, d.clicked, d.complained, d.unsubscribed, received)
			if err != nil {
				return err
			}
			if res.Campaigns, err = pgx.AppendRows(res.Campaigns, rows, pgx.RowTo[string]); err != nil {
				return err
			}
		}
		var err error
		res.Communications, err = countCommunications(ctx, tx, cd, received)
		return err
	}
	err := retrying(ctx, func() error { return s.pgxTx(ctx, store) })
	if refusesData(err) { // the same events would fail again: the service isolates and quarantines them
		return event.Result{}, fmt.Errorf("store %d events: %w: %w", n, event.ErrUnstorable, err)
	}
	if err != nil {
		return event.Result{}, fmt.Errorf("store %d events: %w", n, translate(err, nil, nil))
	}
	return res, nil
}

// ListEvents lists stored events, newest first.
func (s *Store) ListEvents(ctx context.Context, f event.Filter) ([]event.Stored, error) {
	q := s.db.WithContext(ctx).Table("events").Select(`id, sg_event_id, event, email, occurred_at, received_at,
		coalesce(campaign_id::text, '') AS campaign_id, coalesce(recipient_id::text, '') AS recipient_id,
		bounce_kind, bounce_level, raw::text AS raw`)
	if f.CampaignID != "" {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if f.Unattributed { // a communication's events are attributed, to it
		q = q.Where("campaign_id IS NULL AND communication_id IS NULL")
	}
	var rows []struct {
		ID                                               int64
		SGEventID, Event, Email                          string
		OccurredAt, ReceivedAt                           time.Time
		CampaignID, RecipientID, BounceKind, BounceLevel string
		Raw                                              string
	}
	if err := q.Order("id DESC").Limit(f.Limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]event.Stored, len(rows))
	for i, r := range rows {
		out[i] = event.Stored{ID: r.ID, SGEventID: r.SGEventID, Event: r.Event, Email: r.Email,
			OccurredAt: r.OccurredAt.UTC(), ReceivedAt: r.ReceivedAt.UTC(), CampaignID: r.CampaignID,
			RecipientID: r.RecipientID, BounceKind: r.BounceKind, BounceLevel: r.BounceLevel, Raw: []byte(r.Raw)}
	}
	return out, nil
}

// eventCols are a batch's events as the column arrays the ingest statements
// unnest (ingestSQL for campaigns, commIngestSQL for communications; each
// reads the columns it needs).
type eventCols struct {
	id, key, ev, email, msg, prefix, cid, comm, rid, bk, bl, url, raw, dstate, supp, reason []string
	at                                                                                      []time.Time
	machine, hard                                                                           []bool
	rank                                                                                    []int32
	group                                                                                   []int64
}

func (b *eventCols) add(r event.Record) {
	b.id = append(b.id, r.SGEventID)
	b.key = append(b.key, r.Key)
	b.ev = append(b.ev, r.Event.Event)
	b.email = append(b.email, r.Email)
	b.at = append(b.at, r.Timestamp)
	b.msg = append(b.msg, r.SGMessageID)
	b.prefix = append(b.prefix, r.MessagePrefix)
	b.cid = append(b.cid, r.CampaignID)
	b.comm = append(b.comm, r.CommunicationID)
	b.rid = append(b.rid, r.RecipientID)
	b.bk = append(b.bk, r.BounceKind)
	b.bl = append(b.bl, r.BounceLevel)
	b.machine = append(b.machine, r.MachineOpen)
	b.url = append(b.url, r.URL)
	// jsonb refuses \u0000; everything else is kept byte for byte.
	b.raw = append(b.raw, strings.ReplaceAll(string(r.Raw), `\u0000`, `\ufffd`))
	b.dstate = append(b.dstate, r.DeliveryState)
	b.rank = append(b.rank, int32(r.Rank))
	b.hard = append(b.hard, r.HardBounce)
	b.supp = append(b.supp, r.Suppress)
	// bigint, never int32(): a group id beyond integer's range fails the
	// suppression insert instead of wrapping into another group's id.
	b.group = append(b.group, int64(r.ASMGroupID))
	b.reason = append(b.reason, r.Reason)
}
