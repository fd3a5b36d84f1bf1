package postgres

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/suppression"
)

var _ suppression.Repo = (*Store)(nil)

type suppressionRow struct {
	ID        int64
	Email     string
	Kind      string
	GroupID   int
	Source    string
	Reason    string
	FirstSeen time.Time
	LastSeen  time.Time
}

func toSuppression(r suppressionRow) suppression.Entry {
	return suppression.Entry{ID: r.ID, Email: r.Email, Kind: suppression.Kind(r.Kind), GroupID: r.GroupID,
		Source: suppression.Source(r.Source), Reason: r.Reason, FirstSeen: r.FirstSeen.UTC(), LastSeen: r.LastSeen.UTC()}
}

const suppressionCols = `id, email, kind, group_id, source, reason, first_seen, last_seen`

// AddSuppression inserts an entry or, when the address is already suppressed
// for that kind (and group), moves its last_seen.
func (s *Store) AddSuppression(ctx context.Context, e suppression.Entry, a audit.Entry) (suppression.Entry, error) {
	var row suppressionRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO suppressions (email, kind, group_id, source, reason) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (email, kind, group_id) DO UPDATE SET last_seen = now(),
				reason = CASE WHEN EXCLUDED.reason <> '' THEN EXCLUDED.reason ELSE suppressions.reason END
			RETURNING `+suppressionCols, e.Email, string(e.Kind), e.GroupID, string(e.Source), e.Reason).Scan(&row).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		a.SubjectID = fmt.Sprint(row.ID)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return suppression.Entry{}, fmt.Errorf("add suppression: %w", err)
	}
	return toSuppression(row), nil
}

// ListSuppressions lists entries matching the filter, newest first.
func (s *Store) ListSuppressions(ctx context.Context, f suppression.Filter) ([]suppression.Entry, error) {
	q := s.db.WithContext(ctx).Table("suppressions").Select(suppressionCols)
	if f.Email != "" {
		q = q.Where("email = ?", f.Email)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	var rows []suppressionRow
	if err := q.Order("last_seen DESC, id DESC").Limit(f.Limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]suppression.Entry, len(rows))
	for i, r := range rows {
		out[i] = toSuppression(r)
	}
	return out, nil
}

// DeleteSuppression removes an entry.
func (s *Store) DeleteSuppression(ctx context.Context, id int64, a audit.Entry) (suppression.Entry, error) {
	var rows []suppressionRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(`DELETE FROM suppressions WHERE id = ? RETURNING `+suppressionCols, id).Scan(&rows).Error; err != nil {
			return translate(err, nil, nil)
		}
		if len(rows) == 0 {
			return suppression.ErrNotFound
		}
		a.Data = audit.With(a.Data, "email", rows[0].Email, "kind", rows[0].Kind)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return suppression.Entry{}, err
	}
	return toSuppression(rows[0]), nil
}
