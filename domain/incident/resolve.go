package incident

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/runbook"
)

// NeedsLegalConfirmation reports whether the incident resolves only after a
// legal user's sign-off: a data breach, whose notification duties (GDPR
// Art. 33/34, US state laws) are legal's to decide, not the owner's.
func (inc Incident) NeedsLegalConfirmation() bool { return inc.Runbook == runbook.DataBreach }

// MaxClosingSummary is the longest closing summary Resolve takes, in characters.
const MaxClosingSummary = 4000

// Resolve closes the incident for good. Checked in this order, each refusal
// leaving the incident unchanged:
//   - somebody owns it (ErrNotAcknowledged, even for an admin: acknowledge first);
//   - the caller is its owner or an admin (ErrNotOwner);
//   - an incident that NeedsLegalConfirmation has one from a legal user, or
//     the caller holds legal and their resolve is the confirmation
//     (ErrLegalConfirmationRequired; admin alone does not count);
//   - every step is done or skipped, or the caller gives a reason
//     (ErrStepsPending, whose Details list the unfinished steps). Step 6,
//     monitor, never counts: resolving is what starts its watch window.
//
// Unfinished steps stay as they are; the Change lists them with the reason,
// the closing summary (optional, what was done and what is left: the
// postmortem's summary ends with it; over MaxClosingSummary characters is a
// validation error on summary) and, for a data breach, who confirmed for
// legal and when.
func (inc Incident) Resolve(c Caller, reason, summary string, now time.Time) (Incident, Change, error) {
	if err := inc.check(c.UserID); err != nil {
		return inc, Change{}, err
	}
	if inc.OwnerID == "" {
		return inc, Change{}, ErrNotAcknowledged
	}
	if c.UserID != inc.OwnerID && !c.IsAdmin {
		return inc, Change{}, ErrNotOwner
	}
	confirmation := inc.LegalConfirmation
	if inc.NeedsLegalConfirmation() && confirmation == nil {
		if !c.IsLegal {
			return inc, Change{}, ErrLegalConfirmationRequired
		}
		confirmation = &LegalConfirmation{By: c.UserID, At: now}
	}
	unfinished := []string{}
	for _, s := range inc.Steps {
		if !finished(s.Status) && s.Name != StepMonitor {
			unfinished = append(unfinished, s.Name)
		}
	}
	reason = strings.TrimSpace(reason)
	if len(unfinished) > 0 && reason == "" {
		return inc, Change{}, &pendingError{pending: unfinished}
	}
	summary = strings.TrimSpace(summary)
	if utf8.RuneCountInString(summary) > MaxClosingSummary {
		return inc, Change{}, (errs.Fields{"summary": fmt.Sprintf("is too long (at most %d characters)", MaxClosingSummary)}).Err()
	}
	out := inc.clone()
	out.Status, out.ResolvedAt = Resolved, ptr(now)
	data := map[string]any{"owner_id": inc.OwnerID, "as_admin": c.UserID != inc.OwnerID, "unfinished_steps": unfinished}
	if reason != "" {
		data["reason"] = reason
	}
	if summary != "" {
		data["summary"] = summary
	}
	if inc.NeedsLegalConfirmation() {
		data["legal_confirmed_by"], data["legal_confirmed_at"] = confirmation.By, confirmation.At
	}
	return out, Change{Action: ActionResolve, Data: data}, nil
}

// ConfirmLegal records a legal user's sign-off with what they checked
// (comment, required): a data-breach incident resolves only after one. Any
// user holding legal may give it, the owner included; a caller without legal
// is ErrLegalRoleRequired (admin alone does not count). A later confirmation
// replaces the earlier one (both stay on the timeline); repeating the same
// one by the same user changes nothing. Reclassify withdraws it.
func (inc Incident) ConfirmLegal(comment string, c Caller, now time.Time) (Incident, Change, error) {
	if err := inc.check(c.UserID); err != nil {
		return inc, Change{}, err
	}
	if !c.IsLegal {
		return inc, Change{}, ErrLegalRoleRequired
	}
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return inc, Change{}, (errs.Fields{"comment": "is required: say what legal checked or decided"}).Err()
	}
	if p := inc.LegalConfirmation; p != nil && p.By == c.UserID && p.Comment == comment {
		return inc, Change{}, nil
	}
	out := inc.clone()
	out.LegalConfirmation = &LegalConfirmation{By: c.UserID, At: now, Comment: comment}
	return out, Change{Action: ActionLegalConfirm, Data: map[string]any{"comment": comment,
		"runbook": inc.Runbook, "required": inc.NeedsLegalConfirmation()}}, nil
}

// pendingError is ErrStepsPending with the unfinished steps, which the API
// answers as details (it implements Code and Details).
type pendingError struct{ pending []string }

func (e *pendingError) Error() string {
	return fmt.Sprintf("incident steps pending: %s", strings.Join(e.pending, ", "))
}
func (e *pendingError) Unwrap() error { return ErrStepsPending }

// Code is ErrStepsPending's code.
func (e *pendingError) Code() string { return ErrStepsPending.Code }

// Details lists the unfinished steps, in order.
func (e *pendingError) Details() map[string]any { return map[string]any{"pending": e.pending} }
