// Package incident is the incident model and its state machine: the six steps
// of the crisis response (own it, stop the fire, assess, plan, communicate,
// proceed with caution), who owns the incident, escalation while nobody does,
// the detection rules that open one from SendGrid's events, and which exposed
// data categories make legal and security mandatory.
//
// The package is pure: no storage, no clock, no I/O. Every transition is a
// method on a value Incident that takes the time as an argument and returns
// the changed copy, the audit Change to record with it (DESIGN.md invariant 6:
// the caller writes the Change in the same transaction as the incident), and an
// error. On error the incident is returned unchanged and the Change is zero; a
// transition that changes nothing (a repeated pause, a re-acknowledge by the
// same owner) returns a zero Change and no error, so retries are idempotent and
// leave no duplicate audit entries.
//
// A resolved incident is read-only: every transition returns ErrResolved.
package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/figures"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Errors of this package, by kind.
var (
	// ErrNotFound is for the store: no incident has that id.
	ErrNotFound = errs.New(errs.NotFound, "incident_not_found", "No incident has that id.")
	// ErrAlreadyOpen is for the caller's rule "at most one open incident per
	// campaign" (the incidents_one_open_per_campaign index): declare joins the
	// open incident, or answers this.
	ErrAlreadyOpen = errs.New(errs.Conflict, "incident_already_open", "This campaign already has an open incident; work in that one.")
	// ErrResolved: every transition of a resolved incident.
	ErrResolved = errs.New(errs.Conflict, "incident_resolved", "This incident is resolved; it can no longer change.")
	// ErrNotOwner: Resolve by someone who is neither the owner nor an admin.
	ErrNotOwner = errs.New(errs.Forbidden, "not_incident_owner", "Only the incident's owner or an admin can resolve it.")
	// ErrNotAcknowledged: Resolve or Reassign of an incident nobody owns yet.
	ErrNotAcknowledged = errs.New(errs.Conflict, "not_acknowledged", "Nobody owns this incident yet; acknowledge it first.")
	// ErrAlreadyAcknowledged: Acknowledge naming another owner than the one an
	// acknowledged incident has (the error's Details name the owner; the
	// owner moves only by Reassign), and Escalated on an incident somebody
	// owns (the escalation timer lost a race with an acknowledge; do not notify).
	ErrAlreadyAcknowledged = errs.New(errs.Conflict, "already_acknowledged",
		"This incident is already acknowledged and keeps its owner; to change the owner, reassign it (POST /api/v1/incidents/{id}/owner with a reason).")
	// ErrReassignForbidden: Reassign by someone who is not the owner, may not
	// acknowledge incidents and is not an admin.
	ErrReassignForbidden = errs.New(errs.Forbidden, "reassign_not_allowed",
		"Only the incident's owner, a user who may acknowledge incidents, or an admin can reassign it.")
	// ErrStepsPending: Resolve without a reason while steps are unfinished.
	// The returned error also carries Code() and Details() {"pending": [step names]}.
	ErrStepsPending = errs.New(errs.Invalid, "steps_pending",
		"Some steps are neither done nor skipped; finish or skip them, or resolve with a reason.")
	// ErrLegalConfirmationRequired: Resolve of an incident that needs a legal
	// sign-off (NeedsLegalConfirmation) that no legal user has given.
	ErrLegalConfirmationRequired = errs.New(errs.Conflict, "legal_confirmation_required",
		"A data-breach incident is resolved only after a user with the legal role confirms it (POST /api/v1/incidents/{id}/legal-confirmation); admin alone does not count.")
	// ErrLegalRoleRequired: ConfirmLegal by a caller without the legal role.
	ErrLegalRoleRequired = errs.New(errs.Forbidden, "legal_role_required",
		"Only a user holding the legal role can give the legal confirmation; admin alone does not count.")
	// ErrInvalidStep: CompleteStep or SkipStep on a step that cannot change
	// now. The returned error also carries Code() and Details() {"step", "reason"}.
	ErrInvalidStep = errs.New(errs.Invalid, "invalid_step", "That step cannot be completed or skipped now: only the current step, or an earlier step still pending, can.")
)

// Status is whether an incident is still being worked on.
type Status string

// The statuses. Resolved is final.
const (
	Open     Status = "open"
	Resolved Status = "resolved"
)

// Source is how an incident was opened.
type Source string

// The sources.
const (
	SourceDashboard Source = "dashboard" // a marketer in the dashboard (declare, or pause a campaign)
	SourceAPI       Source = "api"       // an API token
	SourceWebhook   Source = "webhook"   // a detection rule over SendGrid's events
)

