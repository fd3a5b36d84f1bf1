package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/page"
)

type taskRow struct {
	ID          string
	IncidentID  string
	Title       string
	Kind        string
	OwnerID     *string
	OwnerRole   string
	DueAt       *time.Time
	Status      string
	Template    bool
	CreatedAt   time.Time
	CompletedAt *time.Time
	CompletedBy *string
}

const taskCols = `id, incident_id, title, kind, owner_id, owner_role, due_at, status, template, created_at, completed_at, completed_by`

func toTask(r taskRow) incident.Task {
	t := incident.Task{ID: r.ID, IncidentID: r.IncidentID, Title: r.Title, Kind: r.Kind, OwnerRole: r.OwnerRole,
		DueAt: utc(r.DueAt), Status: r.Status, Template: r.Template, CreatedAt: r.CreatedAt.UTC(), CompletedAt: utc(r.CompletedAt)}
	if r.OwnerID != nil {
		t.OwnerID = *r.OwnerID
	}
	if r.CompletedBy != nil {
		t.CompletedBy = *r.CompletedBy
	}
	return t
}

// ListTasks lists an incident's tasks by due date.
func (s *Store) ListTasks(ctx context.Context, incidentID string) ([]incident.Task, error) {
	var rows []taskRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+taskCols+` FROM incident_tasks WHERE incident_id = ?
		ORDER BY due_at NULLS LAST, created_at`, incidentID).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]incident.Task, len(rows))
	for i, r := range rows {
		out[i] = toTask(r)
	}
	return out, nil
}

// ListTasksPage lists one page of an incident's tasks by due date (undated
// last), then creation, then id; the cursor is the last task's (due_at or
// infinity, created_at, id).
func (s *Store) ListTasksPage(ctx context.Context, incidentID string, p page.Request) ([]incident.Task, page.Cursor, error) {
	const key = `(COALESCE(due_at, 'infinity'::timestamptz), created_at, id)`
	q, args := `SELECT `+taskCols+` FROM incident_tasks WHERE incident_id = ?`, []any{incidentID}
	if !p.After.IsZero() {
		var due any = "infinity"
		if p.After.Due != nil {
			due = *p.After.Due
		}
		q += ` AND ` + key + ` > (CAST(? AS timestamptz), CAST(? AS timestamptz), CAST(? AS uuid))`
		args = append(args, due, p.After.At, p.After.ID)
	}
	q += ` ORDER BY ` + key + ` LIMIT ?`
	args = append(args, p.Size()+1)
	var rows []taskRow
	if err := s.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, page.Cursor{}, translate(err, page.ErrBadCursor, nil) // the incident exists: a bad uuid is the cursor's
	}
	rows, next := page.Cut(rows, p, func(r taskRow) page.Cursor { return page.Cursor{Due: r.DueAt, At: r.CreatedAt, ID: r.ID} })
	out := make([]incident.Task, len(rows))
	for i, r := range rows {
		out[i] = toTask(r)
	}
	return out, next, nil
}

// SaveTask inserts (ID empty) or updates a task, with its audit entry.
func (s *Store) SaveTask(ctx context.Context, t incident.Task, a audit.Entry) (incident.Task, error) {
	var rows []taskRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if t.ID == "" {
			err = tx.Raw(`INSERT INTO incident_tasks (incident_id, title, kind, owner_id, owner_role, due_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING `+taskCols, t.IncidentID, t.Title, t.Kind, nullStr(t.OwnerID),
				t.OwnerRole, t.DueAt).Scan(&rows).Error
		} else {
			err = tx.Raw(`UPDATE incident_tasks SET title = ?, owner_id = ?, due_at = ?, status = ?, completed_at = ?,
				completed_by = ? WHERE id = ? AND incident_id = ? RETURNING `+taskCols, t.Title, nullStr(t.OwnerID), t.DueAt,
				t.Status, t.CompletedAt, nullStr(t.CompletedBy), t.ID, t.IncidentID).Scan(&rows).Error
		}
		if err != nil {
			return translate(err, incident.ErrTaskNotFound, nil)
		}
		if len(rows) == 0 {
			return incident.ErrTaskNotFound
		}
		a.SubjectID = t.IncidentID
		a.Data = audit.With(a.Data, "task_id", rows[0].ID, "title", rows[0].Title)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return incident.Task{}, err
	}
	return toTask(rows[0]), nil
}

