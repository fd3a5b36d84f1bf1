package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
)

var _ communication.HaltRepo = (*Store)(nil)

// HaltCommunication implements communication.HaltRepo: under the dispatch
// lock held exclusively (as a pause: claims under way finish first, later
// ones see paused), once per communication (halted_at).
func (s *Store) HaltCommunication(ctx context.Context, id, reason string, now time.Time, a audit.Entry) (communication.Communication, bool, error) {
	var out communication.Communication
	halted := false
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		halted = false
		askedAt, err := lockExclusive(tx, communicationLockClass, id)
		if err != nil {
			return err
		}
		c, err := getCommunication(ctx, tx, id, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		out = c
		if c.HaltedAt != nil || !slices.Contains([]communication.Status{communication.Sending, communication.Paused,
			communication.Sent}, c.Status) {
			return nil
		}
		if err := tx.Exec(`UPDATE communications SET status = 'paused', halted_at = ?, halt_reason = ?, updated_at = ?,
			paused_at = CASE WHEN status = 'paused' THEN paused_at ELSE ? END WHERE id = ?`,
			now, reason, now, now, id).Error; err != nil {
			return translate(err, nil, nil)
		}
		a.Data = audit.With(a.Data, "from", string(c.Status), "to", string(communication.Paused),
			"asked_at", askedAt.UTC().Format(time.RFC3339Nano))
		if err := writeAudit(ctx, tx, a); err != nil {
			return err
		}
		halted = true
		out, err = getCommunication(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return communication.Communication{}, false, fmt.Errorf("halt communication %s: %w", id, err)
	}
	return out, halted, nil
}