// Sources lists every source.
var Sources = []Source{SourceDashboard, SourceAPI, SourceWebhook}

// The step names, in order (runbook.Steps).
const (
	StepOwn         = "own"
	StepStop        = "stop"
	StepAssess      = "assess"
	StepPlan        = "plan"
	StepCommunicate = "communicate"
	StepMonitor     = "monitor"
)

// StepStatus is where one step is.
type StepStatus string

// The step statuses. At most one step is Active: the first step that is
// neither Done nor Skipped, except that an earlier step may stay Pending while
// a later one is worked on (it can still be completed or skipped). When every
// step is Done or Skipped, none is Active.
const (
	Pending StepStatus = "pending"
	Active  StepStatus = "active"
	Done    StepStatus = "done"
	Skipped StepStatus = "skipped"
)

// Incident is one incident of one campaign. Optional times are nil until they
// happen. ID is empty until the store assigns one.
type Incident struct {
	ID         string
	CampaignID string
	Runbook    string // runbook id
	Severity   string // one of runbook.Severities
	Status     Status
	Summary    string // the incident's title
	// SummaryGenerated: Firebreak wrote the summary (a detection rule's
	// incident, a pause without a reason), so reclassifying or the first
	// pause may rewrite it (Title); a person's summary is never rewritten.
	SummaryGenerated bool
	Source           Source
	Trigger          *Trigger // the detection rule that opened it (source webhook), else nil
	OwnerID          string   // empty until acknowledged

	DetectedAt     time.Time
	AcknowledgedAt *time.Time // the first acknowledge; a later owner change keeps it
	PausedAt       *time.Time // the first pause of the campaign for this incident
	ResolvedAt     *time.Time

	Steps          []Step          // always the six of runbook.Steps, in order
	RunbookHistory []RunbookChange // every reclassification, oldest first

	EscalationCount int
	LastEscalatedAt *time.Time

	// LegalConfirmation is the latest legal sign-off (ConfirmLegal), nil
	// until one is given; reclassifying withdraws it.
	LegalConfirmation *LegalConfirmation
}

// Step is one of the six steps of an incident.
type Step struct {
	Name        string     `json:"name"`
	Status      StepStatus `json:"status"`
	StartedAt   *time.Time `json:"started_at"`   // when it became active (or was finished, if it never was)
	CompletedAt *time.Time `json:"completed_at"` // when it was done or skipped
	CompletedBy string     `json:"completed_by"` // who did or skipped it
}

// RunbookChange is one reclassification: the runbook From → To, when, by whom.
type RunbookChange struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
	By   string    `json:"by"`
}

// Trigger is the detection rule that fired, as Evaluate reports it.
type Trigger struct {
	Rule      string  `json:"rule"`      // e.g. "complaint-spike"
	Metric    string  `json:"metric"`    // one of runbook.Metrics
	Value     float64 `json:"value"`     // the measured rate
	Threshold float64 `json:"threshold"` // the rule's threshold
	// Window is what the rate was measured over, e.g. "31 of 10000 delivered";
	// a caller that knows the time window may replace it.
	Window string `json:"window"`
	// Suggests is the runbook the incident should use when it is not the one
	// whose rule fired (e.g. a drop spike suggests stale-suppression-list).
	Suggests string `json:"suggests,omitempty"`
}

// MaxSummaryLen caps an incident's summary (characters): it is shown on every
// list, timeline and escalation message.
const MaxSummaryLen = 2000

// LegalConfirmation is a legal user's sign-off that the incident may be
// closed (for a data breach: the notification decisions are made and
// recorded), with what they checked.
type LegalConfirmation struct {
	By      string    `json:"by"` // the legal user's id
	At      time.Time `json:"at"`
	Comment string    `json:"comment"`
}

// Caller is the user asking for a transition whose rule depends on who they
// are (Reassign, Resolve, ConfirmLegal). The service fills it from the
// caller's roles, so the state machine knows no permission table.
type Caller struct {
	UserID string
	// IsAdmin: holds the admin role.
	IsAdmin bool
	// IsLegal: holds the legal role (admin alone does not count).
	IsLegal bool
	// CanTakeOver: may acknowledge incidents (auth.IncidentAck), and so may
	// take over or hand on an incident someone else owns.
	CanTakeOver bool
}

// NewIncident is what opening an incident needs. The runbook comes with it as
// a separate argument of New; the owner is set by Acknowledge afterwards.
type NewIncident struct {
	CampaignID string
	Severity   string // empty: the runbook's default
	Summary    string // required unless Source is SourceWebhook
	// SummaryGenerated: Summary was written by Firebreak (Title), not a person.
	SummaryGenerated bool
	Source           Source
	Trigger          *Trigger // set for SourceWebhook
}

