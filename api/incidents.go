package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/incident"
)

type incidentHandlers struct {
	incidents *incident.Service
	log       *slog.Logger
}

type incidentResponse struct {
	ID                       string                   `json:"id"`
	CampaignID               string                   `json:"campaign_id"`
	Runbook                  string                   `json:"runbook"`
	Severity                 string                   `json:"severity"`
	Status                   incident.Status          `json:"status"`
	Summary                  string                   `json:"summary"`
	SummaryGenerated         bool                     `json:"summary_generated"`
	CurrentStep              string                   `json:"current_step"`
	Steps                    []stepResponse           `json:"steps"`
	Owner                    *string                  `json:"owner"`
	Source                   incident.Source          `json:"source"`
	Trigger                  *incident.Trigger        `json:"trigger"`
	DetectedAt               time.Time                `json:"detected_at"`
	AcknowledgedAt           *time.Time               `json:"acknowledged_at"`
	PausedAt                 *time.Time               `json:"paused_at"`
	ResolvedAt               *time.Time               `json:"resolved_at"`
	RunbookHistory           []incident.RunbookChange `json:"runbook_history"`
	Escalations              int                      `json:"escalations"`
	LastEscalatedAt          *time.Time               `json:"last_escalated_at"`
	TimeToAcknowledgeSeconds *float64                 `json:"time_to_acknowledge_seconds"`
	TimeToPauseSeconds       *float64                 `json:"time_to_pause_seconds"`
	// LegalConfirmationRequired: resolving needs a legal user's sign-off (a
	// data breach); LegalConfirmation is the latest one, null until given.
	LegalConfirmationRequired bool                        `json:"legal_confirmation_required"`
	LegalConfirmation         *incident.LegalConfirmation `json:"legal_confirmation"`
}

// stepResponse is a step and who may finish it (auth.StepPermission), so the
// dashboard can say why its buttons are disabled without a copy of the table.
type stepResponse struct {
	Name             string              `json:"name"`
	Status           incident.StepStatus `json:"status"`
	StartedAt        *time.Time          `json:"started_at"`
	CompletedAt      *time.Time          `json:"completed_at"`
	CompletedBy      string              `json:"completed_by"`
	FinishPermission string              `json:"finish_permission"`
	FinishRoles      []string            `json:"finish_roles"`
}

func toStepResponses(steps []incident.Step) []stepResponse {
	out := make([]stepResponse, len(steps))
	for i, st := range steps {
		p, _ := auth.StepPermission(st.Name)
		out[i] = stepResponse{Name: st.Name, Status: st.Status, StartedAt: st.StartedAt, CompletedAt: st.CompletedAt,
			CompletedBy: st.CompletedBy, FinishPermission: string(p), FinishRoles: auth.Strings(auth.RolesWith(p))}
	}
	return out
}

func secondsSince(from time.Time, to *time.Time) *float64 {
	if to == nil {
		return nil
	}
	d := to.Sub(from).Seconds()
	return &d
}

func toIncidentResponse(i incident.Incident) incidentResponse {
	r := incidentResponse{ID: i.ID, CampaignID: i.CampaignID, Runbook: i.Runbook, Severity: i.Severity, Status: i.Status,
		Summary: i.Summary, SummaryGenerated: i.SummaryGenerated, CurrentStep: i.CurrentStep(), Steps: toStepResponses(i.Steps), Source: i.Source, Trigger: i.Trigger,
		DetectedAt: i.DetectedAt, AcknowledgedAt: i.AcknowledgedAt, PausedAt: i.PausedAt, ResolvedAt: i.ResolvedAt,
		RunbookHistory: i.RunbookHistory, Escalations: i.EscalationCount, LastEscalatedAt: i.LastEscalatedAt,
		TimeToAcknowledgeSeconds:  secondsSince(i.DetectedAt, i.AcknowledgedAt),
		TimeToPauseSeconds:        secondsSince(i.DetectedAt, i.PausedAt),
		LegalConfirmationRequired: i.NeedsLegalConfirmation(), LegalConfirmation: i.LegalConfirmation}
	if i.OwnerID != "" {
		o := i.OwnerID
		r.Owner = &o
	}
	return r
}

