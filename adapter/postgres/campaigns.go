package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/page"
)

var _ campaign.Repo = (*Store)(nil)

type campaignRow struct {
	ID                                                              string
	Name                                                            string
	BrandID                                                         string
	Subject                                                         string
	HTML                                                            string
	Text                                                            string
	SegmentsJSON                                                    string
	SendBufferSeconds                                               int
	CanaryPercent                                                   float64
	CanaryHoldSeconds                                               int
	ASMGroupID                                                      *int
	Status                                                          string
	BatchID                                                         string
	Audience                                                        int
	HandedToESP                                                     int
	FailedRecipients                                                int
	InDoubt                                                         int
	CancelledRecipients                                             int
	FailedRequests                                                  int
	UncertainRequests                                               int
	Delivered, Opened, MachineOpened, Clicked, Bounced, HardBounced int
	Blocked, Dropped, Deferred, Complained, Unsubscribed            int
	LastError                                                       string
	CanaryReleaseAt                                                 *time.Time
	SendStartedAt                                                   *time.Time
	PausedAt                                                        *time.Time
	FinishedAt                                                      *time.Time
	ESPState                                                        string     `gorm:"column:esp_state"`
	ESPStateAt                                                      *time.Time `gorm:"column:esp_state_at"`
	ESPError                                                        string     `gorm:"column:esp_error"`
	ESPBusyUntil                                                    *time.Time `gorm:"column:esp_busy_until"`
	ContentVersion, HandedVersion, Withdrawn                        int
	ContentChangedAt                                                *time.Time
	ContentChangedBy                                                string
	Caution                                                         *string
	CreatedBy                                                       *string
	CreatedAt                                                       time.Time
	UpdatedAt                                                       time.Time
}

// campaignCols selects a campaign row; segments come back as JSON so names with
// spaces or commas survive.
const campaignCols = `c.id, c.name, c.brand_id, c.subject, c.html, c.text, to_json(c.segments)::text AS segments_json,
	c.send_buffer_seconds, c.canary_percent::float8 AS canary_percent, c.canary_hold_seconds, c.asm_group_id, c.status, c.batch_id,
	c.audience, c.handed_to_esp, c.failed_recipients, c.in_doubt, c.cancelled_recipients, c.failed_requests,
	c.uncertain_requests, c.delivered, c.opened, c.machine_opened, c.clicked, c.bounced, c.hard_bounced,
	c.blocked, c.dropped, c.deferred, c.complained, c.unsubscribed, c.last_error, c.canary_release_at, c.send_started_at, c.paused_at, c.finished_at,
	c.esp_state, c.esp_state_at, c.esp_error, c.esp_busy_until, c.content_version, c.handed_version, c.withdrawn,
	c.content_changed_at, c.content_changed_by, c.caution::text AS caution, c.created_by, c.created_at, c.updated_at`

