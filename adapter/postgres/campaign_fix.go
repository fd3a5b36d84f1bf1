package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// Edits and Fix, then resume (DESIGN.md): the campaign's content history,
// the withdrawal of what SendGrid held under a cancelled batch, and the
// release of that cancellation once it no longer matters.

// writeCampaignAudit writes a campaign's entry and, when the campaign has an
// open incident, the same entry on the incident (its timeline is where the
// people handling it read what was corrected and resumed).
func writeCampaignAudit(ctx context.Context, tx *gorm.DB, campaignID string, e audit.Entry) error {
	if err := writeAudit(ctx, tx, e); err != nil {
		return err
	}
	var incidents []string
	if err := tx.Raw(`SELECT id FROM incidents WHERE campaign_id = ? AND status = 'open'`, campaignID).Scan(&incidents).Error; err != nil {
		return translate(err, nil, nil)
	}
	for _, id := range incidents {
		m := e
		m.SubjectType, m.SubjectID = "incident", id
		m.Data = audit.With(e.Data, "campaign_id", campaignID)
		if err := writeAudit(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// UpdateCampaign changes a campaign under its row lock (campaign.FixRepo).
func (s *Store) UpdateCampaign(ctx context.Context, id string, change func(campaign.Campaign) (campaign.Campaign, *audit.Entry, error)) (campaign.Campaign, error) {
	var out campaign.Campaign
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		cur, err := getCampaign(ctx, tx, id, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		next, entry, err := change(cur)
		if err != nil {
			return err
		}
		out = cur
		if entry == nil {
			return nil
		}
		if next.ContentVersion != cur.ContentVersion {
			// Keep the content being replaced, once per version: the diff
			// of a later correction and what the held messages carried.
			if err := tx.Exec(`INSERT INTO campaign_contents (campaign_id, version, subject, html, text)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, cur.ContentVersion, cur.Subject, cur.HTML, cur.Text).Error; err != nil {
				return translate(err, nil, nil)
			}
		}
		var rows []campaignRow
		err = tx.Raw(`UPDATE campaigns c SET name = ?, subject = ?, html = ?, text = ?, segments = ?::text[],
			send_buffer_seconds = ?, canary_percent = ?, canary_hold_seconds = ?, asm_group_id = ?,
			content_version = ?, content_changed_at = ?, content_changed_by = ?, updated_at = now()
			WHERE c.id = ? RETURNING `+campaignCols,
			next.Name, next.Subject, next.HTML, next.Text, textArray(next.Segments), next.SendBufferSeconds,
			next.CanaryPercent, next.CanaryHoldSeconds, nullInt(next.ASMGroupID), next.ContentVersion,
			next.ContentChangedAt, next.ContentChangedBy, id).Scan(&rows).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		if len(rows) == 0 {
			return campaign.ErrNotFound
		}
		out = toCampaign(rows[0])
		if cur.Status == campaign.Draft {
			if campaign.ContentHash(cur) != campaign.ContentHash(out) { // the second pair of eyes saw other content
				if err := recordDraftEdit(ctx, tx, out, entry.Actor); err != nil {
					return err
				}
			}
			return writeAudit(ctx, tx, *entry)
		}
		return writeCampaignAudit(ctx, tx, id, *entry)
	})
	if err != nil {
		return out, fmt.Errorf("update campaign %s: %w", id, err)
	}
	return out, nil
}

// HandedContent is the content of one version of the campaign: the kept copy,
// or the campaign's own content when that version is the current one.
func (s *Store) HandedContent(ctx context.Context, campaignID string, version int) (campaign.Content, error) {
	var rows []struct{ Subject, HTML, Text string }
	err := s.db.WithContext(ctx).Raw(`SELECT subject, html, text FROM campaign_contents WHERE campaign_id = ? AND version = ?
		UNION ALL SELECT subject, html, text FROM campaigns WHERE id = ? AND content_version = ? LIMIT 1`,
		campaignID, version, campaignID, version).Scan(&rows).Error
	if err != nil {
		return campaign.Content{}, translate(err, campaign.ErrNotFound, nil)
	}
	if len(rows) == 0 {
		return campaign.Content{}, fmt.Errorf("campaign %s has no content version %d: %w", campaignID, version, campaign.ErrNotFound)
	}
	return campaign.Content{Subject: rows[0].Subject, HTML: rows[0].HTML, Text: rows[0].Text}, nil
}

// LatestSendAt is the latest send_at of the batch's requests SendGrid may
// have (accepted, in doubt, or still sending).
func (s *Store) LatestSendAt(ctx context.Context, campaignID, batchID string) (time.Time, error) {
	var t *time.Time
	err := s.db.WithContext(ctx).Raw(`SELECT max(send_at) FROM handoff_requests WHERE campaign_id = ? AND batch_id = ?
		AND state IN ('accepted', 'uncertain', 'sending')`, campaignID, batchID).Scan(&t).Error
	if err != nil || t == nil {
		return time.Time{}, translate(err, nil, nil)
	}
	return t.UTC(), nil
}

// ReleaseESP drops the caller's lease on SendGrid's plane, plane unchanged.
func (s *Store) ReleaseESP(ctx context.Context, campaignID string, entry audit.Entry) error {
	return s.retryTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE campaigns SET esp_busy_until = NULL, updated_at = now() WHERE id = ?`, campaignID).Error; err != nil {
			return translate(err, nil, nil)
		}
		return writeCampaignAudit(ctx, tx, campaignID, entry)
	})
}

// ResumeFixed is the ledger side of a fixed campaign's resume, in one
// transaction under the campaign's dispatch lock and row lock:
//   - the old batch's requests whose messages SendGrid held (send_at at or
//     after fr.WithdrawFrom; accepted, in doubt, or abandoned mid-call) become
//     withdrawn, each recipient's message recorded in campaign_withdrawals;
//   - their recipients go back to pending, to be claimed again under the new
//     batch with the corrected content; everyone else keeps their one message;
//   - the counters move (handed_to_esp and in_doubt down, withdrawn up), the
//     campaign gets the new batch, SendGrid's plane starts afresh, and it is
//     sending (or sent when nothing is left to hand over);
//   - the cancelled batch is recorded, to be released at fr.ReleaseAfter.
func (s *Store) ResumeFixed(ctx context.Context, fr campaign.FixResume) (campaign.Campaign, error) {
	var out campaign.Campaign
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		if _, err := lockExclusive(tx, campaignLockClass, fr.CampaignID); err != nil {
			return err
		}
		c, err := getCampaign(ctx, tx, fr.CampaignID, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		out = c
		switch {
		case c.Status != campaign.Paused:
			return campaign.ErrNotPaused
		case c.ContentVersion != fr.Version:
			return campaign.ErrContentChangedMeanwhile
		case c.BatchID != fr.OldBatch:
			return campaign.ErrNotPaused // another resume and pause came between
		}
		var moved struct {
			Handed, InDoubt, Total, UncertainRequests int
		}
		if fr.Cancelled {
			var reqs []struct {
				ID    string
				State string
			}
			if err := tx.Raw(`SELECT id, state FROM handoff_requests WHERE campaign_id = ? AND batch_id = ? AND send_at >= ?
				AND (state IN ('accepted', 'uncertain') OR (state = 'sending' AND deadline < ?)) FOR UPDATE`,
				fr.CampaignID, fr.OldBatch, fr.WithdrawFrom, fr.Now).Scan(&reqs).Error; err != nil {
				return translate(err, nil, nil)
			}
			ids := make([]string, len(reqs))
			for i, r := range reqs {
				ids[i] = r.ID
				if r.State == "uncertain" {
					moved.UncertainRequests++
				}
			}
			if len(ids) > 0 {
				if err := tx.Raw(`SELECT count(*) FILTER (WHERE state = 'handed') AS handed,
					count(*) FILTER (WHERE state = 'in_doubt') AS in_doubt, count(*) AS total
					FROM (SELECT state FROM campaign_recipients WHERE campaign_id = ? AND request_id = ANY(?::uuid[])
						AND state IN ('handed', 'in_doubt', 'claimed') FOR UPDATE) x`,
					fr.CampaignID, textArray(ids)).Scan(&moved).Error; err != nil {
					return translate(err, nil, nil)
				}
				if err := tx.Exec(`INSERT INTO campaign_withdrawals (campaign_id, recipient_id, request_id, withdrawn_at)
					SELECT campaign_id, recipient_id, request_id, ? FROM campaign_recipients
					WHERE campaign_id = ? AND request_id = ANY(?::uuid[]) AND state IN ('handed', 'in_doubt', 'claimed')
					ON CONFLICT DO NOTHING`, fr.Now, fr.CampaignID, textArray(ids)).Error; err != nil {
					return translate(err, nil, nil)
				}
				if err := tx.Exec(`UPDATE campaign_recipients SET state = 'pending', request_id = NULL, message_id = '',
					handed_at = NULL, send_at = NULL
					WHERE campaign_id = ? AND request_id = ANY(?::uuid[]) AND state IN ('handed', 'in_doubt', 'claimed')`,
					fr.CampaignID, textArray(ids)).Error; err != nil {
					return translate(err, nil, nil)
				}
				if err := tx.Exec(`UPDATE handoff_requests SET state = 'withdrawn', finished_at = coalesce(finished_at, ?)
					WHERE id = ANY(?::uuid[])`, fr.Now, textArray(ids)).Error; err != nil {
					return translate(err, nil, nil)
				}
			}
			if err := tx.Exec(`INSERT INTO campaign_batches (batch_id, campaign_id, cancelled_at, release_after)
				VALUES (?, ?, ?, ?) ON CONFLICT (batch_id) DO UPDATE SET release_after = greatest(campaign_batches.release_after, EXCLUDED.release_after)`,
				fr.OldBatch, fr.CampaignID, fr.Now, fr.ReleaseAfter).Error; err != nil {
				return translate(err, nil, nil)
			}
		}
		plane := ``
		if fr.Cancelled { // the new batch has no status at SendGrid; the caller's lease ends
			plane = `, esp_state = 'none', esp_state_at = NULL, esp_error = '', esp_busy_until = NULL`
		}
		var rows []campaignRow
		err = tx.Raw(`UPDATE campaigns c SET status = 'sending', batch_id = ?, handed_version = content_version,
			handed_to_esp = handed_to_esp - ?, in_doubt = in_doubt - ?, uncertain_requests = uncertain_requests - ?,
			withdrawn = withdrawn + ?, finished_at = NULL, updated_at = ?`+plane+`
			WHERE c.id = ? RETURNING `+campaignCols,
			fr.NewBatch, moved.Handed, moved.InDoubt, moved.UncertainRequests, moved.Total, fr.Now, fr.CampaignID).Scan(&rows).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		out = toCampaign(rows[0])
		e := fr.Entry
		e.Data = audit.With(e.Data, "withdrawn", moved.Total, "from", string(campaign.Paused), "to", string(campaign.Sending))
		if err := writeCampaignAudit(ctx, tx, fr.CampaignID, e); err != nil {
			return err
		}
		return markSentIfDone(tx, fr.CampaignID)
	})
	if err != nil {
		if errors.Is(err, campaign.ErrNotPaused) || errors.Is(err, campaign.ErrContentChangedMeanwhile) {
			return out, err
		}
		return out, fmt.Errorf("resume fixed campaign %s: %w", fr.CampaignID, err)
	}
	// markSentIfDone may have moved it on to sent: answer what is stored.
	return s.GetCampaign(ctx, fr.CampaignID)
}

// CancelledBatchesDue lists the cancelled batches whose release time passed.
func (s *Store) CancelledBatchesDue(ctx context.Context, now time.Time) ([]campaign.CancelledBatch, error) {
	var rows []struct {
		BatchID, CampaignID       string
		CancelledAt, ReleaseAfter time.Time
	}
	err := s.db.WithContext(ctx).Raw(`SELECT batch_id, campaign_id::text AS campaign_id, cancelled_at, release_after
		FROM campaign_batches WHERE released_at IS NULL AND release_after < ? ORDER BY release_after LIMIT 100`, now).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]campaign.CancelledBatch, len(rows))
	for i, r := range rows {
		out[i] = campaign.CancelledBatch{BatchID: r.BatchID, CampaignID: r.CampaignID,
			CancelledAt: r.CancelledAt.UTC(), ReleaseAfter: r.ReleaseAfter.UTC()}
	}
	return out, nil
}

// MarkBatchReleased records a released cancellation, or SendGrid's refusal.
func (s *Store) MarkBatchReleased(ctx context.Context, b campaign.CancelledBatch, at time.Time, errMsg string) error {
	return s.retryTx(ctx, func(tx *gorm.DB) error {
		if errMsg != "" {
			return translate(tx.Exec(`UPDATE campaign_batches SET release_error = ? WHERE batch_id = ?`, errMsg, b.BatchID).Error, nil, nil)
		}
		if err := tx.Exec(`UPDATE campaign_batches SET released_at = ?, release_error = '' WHERE batch_id = ?`, at, b.BatchID).Error; err != nil {
			return translate(err, nil, nil)
		}
		return writeAudit(ctx, tx, audit.Entry{Actor: audit.System, Action: "campaign.batch_released", SubjectType: "campaign",
			SubjectID: b.CampaignID, Data: map[string]any{"batch_id": b.BatchID, "cancelled_at": b.CancelledAt,
				"release_after": b.ReleaseAfter}})
	})
}
