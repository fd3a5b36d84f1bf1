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
	runbook.StaleSuppressionList: "This incident mailed people who had opted out or were known bad (a stale suppression list): mailing that list again, even to apologise, only adds complaints.",
	runbook.DeliverabilitySpike:  "The people who complained do not want more email from us: an apology to them only adds complaints.",
	runbook.Triage:               "The cause is not known yet: reclassify the incident to the runbook for its cause first; each has its own apology policy.",
}

func (e *NotAllowedError) Error() string {
	if r, ok := reasons[e.Runbook]; ok {
		return r
	}
	return "This incident's runbook (" + e.Runbook + ") does not allow an apology or correction."
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
