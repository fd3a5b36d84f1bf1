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
	"github.com/firebreak/firebreak/domain/communication"
)

var _ communication.StatusRepo = (*Store)(nil)

// SetCommunicationStatus implements communication.StatusRepo (see there).
// The audit entry records from, to and asked_at (before any wait for the lock).
func (s *Store) SetCommunicationStatus(ctx context.Context, id string, from []communication.Status, to communication.Status,
	now time.Time, errWrong error, a audit.Entry) (communication.Communication, error) {
	var out communication.Communication
	// retryTx: waiting for the row behind counter updates that lock several
	// rows, the change can be a deadlock victim; it is then asked again.
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		askedAt, err := lockExclusive(tx, communicationLockClass, id)
		if err != nil {
			return err
		}
		if s.commStatusLocked != nil {
			s.commStatusLocked(id, to, askedAt)
		}
		c, err := getCommunication(ctx, tx, id, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		out = c
		if !slices.Contains(from, c.Status) {
			return errWrong
		}
		set := `status = ?, updated_at = ?`
		args := []any{string(to), now}
		cancelled := int64(0)
		switch to {
		case communication.Paused:
			set += `, paused_at = ?`
			args = append(args, now)
		case communication.Cancelled:
			// Never mailed: they no longer count as reached for the kind.
			r := tx.Exec(`UPDATE communication_recipients SET state = 'cancelled', first_of_kind = false
				WHERE communication_id = ? AND state = 'pending'`, id)
			if r.Error != nil {
				return translate(r.Error, nil, nil)
			}
			cancelled = r.RowsAffected
		}
		if err := tx.Exec(`UPDATE communications SET `+set+` WHERE id = ?`, append(args, id)...).Error; err != nil {
			return translate(err, nil, nil)
		}
		a.Data = audit.With(a.Data, "from", string(c.Status), "to", string(to), "asked_at", askedAt.UTC().Format(time.RFC3339Nano))
		if to == communication.Cancelled {
			a.Data = audit.With(a.Data, "cancelled_recipients", cancelled)
		}
		if err := writeAudit(ctx, tx, a); err != nil {
			return err
		}
		out, err = getCommunication(ctx, tx, id, "")
		return err
	})
	if err != nil {
		if errors.Is(err, errWrong) {
			return out, err
		}
		return out, fmt.Errorf("communication %s to %s: %w", id, to, err)
	}
	return out, nil
}

// CommunicationInFlight implements communication.StatusRepo.
func (s *Store) CommunicationInFlight(ctx context.Context, id string, now time.Time) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Raw(`SELECT count(*) FROM communication_requests
		WHERE communication_id = ? AND state = 'sending' AND deadline > ?`, id, now).Scan(&n).Error
	return n, translate(err, nil, nil)
}

// LeaseCommunicationESP implements communication.StatusRepo, as LeaseESP.
func (s *Store) LeaseCommunicationESP(ctx context.Context, seen communication.Communication, ttl time.Duration) (bool, error) {
	// retrying: waiting for the row behind webhook counter updates that
	// lock several rows, the lease can be a deadlock victim; it is asked again.
	var won bool
	err := retrying(ctx, func() error {
		r := s.db.WithContext(ctx).Exec(`UPDATE communications SET esp_busy_until = clock_timestamp() + make_interval(secs => ?)
		WHERE id = ? AND (esp_busy_until IS NULL OR esp_busy_until < clock_timestamp())
		AND esp_state = ? AND esp_state_at IS NOT DISTINCT FROM ?`, ttl.Seconds(), seen.ID, string(seen.ESPState), seen.ESPStateAt)
		won = r.RowsAffected == 1
		return r.Error
	})
	if err != nil {
		return false, fmt.Errorf("lease SendGrid plane of communication %s: %w", seen.ID, translate(err, nil, nil))
	}
	return won, nil
}

// SetCommunicationESPState implements communication.StatusRepo: the answer,
// the lease released and the audit entry, in one transaction.
func (s *Store) SetCommunicationESPState(ctx context.Context, id string, state campaign.ESPState, at time.Time, errMsg string, a audit.Entry) (communication.Communication, error) {
	var out communication.Communication
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		r := tx.Exec(`UPDATE communications SET esp_state = ?, esp_state_at = ?, esp_error = ?, esp_busy_until = NULL,
			updated_at = now() WHERE id = ?`, string(state), at, errMsg, id)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		if r.RowsAffected == 0 {
			return communication.ErrNotFound
		}
		if err := writeAudit(ctx, tx, a); err != nil {
			return err
		}
		var err error
		out, err = getCommunication(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return communication.Communication{}, fmt.Errorf("communication %s ESP state: %w", id, err)
	}
	return out, nil
}

// ESPFailedCommunications implements communication.StatusRepo.
func (s *Store) ESPFailedCommunications(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM communications WHERE esp_state = 'failed' ORDER BY id`).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("communications SendGrid refused: %w", translate(err, nil, nil))
	}
	return ids, nil
}
