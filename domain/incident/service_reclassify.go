package incident

import (
	"context"
	"slices"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// OldTasks is what reclassifying does with the old runbook's open tasks
// (OldRunbookTasks): the person reclassifying decides, because only they know
// whether "find the cause" still needs doing once the cause is known.
type OldTasks string

const (
	// KeepOldTasks leaves them open, as reclassifying always did: the default.
	KeepOldTasks OldTasks = "keep"
	// CancelOldTasks closes them as no longer needed (TaskCancelled), never as done.
	CancelOldTasks OldTasks = "cancel"
)

// ParseOldTasks reads the API's old_tasks: empty is KeepOldTasks; anything
// but keep or cancel is a field error on old_tasks.
func ParseOldTasks(s string) (OldTasks, error) {
	switch o := OldTasks(s); o {
	case "":
		return KeepOldTasks, nil
	case KeepOldTasks, CancelOldTasks:
		return o, nil
	}
	return "", (errs.Fields{"old_tasks": "must be keep or cancel"}).Err()
}

// ErrTaskChanged: a task Reclassify was to close as no longer needed was
// completed (or changed) by someone else at the same moment.
var ErrTaskChanged = errs.New(errs.Conflict, "task_changed",
	"One of the old runbook's tasks changed while reclassifying, so nothing was changed. Look at the plan and try again.")

// OldRunbookTasks are the tasks rb's templates put on the plan that are
// still open: template tasks whose title is one of rb's task titles (a task
// records that it came from a runbook, not from which one; the shipped
// runbooks share no task title). A task a person added is never among them,
// nor one that is done or already cancelled.
func OldRunbookTasks(tasks []Task, rb runbook.Runbook) []Task {
	titles := make([]string, len(rb.Tasks))
	for i, t := range rb.Tasks {
		titles[i] = t.Title
	}
	var out []Task
	for _, t := range tasks {
		if t.Template && t.IsOpen() && slices.Contains(titles, t.Title) {
			out = append(out, t)
		}
	}
	return out
}

// Reclassify moves the incident to another runbook (history kept) and opens
// that runbook's task templates. A generated title is rewritten for the new
// runbook (Title; the entry records summary_from and summary); a title a
// person wrote is kept.
//
// The old runbook's open tasks (OldRunbookTasks) stay open with
// KeepOldTasks (or ""), and are closed as TaskCancelled with CancelOldTasks;
// the entry records the choice (old_tasks) and the tasks it applied to
// (tasks_kept or tasks_cancelled: task_id and title each). Tasks a person
// added are never touched. The cancellations, the new tasks and the entry are
// written in one transaction; a task completed meanwhile fails it with
// ErrTaskChanged, nothing changed.
func (s *Service) Reclassify(ctx context.Context, actor audit.Actor, id, runbookID string, old OldTasks) (Incident, error) {
	old, err := ParseOldTasks(string(old))
	if err != nil {
		return Incident{}, err
	}
	rb, ok := s.runbooks.Get(runbookID)
	if !ok {
		return Incident{}, ErrUnknownRunbook
	}
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	var campaignName string
	if inc.SummaryGenerated {
		v, err := s.campaigns.Get(ctx, inc.CampaignID)
		if err != nil {
			return Incident{}, err
		}
		campaignName = v.Campaign.Name
	}
	tasks, err := s.repo.ListTasks(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	return s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.Reclassify(rb, actor.Name, now)
		if err != nil || ch.IsZero() {
			return next, ch, nil, err
		}
		if next.SummaryGenerated {
			if t := Title(next, rb, campaignName); t != next.Summary {
				ch.Data = audit.With(ch.Data, "summary_from", next.Summary, "summary", t)
				next.Summary = t
			}
		}
		var previous []Task
		if prev, ok := s.runbooks.Get(cur.Runbook); ok {
			previous = OldRunbookTasks(tasks, prev)
		}
		listed := make([]map[string]any, len(previous))
		for i, t := range previous {
			listed[i] = map[string]any{"task_id": t.ID, "title": t.Title}
		}
		changes := taskTemplates(rb, cur.DetectedAt)
		if old == CancelOldTasks {
			for _, t := range previous {
				t.Status, t.CompletedAt, t.CompletedBy = TaskCancelled, nil, ""
				changes = append(changes, t)
			}
			ch.Data = audit.With(ch.Data, "old_tasks", string(old), "tasks_cancelled", listed)
		} else {
			ch.Data = audit.With(ch.Data, "old_tasks", string(old), "tasks_kept", listed)
		}
		return next, ch, changes, nil
	})
}
