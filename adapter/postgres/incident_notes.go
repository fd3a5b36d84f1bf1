package postgres

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
)

// AddNote writes a note's audit entry on an existing incident (incident.NoteRepo):
// the incident row is share-locked so a note never lands on an id that is
// not (or no longer) an incident; ErrNotFound otherwise. The entry comes back
// as stored, with its id, time and the author's name.
func (s *Store) AddNote(ctx context.Context, incidentID string, e audit.Entry) (audit.Entry, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Raw(`SELECT id FROM incidents WHERE id = ? FOR SHARE`, incidentID).Scan(&ids).Error; err != nil {
			return translate(err, incident.ErrNotFound, nil)
		}
		if len(ids) == 0 {
			return incident.ErrNotFound
		}
		e.SubjectType, e.SubjectID = incident.SubjectType, incidentID
		q, args, err := auditInsert(ctx, e)
		if err != nil {
			return err
		}
		var row struct {
			ID        int64
			At        time.Time
			ActorName *string
		}
		err = tx.Raw(`WITH a AS (`+q+` RETURNING id, at, actor_id)
			SELECT a.id, a.at, u.name AS actor_name FROM a LEFT JOIN users u ON u.id = a.actor_id`, args...).Scan(&row).Error
		if err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, translate(err, nil, nil))
		}
		e.ID, e.At = row.ID, row.At.UTC()
		if row.ActorName != nil {
			e.ActorName = *row.ActorName
		}
		if e.RequestID == "" {
			e.RequestID = audit.RequestID(ctx)
		}
		return nil
	})
	if err != nil {
		return audit.Entry{}, err
	}
	return e, nil
}
