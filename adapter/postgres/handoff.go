package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/campaign"
)

type claimedRow struct {
	RecipientID string
	Email       string
	FirstName   string
	LastName    string
	Attributes  string
}

// Claim writes one handoff request to the ledger and claims up to limit
// pending recipients into it, in one transaction that holds the campaign's
// dispatch lock shared (dispatch_lock.go): a pause asked for meanwhile waits
// for it to commit and then sees the request in flight, and a Claim that starts
// after the pause asked waits for the pause and claims nothing. Recipients are taken with SKIP LOCKED, so
// concurrent dispatchers never claim the same one. The canary wave goes first;
// the rest is claimable once the canary is handed over and its hold has passed.
func (s *Store) Claim(ctx context.Context, campaignID string, now, deadline time.Time, limit int) (campaign.ClaimResult, error) {
	var res campaign.ClaimResult
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		lockedAt, err := lockShared(tx, campaignLockClass, campaignID)
		if err != nil {
			return err
		}
		// No row lock: the dispatch lock orders Claim against status changes,
		// and Finish's counter updates must not wait for a claim.
		c, err := getCampaign(ctx, tx, campaignID, "")
		if err != nil {
			return err
		}
		res.Status = c.Status
		res.Remaining = c.Remaining()
		if c.Status != campaign.Sending {
			return nil
		}
		maxWave := 1
		if c.CanaryPercent > 0 {
			if c.CanaryReleaseAt == nil {
				release, err := canaryRelease(ctx, tx, c, now)
				if err != nil || release == nil {
					maxWave = 0 // canary still being handed over
				} else {
					c.CanaryReleaseAt = release
				}
			}
			if c.CanaryReleaseAt != nil && now.Before(*c.CanaryReleaseAt) {
				maxWave = 0
				res.CanaryReleaseAt = c.CanaryReleaseAt
			}
		}
		sendAt := now.Add(time.Duration(c.SendBufferSeconds) * time.Second).Truncate(time.Second)
		var reqID string
		// created_at: when this claim got the dispatch lock, so the ledger can
		// be checked against when a pause was asked for.
		// batch_id: the batch this request's messages go under (a fix moves
		// the campaign to a new one).
		if err := tx.Raw(`INSERT INTO handoff_requests (campaign_id, batch_id, wave, state, recipients, send_at, deadline, created_at)
			VALUES (?, ?, ?, 'sending', 0, ?, ?, ?) RETURNING id`, campaignID, c.BatchID, maxWave, sendAt, deadline, lockedAt).Scan(&reqID).Error; err != nil {
			return translate(err, nil, nil)
		}
		var rows []claimedRow
		err = tx.Raw(`WITH picked AS (
				SELECT recipient_id FROM campaign_recipients
				WHERE campaign_id = ? AND state = 'pending' AND wave <= ?
				ORDER BY wave, recipient_id LIMIT ? FOR UPDATE SKIP LOCKED)
			UPDATE campaign_recipients cr SET state = 'claimed', request_id = ?
			FROM picked WHERE cr.campaign_id = ? AND cr.recipient_id = picked.recipient_id
			RETURNING cr.recipient_id, cr.email, cr.first_name, cr.last_name, cr.attributes::text AS attributes`,
			campaignID, maxWave, limit, reqID, campaignID).Scan(&rows).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		if len(rows) == 0 {
			if err := tx.Exec(`DELETE FROM handoff_requests WHERE id = ?`, reqID).Error; err != nil {
				return translate(err, nil, nil)
			}
			// Nothing left (e.g. a fully handed-over campaign paused and
			// resumed): it is sent again once no request is in flight.
			return markSentIfDone(tx, campaignID)
		}
		if err := tx.Exec(`UPDATE handoff_requests SET recipients = ? WHERE id = ?`, len(rows), reqID).Error; err != nil {
			return translate(err, nil, nil)
		}
		brand, err := s.getBrandTx(ctx, tx, c.BrandID)
		if err != nil {
			return err
		}
		cl := &campaign.Claim{RequestID: reqID, Campaign: c, Brand: brand, Wave: maxWave, SendAt: sendAt,
			Deadline: deadline, Recipients: make([]campaign.Recipient, len(rows))}
		for i, r := range rows {
			v := campaign.Values{Email: r.Email, FirstName: r.FirstName, LastName: r.LastName}
			_ = json.Unmarshal([]byte(r.Attributes), &v.Attributes)
			cl.Recipients[i] = campaign.Recipient{ID: r.RecipientID, Values: v}
		}
		res.Claim = cl
		res.CanaryReleaseAt = nil
		return nil
	})
	if err != nil {
		return campaign.ClaimResult{}, fmt.Errorf("claim handoff for %s: %w", campaignID, err)
	}
	return res, nil
}

