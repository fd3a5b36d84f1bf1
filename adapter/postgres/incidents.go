package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
)

type incidentRow struct {
	ID               string
	CampaignID       string
	Runbook          string
	Severity         string
	Status           string
	Summary          string
	SummaryGenerated bool
	Source           string
	TriggerJSON      *string
	OwnerID          *string
	DetectedAt       time.Time
	AcknowledgedAt   *time.Time
	PausedAt         *time.Time
	ResolvedAt       *time.Time
	StepsJSON        string
	HistoryJSON      string
	EscalationCount  int
	LastEscalatedAt  *time.Time
	LegalJSON        *string
}

var _ incident.Repo = (*Store)(nil)

const incidentCols = `id, campaign_id, runbook, severity, status, summary, summary_generated, source, trigger::text AS trigger_json,
	owner_id, detected_at, acknowledged_at, paused_at, resolved_at, steps::text AS steps_json,
	runbook_history::text AS history_json, escalation_count, last_escalated_at, legal_confirmation::text AS legal_json`

func toIncident(r incidentRow) incident.Incident {
	inc := incident.Incident{ID: r.ID, CampaignID: r.CampaignID, Runbook: r.Runbook, Severity: r.Severity,
		Status: incident.Status(r.Status), Summary: r.Summary, SummaryGenerated: r.SummaryGenerated, Source: incident.Source(r.Source),
		DetectedAt: r.DetectedAt.UTC(), AcknowledgedAt: utc(r.AcknowledgedAt), PausedAt: utc(r.PausedAt),
		ResolvedAt: utc(r.ResolvedAt), EscalationCount: r.EscalationCount, LastEscalatedAt: utc(r.LastEscalatedAt)}
	if r.OwnerID != nil {
		inc.OwnerID = *r.OwnerID
	}
	if r.TriggerJSON != nil && *r.TriggerJSON != "null" {
		inc.Trigger = &incident.Trigger{}
		_ = json.Unmarshal([]byte(*r.TriggerJSON), inc.Trigger)
	}
	if r.LegalJSON != nil && *r.LegalJSON != "null" {
		inc.LegalConfirmation = &incident.LegalConfirmation{}
		_ = json.Unmarshal([]byte(*r.LegalJSON), inc.LegalConfirmation)
		inc.LegalConfirmation.At = inc.LegalConfirmation.At.UTC()
	}
	_ = json.Unmarshal([]byte(r.StepsJSON), &inc.Steps)
	_ = json.Unmarshal([]byte(r.HistoryJSON), &inc.RunbookHistory)
	if inc.RunbookHistory == nil {
		inc.RunbookHistory = []incident.RunbookChange{}
	}
	return inc
}

func incidentValues(inc incident.Incident) (trigger any, steps, history string) {
	if inc.Trigger != nil {
		b, _ := json.Marshal(inc.Trigger)
		trigger = string(b)
	}
	s, _ := json.Marshal(inc.Steps)
	h, _ := json.Marshal(inc.RunbookHistory)
	return trigger, string(s), string(h)
}

// legalValue is the legal_confirmation column's value: JSON, or NULL for none.
func legalValue(inc incident.Incident) any {
	if inc.LegalConfirmation == nil {
		return nil
	}
	b, _ := json.Marshal(inc.LegalConfirmation)
	return string(b)
}

// CreateIncident opens an incident with its task templates and audit entries
// in one transaction — unless its campaign already has an open incident (the
// partial unique index decides, so concurrent declarations and webhook batches
// cannot both win): then it returns the open one and created false.
func (s *Store) CreateIncident(ctx context.Context, inc incident.Incident, tasks []incident.Task, entries []audit.Entry) (incident.Incident, bool, error) {
	var id string
	created := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		trigger, steps, history := incidentValues(inc)
		var ids []string
		err := tx.Raw(`INSERT INTO incidents (campaign_id, runbook, severity, status, summary, summary_generated, source, trigger,
			owner_id, detected_at, acknowledged_at, paused_at, steps, runbook_history)
			VALUES (?, ?, ?, 'open', ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
			ON CONFLICT (campaign_id) WHERE status = 'open' DO NOTHING RETURNING id`,
			inc.CampaignID, inc.Runbook, inc.Severity, inc.Summary, inc.SummaryGenerated, string(inc.Source), trigger, nullStr(inc.OwnerID),
			inc.DetectedAt, inc.AcknowledgedAt, inc.PausedAt, steps, history).Scan(&ids).Error
		if err != nil {
			return translate(err, incident.ErrNotFound, nil)
		}
		if len(ids) == 0 {
			return tx.Raw(`SELECT id FROM incidents WHERE campaign_id = ? AND status = 'open'`, inc.CampaignID).Scan(&id).Error
		}
		id, created = ids[0], true
		if err := writeTasks(tx, id, tasks); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO assessments (incident_id) VALUES (?)`, id).Error; err != nil {
			return translate(err, nil, nil)
		}
		for _, e := range entries {
			e.SubjectID = id
			if err := writeAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return incident.Incident{}, false, fmt.Errorf("open incident for %s: %w", inc.CampaignID, err)
	}
	out, err := s.GetIncident(ctx, id)
	return out, created, err
}

// writeTasks adds the tasks without an ID and updates those with one (the
// old runbook's tasks a reclassification closes), each only while still open:
// a task completed meanwhile is incident.ErrTaskChanged and the transaction
// rolls back.
func writeTasks(tx *gorm.DB, incidentID string, tasks []incident.Task) error {
	for _, t := range tasks {
		if t.ID != "" {
			r := tx.Exec(`UPDATE incident_tasks SET status = ?, completed_at = ?, completed_by = ?
				WHERE id = ? AND incident_id = ? AND status = 'open'`, t.Status, t.CompletedAt, nullStr(t.CompletedBy), t.ID, incidentID)
			if r.Error != nil {
				return translate(r.Error, nil, nil)
			}
			if r.RowsAffected != 1 {
				return incident.ErrTaskChanged
			}
			continue
		}
		if err := tx.Exec(`INSERT INTO incident_tasks (incident_id, title, kind, owner_id, owner_role, due_at, template)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, incidentID, t.Title, t.Kind, nullStr(t.OwnerID), t.OwnerRole, t.DueAt, t.Template).Error; err != nil {
			return translate(err, nil, nil)
		}
	}
	return nil
}

