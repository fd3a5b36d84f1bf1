package incident

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Task is one item of step 4's plan.
type Task struct {
	ID          string
	IncidentID  string
	Title       string
	Kind        string // runbook.TaskKinds
	OwnerID     string // empty until assigned
	OwnerRole   string // the role a runbook template wants, shown until assigned
	DueAt       *time.Time
	Status      string // TaskOpen, TaskDone or TaskCancelled
	Template    bool   // created from the runbook
	CreatedAt   time.Time
	CompletedAt *time.Time
	CompletedBy string
}

// Task statuses. A task is open until someone marks it done (and may be
// reopened). Cancelled is a runbook task that reclassifying made unnecessary,
// when the person reclassifying chose to close the old runbook's open tasks
// (CancelOldTasks): it was not done, and nothing reports it as done; it no
// longer counts as open, overdue or as a running legal clock.
const (
	TaskOpen      = "open"
	TaskDone      = "done"
	TaskCancelled = "cancelled"
)

// IsOpen reports whether the task still needs doing (neither done nor cancelled).
func (t Task) IsOpen() bool { return t.Status == TaskOpen }

// ErrNoChange tells Repo.UpdateIncident that a change changed nothing: no
// write, no audit entry.
var ErrNoChange = errors.New("incident: no change")

// ErrTaskNotFound: no such task on that incident.
var ErrTaskNotFound = errs.New(errs.NotFound, "task_not_found", "The incident has no task with that id.")

// ValidateTask checks a task's user-set fields.
func ValidateTask(title, kind, status string) error {
	var f errs.Fields
	if strings.TrimSpace(title) == "" {
		f.Add("title", "is required")
	}
	if !slices.Contains(runbook.TaskKinds, kind) {
		f.Add("kind", "must be one of internal, communication, compensation, systemic, legal")
	}
	if status != "" && status != TaskOpen && status != TaskDone {
		f.Add("status", "must be open or done")
	}
	return f.Err()
}

// CostParts is how a cost estimate is made: responder hours at a rate, plus
// the cost of the send itself.
type CostParts struct {
	ResponderHours  float64 `json:"responder_hours"`
	HourlyRateCents int64   `json:"hourly_rate_cents"`
	SendCostCents   int64   `json:"send_cost_cents"`
}

// Total is hours × rate + send cost.
func (p CostParts) Total() int64 {
	return int64(p.ResponderHours*float64(p.HourlyRateCents)+0.5) + p.SendCostCents
}

// Assessment is step 3: the computed blast radius and the human fields.
type Assessment struct {
	IncidentID        string
	Computed          *assess.BlastRadius // nil until computed
	Cause             string
	DataCategories    []string
	CostEstimateCents int64
	CostParts         CostParts
	Notes             string
}

// AssessmentPatch edits the human fields; nil leaves a field as it is.
type AssessmentPatch struct {
	Cause             *string
	DataCategories    *[]string
	CostEstimateCents *int64
	CostParts         *CostParts
	Notes             *string
}

// Cost limits: generous for any real incident, and small enough that hours ×
// rate + send cost can never overflow the int64 (bigint) estimate.
const (
	MaxCostCents       = 1e15 // ten trillion in the currency's main unit
	MaxResponderHours  = 1_000_000
	MaxHourlyRateCents = 100_000_000
)

// Apply validates the patch and applies it: a cost given by parts sets the
// estimate to their total.
func (p AssessmentPatch) Apply(a Assessment) (Assessment, error) {
	var f errs.Fields
	if p.DataCategories != nil {
		if err := ValidateCategories(*p.DataCategories); err != nil {
			return a, err
		}
		a.DataCategories = *p.DataCategories
	}
	if p.Cause != nil {
		a.Cause = strings.TrimSpace(*p.Cause)
	}
	if p.Notes != nil {
		a.Notes = *p.Notes
	}
	if p.CostParts != nil {
		if p.CostParts.ResponderHours < 0 || p.CostParts.HourlyRateCents < 0 || p.CostParts.SendCostCents < 0 {
			f.Add("cost_parts", "must not be negative")
		}
		if p.CostParts.ResponderHours > MaxResponderHours || p.CostParts.HourlyRateCents > MaxHourlyRateCents ||
			p.CostParts.SendCostCents > MaxCostCents {
			f.Add("cost_parts", fmt.Sprintf("responder_hours must be at most %d, hourly_rate_cents at most %d, send_cost_cents at most %d",
				MaxResponderHours, MaxHourlyRateCents, int64(MaxCostCents)))
		}
		a.CostParts = *p.CostParts
		a.CostEstimateCents = p.CostParts.Total()
	}
	if p.CostEstimateCents != nil {
		if *p.CostEstimateCents < 0 || *p.CostEstimateCents > MaxCostCents {
			f.Add("cost_estimate_cents", fmt.Sprintf("must be from 0 to %d", int64(MaxCostCents)))
		}
		a.CostEstimateCents = *p.CostEstimateCents
	}
	return a, f.Err()
}