// canaryRelease fixes when the rest of a canary campaign may go: once no canary
// recipient is pending or in flight, at the canary's latest send_at plus the
// hold — the canary has then been delivered and watched for hold seconds.
func canaryRelease(ctx context.Context, tx *gorm.DB, c campaign.Campaign, now time.Time) (*time.Time, error) {
	var open int
	if err := tx.Raw(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND wave = 0
		AND state IN ('pending', 'claimed')`, c.ID).Scan(&open).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	if open > 0 {
		return nil, nil
	}
	var last *time.Time
	if err := tx.Raw(`SELECT max(send_at) FROM handoff_requests WHERE campaign_id = ? AND wave = 0 AND state = 'accepted'`,
		c.ID).Scan(&last).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	base := now
	if last != nil && last.After(now) {
		base = *last
	}
	release := base.Add(time.Duration(c.CanaryHoldSeconds) * time.Second).UTC()
	// Set once: concurrent claims race here, so UPDATE only if still unset.
	if err := tx.Exec(`UPDATE campaigns SET canary_release_at = ? WHERE id = ? AND canary_release_at IS NULL`,
		release, c.ID).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	return &release, nil
}

func (s *Store) getBrandTx(ctx context.Context, tx *gorm.DB, id string) (campaign.Brand, error) {
	var rows []brandRow
	if err := tx.WithContext(ctx).Raw(`SELECT `+brandCols+` FROM brands WHERE id = ?`, id).Scan(&rows).Error; err != nil {
		return campaign.Brand{}, translate(err, nil, nil)
	}
	if len(rows) == 0 {
		return campaign.Brand{}, campaign.ErrBrandNotFound
	}
	return toBrand(rows[0]), nil
}

// Finish records a request's outcome on its recipients, the request and the
// campaign's counters, and marks the campaign sent when nothing is left. It
// settles a request that is still sending, or one the reconciler abandoned as
// uncertain (the real outcome then replaces the guess); a settled request is
// left alone, so Finish is idempotent.
func (s *Store) Finish(ctx context.Context, requestID string, out campaign.Outcome, messageID, reason string) error {
	return s.retryTx(ctx, func(tx *gorm.DB) error {
		var req struct {
			CampaignID string
			State      string
			Recipients int
			SendAt     time.Time
		}
		err := tx.Raw(`SELECT campaign_id, state, recipients, send_at FROM handoff_requests WHERE id = ? FOR UPDATE`, requestID).Scan(&req).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		if req.State != "sending" && req.State != "uncertain" {
			return nil
		}
		wasAbandoned := req.State == "uncertain"
		if wasAbandoned && out == campaign.Uncertain {
			return nil
		}
		// what the outcome makes of each recipient, and which counter it feeds
		recipState, counter := outcomeEffects[out][0], outcomeEffects[out][1]
		set := `state = ?`
		args := []any{recipState}
		switch out {
		case campaign.Accepted:
			set += `, handed_at = now(), send_at = ?, message_id = ?`
			args = append(args, req.SendAt, messageID)
		case campaign.Retry:
			set += `, request_id = NULL`
		}
		r := tx.Exec(`UPDATE campaign_recipients SET `+set+` WHERE request_id = ? AND state IN ('claimed', 'in_doubt')`,
			append(args, requestID)...)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		n := r.RowsAffected
		if err := tx.Exec(`UPDATE handoff_requests SET state = ?, message_id = ?, error = ?, finished_at = now() WHERE id = ?`,
			string(out), messageID, reason, requestID).Error; err != nil {
			return translate(err, nil, nil)
		}
		upd := `updated_at = now()`
		var uargs []any
		if counter != "" {
			upd += fmt.Sprintf(`, %[1]s = %[1]s + ?`, counter)
			uargs = append(uargs, n)
		}
		if wasAbandoned { // the guess is replaced by the real outcome
			upd += `, in_doubt = in_doubt - ?, uncertain_requests = uncertain_requests - 1`
			uargs = append(uargs, n)
		}
		switch out {
		case campaign.RequestFailed:
			upd += `, failed_requests = failed_requests + 1, last_error = ?`
			uargs = append(uargs, reason)
		case campaign.Uncertain:
			upd += `, uncertain_requests = uncertain_requests + 1, last_error = ?`
			uargs = append(uargs, reason)
		}
		if err := tx.Exec(`UPDATE campaigns SET `+upd+` WHERE id = ?`, append(uargs, req.CampaignID)...).Error; err != nil {
			return translate(err, nil, nil)
		}
		return markSentIfDone(tx, req.CampaignID)
	})
}

var outcomeEffects = map[campaign.Outcome][2]string{
	campaign.Accepted:      {"handed", "handed_to_esp"},
	campaign.Retry:         {"pending", ""},
	campaign.RequestFailed: {"failed", "failed_recipients"},
	campaign.Uncertain:     {"in_doubt", "in_doubt"},
}

// markSentIfDone moves a sending campaign to sent once every recipient is
// handed over, failed, in doubt or cancelled (counters, no scan).
func markSentIfDone(tx *gorm.DB, campaignID string) error {
	return translate(tx.Exec(`UPDATE campaigns SET status = 'sent', finished_at = now()
		WHERE id = ? AND status = 'sending'
		AND handed_to_esp + failed_recipients + in_doubt + cancelled_recipients >= audience`, campaignID).Error, nil, nil)
}

// InFlight counts requests still sending before their deadline.
func (s *Store) InFlight(ctx context.Context, campaignID string, now time.Time) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Raw(`SELECT count(*) FROM handoff_requests
		WHERE campaign_id = ? AND state = 'sending' AND deadline > ?`, campaignID, now).Scan(&n).Error
	return n, translate(err, nil, nil)
}

// AbandonExpired marks requests still "sending" well past their deadline (the
// worker died mid-call) as uncertain: their recipients are in doubt, counted,
// and never resent automatically.
func (s *Store) AbandonExpired(ctx context.Context, now time.Time) (int, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM handoff_requests WHERE state = 'sending' AND deadline < ?`,
		now.Add(-5*time.Second)).Scan(&ids).Error
	if err != nil {
		return 0, translate(err, nil, nil)
	}
	for _, id := range ids {
		if err := s.Finish(ctx, id, campaign.Uncertain, "", "abandoned: the worker stopped before SendGrid answered"); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Handed lists the campaign's accepted requests grouped by send_at, oldest
// first: HandedFor of one campaign.
func (s *Store) Handed(ctx context.Context, campaignID string) ([]campaign.Handed, error) {
	m, err := s.HandedFor(ctx, []string{campaignID})
	if err != nil {
		return nil, err
	}
	if m[campaignID] == nil {
		return []campaign.Handed{}, nil
	}
	return m[campaignID], nil
}

// HandedFor is Handed of a whole page of campaigns in one grouped query
// (handoff_requests_campaign_idx): a campaign with no accepted request has no
// key.
func (s *Store) HandedFor(ctx context.Context, campaignIDs []string) (map[string][]campaign.Handed, error) {
	out := make(map[string][]campaign.Handed, len(campaignIDs))
	if len(campaignIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		CampaignID string
		SendAt     time.Time
		Count      int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT campaign_id::text AS campaign_id, send_at, sum(recipients)::int AS count
		FROM handoff_requests WHERE campaign_id = ANY(?::uuid[]) AND state = 'accepted'
		GROUP BY campaign_id, send_at ORDER BY campaign_id, send_at`, textArray(campaignIDs)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, nil, nil)
	}
	for _, r := range rows {
		out[r.CampaignID] = append(out[r.CampaignID], campaign.Handed{SendAt: r.SendAt.UTC(), Count: r.Count})
	}
	return out, nil
}

// Sending lists campaigns that are sending and still have recipients to hand over.
func (s *Store) Sending(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM campaigns WHERE status = 'sending'
		AND handed_to_esp + failed_recipients + in_doubt + cancelled_recipients < audience`).Scan(&ids).Error
	return ids, translate(err, nil, nil)
}

// ESPRetryDue lists campaigns whose last SendGrid pause, resume or cancel failed.
func (s *Store) ESPRetryDue(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM campaigns WHERE esp_state = 'failed'`).Scan(&ids).Error
	return ids, translate(err, nil, nil)
}

// RecipientOf returns the address a campaign sent to and its ASM group.
func (s *Store) RecipientOf(ctx context.Context, campaignID, recipientID string) (string, int, error) {
	var rows []struct {
		Email      string
		ASMGroupID *int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT cr.email, c.asm_group_id FROM campaign_recipients cr
		JOIN campaigns c ON c.id = cr.campaign_id WHERE cr.campaign_id = ? AND cr.recipient_id = ?`,
		campaignID, recipientID).Scan(&rows).Error
	if err != nil {
		return "", 0, translate(err, campaign.ErrNotFound, nil)
	}
	if len(rows) == 0 {
		return "", 0, campaign.ErrNotFound
	}
	g := 0
	if rows[0].ASMGroupID != nil {
		g = *rows[0].ASMGroupID
	}
	return rows[0].Email, g, nil
}

// UnsubscribeKey reads the server's unsubscribe-link key (made by the migration).
func (s *Store) UnsubscribeKey(ctx context.Context) ([]byte, error) {
	var v string
	err := s.db.WithContext(ctx).Raw(`SELECT value FROM settings WHERE key = 'unsubscribe_key'`).Scan(&v).Error
	if err != nil || v == "" {
		return nil, fmt.Errorf("read unsubscribe key: %w", translate(err, nil, nil))
	}
	return []byte(v), nil
}