// GetTask reads one task of an incident.
func (s *Store) GetTask(ctx context.Context, incidentID, taskID string) (incident.Task, error) {
	var rows []taskRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+taskCols+` FROM incident_tasks WHERE id = ? AND incident_id = ?`,
		taskID, incidentID).Scan(&rows).Error; err != nil {
		return incident.Task{}, translate(err, incident.ErrTaskNotFound, nil)
	}
	if len(rows) == 0 {
		return incident.Task{}, incident.ErrTaskNotFound
	}
	return toTask(rows[0]), nil
}

// GetAssessment reads an incident's assessment.
func (s *Store) GetAssessment(ctx context.Context, incidentID string) (incident.Assessment, error) {
	var rows []struct {
		ComputedAt        *time.Time
		Totals            string
		BySegment         string
		Cause             string
		Categories        string
		CostEstimateCents int64
		CostParts         string
		Notes             string
		CampaignSegments  *string
	}
	// The campaign's segments mark the targeted rows again on every read, so
	// an assessment stored before the mark existed reads like a new one.
	err := s.db.WithContext(ctx).Raw(`SELECT a.computed_at, a.totals::text AS totals, a.by_segment::text AS by_segment, a.cause,
		to_json(a.data_categories_exposed)::text AS categories, a.cost_estimate_cents, a.cost_parts::text AS cost_parts,
		a.notes, to_json(c.segments)::text AS campaign_segments
		FROM assessments a LEFT JOIN incidents i ON i.id = a.incident_id LEFT JOIN campaigns c ON c.id = i.campaign_id
		WHERE a.incident_id = ?`, incidentID).Scan(&rows).Error
	if err != nil {
		return incident.Assessment{}, translate(err, incident.ErrNotFound, nil)
	}
	if len(rows) == 0 {
		return incident.Assessment{}, incident.ErrNotFound
	}
	r := rows[0]
	a := incident.Assessment{IncidentID: incidentID, Cause: r.Cause, CostEstimateCents: r.CostEstimateCents, Notes: r.Notes}
	_ = json.Unmarshal([]byte(r.Categories), &a.DataCategories)
	_ = json.Unmarshal([]byte(r.CostParts), &a.CostParts)
	if r.ComputedAt != nil {
		br := &assess.BlastRadius{ComputedAt: r.ComputedAt.UTC()}
		_ = json.Unmarshal([]byte(r.Totals), &br.Totals)
		_ = json.Unmarshal([]byte(r.BySegment), &br.BySegment)
		var targeted []string
		if r.CampaignSegments != nil {
			_ = json.Unmarshal([]byte(*r.CampaignSegments), &targeted)
		}
		*br = br.ForCampaign(targeted)
		a.Computed = br
	}
	return a, nil
}

// SaveAssessment writes an assessment (computed part and human fields) with
// its audit entry.
func (s *Store) SaveAssessment(ctx context.Context, a incident.Assessment, e audit.Entry) error {
	totals, bySeg := "{}", "[]"
	var computedAt *time.Time
	if a.Computed != nil {
		t, _ := json.Marshal(a.Computed.Totals)
		b, _ := json.Marshal(a.Computed.BySegment)
		totals, bySeg, computedAt = string(t), string(b), &a.Computed.ComputedAt
	}
	cats := a.DataCategories
	if cats == nil {
		cats = []string{}
	}
	parts, _ := json.Marshal(a.CostParts)
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Exec(`UPDATE assessments SET computed_at = ?, totals = ?::jsonb, by_segment = ?::jsonb, cause = ?,
			data_categories_exposed = ?, cost_estimate_cents = ?, cost_parts = ?::jsonb, notes = ?, updated_at = now()
			WHERE incident_id = ?`, computedAt, totals, bySeg, a.Cause, textArray(cats), a.CostEstimateCents,
			string(parts), a.Notes, a.IncidentID)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		if r.RowsAffected == 0 {
			return fmt.Errorf("assessment of %s: %w", a.IncidentID, incident.ErrNotFound)
		}
		e.SubjectID = a.IncidentID
		return writeAudit(ctx, tx, e)
	})
}

// UserEmailsWithRole lists the addresses of users holding role (escalations).
func (s *Store) UserEmailsWithRole(ctx context.Context, role string) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Raw(`SELECT email FROM users WHERE ? = ANY(roles) ORDER BY email`, role).Scan(&out).Error
	return out, translate(err, nil, nil)
}
