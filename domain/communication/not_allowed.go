package communication

import (
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// NotAllowedError refuses an apology or correction for an incident whose
// runbook has apology.allowed false, and says why in words for that runbook
// (the dashboard shows the message instead of a disabled button). It is
// ErrApologyNotAllowed for errors.Is and a Conflict (409).
type NotAllowedError struct {
	Runbook string
	Kind    Kind
}

// reasons say, per shipped runbook, why mailing the audience again is wrong.
var reasons = map[string]string{
	runbook.StaleSuppressionList: "No apology for this incident: the list was stale, so it mailed people who had opted out or were known bad. Mailing that list again, even to say sorry, only adds complaints.",
	runbook.DeliverabilitySpike:  "No apology for this incident: the people who complained do not want more email from us, and an apology to them only adds complaints.",
	runbook.Triage:               "No apology yet: the cause is not known. Reclassify the incident to the runbook for its cause first; each has its own apology policy.",
}

func (e *NotAllowedError) Error() string {
	if r, ok := reasons[e.Runbook]; ok {
		return r
	}
	return "No apology for this incident: its runbook (" + e.Runbook + ") does not allow an apology or correction."
}

// Is makes errors.Is(err, ErrApologyNotAllowed) true.
func (e *NotAllowedError) Is(target error) bool { return target == ErrApologyNotAllowed }

// Unwrap makes it a Conflict.
func (e *NotAllowedError) Unwrap() error { return errs.Conflict }

// Code is DESIGN.md's problem code.
func (e *NotAllowedError) Code() string { return ErrApologyNotAllowed.Code }

// Details name the runbook and the kind refused.
func (e *NotAllowedError) Details() map[string]any {
	return map[string]any{"runbook": e.Runbook, "kind": string(e.Kind)}
}

// NotAllowedReason says why rb forbids an apology or correction, in the
// words the 409 uses; "" when it allows them. GET /api/v1/runbooks/{id}
// carries it, so the dashboard shows the server's reason, also for a runbook
// loaded from FIREBREAK_RUNBOOKS_DIR.
func NotAllowedReason(rb runbook.Runbook) string {
	if rb.Apology.Allowed {
		return ""
	}
	return (&NotAllowedError{Runbook: rb.ID, Kind: Apology}).Error()
}

// Offered returns the kinds the dashboard offers to draft for an incident of
// rb, in this order: apology and correction when the runbook allows an
// apology; a breach notice when the runbook is data-breach or ships a
// breach-notice template (a legal notification; Create accepts one for any
// runbook, but the dashboard offers it where a breach is the mistake).
func Offered(rb runbook.Runbook) []Kind {
	out := []Kind{}
	if rb.Apology.Allowed {
		out = append(out, Apology, Correction)
	}
	if _, ok := rb.Templates[string(BreachNotice)]; ok || rb.ID == runbook.DataBreach {
		out = append(out, BreachNotice)
	}
	return out
}