// GetIncident reads an incident.
func (s *Store) GetIncident(ctx context.Context, id string) (incident.Incident, error) {
	return getIncident(ctx, s.db, id, "")
}

func getIncident(ctx context.Context, db *gorm.DB, id, lock string) (incident.Incident, error) {
	var rows []incidentRow
	if err := db.WithContext(ctx).Raw(`SELECT `+incidentCols+` FROM incidents WHERE id = ? `+lock, id).Scan(&rows).Error; err != nil {
		return incident.Incident{}, translate(err, incident.ErrNotFound, nil)
	}
	if len(rows) == 0 {
		return incident.Incident{}, incident.ErrNotFound
	}
	return toIncident(rows[0]), nil
}

// OpenIncidentFor returns the campaign's open incident, or ErrNotFound.
func (s *Store) OpenIncidentFor(ctx context.Context, campaignID string) (incident.Incident, error) {
	var id string
	if err := s.db.WithContext(ctx).Raw(`SELECT id FROM incidents WHERE campaign_id = ? AND status = 'open'`, campaignID).Scan(&id).Error; err != nil {
		return incident.Incident{}, translate(err, incident.ErrNotFound, nil)
	}
	if id == "" {
		return incident.Incident{}, incident.ErrNotFound
	}
	return s.GetIncident(ctx, id)
}

// ListIncidents lists incidents, open first then newest; status and
// campaignID filter when set.
func (s *Store) ListIncidents(ctx context.Context, status, campaignID string) ([]incident.Incident, error) {
	q := s.db.WithContext(ctx).Table("incidents").Select(incidentCols)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if campaignID != "" {
		q = q.Where("campaign_id = ?", campaignID)
	}
	var rows []incidentRow
	if err := q.Order("status = 'open' DESC, detected_at DESC").Limit(500).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]incident.Incident, len(rows))
	for i, r := range rows {
		out[i] = toIncident(r)
	}
	return out, nil
}

// UpdateIncident reads the incident under its row lock, applies change, and
// writes the result with the change's audit entries and tasks (new ones
// added, the old runbook's closed: writeTasks) in the same transaction.
// change returning ErrNoChange leaves everything as it was.
func (s *Store) UpdateIncident(ctx context.Context, id string,
	change func(incident.Incident) (incident.Incident, []audit.Entry, []incident.Task, error)) (incident.Incident, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := getIncident(ctx, tx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		next, entries, tasks, err := change(cur)
		if err != nil {
			return err
		}
		trigger, steps, history := incidentValues(next)
		err = tx.Exec(`UPDATE incidents SET runbook = ?, severity = ?, status = ?, summary = ?, summary_generated = ?, trigger = ?::jsonb,
			owner_id = ?, acknowledged_at = ?, paused_at = ?, resolved_at = ?, steps = ?::jsonb, runbook_history = ?::jsonb,
			escalation_count = ?, last_escalated_at = ?, legal_confirmation = ?::jsonb, updated_at = now() WHERE id = ?`,
			next.Runbook, next.Severity, string(next.Status), next.Summary, next.SummaryGenerated, trigger, nullStr(next.OwnerID),
			next.AcknowledgedAt, next.PausedAt, next.ResolvedAt, steps, history, next.EscalationCount,
			next.LastEscalatedAt, legalValue(next), id).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		if err := writeTasks(tx, id, tasks); err != nil {
			return err
		}
		for _, e := range entries {
			e.SubjectID = id
			if err := writeAudit(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, incident.ErrNoChange) {
		return incident.Incident{}, err
	}
	return s.GetIncident(ctx, id)
}

// UnacknowledgedOpen lists open incidents nobody has acknowledged (the
// reconciler re-schedules their escalation checks from here, so a flushed
// Redis loses none).
func (s *Store) UnacknowledgedOpen(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM incidents WHERE status = 'open' AND acknowledged_at IS NULL`).Scan(&ids).Error
	return ids, translate(err, nil, nil)
}

// RecentlyEventful lists campaigns that received events since a time (the
// reconciler re-runs detection on them).
func (s *Store) RecentlyEventful(ctx context.Context, since time.Time) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw(`SELECT id FROM campaigns WHERE last_event_at > ?`, since).Scan(&ids).Error
	return ids, translate(err, nil, nil)
}
