package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
)

var _ communication.Repo = (*Store)(nil)

type communicationRow struct {
	ID                string
	IncidentID        string
	Kind              string
	Status            string
	Subject           string
	HTML              string
	Text              string
	ReplyTo           string
	Scope             string
	SegmentsJSON      string
	IncludePrevious   bool
	ContentHash       string
	RequiredJSON      string
	AuthorID          *string
	BatchID           string
	Audience          int
	HandedToESP       int `gorm:"column:handed_to_esp"`
	SkippedSuppressed int
	// the event counters (communication_events.go)
	Delivered, Bounced, HardBounced, Opened, Complained, Unsubscribed int
	HaltedAt                                                          *time.Time
	HaltReason                                                        string
	CreatedAt                                                         time.Time
	UpdatedAt                                                         time.Time
	SentAt                                                            *time.Time
	ESPState                                                          string     `gorm:"column:esp_state"`
	ESPStateAt                                                        *time.Time `gorm:"column:esp_state_at"`
	ESPError                                                          string     `gorm:"column:esp_error"`
	ESPBusyUntil                                                      *time.Time `gorm:"column:esp_busy_until"`
	PausedAt                                                          *time.Time `gorm:"column:paused_at"`
	SubmittedAt                                                       *time.Time
}

// communicationCols selects a communication row; arrays come back as JSON so
// segment names with spaces or commas survive.
const communicationCols = `id, incident_id, kind, status, subject, html, text, reply_to, scope,
	to_json(segments)::text AS segments_json, include_previous, content_hash,
	to_json(required_approvals)::text AS required_json, author_id, batch_id, audience, handed_to_esp,
	skipped_suppressed, created_at, updated_at, sent_at, esp_state, esp_state_at, esp_error, esp_busy_until, paused_at,
	delivered, bounced, hard_bounced, opened, complained, unsubscribed, halted_at, halt_reason, submitted_at`

func toCommunication(r communicationRow) communication.Communication {
	c := communication.Communication{ID: r.ID, IncidentID: r.IncidentID, Kind: communication.Kind(r.Kind),
		Status: communication.Status(r.Status), Content: communication.Content{Subject: r.Subject, HTML: r.HTML,
			Text: r.Text, ReplyTo: r.ReplyTo}, Scope: communication.Scope(r.Scope), IncludePrevious: r.IncludePrevious,
		ContentHash: r.ContentHash, BatchID: r.BatchID,
		Counts: communication.Counts{Audience: r.Audience, HandedToESP: r.HandedToESP, SkippedSuppressed: r.SkippedSuppressed,
			Delivered: r.Delivered, Opened: r.Opened, Bounced: r.Bounced, Complained: r.Complained,
			Unsubscribed: r.Unsubscribed, HardBounced: r.HardBounced},
		HaltedAt: utc(r.HaltedAt), HaltReason: r.HaltReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), SentAt: utc(r.SentAt),
		ESPState: campaign.ESPState(r.ESPState), ESPStateAt: utc(r.ESPStateAt), ESPError: r.ESPError,
		ESPBusyUntil: utc(r.ESPBusyUntil), PausedAt: utc(r.PausedAt), SubmittedAt: utc(r.SubmittedAt)}
	_ = json.Unmarshal([]byte(r.SegmentsJSON), &c.Segments)
	_ = json.Unmarshal([]byte(r.RequiredJSON), &c.RequiredApprovals)
	if c.Segments == nil {
		c.Segments = []string{}
	}
	if c.RequiredApprovals == nil {
		c.RequiredApprovals = []string{}
	}
	if r.AuthorID != nil {
		c.AuthorID = *r.AuthorID
	}
	return c
}

// CreateCommunication inserts a draft and its audit entry in one transaction.
func (s *Store) CreateCommunication(ctx context.Context, c communication.Communication, a audit.Entry) (communication.Communication, error) {
	var id string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO communications (incident_id, kind, status, subject, html, text, reply_to, scope,
			segments, include_previous, content_hash, required_approvals, author_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.IncidentID, string(c.Kind), string(c.Status), c.Subject, c.HTML, c.Text, c.ReplyTo, string(c.Scope),
			textArray(c.Segments), c.IncludePrevious, c.ContentHash, textArray(c.RequiredApprovals),
			nullStr(c.AuthorID)).Scan(&id).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		c.ID = id
		if err := recordVersion(tx, c, a.Actor.UserID); err != nil {
			return err
		}
		a.Data = audit.With(a.Data, "communication_id", id)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return communication.Communication{}, fmt.Errorf("create communication: %w", err)
	}
	return s.GetCommunication(ctx, id)
}

