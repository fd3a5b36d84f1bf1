package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// Recipients in doubt (domain/campaign/indoubt.go): the reconciler's step that
// settles them from SendGrid's events, and the marketer's release of what no
// event settled. Both lock the uncertain requests they change, in id order,
// before their recipients and the campaign row, like Finish does, so a late
// Finish of the same request waits for them or they for it.

// confirmSQL moves, in one statement, every in-doubt recipient of the given
// (locked) uncertain requests that has a recipient_outcomes row — written
// only for an event the webhook ingest attributed to this campaign recipient:
// by the custom args every Firebreak message carries, or (ingestSQL's last
// fallback, for events without a message id) by an address that has no
// handed recipient anywhere, where too the event is about mail SendGrid took
// for that address — to handed,
// with the request's time and send_at. A request none of whose recipients is
// left in doubt becomes accepted (SendGrid took it after all), and the
// campaigns' counters follow: in_doubt down, handed_to_esp up, one uncertain
// request less per settled request. The sub-statements see one snapshot, so
// "none left" is "as many moved as were in doubt".
const confirmSQL = `
WITH moved AS (
	UPDATE campaign_recipients cr SET state = 'handed', handed_at = h.created_at, send_at = h.send_at
	FROM handoff_requests h, recipient_outcomes o
	WHERE h.id IN ? AND h.state = 'uncertain' AND cr.request_id = h.id AND cr.state = 'in_doubt'
		AND o.campaign_id = cr.campaign_id AND o.recipient_id = cr.recipient_id` + notWithdrawn + `
	RETURNING cr.campaign_id, cr.request_id
),
per_request AS (SELECT request_id, campaign_id, count(*) AS n FROM moved GROUP BY request_id, campaign_id),
settled AS (
	UPDATE handoff_requests h SET state = 'accepted', finished_at = now(),
		error = 'confirmed by SendGrid events after: ' || h.error
	FROM per_request p
	WHERE h.id = p.request_id AND p.n = (SELECT count(*) FROM campaign_recipients cr
		WHERE cr.request_id = h.id AND cr.state IN ('in_doubt', 'claimed'))
	RETURNING h.campaign_id
),
deltas AS (
	SELECT p.campaign_id, sum(p.n)::int AS n,
		(SELECT count(*) FROM settled s WHERE s.campaign_id = p.campaign_id)::int AS settled
	FROM per_request p GROUP BY p.campaign_id
)
UPDATE campaigns c SET in_doubt = c.in_doubt - d.n, handed_to_esp = c.handed_to_esp + d.n,
	uncertain_requests = c.uncertain_requests - d.settled, updated_at = now()
FROM deltas d WHERE c.id = d.campaign_id
RETURNING c.id::text AS campaign_id, d.n, d.settled`

// notWithdrawn keeps recipients a fix withdrew (campaign_withdrawals) out of
// the settling: their outcome row may be about the withdrawn message (its
// "processed" event), not the one now in doubt, so it proves nothing and they
// stay in doubt — counted, never resent automatically.
const notWithdrawn = `
		AND NOT EXISTS (SELECT 1 FROM campaign_withdrawals w
			WHERE w.campaign_id = cr.campaign_id AND w.recipient_id = cr.recipient_id)`

