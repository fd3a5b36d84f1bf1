package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// The audit actions of an incident, one per kind of state change.
const (
	ActionOpen         = "incident.open"
	ActionAcknowledge  = "incident.acknowledge"
	ActionReassign     = "incident.reassign" // an acknowledged incident changes owner
	ActionPause        = "incident.pause"
	ActionStepComplete = "incident.step_complete"
	ActionStepSkip     = "incident.step_skip"
	ActionReclassify   = "incident.reclassify"
	ActionEscalate     = "incident.escalate"
	ActionResolve      = "incident.resolve"
	ActionLegalConfirm = "incident.legal_confirm" // a legal user's sign-off (data-breach resolves only with one)
)

// SubjectType is the audit subject type of incident entries.
const SubjectType = "incident"

// Change is the audit record of one transition (DESIGN.md invariant 6): the
// caller writes it, with the actor and time, in the same transaction as the
// changed incident. A zero Change (IsZero) means the transition changed
// nothing and there is nothing to write.
type Change struct {
	Action string
	Data   map[string]any
}

// IsZero reports whether the transition changed nothing.
func (c Change) IsZero() bool { return c.Action == "" }

// Entry is the audit entry for c on incident id, by actor at at.
func (c Change) Entry(actor audit.Actor, id string, at time.Time) audit.Entry {
	return audit.Entry{At: at, Actor: actor, Action: c.Action, SubjectType: SubjectType, SubjectID: id, Data: c.Data}
}

// Opened is the Change that records an incident New just opened.
func Opened(inc Incident) Change {
	data := map[string]any{"campaign_id": inc.CampaignID, "runbook": inc.Runbook, "severity": inc.Severity,
		"source": string(inc.Source), "summary": inc.Summary}
	if inc.Trigger != nil {
		data["trigger"] = *inc.Trigger
	}
	return Change{Action: ActionOpen, Data: data}
}

var errNoActor = fmt.Errorf("incident: the acting user (by) is required: %w", errs.Invalid)

// check is what every transition checks first.
func (inc Incident) check(by string) error {
	if inc.Status == Resolved {
		return ErrResolved
	}
	if strings.TrimSpace(by) == "" {
		return errNoActor
	}
	return nil
}

// Acknowledge makes ownerID (by, when empty) the owner. The first acknowledge
// records AcknowledgedAt — which stops escalation — completes step own and
// activates stop (or the next pending step when the campaign was already
// paused). Once acknowledged, acknowledge never moves the owner: asking for
// the owner the incident already has changes nothing (a retry, a double
// click), asking for anyone else is ErrAlreadyAcknowledged with the current
// owner in its details. Changing the owner is Reassign, with a reason.
func (inc Incident) Acknowledge(ownerID, by string, now time.Time) (Incident, Change, error) {
	if err := inc.check(by); err != nil {
		return inc, Change{}, err
	}
	if strings.TrimSpace(ownerID) == "" {
		ownerID = by
	}
	if inc.AcknowledgedAt != nil {
		if ownerID == inc.OwnerID {
			return inc, Change{}, nil
		}
		return inc, Change{}, &ownedError{owner: inc.OwnerID}
	}
	out := inc.clone()
	out.OwnerID, out.AcknowledgedAt = ownerID, ptr(now)
	if i := out.stepIndex(StepOwn); i >= 0 && !finished(out.Steps[i].Status) {
		out.finish(i, Done, by, now)
	}
	out.advance(now)
	return out, Change{Action: ActionAcknowledge, Data: map[string]any{"owner_id": ownerID,
		"seconds_to_acknowledge": int64(now.Sub(inc.DetectedAt) / time.Second), "current_step": out.CurrentStep()}}, nil
}