// New opens an incident of rb at now (DetectedAt): status open, step own
// active, the other five pending. It returns a FieldError (kind Invalid) naming
// campaign_id, summary, severity, source or runbook when they are missing or
// unknown. A webhook incident without a summary gets one from its trigger.
// The caller records Opened(inc) in the audit trail with it.
func New(in NewIncident, rb runbook.Runbook, now time.Time) (Incident, error) {
	var f errs.Fields
	if strings.TrimSpace(in.CampaignID) == "" {
		f.Add("campaign_id", "is required")
	}
	if strings.TrimSpace(rb.ID) == "" {
		f.Add("runbook", "is required")
	}
	if !slices.Contains(Sources, in.Source) {
		f.Add("source", "must be one of dashboard, api, webhook")
	}
	summary, generated := strings.TrimSpace(in.Summary), in.SummaryGenerated
	if summary == "" && in.Source == SourceWebhook && in.Trigger != nil {
		summary, generated = in.Trigger.describe(), true
	}
	if summary == "" && in.Source != SourceWebhook {
		f.Add("summary", "is required")
	}
	if utf8.RuneCountInString(summary) > MaxSummaryLen {
		f.Add("summary", fmt.Sprintf("must be at most %d characters", MaxSummaryLen))
	}
	sev := strings.TrimSpace(in.Severity)
	if sev == "" {
		sev = rb.Severity
	}
	if !slices.Contains(runbook.Severities, sev) {
		f.Add("severity", "must be one of "+strings.Join(runbook.Severities, ", "))
	}
	if err := f.Err(); err != nil {
		return Incident{}, err
	}
	var trig *Trigger
	if in.Trigger != nil {
		t := *in.Trigger
		trig = &t
	}
	steps := make([]Step, len(runbook.Steps))
	for i, name := range runbook.Steps {
		steps[i] = Step{Name: name, Status: Pending}
	}
	steps[0].Status, steps[0].StartedAt = Active, ptr(now)
	return Incident{
		CampaignID:       in.CampaignID,
		Runbook:          rb.ID,
		Severity:         sev,
		Status:           Open,
		Summary:          summary,
		SummaryGenerated: generated,
		Source:           in.Source,
		Trigger:          trig,
		DetectedAt:       now,
		Steps:            steps,
		RunbookHistory:   []RunbookChange{},
	}, nil
}

// CurrentStep is the name of the active step, or "" when every step is done
// or skipped.
func (inc Incident) CurrentStep() string {
	for _, s := range inc.Steps {
		if s.Status == Active {
			return s.Name
		}
	}
	return ""
}

// Step returns the named step and whether the incident has it.
func (inc Incident) Step(name string) (Step, bool) {
	i := inc.stepIndex(name)
	if i < 0 {
		return Step{}, false
	}
	return inc.Steps[i], true
}

func (inc Incident) stepIndex(name string) int {
	for i, s := range inc.Steps {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// clone copies everything a transition may change in place, so the receiver
// (and the caller's copy) never sees the change.
func (inc Incident) clone() Incident {
	inc.Steps = slices.Clone(inc.Steps)
	inc.RunbookHistory = slices.Clone(inc.RunbookHistory)
	if inc.Trigger != nil {
		t := *inc.Trigger
		inc.Trigger = &t
	}
	if inc.LegalConfirmation != nil {
		c := *inc.LegalConfirmation
		inc.LegalConfirmation = &c
	}
	return inc
}

// advance makes the first pending step active when no step is.
func (inc *Incident) advance(now time.Time) {
	if inc.CurrentStep() != "" {
		return
	}
	for i := range inc.Steps {
		if inc.Steps[i].Status == Pending {
			inc.Steps[i].Status, inc.Steps[i].StartedAt = Active, ptr(now)
			return
		}
	}
}

// finish marks step i done or skipped by by at now.
func (inc *Incident) finish(i int, st StepStatus, by string, now time.Time) {
	s := &inc.Steps[i]
	if s.StartedAt == nil {
		s.StartedAt = ptr(now)
	}
	s.Status, s.CompletedAt, s.CompletedBy = st, ptr(now), by
}

func (t Trigger) describe() string {
	return fmt.Sprintf("%s: %s %s%% ≥ %s%% (%s)", t.Rule, t.Metric, figures.PercentNumber(t.Value),
		figures.PercentNumber(t.Threshold), t.Window)
}

func ptr[T any](v T) *T { return &v }
