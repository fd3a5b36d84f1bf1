package postgres

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
)

// communicationAudienceSQL marks every affected recipient of a communication,
// in one statement over the campaign's audience snapshot (DESIGN.md
// "Communicate", invariant 2):
//   - affected: by scope — possibly_received is handed to SendGrid and not
//     held (held: a send_at at least 10 minutes after SendGrid accepted the
//     pause, as the assessment counts it) or in doubt; delivered and opened
//     by the recipient's outcome — narrowed to @segs when any;
//   - suppressed: the address is in suppressions, any kind, now;
//   - already: this communication reached (or is handing to) them, or — unless
//     @incl — they are someone's first reach by another communication of the
//     same kind for the incident (communication_recipients_once_per_kind).
//
// suppressed and already are uncorrelated IN subqueries, not EXISTS: Postgres
// evaluates each once into a hash table (a hashed SubPlan) and looks every
// affected row up in it, where a correlated EXISTS is an index probe per row —
// and per reference, as the audience counts name marked's columns in four
// FILTERs (7 probes a row: 4 s at 100k affected, found by `make bench`). When a
// set is too big for work_mem the planner falls back to the probes. The columns
// are NOT NULL, so IN and EXISTS mean the same.
const communicationAudienceSQL = `WITH camp AS (
	SELECT CASE WHEN esp_state IN ('paused', 'cancelled') THEN esp_state_at END AS paused
	FROM campaigns WHERE id = @cid
), aff AS (
	SELECT cr.recipient_id, cr.email, cr.first_name, cr.last_name, cr.attributes
	FROM campaign_recipients cr CROSS JOIN camp
	LEFT JOIN recipient_outcomes o ON o.campaign_id = cr.campaign_id AND o.recipient_id = cr.recipient_id
	WHERE cr.campaign_id = @cid
	  AND (cardinality(CAST(@segs AS text[])) = 0 OR cr.segments && CAST(@segs AS text[]))
	  AND CASE CAST(@scope AS text)
		WHEN 'delivered' THEN coalesce(o.delivery_state = 'delivered', false)
		WHEN 'opened' THEN o.opened_at IS NOT NULL
		ELSE cr.state = 'in_doubt' OR (cr.state = 'handed'
			AND NOT coalesce(cr.send_at >= camp.paused + interval '10 minutes', false))
	  END
), marked AS (
	SELECT aff.*,
		aff.email IN (SELECT s.email FROM suppressions s) AS suppressed,
		aff.recipient_id IN (SELECT x.recipient_id FROM communication_recipients x WHERE x.communication_id = CAST(@comm AS uuid)
			AND x.state IN ('claimed', 'handed', 'in_doubt'))
		OR (NOT CAST(@incl AS boolean) AND aff.recipient_id IN (SELECT x.recipient_id FROM communication_recipients x
			WHERE x.incident_id = CAST(@inc AS uuid) AND x.kind = @kind
			  AND x.first_of_kind AND x.communication_id IS DISTINCT FROM CAST(@comm AS uuid))) AS already
	FROM aff
)`

func audienceArgs(c communication.Communication, campaignID string) map[string]any {
	var comm any
	if c.ID != "" {
		comm = c.ID
	}
	return map[string]any{"cid": campaignID, "segs": textArray(c.Segments), "scope": string(c.Scope), "comm": comm,
		"incl": c.IncludePrevious, "inc": c.IncidentID, "kind": string(c.Kind)}
}

// Audience counts c's audience now. A suppressed recipient counts in
// suppressed only (not also in already_received); will_receive is the rest.
func (s *Store) Audience(ctx context.Context, c communication.Communication, campaignID string) (communication.Audience, error) {
	var a communication.Audience
	err := s.db.WithContext(ctx).Raw(communicationAudienceSQL+` SELECT count(*)::int AS affected,
		count(*) FILTER (WHERE suppressed)::int AS suppressed,
		count(*) FILTER (WHERE NOT suppressed AND already)::int AS already_received,
		count(*) FILTER (WHERE NOT suppressed AND NOT already)::int AS will_receive
		FROM marked`, audienceArgs(c, campaignID)).Scan(&a).Error
	if err != nil {
		return a, fmt.Errorf("audience of communication %s: %w", c.ID, translate(err, nil, nil))
	}
	return a, nil
}