// Reassign hands an acknowledged incident to ownerID, for a reason that goes
// on the timeline with the previous and the new owner (ActionReassign). The
// current owner may hand it to anyone; a caller who may acknowledge
// incidents (CanTakeOver) or an admin may take it over or hand it on — the
// on-call handover when the owner is away. Both owner_id and reason are
// required (a FieldError); nobody owning it yet is ErrNotAcknowledged
// (acknowledge it instead); anyone else is ErrReassignForbidden. The
// acknowledge time and the steps stay as they are. Reassigning to the
// current owner changes nothing.
func (inc Incident) Reassign(ownerID, reason string, c Caller, now time.Time) (Incident, Change, error) {
	if err := inc.check(c.UserID); err != nil {
		return inc, Change{}, err
	}
	if inc.AcknowledgedAt == nil || inc.OwnerID == "" {
		return inc, Change{}, ErrNotAcknowledged
	}
	if c.UserID != inc.OwnerID && !c.CanTakeOver && !c.IsAdmin {
		return inc, Change{}, ErrReassignForbidden
	}
	ownerID, reason = strings.TrimSpace(ownerID), strings.TrimSpace(reason)
	var f errs.Fields
	if ownerID == "" {
		f.Add("owner_id", "is required")
	}
	if reason == "" {
		f.Add("reason", "is required: say why the owner changes")
	}
	if err := f.Err(); err != nil {
		return inc, Change{}, err
	}
	if ownerID == inc.OwnerID {
		return inc, Change{}, nil
	}
	out := inc.clone()
	out.OwnerID = ownerID
	return out, Change{Action: ActionReassign, Data: map[string]any{"from": inc.OwnerID, "to": ownerID,
		"owner_id": ownerID, "reason": reason}}, nil
}

// MarkPaused records that the campaign is paused for this incident: PausedAt
// is set once (the first pause) and step stop is done, whatever step is
// active — a webhook pause may come before anyone acknowledged, and then own
// stays active. When stop was the active step, assess becomes active. Marking
// an incident paused again changes nothing.
func (inc Incident) MarkPaused(by string, now time.Time) (Incident, Change, error) {
	if err := inc.check(by); err != nil {
		return inc, Change{}, err
	}
	i := inc.stepIndex(StepStop)
	stopDone := i < 0 || inc.Steps[i].Status == Done
	if inc.PausedAt != nil && stopDone {
		return inc, Change{}, nil
	}
	out := inc.clone()
	if out.PausedAt == nil {
		out.PausedAt = ptr(now)
	}
	if !stopDone {
		out.finish(i, Done, by, now)
	}
	out.advance(now)
	return out, Change{Action: ActionPause, Data: map[string]any{"paused_at": *out.PausedAt,
		"seconds_to_pause": int64(out.PausedAt.Sub(inc.DetectedAt) / time.Second), "current_step": out.CurrentStep()}}, nil
}

// CompleteStep marks step name done; SkipStep marks it skipped. Either works on
// the active step, or on an earlier step still pending; afterwards, when no
// step is active, the first pending one becomes active. Steps communicate and
// monitor follow the same rule (they start pending and are completed by the
// later features that run them). Own is finished only by Acknowledge (an
// incident always gets an owner) and stop is completed only by MarkPaused,
// though it may be skipped when there is nothing to pause. Repeating a
// completion (or a skip) changes nothing; anything else returns ErrInvalidStep.
func (inc Incident) CompleteStep(name, by string, now time.Time) (Incident, Change, error) {
	return inc.finishStep(name, Done, by, now)
}

// SkipStep marks step name skipped; see CompleteStep.
func (inc Incident) SkipStep(name, by string, now time.Time) (Incident, Change, error) {
	return inc.finishStep(name, Skipped, by, now)
}