func toCampaign(r campaignRow) campaign.Campaign {
	c := campaign.Campaign{ID: r.ID, Name: r.Name, BrandID: r.BrandID, Subject: r.Subject, HTML: r.HTML, Text: r.Text,
		SendBufferSeconds: r.SendBufferSeconds, CanaryPercent: r.CanaryPercent, CanaryHoldSeconds: r.CanaryHoldSeconds,
		Status: campaign.Status(r.Status), BatchID: r.BatchID, Audience: r.Audience, HandedToESP: r.HandedToESP,
		FailedRecipients: r.FailedRecipients, InDoubt: r.InDoubt, Cancelled: r.CancelledRecipients,
		Outcomes: campaign.Outcomes{Delivered: r.Delivered, Opened: r.Opened, MachineOpened: r.MachineOpened,
			Clicked: r.Clicked, Bounced: r.Bounced, HardBounced: r.HardBounced, Blocked: r.Blocked, Dropped: r.Dropped,
			Deferred: r.Deferred, Complained: r.Complained, Unsubscribed: r.Unsubscribed},
		FailedRequests: r.FailedRequests, UncertainRequests: r.UncertainRequests, LastError: r.LastError,
		CanaryReleaseAt: utc(r.CanaryReleaseAt), SendStartedAt: utc(r.SendStartedAt), PausedAt: utc(r.PausedAt),
		FinishedAt: utc(r.FinishedAt), ESPState: campaign.ESPState(r.ESPState), ESPStateAt: utc(r.ESPStateAt),
		ESPError: r.ESPError, ESPBusyUntil: utc(r.ESPBusyUntil), ContentVersion: r.ContentVersion,
		HandedVersion: r.HandedVersion, Withdrawn: r.Withdrawn, ContentChangedAt: utc(r.ContentChangedAt),
		ContentChangedBy: r.ContentChangedBy, Caution: toCaution(r.Caution), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.SegmentsJSON), &c.Segments)
	if r.ASMGroupID != nil {
		c.ASMGroupID = *r.ASMGroupID
	}
	if r.CreatedBy != nil {
		c.CreatedBy = *r.CreatedBy
	}
	return c
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateCampaign inserts a draft.
func (s *Store) CreateCampaign(ctx context.Context, c campaign.Campaign, a audit.Entry) (campaign.Campaign, error) {
	var id string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO campaigns (name, brand_id, subject, html, text, segments, send_buffer_seconds,
			canary_percent, canary_hold_seconds, asm_group_id, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Name, c.BrandID, c.Subject, c.HTML, c.Text, textArray(c.Segments), c.SendBufferSeconds,
			c.CanaryPercent, c.CanaryHoldSeconds, nullInt(c.ASMGroupID), nullStr(c.CreatedBy)).Scan(&id).Error
		if err != nil {
			return translate(err, campaign.ErrBrandNotFound, nil)
		}
		a.SubjectID = id
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	return s.GetCampaign(ctx, id)
}

// GetCampaign reads a campaign.
func (s *Store) GetCampaign(ctx context.Context, id string) (campaign.Campaign, error) {
	return getCampaign(ctx, s.db, id, "")
}

func getCampaign(ctx context.Context, db *gorm.DB, id, lock string) (campaign.Campaign, error) {
	var rows []campaignRow
	if err := db.WithContext(ctx).Raw(`SELECT `+campaignCols+` FROM campaigns c WHERE c.id = ? `+lock, id).Scan(&rows).Error; err != nil {
		return campaign.Campaign{}, translate(err, campaign.ErrNotFound, nil)
	}
	if len(rows) == 0 {
		return campaign.Campaign{}, campaign.ErrNotFound
	}
	return toCampaign(rows[0]), nil
}

// campaignListCols is campaignCols without the bodies: a list never carries
// them (up to 2 MiB per campaign); GetCampaign does.
var campaignListCols = strings.Replace(campaignCols, "c.html, c.text,", "'' AS html, '' AS text,", 1)

// ListCampaigns lists one page of campaigns, newest first (created_at, then
// id, both descending: campaigns_created_idx), without HTML and Text. The
// cursor is the last campaign's (created_at, id); a malformed one is
// page.ErrBadCursor.
func (s *Store) ListCampaigns(ctx context.Context, p page.Request) ([]campaign.Campaign, page.Cursor, error) {
	q, args := `SELECT `+campaignListCols+` FROM campaigns c`, []any{}
	if !p.After.IsZero() {
		q += ` WHERE (c.created_at, c.id) < (?, ?)`
		args = append(args, p.After.At, p.After.ID)
	}
	q += ` ORDER BY c.created_at DESC, c.id DESC LIMIT ?`
	args = append(args, p.Size()+1)
	var rows []campaignRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, page.Cursor{}, translate(err, page.ErrBadCursor, nil) // the cursor's id is the only uuid here
	}
	rows, next := page.Cut(rows, p, func(r campaignRow) page.Cursor { return page.Cursor{At: r.CreatedAt, ID: r.ID} })
	out := make([]campaign.Campaign, len(rows))
	for i, r := range rows {
		out[i] = toCampaign(r)
	}
	return out, next, nil
}

