package store

import (
	"context"
	"fmt"
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
// newly stored events only: move each recipient's delivery state by
// precedence, note first engagements, shift the campaigns' counters by the
// old→new transitions, and maintain the suppression list.
const ingestSQL = `
WITH input AS (
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::text[], $11::text[], $12::bool[], $13::text[], $14::text[], $15::text[],
		$16::int[], $17::bool[], $18::text[], $19::int[], $20::text[])
	AS t(sg_event_id, natural_key, event, email, occurred_at, sg_message_id, msg_prefix, cid, rid,
		bounce_kind, bounce_level, machine_open, url, raw, dstate, drank, hard, supp_kind, asm_group_id, reason)
),
attributed AS (
	SELECT i.*, COALESCE(a.campaign_id, m.campaign_id, e.campaign_id) AS campaign_id,
		COALESCE(a.recipient_id, m.recipient_id, e.recipient_id) AS recipient_id
	FROM input i
	LEFT JOIN campaign_recipients a ON a.campaign_id = NULLIF(i.cid, '')::uuid AND a.recipient_id = NULLIF(i.rid, '')::uuid
	LEFT JOIN LATERAL (SELECT cr.campaign_id, cr.recipient_id FROM campaign_recipients cr
		WHERE a.campaign_id IS NULL AND i.msg_prefix <> '' AND cr.message_id = i.msg_prefix AND cr.email = i.email
		LIMIT 1) m ON true
	LEFT JOIN LATERAL (SELECT cr.campaign_id, cr.recipient_id FROM campaign_recipients cr
		WHERE a.campaign_id IS NULL AND i.msg_prefix = '' AND i.email <> '' AND cr.email = i.email
		AND cr.state IN ('handed', 'in_doubt') ORDER BY cr.handed_at DESC NULLS LAST LIMIT 1) e ON true
),
ins AS (
	INSERT INTO events (sg_event_id, natural_key, event, email, occurred_at, received_at, sg_message_id,
		campaign_id, recipient_id, bounce_kind, bounce_level, machine_open, url, raw)
	SELECT sg_event_id, natural_key, event, email, occurred_at, $21, sg_message_id, campaign_id, recipient_id,
		bounce_kind, bounce_level, machine_open, url, raw::jsonb FROM attributed
	ON CONFLICT DO NOTHING
	RETURNING sg_event_id
),
fresh AS (SELECT a.* FROM attributed a JOIN ins USING (sg_event_id)),
agg AS (
	SELECT campaign_id, recipient_id, max(drank) AS d_rank,
		(array_agg(dstate ORDER BY drank DESC, occurred_at DESC))[1] AS d_state,
		(array_agg(occurred_at ORDER BY drank DESC, occurred_at DESC))[1] AS d_at,
		bool_or(hard) AS hard,
		min(occurred_at) FILTER (WHERE event = 'deferred') AS deferred_at,
		min(occurred_at) FILTER (WHERE event = 'open' AND NOT machine_open) AS opened_at,
		min(occurred_at) FILTER (WHERE event = 'open' AND machine_open) AS machine_opened_at,
		min(occurred_at) FILTER (WHERE event = 'click') AS clicked_at,
		min(occurred_at) FILTER (WHERE event = 'spamreport') AS complained_at,
		min(occurred_at) FILTER (WHERE event IN ('unsubscribe', 'group_unsubscribe')) AS unsubscribed_at
	FROM fresh WHERE recipient_id IS NOT NULL GROUP BY campaign_id, recipient_id
),
old AS (
	SELECT cr.campaign_id, cr.recipient_id, cr.delivery_state, cr.delivery_rank, cr.delivery_at, cr.deferred_at,
		cr.hard_bounced, cr.opened_at, cr.machine_opened_at, cr.clicked_at, cr.complained_at, cr.unsubscribed_at
	FROM campaign_recipients cr JOIN agg g ON g.campaign_id = cr.campaign_id AND g.recipient_id = cr.recipient_id
	FOR UPDATE OF cr
),
nxt AS (
	SELECT o.*, (g.d_rank > o.delivery_rank OR (g.d_rank = 3 AND o.delivery_rank = 3 AND g.d_at > o.delivery_at)) AS moves,
		g.d_state, g.d_rank, g.d_at,
		o.hard_bounced OR g.hard AS n_hard,
		LEAST(o.deferred_at, g.deferred_at) AS n_deferred, LEAST(o.opened_at, g.opened_at) AS n_opened,
		LEAST(o.machine_opened_at, g.machine_opened_at) AS n_machine, LEAST(o.clicked_at, g.clicked_at) AS n_clicked,
		LEAST(o.complained_at, g.complained_at) AS n_complained, LEAST(o.unsubscribed_at, g.unsubscribed_at) AS n_unsub
	FROM old o JOIN agg g USING (campaign_id, recipient_id)
),
upd AS (
	UPDATE campaign_recipients cr SET
		delivery_state = CASE WHEN n.moves THEN n.d_state ELSE n.delivery_state END,
		delivery_rank  = CASE WHEN n.moves THEN n.d_rank ELSE n.delivery_rank END,
		delivery_at    = CASE WHEN n.moves THEN n.d_at ELSE n.delivery_at END,
		deferred_at = n.n_deferred, hard_bounced = n.n_hard, opened_at = n.n_opened, machine_opened_at = n.n_machine,
		clicked_at = n.n_clicked, complained_at = n.n_complained, unsubscribed_at = n.n_unsub
	FROM nxt n WHERE cr.campaign_id = n.campaign_id AND cr.recipient_id = n.recipient_id
	RETURNING 1
),
deltas AS (
	SELECT campaign_id,
		sum(CASE WHEN moves THEN (d_state = 'delivered')::int - (delivery_state = 'delivered')::int ELSE 0 END) AS delivered,
		sum(CASE WHEN moves THEN (d_state = 'bounced')::int - (delivery_state = 'bounced')::int ELSE 0 END) AS bounced,
		sum(CASE WHEN moves THEN (d_state = 'blocked')::int - (delivery_state = 'blocked')::int ELSE 0 END) AS blocked,
		sum(CASE WHEN moves THEN (d_state = 'dropped')::int - (delivery_state = 'dropped')::int ELSE 0 END) AS dropped,
		count(*) FILTER (WHERE deferred_at IS NULL AND n_deferred IS NOT NULL) AS deferred,
		count(*) FILTER (WHERE NOT hard_bounced AND n_hard) AS hard_bounced,
		count(*) FILTER (WHERE opened_at IS NULL AND n_opened IS NOT NULL) AS opened,
		count(*) FILTER (WHERE machine_opened_at IS NULL AND n_machine IS NOT NULL) AS machine_opened,
		count(*) FILTER (WHERE clicked_at IS NULL AND n_clicked IS NOT NULL) AS clicked,
		count(*) FILTER (WHERE complained_at IS NULL AND n_complained IS NOT NULL) AS complained,
		count(*) FILTER (WHERE unsubscribed_at IS NULL AND n_unsub IS NOT NULL) AS unsubscribed
	FROM nxt GROUP BY campaign_id
),
camp AS (
	UPDATE campaigns c SET delivered = c.delivered + d.delivered, bounced = c.bounced + d.bounced,
		blocked = c.blocked + d.blocked, dropped = c.dropped + d.dropped, deferred = c.deferred + d.deferred,
		hard_bounced = c.hard_bounced + d.hard_bounced, opened = c.opened + d.opened,
		machine_opened = c.machine_opened + d.machine_opened, clicked = c.clicked + d.clicked,
		complained = c.complained + d.complained, unsubscribed = c.unsubscribed + d.unsubscribed, last_event_at = $21
	FROM deltas d WHERE c.id = d.campaign_id
	RETURNING c.id
),
supp AS (
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
)
SELECT (SELECT count(*) FROM ins)::int, (SELECT count(*) FROM fresh WHERE campaign_id IS NULL)::int,
	(SELECT coalesce(array_agg(id::text), '{}') FROM camp), (SELECT count(*) FROM supp)::int,
	(SELECT count(*) FROM resub)::int, (SELECT count(*) FROM upd)::int`

// IngestEvents stores a batch durably in one transaction (committed before it
// returns) and reports what it stored. Repeats of stored events change nothing.
func (s *Store) IngestEvents(ctx context.Context, recs []event.Record, received time.Time) (event.Result, error) {
	res := event.Result{Campaigns: []string{}}
	if len(recs) == 0 {
		return res, nil
	}
	n := len(recs)
	cols := struct {
		id, key, ev, email, msg, prefix, cid, rid, bk, bl, url, raw, dstate, supp, reason []string
		at                                                                                []time.Time
		machine, hard                                                                     []bool
		rank, group                                                                       []int32
	}{}
	for _, r := range recs {
		cols.id = append(cols.id, r.SGEventID)
		cols.key = append(cols.key, r.NaturalKey())
		cols.ev = append(cols.ev, r.Event.Event)
		cols.email = append(cols.email, r.Email)
		cols.at = append(cols.at, r.Timestamp)
		cols.msg = append(cols.msg, r.SGMessageID)
		cols.prefix = append(cols.prefix, r.MessagePrefix)
		cols.cid = append(cols.cid, r.CampaignID)
		cols.rid = append(cols.rid, r.RecipientID)
		cols.bk = append(cols.bk, r.BounceKind)
		cols.bl = append(cols.bl, r.BounceLevel)
		cols.machine = append(cols.machine, r.MachineOpen)
		cols.url = append(cols.url, r.URL)
		// jsonb refuses \u0000; everything else is kept byte for byte.
		cols.raw = append(cols.raw, strings.ReplaceAll(string(r.Raw), `\u0000`, `\ufffd`))
		cols.dstate = append(cols.dstate, r.DeliveryState)
		cols.rank = append(cols.rank, int32(r.Rank))
		cols.hard = append(cols.hard, r.HardBounce)
		cols.supp = append(cols.supp, r.Suppress)
		cols.group = append(cols.group, int32(r.ASMGroupID))
		cols.reason = append(cols.reason, r.Reason)
	}
	err := s.pgxTx(ctx, func(tx pgx.Tx) error {
		var supp, resub, touched int
		err := tx.QueryRow(ctx, ingestSQL, cols.id, cols.key, cols.ev, cols.email, cols.at, cols.msg, cols.prefix,
			cols.cid, cols.rid, cols.bk, cols.bl, cols.machine, cols.url, cols.raw, cols.dstate, cols.rank, cols.hard,
			cols.supp, cols.group, cols.reason, received).Scan(&res.Stored, &res.Unattributed, &res.Campaigns, &supp, &resub, &touched)
		if err != nil {
			return err
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
		return nil
	})
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
	if f.Unattributed {
		q = q.Where("campaign_id IS NULL")
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
