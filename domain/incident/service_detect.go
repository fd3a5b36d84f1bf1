package incident

import (
	"context"
	"errors"
	"fmt"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
)

// Detect evaluates the runbooks' detection rules against the campaign's
// rolling counters (the incident:detect task after a committed webhook batch,
// and the reconciler). A rule that fires opens one incident — source webhook,
// with the trigger — in the runbook it suggests (or its own), and pauses the
// campaign when that runbook says so. It is idempotent, so a task delivered
// twice or late is harmless: a campaign that already has an open incident is
// left alone (concurrent batches, SendGrid retries and repeated runs never open
// a second one), and a rule that opened an incident since resolved does not
// fire again. Only "not found" from OpenIncidentFor means none is open; any
// other error (Postgres, an unknown campaign) is returned, the caller's to
// retry or drop.
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
		// Only "not found" means none is open: on any other error detection
		// fails (Detect logs it; the reconciler runs it again).
		_, err = s.repo.OpenIncidentFor(ctx, campaignID)
		if err == nil {
			return nil // already being handled
		}
		if !errors.Is(err, errs.NotFound) {
			return fmt.Errorf("open incident of %s: %w", campaignID, err)
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
		// A title for people; the rule's numbers stay in the trigger. The
		// pause below adds "— paused" to it.
		title := Title(Incident{Runbook: target.ID, Trigger: tr}, target, v.Campaign.Name)
		inc, created, err := s.declare(ctx, audit.Webhook, Declaration{CampaignID: campaignID, Runbook: target.ID,
			Summary: title, SummaryGenerated: true, Source: SourceWebhook, Trigger: tr}, target)
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
