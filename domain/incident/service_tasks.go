package incident

import (
	"context"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
)

// Tasks lists the plan.
func (s *Service) Tasks(ctx context.Context, id string) ([]Task, error) {
	if _, err := s.repo.GetIncident(ctx, id); err != nil {
		return nil, err
	}
	return s.repo.ListTasks(ctx, id)
}

// AddTask adds a task to the plan.
func (s *Service) AddTask(ctx context.Context, actor audit.Actor, id string, t Task) (Task, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Task{}, err
	}
	if err := notResolved(inc); err != nil {
		return Task{}, err
	}
	if err := ValidateTask(t.Title, t.Kind, ""); err != nil {
		return Task{}, err
	}
	if err := validUserID("owner_id", t.OwnerID); err != nil {
		return Task{}, err
	}
	t.ID, t.IncidentID, t.Title, t.Status = "", id, strings.TrimSpace(t.Title), TaskOpen
	return s.repo.SaveTask(ctx, t, audit.Entry{Actor: actor, Action: "incident.task_add", SubjectType: SubjectType,
		Data: map[string]any{"title": t.Title, "kind": t.Kind, "owner_id": t.OwnerID, "due_at": t.DueAt}})
}

// TaskPatch edits a task; nil leaves a field as it is.
type TaskPatch struct {
	Status  *string
	OwnerID *string
	DueAt   *time.Time
}

// PatchTask assigns, reschedules, completes or reopens a task (a cancelled
// one too: reclassifying closed it, a person may decide it is needed after all).
func (s *Service) PatchTask(ctx context.Context, actor audit.Actor, id, taskID string, p TaskPatch) (Task, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Task{}, err
	}
	if err := notResolved(inc); err != nil {
		return Task{}, err
	}
	t, err := s.repo.GetTask(ctx, id, taskID)
	if err != nil {
		return Task{}, err
	}
	if p.Status != nil {
		if err := ValidateTask(t.Title, t.Kind, *p.Status); err != nil {
			return Task{}, err
		}
		if *p.Status == TaskDone && t.Status != TaskDone {
			now := s.now()
			t.CompletedAt, t.CompletedBy = &now, actor.UserID
		}
		if *p.Status == TaskOpen { // reopening a done or a cancelled task
			t.CompletedAt, t.CompletedBy = nil, ""
		}
		t.Status = *p.Status
	}
	if p.OwnerID != nil {
		if err := validUserID("owner_id", *p.OwnerID); err != nil {
			return Task{}, err
		}
		t.OwnerID = *p.OwnerID
	}
	if p.DueAt != nil {
		t.DueAt = p.DueAt
	}
	return s.repo.SaveTask(ctx, t, audit.Entry{Actor: actor, Action: "incident.task_update", SubjectType: SubjectType,
		Data: map[string]any{"task_id": t.ID, "title": t.Title, "status": t.Status, "owner_id": t.OwnerID, "due_at": t.DueAt}})
}
