package communication

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/firebreak/firebreak/domain/figures"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// HaltRepo is the storage a halt needs beyond a pause's (the store).
type HaltRepo interface {
	StatusRepo
	// HaltCommunication pauses a sending (or sent, or paused) communication
	// for a detection rule, once: under its dispatch lock held exclusively it
	// sets halted_at and the reason, moves the status to paused and writes the
	// audit entry, in one transaction. A communication already halted, or in
	// any other status, is left alone (false).
	HaltCommunication(ctx context.Context, id, reason string, now time.Time, a audit.Entry) (Communication, bool, error)
}

// haltFrom are the statuses a spike halts: a sent one too, as SendGrid may
// still hold its last batches in the send buffer; a paused one is only marked.
var haltFrom = []Status{Sending, Paused, Sent}

// haltMetrics are the deliverability-spike rules a communication is watched
// by: complaints and hard bounces (drops point at the campaign's list, not at
// what the apology says).
var haltMetrics = map[string]bool{incident.MetricComplaintRate: true, incident.MetricHardBounceRate: true}

// Detect runs the deliverability-spike runbook's complaint and hard-bounce
// rules on a communication's counters (the communication:detect task after a
// committed webhook batch, and the reconciler). When one fires on a sending
// or paused communication, the communication is halted: paused on both
// planes as Pause does (actor webhook), with the metric, value and threshold
// on the incident's timeline (communication.halted). Idempotent: a rule
// halts a communication once, so a second batch neither pauses again nor
// adds an entry, and a person's resume stands; a rerun only finishes
// SendGrid's plane of a halt that has not reached it.
func (s *Service) Detect(ctx context.Context, id string) error {
	repo, ok := s.d.Repo.(HaltRepo)
	if !ok || s.d.Runbooks == nil {
		return nil
	}
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return err
	}
	if c.HaltedAt != nil {
		if c.Status == Paused {
			_, err = s.applyESP(ctx, repo, audit.Webhook, c)
		}
		return err
	}
	if !slices.Contains(haltFrom, c.Status) {
		return nil
	}
	rb, ok := s.d.Runbooks.Get(runbook.DeliverabilitySpike)
	if !ok {
		return nil
	}
	var triggers []runbook.Trigger
	for _, t := range rb.Triggers {
		if haltMetrics[t.Metric] {
			triggers = append(triggers, t)
		}
	}
	tr := incident.Evaluate(incident.Counters{Delivered: c.Counts.Delivered, HandedToESP: c.Counts.HandedToESP,
		Complained: c.Counts.Complained, HardBounced: c.Counts.HardBounced}, triggers)
	if tr == nil {
		return nil
	}
	reason := haltReason(tr.Metric, tr.Value, tr.Threshold)
	a := entry(audit.Webhook, "communication.halted", c, map[string]any{"rule": tr.Rule, "metric": tr.Metric,
		"value": tr.Value, "threshold": tr.Threshold, "window": tr.Window, "reason": reason})
	c, halted, err := repo.HaltCommunication(ctx, id, reason, s.d.Now(), a)
	if err != nil || !halted {
		return err
	}
	if c, err = s.afterInFlight(ctx, repo, c); err != nil {
		return err
	}
	_, err = s.applyESP(ctx, repo, audit.Webhook, c)
	return err
}

// haltReason says in words why a spike halted a communication, as the
// dashboard and the timeline show it: "Spam complaints reached 0.50 % of
// delivered (the limit is 0.30 %)."
func haltReason(metric string, value, threshold float64) string {
	what := map[string]string{incident.MetricComplaintRate: "Spam complaints reached %s of delivered",
		incident.MetricHardBounceRate: "Hard bounces reached %s of handed over"}[metric]
	if what == "" {
		what = metric + " reached %s"
	}
	return fmt.Sprintf(what+" (the limit is %s).", figures.Percent(value), figures.Percent(threshold))
}
