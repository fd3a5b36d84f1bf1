package incident

import (
	"time"

	"github.com/firebreak/firebreak/domain/runbook"
)

// DefaultAckDeadline is the acknowledge deadline of a runbook that sets none:
// the golden five minutes.
const DefaultAckDeadline = 5 * time.Minute

// EscalationDue says whether the incident must be escalated at now, and next,
// the moment it is (or was) due. The first escalation is due at DetectedAt +
// rb's acknowledge deadline; later ones every Repeat after LastEscalatedAt
// while nobody acknowledges (none when Repeat is 0). An acknowledged or
// resolved incident, or one escalated once with no repeat, is never due and
// next is zero. A scheduler sleeps until next, asks again (the incident may
// have been acknowledged meanwhile), escalates when due and records it with
// Escalated, then asks again for the following one.
func EscalationDue(inc Incident, rb runbook.Runbook, now time.Time) (due bool, next time.Time) {
	if inc.Status == Resolved || inc.AcknowledgedAt != nil {
		return false, time.Time{}
	}
	if inc.LastEscalatedAt == nil {
		deadline := rb.Acknowledge.Deadline
		if deadline <= 0 {
			deadline = DefaultAckDeadline
		}
		next = inc.DetectedAt.Add(deadline)
	} else {
		if rb.Acknowledge.Repeat <= 0 {
			return false, time.Time{}
		}
		next = inc.LastEscalatedAt.Add(rb.Acknowledge.Repeat)
	}
	return !now.Before(next), next
}

// Escalated records an escalation sent at now: EscalationCount + 1 and
// LastEscalatedAt. It refuses an acknowledged incident (ErrAlreadyAcknowledged)
// so that a timer racing an acknowledge, re-checked under the row lock,
// notifies nobody. The Change's actor is the system.
func (inc Incident) Escalated(now time.Time) (Incident, Change, error) {
	if inc.Status == Resolved {
		return inc, Change{}, ErrResolved
	}
	if inc.AcknowledgedAt != nil {
		return inc, Change{}, ErrAlreadyAcknowledged
	}
	out := inc.clone()
	out.EscalationCount++
	out.LastEscalatedAt = ptr(now)
	return out, Change{Action: ActionEscalate, Data: map[string]any{"count": out.EscalationCount,
		"unacknowledged_seconds": int64(now.Sub(inc.DetectedAt) / time.Second)}}, nil
}
