package incident

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
)

// Escalate runs one escalation check (the scheduled task): when nobody has
// acknowledged by the runbook's deadline, the runbook's targets are notified,
// the escalation is recorded on the timeline with what was delivered to whom
// (or why not: a failure, or no channel configured), and the next one is scheduled
// when the runbook repeats. An acknowledged or resolved incident makes it a no-op.
func (s *Service) Escalate(ctx context.Context, id string) error {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return err
	}
	rb, _ := s.runbooks.Get(inc.Runbook)
	due, next := EscalationDue(inc, rb, s.now())
	if !due {
		if !next.IsZero() && s.jobs != nil {
			return s.jobs.EscalateAt(ctx, id, next) // woken early: check again then
		}
		return nil
	}
	n := Notification{Subject: fmt.Sprintf("[Firebreak %s] Unacknowledged incident on campaign %s", inc.Severity, inc.CampaignID),
		Text: fmt.Sprintf("Incident %s (%s) was detected at %s and nobody has acknowledged it. Summary: %s",
			inc.ID, rb.Title, inc.DetectedAt.Format(time.RFC3339), inc.Summary)}
	var targets []string
	for _, t := range rb.Acknowledge.Escalation {
		switch {
		case t.Role != "":
			emails, err := s.repo.UserEmailsWithRole(ctx, t.Role)
			if err != nil {
				return err
			}
			n.Emails = append(n.Emails, emails...)
			targets = append(targets, "role:"+t.Role)
		case t.Email != "":
			n.Emails = append(n.Emails, t.Email)
			targets = append(targets, t.Email)
		case t.Slack:
			n.Slack = true
			targets = append(targets, "slack")
		}
	}
	var delivered Delivery
	notifyErr := error(nil)
	if s.notify != nil {
		delivered, notifyErr = s.notify.Notify(ctx, n)
	}
	inc, err = s.update(ctx, audit.System, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.Escalated(now)
		if err != nil {
			return cur, ch, nil, err
		}
		ch.Data = audit.With(ch.Data, "targets", targets, "recipients", len(n.Emails))
		for k, v := range DeliveryData(delivered, notifyErr) {
			ch.Data[k] = v
		}
		return next, ch, nil, nil
	})
	if err != nil {
		if errors.Is(err, ErrAlreadyAcknowledged) || errors.Is(err, ErrResolved) {
			return nil
		}
		return err
	}
	s.scheduleEscalation(ctx, inc, rb)
	return nil
}
