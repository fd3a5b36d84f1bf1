package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/page"
)

// writeAudit appends one entry to audit_log through tx. Every state change in
// this package calls it inside the transaction of the change, so a change and
// its entry commit or roll back together. The request id comes from ctx.
func writeAudit(ctx context.Context, tx *gorm.DB, e audit.Entry) error {
	q, args, err := auditInsert(ctx, e)
	if err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Exec(q, args...).Error; err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, translate(err, nil, nil))
	}
	return nil
}

// auditInsert builds the INSERT for an entry; writeAudit runs it through gorm,
// and the pgx paths (bulk import) run the same statement in their transaction.
func auditInsert(ctx context.Context, e audit.Entry) (string, []any, error) {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", nil, fmt.Errorf("audit %s: marshal data: %w", e.Action, err)
	}
	var actorID any
	if e.Actor.UserID != "" {
		actorID = e.Actor.UserID
	}
	reqID := e.RequestID
	if reqID == "" {
		reqID = audit.RequestID(ctx)
	}
	return `INSERT INTO audit_log (actor_id, actor, action, subject_type, subject_id, data, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		[]any{actorID, e.Actor.Name, e.Action, e.SubjectType, e.SubjectID, string(raw), reqID}, nil
}

// Audit appends a standalone entry (for changes that have no row of their own).
func (s *Store) Audit(ctx context.Context, e audit.Entry) error {
	return writeAudit(ctx, s.db, e)
}

type auditRow struct {
	ID          int64
	At          time.Time
	ActorID     *string
	Actor       string
	Action      string
	SubjectType string
	SubjectID   string
	Data        []byte
	RequestID   string
	ActorName   *string // users.name, joined by the readers that show it
}

// ListAudit returns a subject's entries, oldest first, with the acting user's name (ActorName).
func (s *Store) ListAudit(ctx context.Context, subjectType, subjectID string) ([]audit.Entry, error) {
	var rows []auditRow
	err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.at, a.actor_id, a.actor, a.action, a.subject_type, a.subject_id,
		a.data, a.request_id, u.name AS actor_name
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.subject_type = ? AND a.subject_id = ? ORDER BY a.id`, subjectType, subjectID).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = toAuditEntry(r)
	}
	return out, nil
}

// ListAuditPage returns one page of a subject's entries, oldest first, with
// the acting user's name (ActorName); the cursor is the last entry's id
// (audit_log_subject_idx serves the range).
func (s *Store) ListAuditPage(ctx context.Context, subjectType, subjectID string, p page.Request) ([]audit.Entry, page.Cursor, error) {
	var after int64
	if !p.After.IsZero() {
		var err error
		if after, err = p.After.IntID(); err != nil {
			return nil, page.Cursor{}, err
		}
	}
	var rows []auditRow
	err := s.db.WithContext(ctx).Raw(`SELECT a.id, a.at, a.actor_id, a.actor, a.action, a.subject_type, a.subject_id,
		a.data, a.request_id, u.name AS actor_name
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE a.subject_type = ? AND a.subject_id = ? AND a.id > ? ORDER BY a.id LIMIT ?`,
		subjectType, subjectID, after, p.Size()+1).Scan(&rows).Error
	if err != nil {
		return nil, page.Cursor{}, translate(err, nil, nil)
	}
	rows, next := page.Cut(rows, p, func(r auditRow) page.Cursor { return page.Cursor{ID: strconv.FormatInt(r.ID, 10)} })
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = toAuditEntry(r)
	}
	return out, next, nil
}

func toAuditEntry(r auditRow) audit.Entry {
	e := audit.Entry{ID: r.ID, At: r.At.UTC(), Actor: audit.Actor{Name: r.Actor}, Action: r.Action,
		SubjectType: r.SubjectType, SubjectID: r.SubjectID, RequestID: r.RequestID}
	if r.ActorID != nil {
		e.Actor.UserID = *r.ActorID
	}
	if r.ActorName != nil {
		e.ActorName = *r.ActorName
	}
	_ = json.Unmarshal(r.Data, &e.Data)
	return e
}