// ConfirmInDoubt moves every in-doubt recipient for which SendGrid's events
// prove the handoff (see confirmSQL) to handed, adjusting the counters in the
// same transaction, with one audit entry per campaign; it returns how many
// recipients moved. Idempotent: a recipient moves once, and a run that finds
// nothing changes nothing.
func (s *Store) ConfirmInDoubt(ctx context.Context) (int, error) {
	total := 0
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		total = 0
		var ids []string
		if err := tx.Raw(`SELECT h.id FROM handoff_requests h WHERE h.state = 'uncertain'
			AND EXISTS (SELECT 1 FROM campaign_recipients cr JOIN recipient_outcomes o
				ON o.campaign_id = cr.campaign_id AND o.recipient_id = cr.recipient_id
				WHERE cr.request_id = h.id AND cr.state = 'in_doubt'` + notWithdrawn + `)
			ORDER BY h.id FOR UPDATE OF h`).Scan(&ids).Error; err != nil {
			return translate(err, nil, nil)
		}
		if len(ids) == 0 {
			return nil
		}
		var rows []struct {
			CampaignID string
			N          int
			Settled    int
		}
		if err := tx.Raw(confirmSQL, ids).Scan(&rows).Error; err != nil {
			return translate(err, nil, nil)
		}
		for _, r := range rows {
			total += r.N
			if err := writeAudit(ctx, tx, audit.Entry{Actor: audit.System, Action: "campaign.in_doubt_confirmed",
				SubjectType: "campaign", SubjectID: r.CampaignID,
				Data: map[string]any{"recipients": r.N, "requests_settled": r.Settled}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("confirm in-doubt recipients: %w", err)
	}
	return total, nil
}

// releaseSQL moves the in-doubt recipients of a campaign's uncertain requests
// whose deadline is before $2 and which no event has shown accepted (no
// recipient of theirs handed) back to pending, off the request (a late word
// on the old request must not touch them), and counts them per request.
const releaseSQL = `
WITH due AS (
	SELECT h.id FROM handoff_requests h
	WHERE h.campaign_id = ? AND h.state = 'uncertain' AND h.deadline < ?
		AND NOT EXISTS (SELECT 1 FROM campaign_recipients p WHERE p.request_id = h.id AND p.state = 'handed')
),
moved AS (
	UPDATE campaign_recipients cr SET state = 'pending', request_id = NULL
	FROM due WHERE cr.request_id = due.id AND cr.state = 'in_doubt'
	RETURNING due.id AS request_id
)
SELECT count(*)::int AS released, count(DISTINCT request_id)::int AS requests FROM moved`

// leftSQL counts what stays in doubt after a release: inside the wait (with
// the earliest such deadline), and in requests an event showed accepted.
const leftSQL = `
SELECT count(*) FILTER (WHERE h.deadline >= ?)::int AS waiting,
	min(h.deadline) FILTER (WHERE h.deadline >= ?) AS waiting_deadline,
	count(*) FILTER (WHERE h.deadline < ?)::int AS accepted
FROM handoff_requests h JOIN campaign_recipients cr ON cr.request_id = h.id AND cr.state = 'in_doubt'
WHERE h.campaign_id = ? AND h.state = 'uncertain'`

// ReleaseInDoubt implements campaign.InDoubtRepo (see there for the contract).
func (s *Store) ReleaseInDoubt(ctx context.Context, campaignID string, from []campaign.Status, before time.Time,
	errWrong error, a audit.Entry) (campaign.InDoubtRelease, error) {
	var out campaign.InDoubtRelease
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		out = campaign.InDoubtRelease{}
		// A status change like a pause or resume: the dispatch lock orders it
		// with Claims and pauses (dispatch_lock.go), the row lock with Finish.
		if _, err := lockExclusive(tx, campaignLockClass, campaignID); err != nil {
			return err
		}
		c, err := getCampaign(ctx, tx, campaignID, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		out.Campaign = c
		if !slices.Contains(from, c.Status) {
			return errWrong
		}
		if err := tx.Exec(`SELECT 1 FROM handoff_requests WHERE campaign_id = ? AND state = 'uncertain'
			ORDER BY id FOR UPDATE`, campaignID).Error; err != nil {
			return translate(err, nil, nil)
		}
		var moved struct{ Released, Requests int }
		if err := tx.Raw(releaseSQL, campaignID, before).Scan(&moved).Error; err != nil {
			return translate(err, nil, nil)
		}
		out.Released, out.Requests = moved.Released, moved.Requests
		var left struct {
			Waiting         int
			WaitingDeadline *time.Time
			Accepted        int
		}
		if err := tx.Raw(leftSQL, before, before, before, campaignID).Scan(&left).Error; err != nil {
			return translate(err, nil, nil)
		}
		out.Waiting, out.WaitingDeadline, out.Accepted = left.Waiting, left.WaitingDeadline, left.Accepted
		if out.Released == 0 {
			return nil
		}
		// A sent campaign has work again: it is sending until the released
		// recipients are handed over (markSentIfDone then sends it again).
		if err := tx.Exec(`UPDATE campaigns SET in_doubt = in_doubt - ?, status = 'sending', finished_at = NULL,
			updated_at = now() WHERE id = ?`, out.Released, campaignID).Error; err != nil {
			return translate(err, nil, nil)
		}
		a.Data = audit.With(a.Data, "recipients", out.Released, "requests", out.Requests,
			"still_in_doubt", out.Waiting+out.Accepted, "status_before", string(c.Status))
		if err := writeAudit(ctx, tx, a); err != nil {
			return err
		}
		out.Campaign, err = getCampaign(ctx, tx, campaignID, "")
		return err
	})
	if err != nil {
		if errors.Is(err, errWrong) {
			return out, err
		}
		return out, fmt.Errorf("release in-doubt recipients of %s: %w", campaignID, err)
	}
	return out, nil
}
