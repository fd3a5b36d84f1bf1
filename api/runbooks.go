package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// runbookHandlers serve the loaded runbooks read-only; the set is fixed at
// start-up (embedded or FIREBREAK_RUNBOOKS_DIR), so there is nothing to write.
type runbookHandlers struct {
	set *runbook.Set
}

// runbookResponse mirrors the YAML (snake_case keys); every duration is given
// twice, as Go's string ("72h0m0s") and in whole seconds for arithmetic.
type runbookResponse struct {
	ID          string                 `json:"id"`
	Title       string                 `json:"title"`
	Description string                 `json:"description"`
	Severity    string                 `json:"severity"`
	AutoPause   bool                   `json:"auto_pause"`
	Acknowledge acknowledgeResponse    `json:"acknowledge"`
	Triggers    []triggerResponse      `json:"triggers"`
	Checklists  map[string][]string    `json:"checklists"` // all six steps, [] when a step has none
	Tasks       []taskTemplateResponse `json:"tasks"`
	Involve     involveResponse        `json:"involve"`
	Apology     apologyResponse        `json:"apology"`
	Monitoring  monitoringResponse     `json:"monitoring"`
}

type acknowledgeResponse struct {
	Deadline        string           `json:"deadline"`
	DeadlineSeconds int64            `json:"deadline_seconds"`
	Repeat          string           `json:"repeat"`
	RepeatSeconds   int64            `json:"repeat_seconds"`
	Escalation      []targetResponse `json:"escalation"`
}

type targetResponse struct {
	Role  string `json:"role,omitempty"`
	Email string `json:"email,omitempty"`
	Slack bool   `json:"slack,omitempty"`
}

type triggerResponse struct {
	Rule      string  `json:"rule"`
	Metric    string  `json:"metric"`
	Threshold float64 `json:"threshold"`
	MinVolume int     `json:"min_volume"`
	Suggests  string  `json:"suggests"`
}

type taskTemplateResponse struct {
	Title      string `json:"title"`
	Kind       string `json:"kind"`
	OwnerRole  string `json:"owner_role"`
	Due        string `json:"due"`
	DueSeconds int64  `json:"due_seconds"`
}

type involveResponse struct {
	Legal    bool `json:"legal"`
	Security bool `json:"security"`
}

type apologyResponse struct {
	Allowed          bool     `json:"allowed"`
	RequiresApproval []string `json:"requires_approval"`
	// Kinds are what the dashboard offers to draft (communication.Offered);
	// Reason why an apology or correction is refused ("" when allowed).
	Kinds  []communication.Kind `json:"kinds"`
	Reason string               `json:"reason"`
}

type monitoringResponse struct {
	Window            string  `json:"window"`
	WindowSeconds     int64   `json:"window_seconds"`
	CanaryPercent     float64 `json:"canary_percent"`
	CanaryHold        string  `json:"canary_hold"`
	CanaryHoldSeconds int64   `json:"canary_hold_seconds"`
}

func durationSeconds(d time.Duration) int64 { return int64(d / time.Second) }

func toRunbookResponse(r runbook.Runbook) runbookResponse {
	out := runbookResponse{ID: r.ID, Title: r.Title, Description: r.Description, Severity: r.Severity,
		AutoPause: r.AutoPause,
		Acknowledge: acknowledgeResponse{
			Deadline: r.Acknowledge.Deadline.String(), DeadlineSeconds: durationSeconds(r.Acknowledge.Deadline),
			Repeat: r.Acknowledge.Repeat.String(), RepeatSeconds: durationSeconds(r.Acknowledge.Repeat),
			Escalation: make([]targetResponse, len(r.Acknowledge.Escalation))},
		Triggers:   make([]triggerResponse, len(r.Triggers)),
		Checklists: make(map[string][]string, len(runbook.Steps)),
		Tasks:      make([]taskTemplateResponse, len(r.Tasks)),
		Involve:    involveResponse{Legal: r.Involve.Legal, Security: r.Involve.Security},
		Apology: apologyResponse{Allowed: r.Apology.Allowed, RequiresApproval: r.Apology.RequiresApproval,
			Kinds: communication.Offered(r), Reason: communication.NotAllowedReason(r)},
		Monitoring: monitoringResponse{Window: r.Monitoring.Window.String(), WindowSeconds: durationSeconds(r.Monitoring.Window),
			CanaryPercent: r.Monitoring.CanaryPercent, CanaryHold: r.Monitoring.CanaryHold.String(),
			CanaryHoldSeconds: durationSeconds(r.Monitoring.CanaryHold)},
	}
	for i, t := range r.Acknowledge.Escalation {
		out.Acknowledge.Escalation[i] = targetResponse{Role: t.Role, Email: t.Email, Slack: t.Slack}
	}
	for i, t := range r.Triggers {
		out.Triggers[i] = triggerResponse{Rule: t.Rule, Metric: t.Metric, Threshold: t.Threshold,
			MinVolume: t.MinVolume, Suggests: t.Suggests}
	}
	for _, step := range runbook.Steps {
		out.Checklists[step] = r.Checklists[step]
		if out.Checklists[step] == nil {
			out.Checklists[step] = []string{}
		}
	}
	for i, t := range r.Tasks {
		out.Tasks[i] = taskTemplateResponse{Title: t.Title, Kind: t.Kind, OwnerRole: t.OwnerRole,
			Due: t.Due.String(), DueSeconds: durationSeconds(t.Due)}
	}
	if out.Apology.RequiresApproval == nil {
		out.Apology.RequiresApproval = []string{}
	}
	return out
}

// list answers every runbook, sorted by id.
func (h runbookHandlers) list(c echo.Context) error {
	all := h.set.All()
	out := make([]runbookResponse, len(all))
	for i, r := range all {
		out[i] = toRunbookResponse(r)
	}
	return c.JSON(http.StatusOK, out)
}

// get answers one runbook by id, or 404 runbook_not_found.
func (h runbookHandlers) get(c echo.Context) error {
	r, ok := h.set.Get(c.Param("id"))
	if !ok {
		return errs.New(errs.NotFound, "runbook_not_found", fmt.Sprintf("No runbook %q; GET /api/v1/runbooks lists them.", c.Param("id")))
	}
	return c.JSON(http.StatusOK, toRunbookResponse(r))
}
