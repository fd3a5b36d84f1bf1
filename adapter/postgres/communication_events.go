package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// commIngestSQL stores the events of a batch that carry a communication id
// (a step-5 message's custom args), in one statement, as ingestSQL does for
// campaigns: attribute each by communication + recipient id, insert it unless
// its sg_event_id or natural key is already stored (campaign_id stays NULL:
// it never counts on the campaign the communication is about), then from the
// newly stored events only move each communication recipient's outcome by the
// same precedence (commOutcomeMoves), note first engagements, maintain the
// suppression list and return the per-communication counter deltas, which
// commCountSQL applies last in the transaction. It runs only for a batch with
// such events, so the campaign path costs nothing more.
const commIngestSQL = `
WITH input AS (
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::bool[], $12::text[], $13::text[], $14::text[], $15::int[], $16::bool[],
		$17::text[], $18::bigint[], $19::text[])
	AS t(sg_event_id, natural_key, event, email, occurred_at, sg_message_id, comm_id, rid,
		bounce_kind, bounce_level, machine_open, url, raw, dstate, drank, hard, supp_kind, asm_group_id, reason)
),
attributed AS (
	SELECT i.*, r.communication_id, r.recipient_id FROM input i
	LEFT JOIN communication_recipients r
		ON r.communication_id = NULLIF(i.comm_id, '')::uuid AND r.recipient_id = NULLIF(i.rid, '')::uuid
),
ins AS (
	INSERT INTO events (sg_event_id, natural_key, event, email, occurred_at, received_at, sg_message_id,
		communication_id, recipient_id, bounce_kind, bounce_level, machine_open, url, raw)
	SELECT sg_event_id, natural_key, event, email, occurred_at, $20, sg_message_id, communication_id, recipient_id,
		bounce_kind, bounce_level, machine_open, url, raw::jsonb FROM attributed
	ORDER BY sg_event_id -- one order of unique-index waits for concurrent batches
	ON CONFLICT DO NOTHING
	RETURNING sg_event_id
),
fresh AS (SELECT a.* FROM attributed a JOIN ins USING (sg_event_id)),
best AS ( -- each recipient's highest-ranked (then latest) outcome in the batch
	SELECT DISTINCT ON (communication_id, recipient_id) communication_id, recipient_id, dstate, drank, occurred_at
	FROM fresh WHERE recipient_id IS NOT NULL AND drank > 0
	ORDER BY communication_id, recipient_id, drank DESC, occurred_at DESC
),
agg AS (
	SELECT g.communication_id, g.recipient_id, COALESCE(b.drank, 0) AS d_rank, COALESCE(b.dstate, '') AS d_state,
		b.occurred_at AS d_at, g.hard, g.opened_at, g.clicked_at, g.complained_at, g.unsubscribed_at
	FROM (SELECT communication_id, recipient_id, bool_or(hard) AS hard,
			min(occurred_at) FILTER (WHERE event = 'open' AND NOT machine_open) AS opened_at,
			min(occurred_at) FILTER (WHERE event = 'click') AS clicked_at,
			min(occurred_at) FILTER (WHERE event = 'spamreport') AS complained_at,
			min(occurred_at) FILTER (WHERE event IN ('unsubscribe', 'group_unsubscribe')) AS unsubscribed_at
		FROM fresh WHERE recipient_id IS NOT NULL GROUP BY communication_id, recipient_id) g
	LEFT JOIN best b USING (communication_id, recipient_id)
),
moved AS ( -- rows the batch leaves unchanged (repeat opens) are not rewritten
	UPDATE communication_recipients r SET
		delivery_state = CASE WHEN ` + commOutcomeMoves + ` THEN a.d_state ELSE r.delivery_state END,
		delivery_rank  = CASE WHEN ` + commOutcomeMoves + ` THEN a.d_rank ELSE r.delivery_rank END,
		delivery_at    = CASE WHEN ` + commOutcomeMoves + ` THEN a.d_at ELSE r.delivery_at END,
		hard_bounced = r.hard_bounced OR a.hard, opened_at = LEAST(r.opened_at, a.opened_at),
		clicked_at = LEAST(r.clicked_at, a.clicked_at), complained_at = LEAST(r.complained_at, a.complained_at),
		unsubscribed_at = LEAST(r.unsubscribed_at, a.unsubscribed_at),
		prev_state = r.delivery_state,
		changes = ((NOT r.hard_bounced AND a.hard)::int << 1)
			| ((r.opened_at IS NULL AND a.opened_at IS NOT NULL)::int << 2)
			| ((r.clicked_at IS NULL AND a.clicked_at IS NOT NULL)::int << 4)
			| ((r.complained_at IS NULL AND a.complained_at IS NOT NULL)::int << 5)
			| ((r.unsubscribed_at IS NULL AND a.unsubscribed_at IS NOT NULL)::int << 6)
	FROM agg a
	WHERE r.communication_id = a.communication_id AND r.recipient_id = a.recipient_id
		AND (` + commOutcomeMoves + ` OR (a.hard AND NOT r.hard_bounced)
		OR LEAST(r.opened_at, a.opened_at) IS DISTINCT FROM r.opened_at
		OR LEAST(r.clicked_at, a.clicked_at) IS DISTINCT FROM r.clicked_at
		OR LEAST(r.complained_at, a.complained_at) IS DISTINCT FROM r.complained_at
		OR LEAST(r.unsubscribed_at, a.unsubscribed_at) IS DISTINCT FROM r.unsubscribed_at)
	RETURNING r.communication_id, r.prev_state, r.delivery_state, r.changes
),
deltas AS ( -- every communication the batch touched
	SELECT t.communication_id::text AS id,
		coalesce(sum((delivery_state = 'delivered')::int - (prev_state = 'delivered')::int), 0)::int AS delivered,
		coalesce(sum((delivery_state = 'bounced')::int - (prev_state = 'bounced')::int), 0)::int AS bounced,
		coalesce(sum((delivery_state = 'blocked')::int - (prev_state = 'blocked')::int), 0)::int AS blocked,
		coalesce(sum((delivery_state = 'dropped')::int - (prev_state = 'dropped')::int), 0)::int AS dropped,
		count(*) FILTER (WHERE changes & 2 <> 0)::int AS hard_bounced,
		count(*) FILTER (WHERE changes & 4 <> 0)::int AS opened,
		count(*) FILTER (WHERE changes & 16 <> 0)::int AS clicked,
		count(*) FILTER (WHERE changes & 32 <> 0)::int AS complained,
		count(*) FILTER (WHERE changes & 64 <> 0)::int AS unsubscribed
	FROM (SELECT DISTINCT communication_id FROM agg) t LEFT JOIN moved USING (communication_id) GROUP BY t.communication_id
),
` + suppressionCTEs + `
SELECT (SELECT count(*) FROM ins)::int, (SELECT count(*) FROM fresh WHERE communication_id IS NULL)::int,
	(SELECT count(*) FROM supp)::int, (SELECT count(*) FROM resub)::int,
	coalesce(array_agg(id), '{}'), coalesce(array_agg(delivered), '{}'), coalesce(array_agg(bounced), '{}'),
	coalesce(array_agg(blocked), '{}'), coalesce(array_agg(dropped), '{}'), coalesce(array_agg(hard_bounced), '{}'),
	coalesce(array_agg(opened), '{}'), coalesce(array_agg(clicked), '{}'), coalesce(array_agg(complained), '{}'),
	coalesce(array_agg(unsubscribed), '{}')
FROM deltas`

