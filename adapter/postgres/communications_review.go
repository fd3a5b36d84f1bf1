package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/communication"
)

var (
	_ communication.ReviewRepo = (*Store)(nil)
	_ communication.Reviewers  = (*Store)(nil)
)

type approvalRow struct {
	CommunicationID string
	Role            string
	UserID          string
	Decision        string
	Comment         string
	ContentHash     string
	At              time.Time
}

// activeApprovals reads the active decisions of the communications, oldest first.
func activeApprovals(ctx context.Context, db *gorm.DB, ids []string) (map[string][]communication.Approval, error) {
	out := map[string][]communication.Approval{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []approvalRow
	err := db.WithContext(ctx).Raw(`SELECT communication_id, role, user_id, decision, comment, content_hash, at
		FROM communication_approvals WHERE communication_id = ANY(CAST(? AS uuid[])) AND withdrawn_at IS NULL
		ORDER BY at, id`, textArray(ids)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", translate(err, nil, nil))
	}
	for _, r := range rows {
		out[r.CommunicationID] = append(out[r.CommunicationID], communication.Approval{Role: r.Role, UserID: r.UserID,
			Decision: r.Decision, Comment: r.Comment, At: r.At.UTC(), ContentHash: r.ContentHash})
	}
	return out, nil
}

// withdrawApprovals ends the current round of a communication's decisions.
func withdrawApprovals(tx *gorm.DB, id, reason string) (int64, error) {
	res := tx.Exec(`UPDATE communication_approvals SET withdrawn_at = now(), withdrawn_reason = ?
		WHERE communication_id = ? AND withdrawn_at IS NULL`, reason, id)
	return res.RowsAffected, translate(res.Error, nil, nil)
}

// ActiveApprovals returns each communication's active decisions.
func (s *Store) ActiveApprovals(ctx context.Context, ids []string) (map[string][]communication.Approval, error) {
	return activeApprovals(ctx, s.db, ids)
}

// SubmitCommunication moves a draft to in_review or approved under its row
// lock, starting a new round (earlier decisions, such as a rejection, are
// withdrawn).
func (s *Store) SubmitCommunication(ctx context.Context, id string, status communication.Status, a audit.Entry) (communication.Communication, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := getCommunication(ctx, tx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		if c.Status != communication.Draft {
			return communication.ErrNotSubmittable
		}
		if _, err := withdrawApprovals(tx, id, "resubmitted"); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE communications SET status = ?, submitted_at = now(), updated_at = now() WHERE id = ?`,
			string(status), id).Error; err != nil {
			return translate(err, nil, nil)
		}
		a.Data = audit.With(a.Data, "content_hash", c.ContentHash)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return communication.Communication{}, fmt.Errorf("submit communication %s: %w", id, err)
	}
	return s.GetCommunication(ctx, id)
}

// ReviewCommunication applies one decision under the communication's row
// lock. The partial unique indexes (one active approval per role and per
// person) back the domain's checks: a racing second approval that slipped
// past them is refused as already_approved.
func (s *Store) ReviewCommunication(ctx context.Context, id string,
	decide func(c communication.Communication, active []communication.Approval) (communication.Review, error)) (communication.Communication, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := getCommunication(ctx, tx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		m, err := activeApprovals(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		rv, err := decide(c, m[id])
		if err != nil {
			return err
		}
		if rv.WithdrawAll != "" {
			if _, err := withdrawApprovals(tx, id, rv.WithdrawAll); err != nil {
				return err
			}
		}
		if a := rv.Add; a != nil {
			// Inserted after the withdrawal: a rejection stays visible (active)
			// until the next edit or submission starts a new round.
			err := tx.Exec(`INSERT INTO communication_approvals (communication_id, role, user_id, decision, comment, content_hash, at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, id, a.Role, a.UserID, a.Decision, a.Comment, a.ContentHash, a.At).Error
			if err != nil {
				return translate(err, nil, communication.ErrAlreadyApproved)
			}
		}
		if rv.Status != c.Status {
			if err := tx.Exec(`UPDATE communications SET status = ?, updated_at = now() WHERE id = ?`,
				string(rv.Status), id).Error; err != nil {
				return translate(err, nil, nil)
			}
		}
		for _, e := range rv.Entries {
			if err := writeAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return communication.Communication{}, fmt.Errorf("review communication %s: %w", id, err)
	}
	return s.GetCommunication(ctx, id)
}

// InReview lists the communications in review, oldest submission first.
func (s *Store) InReview(ctx context.Context) ([]communication.Communication, error) {
	var rows []communicationRow
	err := s.db.WithContext(ctx).Raw(`SELECT ` + communicationCols + ` FROM communications
		WHERE status = 'in_review' ORDER BY submitted_at NULLS LAST, created_at, id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("communications in review: %w", translate(err, nil, nil))
	}
	out := make([]communication.Communication, len(rows))
	for i, r := range rows {
		out[i] = toCommunication(r)
	}
	return out, nil
}

// ReviewerEmails returns the emails of enabled users holding any of roles.
func (s *Store) ReviewerEmails(ctx context.Context, roles []string) ([]string, error) {
	var emails []string
	rs := make([]string, 0, len(roles))
	for _, r := range roles {
		if r != string(auth.Admin) {
			rs = append(rs, r)
		}
	}
	err := s.db.WithContext(ctx).Raw(`SELECT email FROM users WHERE disabled_at IS NULL AND roles && CAST(? AS text[])
		ORDER BY email`, textArray(rs)).Scan(&emails).Error
	if err != nil {
		return nil, fmt.Errorf("reviewers: %w", translate(err, nil, nil))
	}
	return emails, nil
}

// recordVersion keeps c's content under its hash (once: restoring an earlier
// text keeps the first time it was written).
func recordVersion(tx *gorm.DB, c communication.Communication, by string) error {
	err := tx.Exec(`INSERT INTO communication_versions (communication_id, content_hash, subject, html, text, reply_to,
		scope, segments, include_previous, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (communication_id, content_hash) DO NOTHING`, c.ID, c.ContentHash, c.Subject, c.HTML, c.Text,
		c.ReplyTo, string(c.Scope), textArray(c.Segments), c.IncludePrevious, nullStr(by)).Error
	return translate(err, nil, nil)
}

// CommunicationHistory returns every version of a communication's content
// (oldest first) and every decision on it, withdrawn ones included.
func (s *Store) CommunicationHistory(ctx context.Context, id string) (communication.History, error) {
	h := communication.History{Versions: []communication.Version{}, Decisions: []communication.Decided{}}
	var vs []struct {
		ContentHash, Subject, HTML, Text, ReplyTo, Scope, SegmentsJSON string
		IncludePrevious                                                bool
		CreatedAt                                                      time.Time
		CreatedBy                                                      *string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT content_hash, subject, html, text, reply_to, scope,
		to_json(segments)::text AS segments_json, include_previous, created_at, created_by
		FROM communication_versions WHERE communication_id = ? ORDER BY created_at, content_hash`, id).Scan(&vs).Error
	if err != nil {
		return h, fmt.Errorf("versions of communication %s: %w", id, translate(err, communication.ErrNotFound, nil))
	}
	for _, v := range vs {
		out := communication.Version{ContentHash: v.ContentHash, Content: communication.Content{Subject: v.Subject,
			HTML: v.HTML, Text: v.Text, ReplyTo: v.ReplyTo}, Scope: communication.Scope(v.Scope),
			IncludePrevious: v.IncludePrevious, CreatedAt: v.CreatedAt.UTC(), Segments: []string{}}
		_ = json.Unmarshal([]byte(v.SegmentsJSON), &out.Segments)
		if v.CreatedBy != nil {
			out.CreatedBy = *v.CreatedBy
		}
		h.Versions = append(h.Versions, out)
	}
	var ds []struct {
		Role, UserID, Decision, Comment, ContentHash string
		At                                           time.Time
		WithdrawnAt                                  *time.Time
		WithdrawnReason                              string
	}
	err = s.db.WithContext(ctx).Raw(`SELECT role, user_id, decision, comment, content_hash, at,
		withdrawn_at, withdrawn_reason FROM communication_approvals WHERE communication_id = ? ORDER BY at, id`, id).Scan(&ds).Error
	if err != nil {
		return h, fmt.Errorf("decisions on communication %s: %w", id, translate(err, communication.ErrNotFound, nil))
	}
	for _, d := range ds {
		h.Decisions = append(h.Decisions, communication.Decided{Approval: communication.Approval{Role: d.Role,
			UserID: d.UserID, Decision: d.Decision, Comment: d.Comment, At: d.At.UTC(), ContentHash: d.ContentHash},
			WithdrawnAt: utc(d.WithdrawnAt), WithdrawnReason: d.WithdrawnReason})
	}
	return h, nil
}

// SuppressedAffected streams the affected recipients of c who are
// suppressed now (any kind), by email, with their suppression kinds: the
// people a breach notice cannot reach by email and must be told another way.
func (s *Store) SuppressedAffected(ctx context.Context, c communication.Communication, campaignID string,
	each func(communication.SuppressedRecipient) error) error {
	rows, err := s.db.WithContext(ctx).Raw(communicationAudienceSQL+` SELECT m.recipient_id::text, m.email,
		m.first_name, m.last_name, (SELECT to_json(array_agg(DISTINCT s.kind ORDER BY s.kind))::text FROM suppressions s
		WHERE s.email = m.email) FROM marked m WHERE m.suppressed ORDER BY m.email`, audienceArgs(c, campaignID)).Rows()
	if err != nil {
		return fmt.Errorf("suppressed affected of communication %s: %w", c.ID, translate(err, nil, nil))
	}
	defer rows.Close()
	for rows.Next() {
		var r communication.SuppressedRecipient
		var kinds string
		if err := rows.Scan(&r.RecipientID, &r.Email, &r.FirstName, &r.LastName, &kinds); err != nil {
			return fmt.Errorf("suppressed affected: %w", translate(err, nil, nil))
		}
		_ = json.Unmarshal([]byte(kinds), &r.Kinds)
		if err := each(r); err != nil {
			return err
		}
	}
	return translate(rows.Err(), nil, nil)
}
