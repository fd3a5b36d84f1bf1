package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
)

// claimCommunicationSQL takes the next @n pending recipients of a
// communication (SKIP LOCKED: concurrent handoffs take disjoint ones) and, in
// the same statement, re-checks each against the suppression list as of now:
// a suppressed one becomes skipped_suppressed (its first_of_kind cleared, as
// it was never mailed), the rest are claimed into request @req.
const claimCommunicationSQL = `WITH pick AS (
	SELECT recipient_id, EXISTS (SELECT 1 FROM suppressions s WHERE s.email = cr.email) AS suppressed
	FROM communication_recipients cr
	WHERE communication_id = @id AND state = 'pending'
	ORDER BY recipient_id LIMIT @n FOR UPDATE SKIP LOCKED
)
UPDATE communication_recipients cr
SET state = CASE WHEN pick.suppressed THEN 'skipped_suppressed' ELSE 'claimed' END,
	first_of_kind = cr.first_of_kind AND NOT pick.suppressed,
	request_id = CASE WHEN pick.suppressed THEN NULL ELSE CAST(@req AS uuid) END
FROM pick WHERE cr.communication_id = @id AND cr.recipient_id = pick.recipient_id
RETURNING cr.recipient_id, cr.email, cr.first_name, cr.last_name, cr.attributes::text AS attributes, pick.suppressed`

type commClaimedRow struct {
	RecipientID string
	Email       string
	FirstName   string
	LastName    string
	Attributes  string
	Suppressed  bool
}

// ClaimCommunication implements communication.Repo: one ledger request of up
// to limit recipients, written before anything is sent, under the
// communication's dispatch lock held shared (a pause or cancel takes it
// exclusively: it waits for the claim, and a claim after it sees the new status).
func (s *Store) ClaimCommunication(ctx context.Context, id string, _, sendAt, deadline time.Time, limit int) (communication.ClaimResult, error) {
	var res communication.ClaimResult
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		res = communication.ClaimResult{}
		// The dispatch lock shared (communications_pause.go): a pause or
		// cancel waits only for the claims already under way, and every
		// claim after it sees the new status. No row lock: Finish's counter
		// updates must not wait for a claim.
		if _, err := lockShared(tx, communicationLockClass, id); err != nil {
			return err
		}
		c, err := getCommunication(ctx, tx, id, "")
		if err != nil {
			return err
		}
		res.Status = c.Status
		if c.Status != communication.Sending {
			return nil
		}
		var reqID string
		if err := tx.Raw(`INSERT INTO communication_requests (communication_id, state, send_at, deadline)
			VALUES (?, 'sending', ?, ?) RETURNING id`, id, sendAt, deadline).Scan(&reqID).Error; err != nil {
			return translate(err, nil, nil)
		}
		var rows []commClaimedRow
		if err := tx.Raw(claimCommunicationSQL, map[string]any{"id": id, "n": limit, "req": reqID}).Scan(&rows).Error; err != nil {
			return translate(err, nil, nil)
		}
		cl := &communication.Claim{RequestID: reqID, Communication: c, SendAt: sendAt, Deadline: deadline}
		skipped := 0
		for _, r := range rows {
			if r.Suppressed {
				skipped++
				continue
			}
			v := campaign.Values{Email: r.Email, FirstName: r.FirstName, LastName: r.LastName}
			_ = json.Unmarshal([]byte(r.Attributes), &v.Attributes)
			cl.Recipients = append(cl.Recipients, communication.Recipient{ID: r.RecipientID, Values: v})
		}
		if skipped > 0 {
			if err := tx.Exec(`UPDATE communications SET skipped_suppressed = skipped_suppressed + ?, updated_at = now() WHERE id = ?`,
				skipped, id).Error; err != nil {
				return translate(err, nil, nil)
			}
		}
		if len(cl.Recipients) == 0 {
			// Nothing to send: drop the empty request; finish the communication
			// when nothing is pending or in flight any more.
			if err := tx.Exec(`DELETE FROM communication_requests WHERE id = ?`, reqID).Error; err != nil {
				return translate(err, nil, nil)
			}
			if len(rows) > 0 { // a batch of only suppressed recipients: ask again
				res.Claim = &communication.Claim{Communication: c}
				return nil
			}
			return tx.Exec(`UPDATE communications SET status = 'sent', updated_at = now() WHERE id = ? AND status = 'sending'
				AND NOT EXISTS (SELECT 1 FROM communication_recipients WHERE communication_id = ? AND state IN ('pending', 'claimed'))`,
				id, id).Error
		}
		if err := tx.Exec(`UPDATE communication_requests SET recipients = ? WHERE id = ?`, len(cl.Recipients), reqID).Error; err != nil {
			return translate(err, nil, nil)
		}
		brand, err := communicationBrand(ctx, tx, c.IncidentID)
		if err != nil {
			return err
		}
		cl.Brand = brand
		if err := tx.Raw(`SELECT campaign_id FROM incidents WHERE id = ?`, c.IncidentID).Scan(&cl.CampaignID).Error; err != nil {
			return translate(err, nil, nil)
		}
		res.Claim = cl
		return nil
	})
	if err != nil {
		return communication.ClaimResult{}, fmt.Errorf("claim for communication %s: %w", id, err)
	}
	return res, nil
}