// commOutcomeMoves is outcomeMoves for a communication recipient (r) and the
// batch's outcome for it (a).
const commOutcomeMoves = `(a.d_rank > r.delivery_rank
	OR (a.d_rank = 3 AND r.delivery_rank = 3 AND a.d_at > r.delivery_at))`

// commCountSQL shifts the communications' counters by a batch's deltas.
const commCountSQL = `UPDATE communications c SET delivered = c.delivered + d.delivered, bounced = c.bounced + d.bounced,
	blocked = c.blocked + d.blocked, dropped = c.dropped + d.dropped, hard_bounced = c.hard_bounced + d.hard_bounced,
	opened = c.opened + d.opened, clicked = c.clicked + d.clicked, complained = c.complained + d.complained,
	unsubscribed = c.unsubscribed + d.unsubscribed, last_event_at = $11
FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[])
	AS d(id, delivered, bounced, blocked, dropped, hard_bounced, opened, clicked, complained, unsubscribed)
WHERE c.id = d.id
RETURNING c.id::text`

// commDeltas are what commIngestSQL returns for commCountSQL.
type commDeltas struct {
	ids                                        []string
	delivered, bounced, blocked, dropped, hard []int32
	opened, clicked, complained, unsubscribed  []int32
	stored, unattributed, supp, resub          int
}

// ingestCommunicationEvents runs commIngestSQL for b in tx.
func ingestCommunicationEvents(ctx context.Context, tx pgx.Tx, b *eventCols, received time.Time) (commDeltas, error) {
	var d commDeltas
	err := tx.QueryRow(ctx, commIngestSQL, b.id, b.key, b.ev, b.email, b.at, b.msg, b.comm, b.rid, b.bk, b.bl,
		b.machine, b.url, b.raw, b.dstate, b.rank, b.hard, b.supp, b.group, b.reason, received).Scan(
		&d.stored, &d.unattributed, &d.supp, &d.resub, &d.ids, &d.delivered, &d.bounced, &d.blocked, &d.dropped,
		&d.hard, &d.opened, &d.clicked, &d.complained, &d.unsubscribed)
	return d, err
}

// countCommunications applies d to the communications' counters; the last
// statement of the transaction, as for campaigns.
func countCommunications(ctx context.Context, tx pgx.Tx, d commDeltas, received time.Time) ([]string, error) {
	out := []string{}
	if len(d.ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, commCountSQL, d.ids, d.delivered, d.bounced, d.blocked, d.dropped, d.hard,
		d.opened, d.clicked, d.complained, d.unsubscribed, received)
	if err != nil {
		return nil, err
	}
	return pgx.AppendRows(out, rows, pgx.RowTo[string])
}
