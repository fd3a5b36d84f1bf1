package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// The second pair of eyes (domain/campaign/review.go): approvals bound to a
// content hash, the draft's other authors, and the review a campaign was sent
// with. Every decision is the domain's; this file reads and writes them under
// the campaign's row lock, which edits (UpdateCampaign), approvals and the
// send (StartSend) all take, so they never interleave.

var _ campaign.ReviewRepo = (*Store)(nil)

// ReviewStates reads the review state of campaigns in three statements
// whatever their number (campaign.ReviewRepo).
func (s *Store) ReviewStates(ctx context.Context, ids []string) (map[string]campaign.ReviewState, error) {
	return reviewStates(ctx, s.db, ids)
}

func reviewStates(ctx context.Context, db *gorm.DB, ids []string) (map[string]campaign.ReviewState, error) {
	out := map[string]campaign.ReviewState{}
	if len(ids) == 0 {
		return out, nil
	}
	db = db.WithContext(ctx)
	var approvals []struct {
		CampaignID, UserID, Name, Comment, ContentHash string
		At                                             time.Time
	}
	if err := db.Raw(`SELECT a.campaign_id::text AS campaign_id, a.user_id::text AS user_id,
		coalesce(nullif(u.name, ''), u.email, '') AS name, a.comment, a.content_hash, a.at
		FROM campaign_review_approvals a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.campaign_id = ANY(?::uuid[]) AND a.withdrawn_at IS NULL ORDER BY a.at, a.id`, textArray(ids)).
		Scan(&approvals).Error; err != nil {
		return nil, fmt.Errorf("read review approvals: %w", translate(err, nil, nil))
	}
	for _, a := range approvals {
		st := out[a.CampaignID]
		st.Approvals = append(st.Approvals, campaign.ReviewApproval{UserID: a.UserID, Name: a.Name, At: a.At.UTC(),
			Comment: a.Comment, ContentHash: a.ContentHash})
		out[a.CampaignID] = st
	}
	var editors []struct{ CampaignID, UserID string }
	if err := db.Raw(`SELECT campaign_id::text AS campaign_id, user_id::text AS user_id FROM campaign_review_authors
		WHERE campaign_id = ANY(?::uuid[])`, textArray(ids)).Scan(&editors).Error; err != nil {
		return nil, fmt.Errorf("read review authors: %w", translate(err, nil, nil))
	}
	for _, e := range editors {
		st := out[e.CampaignID]
		st.Editors = append(st.Editors, e.UserID)
		out[e.CampaignID] = st
	}
	var sent []struct{ CampaignID, Review string }
	if err := db.Raw(`SELECT campaign_id::text AS campaign_id, review::text AS review FROM campaign_send_reviews
		WHERE campaign_id = ANY(?::uuid[])`, textArray(ids)).Scan(&sent).Error; err != nil {
		return nil, fmt.Errorf("read send reviews: %w", translate(err, nil, nil))
	}
	for _, r := range sent {
		var rv campaign.Review
		if err := json.Unmarshal([]byte(r.Review), &rv); err != nil {
			return nil, fmt.Errorf("send review of %s: %w", r.CampaignID, err)
		}
		st := out[r.CampaignID]
		st.Sent = &rv
		out[r.CampaignID] = st
	}
	return out, nil
}

// ApproveReview records an approval under the campaign's row lock
// (campaign.ReviewRepo); the same reviewer approving the same content again
// records nothing.
func (s *Store) ApproveReview(ctx context.Context, id string,
	decide func(campaign.Campaign, campaign.ReviewState) (campaign.ReviewApproval, audit.Entry, error)) error {
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		c, err := getCampaign(ctx, tx, id, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		states, err := reviewStates(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		a, entry, err := decide(c, states[id])
		if err != nil {
			return err
		}
		r := tx.Exec(`INSERT INTO campaign_review_approvals (campaign_id, user_id, content_hash, comment, at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, user_id, content_hash) WHERE withdrawn_at IS NULL DO NOTHING`,
			id, a.UserID, a.ContentHash, a.Comment, a.At)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		if r.RowsAffected == 0 {
			return nil // approved already: nothing changed
		}
		return writeCampaignAudit(ctx, tx, id, entry)
	})
	if err != nil {
		return fmt.Errorf("approve campaign %s: %w", id, err)
	}
	return nil
}

// recordDraftEdit is the review side of an edit of a draft (UpdateCampaign,
// under the row lock), when the edit changed the content hash: the editor
// becomes one of the draft's authors (who cannot approve it), and every live
// approval of another content is withdrawn, on the audit trail as
// campaign.review_withdrawn.
func recordDraftEdit(ctx context.Context, tx *gorm.DB, next campaign.Campaign, actor audit.Actor) error {
	if actor.UserID != "" && actor.UserID != next.CreatedBy {
		if err := tx.Exec(`INSERT INTO campaign_review_authors (campaign_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			next.ID, actor.UserID).Error; err != nil {
			return translate(err, nil, nil)
		}
	}
	hash := campaign.ContentHash(next)
	var withdrawn []struct{ UserID, ContentHash string }
	if err := tx.Raw(`UPDATE campaign_review_approvals SET withdrawn_at = now()
		WHERE campaign_id = ? AND withdrawn_at IS NULL AND content_hash <> ?
		RETURNING user_id::text AS user_id, content_hash`, next.ID, hash).Scan(&withdrawn).Error; err != nil {
		return translate(err, nil, nil)
	}
	if len(withdrawn) == 0 {
		return nil
	}
	approvals := make([]map[string]any, len(withdrawn))
	for i, w := range withdrawn {
		approvals[i] = map[string]any{"approved_by": w.UserID, "content_hash": w.ContentHash}
	}
	return writeCampaignAudit(ctx, tx, next.ID, audit.Entry{Actor: actor, Action: "campaign.review_withdrawn",
		SubjectType: "campaign", SubjectID: next.ID, Data: map[string]any{"approvals": approvals,
			"content_hash": hash, "reason": "the draft's content changed"}})
}

// checkSendReview is StartSend's gate, under the campaign's row lock with the
// audience just snapshotted: a draft that needs a review and has no approval
// for its current content is refused (*campaign.ReviewRequiredError, and the
// transaction rolls back); one that was approved keeps the review it is sent
// with, and its send entry names the approval.
func checkSendReview(ctx context.Context, tx *gorm.DB, c campaign.Campaign, audience int, now time.Time, a *audit.Entry) error {
	b, err := getBrand(ctx, tx, c.BrandID, "")
	if err != nil {
		return err
	}
	states, err := reviewStates(ctx, tx, []string{c.ID})
	if err != nil {
		return err
	}
	rv, err := campaign.CheckReview(c, audience, b, states[c.ID])
	if err != nil || rv == nil {
		return err
	}
	raw, err := json.Marshal(rv)
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO campaign_send_reviews (campaign_id, review, at) VALUES (?, ?::jsonb, ?)
		ON CONFLICT (campaign_id) DO UPDATE SET review = EXCLUDED.review, at = EXCLUDED.at`, c.ID, string(raw), now).Error; err != nil {
		return translate(err, nil, nil)
	}
	a.Data = audit.With(a.Data, "review_mode", string(rv.Mode), "review_approved_by", rv.Approval.UserID,
		"content_hash", rv.ContentHash)
	return nil
}