// SetStatus moves a campaign from one of from to to. It takes the campaign's
// dispatch lock exclusively (dispatch_lock.go), which waits only for the
// Claims already under way and goes before every Claim that starts later, so
// once it commits no new handoff request can be claimed. The audit entry says
// when the change was asked for (asked_at, Postgres's clock, before any wait)
// and when it took effect (the entry's own time). Cancelling drops the
// recipients Firebreak still holds. A transaction Postgres aborts as a
// deadlock victim (against the webhook's multi-row counter updates) is run
// again, so a pause never fails for that.
func (s *Store) SetStatus(ctx context.Context, id string, from []campaign.Status, to campaign.Status, now time.Time,
	errWrong error, a audit.Entry) (campaign.Campaign, error) {
	var out campaign.Campaign
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		askedAt, err := lockExclusive(tx, campaignLockClass, id)
		if err != nil {
			return err
		}
		// NO KEY UPDATE, not FOR UPDATE: foreign-key checks of new ledger and
		// event rows share-lock the row, and FOR UPDATE would queue behind them.
		c, err := getCampaign(ctx, tx, id, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		out = c
		if !slices.Contains(from, c.Status) {
			return errWrong
		}
		if to == campaign.Sending && c.Status == campaign.Paused && c.FixPending() {
			return campaign.ErrFixPending // resumed as a fix (Service.resumeFixed), never released as it was
		}
		set := `status = ?, updated_at = ?`
		args := []any{string(to), now}
		switch to {
		case campaign.Paused:
			set += `, paused_at = ?`
			args = append(args, now)
		case campaign.Cancelled:
			r := tx.Exec(`UPDATE campaign_recipients SET state = 'cancelled' WHERE campaign_id = ? AND state = 'pending'`, id)
			if r.Error != nil {
				return translate(r.Error, nil, nil)
			}
			set += `, finished_at = ?, cancelled_recipients = cancelled_recipients + ?`
			args = append(args, now, r.RowsAffected)
		}
		var rows []campaignRow
		if err := tx.Raw(`UPDATE campaigns c SET `+set+` WHERE c.id = ? RETURNING `+campaignCols, append(args, id)...).Scan(&rows).Error; err != nil {
			return translate(err, nil, nil)
		}
		if len(rows) == 0 {
			return campaign.ErrNotFound
		}
		out = toCampaign(rows[0])
		a.Data = audit.With(a.Data, "from", string(c.Status), "to", string(to), "asked_at", askedAt.UTC().Format(time.RFC3339Nano))
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		if errors.Is(err, errWrong) || errors.Is(err, campaign.ErrFixPending) {
			return out, err
		}
		return out, fmt.Errorf("campaign %s to %s: %w", id, to, err)
	}
	return out, nil
}

// LeaseESP takes the right to talk to SendGrid about the campaign's batch for
// ttl (Postgres's clock), unless another caller holds an unexpired lease or
// SendGrid's plane has changed since the caller read seen (its esp_state and
// esp_state_at): then another caller has already asked, and its answer stands.
// It reports whether the lease was taken; SetESPState releases it.
func (s *Store) LeaseESP(ctx context.Context, seen campaign.Campaign, ttl time.Duration) (bool, error) {
	// retrying: waiting for the row behind webhook counter updates that
	// lock several rows, the lease can be a deadlock victim; it is asked again.
	var won bool
	err := retrying(ctx, func() error {
		r := s.db.WithContext(ctx).Exec(`UPDATE campaigns SET esp_busy_until = clock_timestamp() + make_interval(secs => ?)
		WHERE id = ? AND (esp_busy_until IS NULL OR esp_busy_until < clock_timestamp())
		AND esp_state = ? AND esp_state_at IS NOT DISTINCT FROM ?`, ttl.Seconds(), seen.ID, string(seen.ESPState), seen.ESPStateAt)
		won = r.RowsAffected == 1
		return r.Error
	})
	if err != nil {
		return false, fmt.Errorf("lease SendGrid plane of %s: %w", seen.ID, translate(err, nil, nil))
	}
	return won, nil
}

// SetESPState records SendGrid's plane of a pause, resume or cancel, and
// releases the caller's lease (LeaseESP).
func (s *Store) SetESPState(ctx context.Context, id string, state campaign.ESPState, at time.Time, errMsg string, a audit.Entry) (campaign.Campaign, error) {
	var rows []campaignRow
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Raw(`UPDATE campaigns c SET esp_state = ?, esp_state_at = ?, esp_error = ?, esp_busy_until = NULL,
			updated_at = now() WHERE c.id = ? RETURNING `+campaignCols, string(state), at, errMsg, id).Scan(&rows).Error; err != nil {
			return translate(err, nil, nil)
		}
		if len(rows) == 0 {
			return campaign.ErrNotFound
		}
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("campaign %s ESP state: %w", id, err)
	}
	return toCampaign(rows[0]), nil
}