// communicationKindLockClass is the lock that serialises the sends of one
// kind for one incident (an advisory lock keyed by incident and kind, held to
// the end of StartSendCommunication's transaction).
const communicationKindLockClass = 0x46420003 // "FB" + 3: the per-(incident, kind) send lock

// StartSendCommunication snapshots will_receive into communication_recipients and moves the
// communication to sending, in one transaction under the communication's row
// lock (a concurrent second send waits, then finds it sending:
// ErrAlreadySending).
//
// Nobody gets two of a kind unless the author included them: the sends of one
// kind for one incident take the per-(incident, kind) lock before the
// snapshot, so a second one waits for the first to commit and its snapshot
// (a new statement, so a new snapshot under READ COMMITTED) sees the first's
// rows as already reached. The snapshot is then a plain INSERT … SELECT: no
// ON CONFLICT, whose speculative insertion costs an extra index search and
// WAL record per row (1M rows: found by `make bench`). The unique key
// communication_recipients_once_per_kind stays the backstop: should anything
// else ever write a first reach concurrently, the send fails whole with a
// unique violation and changes nothing, rather than mailing anyone twice.
//
// The rows go in in claim order (ORDER BY recipient_id, the order
// ClaimCommunication takes them): the primary key and the pending index are
// appended to at their right edge instead of at a random leaf per row, and a
// claim's 1000 rows sit on a few dozen heap pages instead of up to 1000.
func (s *Store) StartSendCommunication(ctx context.Context, id, campaignID, batchID string, now time.Time, a audit.Entry) (communication.Communication, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := getCommunication(ctx, tx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		if c.Status != communication.Draft && c.Status != communication.Approved {
			return communication.ErrAlreadySending
		}
		// Invariants 4 and 7, in the send's own transaction under the row
		// lock: an edit that committed first has withdrawn the approvals.
		active, err := activeApprovals(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		if err := communication.CheckApprovals(c, active[id]); err != nil {
			return err
		}
		if _, err := lockExclusive(tx, communicationKindLockClass, c.IncidentID+"/"+string(c.Kind)); err != nil {
			return err
		}
		args := audienceArgs(c, campaignID)
		res := tx.Exec(communicationAudienceSQL+` INSERT INTO communication_recipients (communication_id, recipient_id,
			incident_id, kind, first_of_kind, email, first_name, last_name, attributes)
			SELECT CAST(@comm AS uuid), m.recipient_id, CAST(@inc AS uuid), @kind,
				m.recipient_id NOT IN (SELECT x.recipient_id FROM communication_recipients x WHERE x.incident_id = CAST(@inc AS uuid)
					AND x.kind = @kind AND x.first_of_kind),
				m.email, m.first_name, m.last_name, m.attributes
			FROM marked m WHERE NOT m.suppressed AND NOT m.already
			ORDER BY m.recipient_id`, args)
		if res.Error != nil {
			return translate(res.Error, nil, nil)
		}
		if err := tx.Exec(`UPDATE communications SET status = 'sending', batch_id = ?, audience = ?, sent_at = ?,
			sent_content_hash = content_hash, updated_at = now() WHERE id = ?`, batchID, res.RowsAffected, now, id).Error; err != nil {
			return translate(err, nil, nil)
		}
		a.Data = audit.With(a.Data, "audience", res.RowsAffected, "batch_id", batchID, "content_hash", c.ContentHash,
			"approvals", active[id])
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return communication.Communication{}, fmt.Errorf("start sending communication %s: %w", id, err)
	}
	return s.GetCommunication(ctx, id)
}