type declareRequest struct {
	CampaignID string `json:"campaign_id"`
	Runbook    string `json:"runbook"`
	Summary    string `json:"summary"`
	Severity   string `json:"severity"`
}

// source is how the caller reached us: the dashboard's session or an API token.
func source(c echo.Context) incident.Source {
	if p, _ := principalOf(c); p.Method == auth.MethodSession {
		return incident.SourceDashboard
	}
	return incident.SourceAPI
}

func (h incidentHandlers) declare(c echo.Context) error {
	var in declareRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	inc, created, err := h.incidents.Declare(c.Request().Context(), actorOf(c), incident.Declaration{
		CampaignID: in.CampaignID, Runbook: in.Runbook, Summary: in.Summary, Severity: in.Severity, Source: source(c)})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // joined the campaign's open incident
	}
	return c.JSON(status, toIncidentResponse(inc))
}

func (h incidentHandlers) list(c echo.Context) error {
	incs, err := h.incidents.List(c.Request().Context(), c.QueryParam("status"), c.QueryParam("campaign_id"))
	if err != nil {
		return err
	}
	out := make([]incidentResponse, len(incs))
	for i, inc := range incs {
		out[i] = toIncidentResponse(inc)
	}
	return c.JSON(http.StatusOK, out)
}

func (h incidentHandlers) get(c echo.Context) error {
	inc, err := h.incidents.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

type acknowledgeRequest struct {
	OwnerID string `json:"owner_id"`
}

func (h incidentHandlers) acknowledge(c echo.Context) error {
	var in acknowledgeRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	inc, err := h.incidents.Acknowledge(c.Request().Context(), actorOf(c), c.Param("id"), in.OwnerID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

type reassignRequest struct {
	OwnerID string `json:"owner_id"`
	Reason  string `json:"reason"`
}

// reassign: POST /incidents/{id}/owner. Who may is the domain's rule (the
// owner, incident.acknowledge holders, admins), so the route only needs a
// known user.
func (h incidentHandlers) reassign(c echo.Context) error {
	var in reassignRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, _ := principalOf(c)
	inc, err := h.incidents.Reassign(c.Request().Context(), actorOf(c), p.Roles, c.Param("id"), in.OwnerID, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

type legalConfirmationRequest struct {
	Comment string `json:"comment"`
}

// confirmLegal: POST /incidents/{id}/legal-confirmation, by a user holding
// the legal role (the domain checks; admin alone does not count).
func (h incidentHandlers) confirmLegal(c echo.Context) error {
	var in legalConfirmationRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, _ := principalOf(c)
	inc, err := h.incidents.ConfirmLegal(c.Request().Context(), actorOf(c), p.Roles, c.Param("id"), in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

func (h incidentHandlers) pause(c echo.Context) error {
	var in pauseRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	inc, _, err := h.incidents.Pause(c.Request().Context(), actorOf(c), c.Param("id"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

type reclassifyRequest struct {
	Runbook string `json:"runbook"`
	// OldTasks: keep (default) or cancel the old runbook's open tasks.
	OldTasks string `json:"old_tasks"`
}

func (h incidentHandlers) reclassify(c echo.Context) error {
	var in reclassifyRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	inc, err := h.incidents.Reclassify(c.Request().Context(), actorOf(c), c.Param("id"), in.Runbook,
		incident.OldTasks(in.OldTasks))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

type resolveRequest struct {
	Reason  string `json:"reason"`
	Summary string `json:"summary"`
}

// resolve: the body is optional; reason is required while steps are unfinished.
func (h incidentHandlers) resolve(c echo.Context) error {
	var in resolveRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	p, _ := principalOf(c)
	inc, err := h.incidents.Resolve(c.Request().Context(), actorOf(c), p.Roles, c.Param("id"), in.Reason, in.Summary)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toIncidentResponse(inc))
}

type timelineEntry struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	// ActorName is the user's name for people to read; null for system
	// actors (webhook, system, cli) and users without a name.
	ActorName *string        `json:"actor_name"`
	Action    string         `json:"action"`
	Data      map[string]any `json:"data"`
}

func toTimelineEntry(e audit.Entry) timelineEntry {
	out := timelineEntry{At: e.At, Actor: e.Actor.Name, Action: e.Action, Data: e.Data}
	if e.ActorName != "" {
		n := e.ActorName
		out.ActorName = &n
	}
	if out.Data == nil {
		out.Data = map[string]any{}
	}
	return out
}

type noteRequest struct {
	Text string `json:"text"`
}

// addNote: POST /api/v1/incidents/{id}/notes — a free-text update on the
// timeline, open or resolved; 201 with the entry as the timeline shows it.
func (h incidentHandlers) addNote(c echo.Context) error {
	var in noteRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	e, err := h.incidents.AddNote(c.Request().Context(), actorOf(c), c.Param("id"), in.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTimelineEntry(e))
}

// timeline: one page of the audit trail, oldest first (?limit=, ?after=).
func (h incidentHandlers) timeline(c echo.Context) error {
	p, err := pageOf(c)
	if err != nil {
		return err
	}
	es, next, err := h.incidents.TimelinePage(c.Request().Context(), c.Param("id"), p)
	if err != nil {
		return err
	}
	setNext(c, p, next)
	out := make([]timelineEntry, len(es))
	for i, e := range es {
		out[i] = toTimelineEntry(e)
	}
	return c.JSON(http.StatusOK, out)
}

// assessmentNumbers is one row of the blast radius with its rates.
type assessmentNumbers struct {
	assess.Numbers
	Rates assess.Rates `json:"rates"`
}

// assessmentSegment is one segment's row: targeted by the campaign, or another
// membership of its recipients.
type assessmentSegment struct {
	Segment            string `json:"segment"`
	TargetedByCampaign bool   `json:"targeted_by_campaign"`
	assess.Numbers
	Rates assess.Rates `json:"rates"`
}

type assessmentResponse struct {
	ComputedAt            *time.Time          `json:"computed_at"`
	Totals                *assessmentNumbers  `json:"totals"`
	BySegment             []assessmentSegment `json:"by_segment"`
	Cause                 string              `json:"cause"`
	DataCategoriesExposed []string            `json:"data_categories_exposed"`
	PIIExposed            bool                `json:"pii_exposed"`
	CostEstimateCents     int64               `json:"cost_estimate_cents"`
	CostParts             incident.CostParts  `json:"cost_parts"`
	Notes                 string              `json:"notes"`
	LegalRequired         bool                `json:"legal_required"`
	SecurityRequired      bool                `json:"security_required"`
	Why                   assessmentWhy       `json:"why"`
}

// assessmentWhy says why each flag is what it is.
type assessmentWhy struct {
	PIIExposed       string `json:"pii_exposed"`
	LegalRequired    string `json:"legal_required"`
	SecurityRequired string `json:"security_required"`
}

func toAssessmentResponse(v incident.AssessmentView) assessmentResponse {
	r := assessmentResponse{BySegment: []assessmentSegment{}, Cause: v.Cause, DataCategoriesExposed: v.DataCategories,
		PIIExposed: v.PIIExposed, CostEstimateCents: v.CostEstimateCents, CostParts: v.CostParts, Notes: v.Notes,
		LegalRequired: v.LegalRequired, SecurityRequired: v.SecurityRequired,
		Why: assessmentWhy{PIIExposed: v.Why.PIIExposed, LegalRequired: v.Why.LegalRequired, SecurityRequired: v.Why.SecurityRequired}}
	if r.DataCategoriesExposed == nil {
		r.DataCategoriesExposed = []string{}
	}
	if v.Computed != nil {
		t := v.Computed.Totals
		r.ComputedAt, r.Totals = &v.Computed.ComputedAt, &assessmentNumbers{Numbers: t, Rates: t.Rates()}
		for _, s := range v.Computed.BySegment {
			r.BySegment = append(r.BySegment, assessmentSegment{Segment: s.Segment,
				TargetedByCampaign: s.TargetedByCampaign, Numbers: s.Numbers, Rates: s.Rates()})
		}
	}
	return r
}

func (h incidentHandlers) computeAssessment(c echo.Context) error {
	v, err := h.incidents.ComputeAssessment(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAssessmentResponse(v))
}

func (h incidentHandlers) getAssessment(c echo.Context) error {
	v, err := h.incidents.GetAssessment(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAssessmentResponse(v))
}

type assessmentPatchRequest struct {
	Cause                 *string             `json:"cause"`
	DataCategoriesExposed *[]string           `json:"data_categories_exposed"`
	CostEstimateCents     *int64              `json:"cost_estimate_cents"`
	CostParts             *incident.CostParts `json:"cost_parts"`
	Notes                 *string             `json:"notes"`
}

// patchAssessment: the human fields. Legal (and security) edit the legal
// field, data categories; the others need incident.assess.
func (h incidentHandlers) patchAssessment(c echo.Context) error {
	var in assessmentPatchRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, _ := principalOf(c)
	if !p.Can(auth.IncidentAssess) && !p.Can(auth.IncidentLegal) {
		return forbidden(p, auth.IncidentAssess)
	}
	if (in.Cause != nil || in.CostEstimateCents != nil || in.CostParts != nil) && !p.Can(auth.IncidentAssess) {
		return forbidden(p, auth.IncidentAssess)
	}
	if in.DataCategoriesExposed != nil && !p.Can(auth.IncidentAssess) && !p.Can(auth.IncidentLegal) {
		return forbidden(p, auth.IncidentLegal)
	}
	v, err := h.incidents.PatchAssessment(c.Request().Context(), actorOf(c), c.Param("id"), incident.AssessmentPatch{
		Cause: in.Cause, DataCategories: in.DataCategoriesExposed, CostEstimateCents: in.CostEstimateCents,
		CostParts: in.CostParts, Notes: in.Notes})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAssessmentResponse(v))
}

type taskResponse struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Kind        string     `json:"kind"`
	OwnerID     *string    `json:"owner_id"`
	OwnerRole   string     `json:"owner_role"`
	DueAt       *time.Time `json:"due_at"`
	Status      string     `json:"status"`
	Overdue     bool       `json:"overdue"`
	FromRunbook bool       `json:"from_runbook"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

func toTaskResponse(t incident.Task) taskResponse {
	r := taskResponse{ID: t.ID, Title: t.Title, Kind: t.Kind, OwnerRole: t.OwnerRole, DueAt: t.DueAt, Status: t.Status,
		FromRunbook: t.Template, CreatedAt: t.CreatedAt, CompletedAt: t.CompletedAt,
		Overdue: t.IsOpen() && t.DueAt != nil && t.DueAt.Before(time.Now())}
	if t.OwnerID != "" {
		o := t.OwnerID
		r.OwnerID = &o
	}
	return r
}

// tasks: one page of the plan, soonest due first (?limit=, ?after=).
func (h incidentHandlers) tasks(c echo.Context) error {
	p, err := pageOf(c)
	if err != nil {
		return err
	}
	ts, next, err := h.incidents.TasksPage(c.Request().Context(), c.Param("id"), p)
	if err != nil {
		return err
	}
	setNext(c, p, next)
	out := make([]taskResponse, len(ts))
	for i, t := range ts {
		out[i] = toTaskResponse(t)
	}
	return c.JSON(http.StatusOK, out)
}

type taskRequest struct {
	Title   string     `json:"title"`
	OwnerID string     `json:"owner_id"`
	DueAt   *time.Time `json:"due_at"`
	Kind    string     `json:"kind"`
}

func (h incidentHandlers) addTask(c echo.Context) error {
	var in taskRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := h.incidents.AddTask(c.Request().Context(), actorOf(c), c.Param("id"),
		incident.Task{Title: in.Title, OwnerID: in.OwnerID, DueAt: in.DueAt, Kind: in.Kind})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toTaskResponse(t))
}

type taskPatchRequest struct {
	Status  *string    `json:"status"`
	OwnerID *string    `json:"owner_id"`
	DueAt   *time.Time `json:"due_at"`
}

func (h incidentHandlers) patchTask(c echo.Context) error {
	var in taskPatchRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	t, err := h.incidents.PatchTask(c.Request().Context(), actorOf(c), c.Param("id"), c.Param("task_id"),
		incident.TaskPatch{Status: in.Status, OwnerID: in.OwnerID, DueAt: in.DueAt})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskResponse(t))
}

// step completes or skips a step: POST /incidents/{id}/steps/{step}/complete|skip.
func (h incidentHandlers) step(skip bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, _ := principalOf(c)
		inc, err := h.incidents.SetStep(c.Request().Context(), actorOf(c), p.Roles, c.Param("id"), c.Param("step"), skip)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toIncidentResponse(inc))
	}
}