// GetCommunication reads one communication.
func (s *Store) GetCommunication(ctx context.Context, id string) (communication.Communication, error) {
	return getCommunication(ctx, s.db, id, "")
}

func getCommunication(ctx context.Context, db *gorm.DB, id, lock string) (communication.Communication, error) {
	var rows []communicationRow
	err := db.WithContext(ctx).Raw(`SELECT `+communicationCols+` FROM communications WHERE id = ? `+lock, id).Scan(&rows).Error
	if err != nil {
		return communication.Communication{}, fmt.Errorf("get communication %s: %w", id, translate(err, communication.ErrNotFound, nil))
	}
	if len(rows) == 0 {
		return communication.Communication{}, communication.ErrNotFound
	}
	return toCommunication(rows[0]), nil
}

// ListCommunications lists an incident's communications, oldest first.
func (s *Store) ListCommunications(ctx context.Context, incidentID string) ([]communication.Communication, error) {
	var rows []communicationRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+communicationCols+` FROM communications
		WHERE incident_id = ? ORDER BY created_at, id`, incidentID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list communications of %s: %w", incidentID, translate(err, nil, nil))
	}
	out := make([]communication.Communication, len(rows))
	for i, r := range rows {
		out[i] = toCommunication(r)
	}
	return out, nil
}

// UpdateCommunication writes an edit under the row's lock, only while the
// stored communication is still editable; a send that committed first makes
// it communication.ErrNotEditable.
func (s *Store) UpdateCommunication(ctx context.Context, c communication.Communication, entries []audit.Entry) (communication.Communication, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := getCommunication(ctx, tx, c.ID, "FOR UPDATE")
		if err != nil {
			return err
		}
		if !cur.Status.Editable() {
			return communication.ErrNotEditable
		}
		if cur.ContentHash != c.ContentHash {
			// Invariant 7: an approval counts only for the text it was given
			// for, even if a later edit restores that text.
			if _, err := withdrawApprovals(tx, c.ID, "edited"); err != nil {
				return err
			}
		}
		if err := tx.Exec(`UPDATE communications SET status = ?, subject = ?, html = ?, text = ?, reply_to = ?,
			scope = ?, segments = ?, include_previous = ?, content_hash = ?, updated_at = now() WHERE id = ?`,
			string(c.Status), c.Subject, c.HTML, c.Text, c.ReplyTo, string(c.Scope), textArray(c.Segments),
			c.IncludePrevious, c.ContentHash, c.ID).Error; err != nil {
			return translate(err, nil, nil)
		}
		if cur.ContentHash != c.ContentHash && len(entries) > 0 {
			if err := recordVersion(tx, c, entries[0].Actor.UserID); err != nil {
				return err
			}
		}
		for _, e := range entries {
			if err := writeAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return communication.Communication{}, fmt.Errorf("update communication %s: %w", c.ID, err)
	}
	return s.GetCommunication(ctx, c.ID)
}

// UnknownSegments returns those of segments that no recipient in the
// campaign's audience snapshot belongs to.
func (s *Store) UnknownSegments(ctx context.Context, campaignID string, segments []string) ([]string, error) {
	var missing []string
	err := s.db.WithContext(ctx).Raw(`SELECT seg FROM unnest(CAST(? AS text[])) AS seg
		WHERE NOT EXISTS (SELECT 1 FROM campaign_recipients cr WHERE cr.campaign_id = ? AND cr.segments @> ARRAY[seg])
		ORDER BY seg`, textArray(segments), campaignID).Scan(&missing).Error
	if err != nil {
		return nil, fmt.Errorf("segments of campaign %s: %w", campaignID, translate(err, nil, nil))
	}
	return missing, nil
}