func (inc Incident) finishStep(name string, to StepStatus, by string, now time.Time) (Incident, Change, error) {
	if err := inc.check(by); err != nil {
		return inc, Change{}, err
	}
	i := inc.stepIndex(name)
	switch {
	case i < 0:
		return inc, Change{}, stepErr(name, "no such step")
	case name == StepOwn:
		return inc, Change{}, stepErr(name, "own is finished by acknowledging the incident")
	case name == StepStop && to == Done:
		return inc, Change{}, stepErr(name, "stop is completed by pausing the campaign (or skipped when there is nothing to pause)")
	}
	cur := inc.Steps[i].Status
	switch {
	case cur == to:
		return inc, Change{}, nil
	case finished(cur):
		return inc, Change{}, stepErr(name, "the step is already "+string(cur))
	case cur == Pending:
		a := inc.stepIndex(inc.CurrentStep())
		if a < 0 || i > a {
			return inc, Change{}, stepErr(name, "the step comes after the current step "+inc.CurrentStep())
		}
	}
	out := inc.clone()
	out.finish(i, to, by, now)
	out.advance(now)
	action := ActionStepComplete
	if to == Skipped {
		action = ActionStepSkip
	}
	return out, Change{Action: action, Data: map[string]any{"step": name, "current_step": out.CurrentStep()}}, nil
}

// Reclassify moves the incident to runbook rb, keeping the history (the
// cause is often only known after assessing: triage → wrong-segment). The
// severity is raised to rb's default when that is more severe, never lowered.
// A legal confirmation is withdrawn (it was given for the incident as it was
// classified). Reclassifying to the current runbook changes nothing.
func (inc Incident) Reclassify(rb runbook.Runbook, by string, now time.Time) (Incident, Change, error) {
	if err := inc.check(by); err != nil {
		return inc, Change{}, err
	}
	if strings.TrimSpace(rb.ID) == "" {
		return inc, Change{}, (errs.Fields{"runbook": "is required"}).Err()
	}
	if rb.ID == inc.Runbook {
		return inc, Change{}, nil
	}
	out := inc.clone()
	out.RunbookHistory = append(out.RunbookHistory, RunbookChange{From: inc.Runbook, To: rb.ID, At: now, By: by})
	out.Runbook = rb.ID
	if moreSevere(rb.Severity, out.Severity) {
		out.Severity = rb.Severity
	}
	data := map[string]any{"from": inc.Runbook, "to": rb.ID, "severity_from": inc.Severity, "severity": out.Severity}
	if out.LegalConfirmation != nil { // it was given for the incident as classified before
		out.LegalConfirmation = nil
		data["legal_confirmation_withdrawn"] = true
	}
	return out, Change{Action: ActionReclassify, Data: data}, nil
}

func finished(s StepStatus) bool { return s == Done || s == Skipped }

// moreSevere reports whether severity a is known and more severe than b
// (runbook.Severities is ordered most severe first; unknown is least).
func moreSevere(a, b string) bool {
	ia, ib := slices.Index(runbook.Severities, a), slices.Index(runbook.Severities, b)
	if ia < 0 {
		return false
	}
	return ib < 0 || ia < ib
}

// stepError is ErrInvalidStep with the step and the reason, which the API
// answers as details (it implements Code and Details).
type stepError struct{ step, reason string }

func stepErr(step, reason string) error { return &stepError{step: step, reason: reason} }

func (e *stepError) Error() string { return fmt.Sprintf("incident step %s: %s", e.step, e.reason) }
func (e *stepError) Unwrap() error { return ErrInvalidStep }

// Code is ErrInvalidStep's code.
func (e *stepError) Code() string { return ErrInvalidStep.Code }

// Details names the step and why it cannot change.
func (e *stepError) Details() map[string]any {
	return map[string]any{"step": e.step, "reason": e.reason}
}

// ownedError is ErrAlreadyAcknowledged from Acknowledge, naming the current
// owner, which the API answers as details (it implements Code and Details).
type ownedError struct{ owner string }

func (e *ownedError) Error() string { return "incident already acknowledged by owner " + e.owner }
func (e *ownedError) Unwrap() error { return ErrAlreadyAcknowledged }

// Code is ErrAlreadyAcknowledged's code.
func (e *ownedError) Code() string { return ErrAlreadyAcknowledged.Code }

// Details names the current owner.
func (e *ownedError) Details() map[string]any { return map[string]any{"owner_id": e.owner} }