// communicationBrand is the brand of the incident's campaign: its sender and
// default reply-to.
func communicationBrand(ctx context.Context, tx *gorm.DB, incidentID string) (campaign.Brand, error) {
	var brandID string
	if err := tx.WithContext(ctx).Raw(`SELECT c.brand_id FROM incidents i JOIN campaigns c ON c.id = i.campaign_id WHERE i.id = ?`,
		incidentID).Scan(&brandID).Error; err != nil {
		return campaign.Brand{}, translate(err, nil, nil)
	}
	var rows []brandRow
	if err := tx.WithContext(ctx).Raw(`SELECT * FROM brands WHERE id = ?`, brandID).Scan(&rows).Error; err != nil || len(rows) == 0 {
		return campaign.Brand{}, fmt.Errorf("brand of incident %s: %w", incidentID, translate(err, campaign.ErrBrandNotFound, nil))
	}
	return toBrand(rows[0]), nil
}

// FinishCommunication implements communication.Repo: accepted recipients
// become handed (counted), retry ones pending again, failed ones failed and
// uncertain ones in doubt (never resent); failed recipients free their
// first_of_kind, as they were never mailed.
func (s *Store) FinishCommunication(ctx context.Context, requestID string, out campaign.Outcome, messageID, reason string) error {
	return s.retryTx(ctx, func(tx *gorm.DB) error {
		var req struct {
			CommunicationID string
			State           string
			SendAt          time.Time
		}
		if err := tx.Raw(`SELECT communication_id, state, send_at FROM communication_requests WHERE id = ? FOR UPDATE`,
			requestID).Scan(&req).Error; err != nil {
			return translate(err, nil, nil)
		}
		if req.State != "sending" {
			return nil
		}
		var set string
		args := []any{}
		switch out {
		case campaign.Accepted:
			set, args = `state = 'handed', handed_at = now(), send_at = ?`, append(args, req.SendAt)
		case campaign.Retry:
			set = `state = 'pending', request_id = NULL`
		case campaign.RequestFailed:
			set = `state = 'failed', first_of_kind = false`
		default:
			set = `state = 'in_doubt'`
		}
		r := tx.Exec(`UPDATE communication_recipients SET `+set+` WHERE request_id = ? AND state = 'claimed'`, append(args, requestID)...)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		if err := tx.Exec(`UPDATE communication_requests SET state = ?, message_id = ?, error = ?, finished_at = now() WHERE id = ?`,
			string(out), messageID, reason, requestID).Error; err != nil {
			return translate(err, nil, nil)
		}
		if out == campaign.Accepted {
			if err := tx.Exec(`UPDATE communications SET handed_to_esp = handed_to_esp + ?, updated_at = now() WHERE id = ?`,
				r.RowsAffected, req.CommunicationID).Error; err != nil {
				return translate(err, nil, nil)
			}
		}
		return nil
	})
}

// AbandonExpiredCommunications implements communication.Repo: requests still
// sending past their deadline become uncertain and their claimed recipients
// in doubt, in one statement.
func (s *Store) AbandonExpiredCommunications(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Raw(`WITH gone AS (
		UPDATE communication_requests SET state = 'uncertain', error = 'abandoned: no outcome before the deadline', finished_at = now()
		WHERE state = 'sending' AND deadline < ? RETURNING id
	), doubt AS (
		UPDATE communication_recipients SET state = 'in_doubt' WHERE request_id IN (SELECT id FROM gone) AND state = 'claimed'
	)
	SELECT count(*)::int FROM gone`, now).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("abandon expired communication requests: %w", translate(err, nil, nil))
	}
	return n, nil
}

// SendingCommunications implements communication.Repo.
func (s *Store) SendingCommunications(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM communications WHERE status = 'sending' ORDER BY id`).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("sending communications: %w", translate(err, nil, nil))
	}
	return ids, nil
}
