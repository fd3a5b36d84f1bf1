package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/firebreak/firebreak/domain/assess"
)

// affectedState is a recipient's state in the affected list, over
// campaign_recipients cr and recipient_outcomes o (NULL when SendGrid reported
// nothing): held by the blast radius's own rule first, then the furthest
// engagement (assess.State's precedence). Each branch matches one of the
// blast radius's FILTERs, so the rows per state add up to its numbers.
const affectedState = `CASE WHEN ` + heldCond + ` THEN 'held'
		WHEN o.complained_at IS NOT NULL THEN 'complained'
		WHEN o.unsubscribed_at IS NOT NULL THEN 'unsubscribed'
		WHEN o.clicked_at IS NOT NULL THEN 'clicked'
		WHEN o.opened_at IS NOT NULL THEN 'opened'
		WHEN o.delivery_state = 'delivered' THEN 'delivered'
		WHEN o.delivery_state IN ('bounced', 'blocked') THEN 'bounced'
		ELSE 'possibly_received' END`

// affectedSQL is one keyset page of the affected list: the primary key
// (campaign_id, recipient_id) gives the order and the start (recipient_id >
// @after), each row's outcome is one primary-key lookup, and the filters are
// applied on the way, so every page costs the same whatever its position.
const affectedSQL = `SELECT recipient_id, email, segments, state, handed_at, send_at FROM (
	SELECT cr.recipient_id, cr.email, cr.segments, ` + affectedState + ` AS state, cr.handed_at, cr.send_at
	FROM campaign_recipients cr
	LEFT JOIN recipient_outcomes o ON o.campaign_id = cr.campaign_id AND o.recipient_id = cr.recipient_id
	WHERE cr.campaign_id = @cid AND cr.recipient_id > CAST(@after AS uuid)
		AND (@segment = '' OR @segment = ANY (cr.segments))
	ORDER BY cr.recipient_id) a
WHERE @state = '' OR state = @state
LIMIT @n`

// minUUID sorts before every recipient id: the first page's after.
const minUUID = "00000000-0000-0000-0000-000000000000"

// ListAffected reads up to q.Limit of the campaign's audience after q.After in
// recipient_id order, with their states, filtered by q.State and q.Segment (a
// recipient in that segment of the audience snapshot). espPausedAt is when
// SendGrid accepted the pause, or nil, as for BlastRadius.
func (s *Store) ListAffected(ctx context.Context, campaignID string, espPausedAt *time.Time, q assess.AffectedQuery) ([]assess.Affected, error) {
	after := q.After
	if after == "" {
		after = minUUID
	}
	args := pgx.NamedArgs{"cid": campaignID, "paused": espPausedAt, "after": after,
		"segment": q.Segment, "state": string(q.State), "n": q.Limit}
	out := make([]assess.Affected, 0, q.Limit)
	err := s.pgxTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, affectedSQL, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a assess.Affected
			var state string
			if err := rows.Scan(&a.RecipientID, &a.Email, &a.Segments, &state, &a.HandedAt, &a.SendAt); err != nil {
				return err
			}
			a.State = assess.State(state)
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("affected of %s: %w", campaignID, translate(err, nil, nil))
	}
	return out, nil
}
