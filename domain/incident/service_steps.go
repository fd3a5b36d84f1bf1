package incident

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// AssessmentView is an assessment with what follows from it.
type AssessmentView struct {
	Assessment
	PIIExposed       bool
	LegalRequired    bool
	SecurityRequired bool
}

func (s *Service) viewAssessment(inc Incident, a Assessment) AssessmentView {
	rb, _ := s.runbooks.Get(inc.Runbook)
	return AssessmentView{Assessment: a, PIIExposed: PIIExposed(a.DataCategories),
		LegalRequired: LegalRequired(rb, a.DataCategories), SecurityRequired: SecurityRequired(rb, a.DataCategories)}
}

// ComputeAssessment computes the blast radius now, exactly, from the handoff
// ledger and the events, and stores it.
func (s *Service) ComputeAssessment(ctx context.Context, actor audit.Actor, id string) (AssessmentView, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	if err := notResolved(inc); err != nil {
		return AssessmentView{}, err
	}
	v, err := s.campaigns.Get(ctx, inc.CampaignID)
	if err != nil {
		return AssessmentView{}, err
	}
	var espPausedAt *time.Time
	if c := v.Campaign; c.ESPState == campaign.ESPPaused || c.ESPState == campaign.ESPCancelled {
		espPausedAt = c.ESPStateAt
	}
	br, err := s.repo.BlastRadius(ctx, inc.CampaignID, espPausedAt)
	if err != nil {
		return AssessmentView{}, err
	}
	a, err := s.repo.GetAssessment(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	a.Computed = &br
	if err := s.repo.SaveAssessment(ctx, a, audit.Entry{Actor: actor, Action: "incident.assess", SubjectType: SubjectType,
		Data: map[string]any{"targeted": br.Totals.Targeted, "handed_to_esp": br.Totals.HandedToESP, "held": br.Totals.Held,
			"delivered": br.Totals.Delivered, "complained": br.Totals.Complained}}); err != nil {
		return AssessmentView{}, err
	}
	return s.viewAssessment(inc, a), nil
}

// GetAssessment reads the stored assessment.
func (s *Service) GetAssessment(ctx context.Context, id string) (AssessmentView, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	a, err := s.repo.GetAssessment(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	return s.viewAssessment(inc, a), nil
}

// PatchAssessment edits the human fields (cause, data categories exposed,
// cost, notes).
func (s *Service) PatchAssessment(ctx context.Context, actor audit.Actor, id string, p AssessmentPatch) (AssessmentView, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	if err := notResolved(inc); err != nil {
		return AssessmentView{}, err
	}
	a, err := s.repo.GetAssessment(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	if a, err = p.Apply(a); err != nil {
		return AssessmentView{}, err
	}
	data := map[string]any{"cause": a.Cause, "data_categories_exposed": a.DataCategories, "cost_estimate_cents": a.CostEstimateCents}
	if err := s.repo.SaveAssessment(ctx, a, audit.Entry{Actor: actor, Action: "incident.assessment_edit",
		SubjectType: SubjectType, Data: data}); err != nil {
		return AssessmentView{}, err
	}
	return s.viewAssessment(inc, a), nil
}

// Tasks lists the plan.
func (s *Service) Tasks(ctx context.Context, id string) ([]Task, error) {
	if _, err := s.repo.GetIncident(ctx, id); err != nil {
		return nil, err
	}
	return s.repo.ListTasks(ctx, id)
}

// AddTask adds a task to the plan.
func (s *Service) AddTask(ctx context.Context, actor audit.Actor, id string, t Task) (Task, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Task{}, err
	}
	if err := notResolved(inc); err != nil {
		return Task{}, err
	}
	if err := ValidateTask(t.Title, t.Kind, ""); err != nil {
		return Task{}, err
	}
	if err := validUserID("owner_id", t.OwnerID); err != nil {
		return Task{}, err
	}
	t.ID, t.IncidentID, t.Title, t.Status = "", id, strings.TrimSpace(t.Title), "open"
	return s.repo.SaveTask(ctx, t, audit.Entry{Actor: actor, Action: "incident.task_add", SubjectType: SubjectType,
		Data: map[string]any{"kind": t.Kind, "owner_id": t.OwnerID, "due_at": t.DueAt}})
}

// TaskPatch edits a task; nil leaves a field as it is.
type TaskPatch struct {
	Status  *string
	OwnerID *string
	DueAt   *time.Time
}

// PatchTask assigns, reschedules, completes or reopens a task.
func (s *Service) PatchTask(ctx context.Context, actor audit.Actor, id, taskID string, p TaskPatch) (Task, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Task{}, err
	}
	if err := notResolved(inc); err != nil {
		return Task{}, err
	}
	t, err := s.repo.GetTask(ctx, id, taskID)
	if err != nil {
		return Task{}, err
	}
	if p.Status != nil {
		if err := ValidateTask(t.Title, t.Kind, *p.Status); err != nil {
			return Task{}, err
		}
		if *p.Status == "done" && t.Status != "done" {
			now := s.now()
			t.CompletedAt, t.CompletedBy = &now, actor.UserID
		}
		if *p.Status == "open" {
			t.CompletedAt, t.CompletedBy = nil, ""
		}
		t.Status = *p.Status
	}
	if p.OwnerID != nil {
		if err := validUserID("owner_id", *p.OwnerID); err != nil {
			return Task{}, err
		}
		t.OwnerID = *p.OwnerID
	}
	if p.DueAt != nil {
		t.DueAt = p.DueAt
	}
	return s.repo.SaveTask(ctx, t, audit.Entry{Actor: actor, Action: "incident.task_update", SubjectType: SubjectType,
		Data: map[string]any{"status": t.Status, "owner_id": t.OwnerID, "due_at": t.DueAt}})
}

// Escalate runs one escalation check (the scheduled task): when nobody has
// acknowledged by the runbook's deadline, the runbook's targets are notified,
// the escalation is recorded on the timeline, and the next one is scheduled
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
	notifyErr := error(nil)
	if s.notify != nil {
		notifyErr = s.notify.Notify(ctx, n)
	}
	inc, err = s.update(ctx, audit.System, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.Escalated(now)
		if err != nil {
			return cur, ch, nil, err
		}
		ch.Data = audit.With(ch.Data, "targets", targets, "recipients", len(n.Emails))
		if notifyErr != nil {
			ch.Data["notify_error"] = notifyErr.Error()
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

// Detect evaluates the runbooks' detection rules against the campaign's
// rolling counters (the incident:detect task after a committed webhook batch,
// and the reconciler). A rule that fires opens one incident — source webhook,
// with the trigger — in the runbook it suggests (or its own), and pauses the
// campaign when that runbook says so. It is idempotent, so a task delivered
// twice or late is harmless: a campaign that already has an open incident is
// left alone (concurrent batches, SendGrid retries and repeated runs never open
// a second one), and a rule that opened an incident since resolved does not
// fire again. An error (Postgres, an unknown campaign) is the caller's to retry
// or drop.
func (s *Service) Detect(ctx context.Context, campaignID string) error {
	v, err := s.campaigns.Get(ctx, campaignID)
	if err != nil {
		return err
	}
	c := Counters{Delivered: v.Counts.Delivered, HandedToESP: v.Counts.HandedToESP, Complained: v.Counts.Complained,
		HardBounced: v.Counts.HardBounced, Dropped: v.Counts.Dropped}
	for _, rb := range s.runbooks.All() {
		tr := Evaluate(c, rb.Triggers)
		if tr == nil {
			continue
		}
		if _, err := s.repo.OpenIncidentFor(ctx, campaignID); err == nil {
			return nil // already being handled
		}
		// A rule that already opened an incident for this campaign, since
		// resolved, does not fire again: its rate stays above the threshold
		// after the fact, and re-opening on every batch would undo the resolution.
		past, err := s.repo.ListIncidents(ctx, "", campaignID)
		if err != nil {
			return err
		}
		fired := false
		for _, p := range past {
			fired = fired || (p.Trigger != nil && p.Trigger.Rule == tr.Rule)
		}
		if fired {
			continue
		}
		target := rb
		if tr.Suggests != "" {
			if sug, ok := s.runbooks.Get(tr.Suggests); ok {
				target = sug
			}
		}
		inc, created, err := s.Declare(ctx, audit.Webhook, Declaration{CampaignID: campaignID, Runbook: target.ID,
			Source: SourceWebhook, Trigger: tr})
		if err != nil || !created {
			return err
		}
		s.log.Warn("detection rule fired: incident opened", "campaign_id", campaignID, "incident_id", inc.ID,
			"rule", tr.Rule, "value", tr.Value, "threshold", tr.Threshold, "runbook", target.ID)
		if target.AutoPause {
			_, _, err = s.Pause(ctx, audit.Webhook, inc.ID, fmt.Sprintf("auto-paused: %s %.4f ≥ %.4f", tr.Metric, tr.Value, tr.Threshold))
		}
		return err
	}
	return nil
}

// Reconciler is the storage the incident reconciler reads.
type Reconciler interface {
	UnacknowledgedOpen(ctx context.Context) ([]string, error)
	RecentlyEventful(ctx context.Context, since time.Time) ([]string, error)
}

// The window of the reconciler's detection pass. Each pass covers the
// campaigns with events since the previous pass without a failure began, less
// reconcileOverlap (a batch committed as that pass read, and clocks of other
// hosts). The first pass of a process does not know when detection last ran,
// and a Redis outage stops the detection tasks and the reconciler alike (it is
// a task too), so it looks back reconcileFirstLookback (SendGrid retries a post
// for that long).
const (
	reconcileOverlap       = 2 * time.Minute
	reconcileFirstLookback = 24 * time.Hour
)

// Reconcile re-derives incident work from Postgres (run periodically): it
// re-runs detection on the campaigns with events since its last pass (a crash
// between a webhook commit and its detection, a lost detection task or a Redis
// outage loses no incident), and the escalation check of every unacknowledged
// incident is (re-)scheduled (a flushed Redis loses no escalation; the check
// itself runs once, as the scheduled task). A campaign whose detection fails is
// logged and the others are still checked; the next pass covers it again.
func (s *Service) Reconcile(ctx context.Context, r Reconciler) error {
	began := s.now()
	s.mu.Lock()
	since := s.reconciled.Add(-reconcileOverlap)
	if s.reconciled.IsZero() {
		since = began.Add(-reconcileFirstLookback)
	}
	s.mu.Unlock()
	ids, err := r.RecentlyEventful(ctx, since)
	if err != nil {
		return err
	}
	failed := false
	for _, id := range ids {
		if err := s.Detect(ctx, id); err != nil {
			failed = true
			s.log.Error("incident detection failed", "campaign_id", id, "err", err.Error())
		}
	}
	if !failed {
		s.mu.Lock()
		if began.After(s.reconciled) {
			s.reconciled = began
		}
		s.mu.Unlock()
	}
	open, err := r.UnacknowledgedOpen(ctx)
	if err != nil {
		return err
	}
	for _, id := range open {
		inc, err := s.repo.GetIncident(ctx, id)
		if err != nil {
			return err
		}
		rb, _ := s.runbooks.Get(inc.Runbook)
		// Keyed on the due time, this dedupes with the check already queued.
		s.scheduleEscalation(ctx, inc, rb)
	}
	return nil
}
