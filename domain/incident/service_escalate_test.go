package incident_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// One escalation check (the scheduled task) on an incident of spikeRunbook:
// its deadline is 5 minutes, it repeats every 10, and it notifies the
// security role, oncall@example.com and Slack.
func TestEscalate(t *testing.T) {
	m := time.Minute
	escalated := func(after time.Duration, n int) func(*incident.Incident) {
		return func(inc *incident.Incident) {
			at := t0.Add(after)
			inc.LastEscalatedAt, inc.EscalationCount = &at, n
		}
	}
	tests := []struct {
		name      string
		rb        runbook.Runbook
		setup     func(*incident.Incident)
		now       time.Duration // after detection
		notifyErr error
		notified  bool
		count     int           // escalations recorded
		next      time.Duration // the check scheduled after detection; 0: none
	}{
		{name: "unacknowledged past the deadline: escalated, the repeat scheduled",
			now: 5 * m, notified: true, count: 1, next: 15 * m},
		{name: "long past the deadline: escalated once, the repeat counted from now",
			now: time.Hour, notified: true, count: 1, next: 70 * m},
		{name: "woken before the deadline: nobody notified, checked again then",
			now: 4 * m, next: 5 * m},
		{name: "acknowledged: nobody notified, nothing scheduled", now: 6 * m,
			setup: func(inc *incident.Incident) {
				at := t0.Add(2 * m)
				inc.OwnerID, inc.AcknowledgedAt = alice, &at
			}},
		{name: "resolved: nobody notified, nothing scheduled", now: 6 * m,
			setup: func(inc *incident.Incident) {
				at := t0.Add(2 * m)
				inc.Status, inc.ResolvedAt = incident.Resolved, &at
			}},
		{name: "still unacknowledged at the repeat: escalated again", now: 15 * m, setup: escalated(5*m, 1),
			notified: true, count: 2, next: 25 * m},
		{name: "before the repeat: nobody notified, checked again then", now: 10 * m, setup: escalated(5*m, 1),
			count: 1, next: 15 * m},
		{name: "a runbook without repeat escalates once", now: time.Hour, setup: escalated(5*m, 1),
			rb: func() runbook.Runbook { rb := spikeRunbook(); rb.Acknowledge.Repeat = 0; return rb }(), count: 1},
		{name: "the notification fails: the escalation is still recorded, with the error",
			now: 5 * m, notifyErr: errors.New("slack: 500"), notified: true, count: 1, next: 15 * m},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rb := tt.rb
			if rb.ID == "" {
				rb = spikeRunbook()
			}
			e := newSvcEnv(fakeRunbooks{rb}, campaignView(campaign.Paused, complaintSpike))
			e.repo.roles["security"] = []string{"sec1@example.com", "sec2@example.com"}
			e.notify.err = tt.notifyErr
			inc := open(t)
			inc.Runbook, inc.Severity = rb.ID, "sev2"
			if tt.setup != nil {
				tt.setup(&inc)
			}
			e.repo.put(inc)
			e.clock.Advance(tt.now)

			if err := e.svc.Escalate(context.Background(), inc.ID); err != nil {
				t.Fatalf("Escalate: %v", err)
			}
			sent := e.notify.got()
			if tt.notified {
				want := incident.Notification{Emails: []string{"sec1@example.com", "sec2@example.com", "oncall@example.com"}, Slack: true}
				if len(sent) != 1 || !slices.Equal(sent[0].Emails, want.Emails) || !sent[0].Slack ||
					!strings.Contains(sent[0].Subject, "Unacknowledged incident on campaign c1") {
					t.Errorf("sent %+v, want one notification to %v and Slack", sent, want.Emails)
				}
			} else if len(sent) != 0 {
				t.Errorf("sent %+v, want none", sent)
			}
			got, _ := e.repo.GetIncident(context.Background(), inc.ID)
			if got.EscalationCount != tt.count {
				t.Errorf("escalation count %d, want %d", got.EscalationCount, tt.count)
			}
			if tt.notified {
				if got.LastEscalatedAt == nil || !got.LastEscalatedAt.Equal(t0.Add(tt.now)) {
					t.Errorf("last escalated at %v, want %v", got.LastEscalatedAt, t0.Add(tt.now))
				}
				entry := e.repo.lastEntry(t, inc.ID, incident.ActionEscalate)
				targets, _ := entry.Data["targets"].([]string)
				if entry.Actor != audit.System || entry.Data["recipients"] != 3 ||
					!slices.Equal(targets, []string{"role:security", "oncall@example.com", "slack"}) {
					t.Errorf("timeline entry %+v", entry)
				}
				if _, has := entry.Data["notify_error"]; has != (tt.notifyErr != nil) {
					t.Errorf("timeline entry notify_error %v, want one: %v", entry.Data["notify_error"], tt.notifyErr != nil)
				}
			} else if acts := e.repo.actions(inc.ID); len(acts) != 0 {
				t.Errorf("timeline %v, want nothing written", acts)
			}
			var want []escalateAt
			if tt.next != 0 {
				want = []escalateAt{{inc.ID, t0.Add(tt.next)}}
			}
			if s := e.jobs.scheduled(); !slices.Equal(s, want) {
				t.Errorf("scheduled %v, want %v", s, want)
			}
		})
	}
}

// Declared, an incident is escalated at its deadline and every repeat until
// someone acknowledges it; then the next check notifies nobody and schedules
// nothing.
func TestEscalationRepeatsUntilAcknowledged(t *testing.T) {
	e := newSvcEnv(runbookSet(), campaignView(campaign.Sending, quiet))
	e.repo.roles["security"] = []string{"sec@example.com"}
	ctx := context.Background()
	inc, created, err := e.svc.Declare(ctx, audit.Webhook, incident.Declaration{CampaignID: "c1",
		Runbook: runbook.DeliverabilitySpike, Source: incident.SourceWebhook,
		Trigger: &incident.Trigger{Rule: "complaint-spike", Metric: incident.MetricComplaintRate, Value: 0.004, Threshold: 0.003}})
	if err != nil || !created {
		t.Fatalf("Declare: created %v, err %v", created, err)
	}
	// runDue advances the clock to the last scheduled check and runs it.
	runDue := func() {
		t.Helper()
		s := e.jobs.scheduled()
		if len(s) == 0 {
			t.Fatal("no escalation check scheduled")
		}
		e.clock.Advance(s[len(s)-1].At.Sub(e.clock.Now()))
		if err := e.svc.Escalate(ctx, s[len(s)-1].ID); err != nil {
			t.Fatalf("Escalate: %v", err)
		}
	}
	runDue() // t0+5m
	runDue() // t0+15m
	if n := len(e.notify.got()); n != 2 {
		t.Fatalf("%d notifications after the deadline and one repeat, want 2", n)
	}
	e.clock.Advance(2 * time.Minute)
	if _, err := e.svc.Acknowledge(ctx, auditActor(), inc.ID, ""); err != nil {
		t.Fatal(err)
	}
	runDue() // t0+25m, the check scheduled before the acknowledge
	if n := len(e.notify.got()); n != 2 {
		t.Errorf("%d notifications, want no third after the acknowledge", n)
	}
	want := []escalateAt{{inc.ID, t0.Add(5 * time.Minute)}, {inc.ID, t0.Add(15 * time.Minute)}, {inc.ID, t0.Add(25 * time.Minute)}}
	if s := e.jobs.scheduled(); !slices.Equal(s, want) {
		t.Errorf("scheduled %v, want %v (none after the acknowledge)", s, want)
	}
	got, _ := e.repo.GetIncident(ctx, inc.ID)
	if got.EscalationCount != 2 {
		t.Errorf("escalation count %d, want 2", got.EscalationCount)
	}
}

// Every escalation attempt says on the timeline who was told and how, why a
// channel failed, or that there was nobody to tell: a runbook's role with no
// member and no Slack webhook is "no e-mail or Slack channel configured".
func TestEscalationTimelineSaysWhoWasTold(t *testing.T) {
	roleOnly := runbook.Runbook{ID: runbook.DeliverabilitySpike, Severity: "sev2",
		Acknowledge: runbook.Acknowledge{Deadline: 5 * time.Minute,
			Escalation: []runbook.Target{{Role: "security"}, {Slack: true}}}}
	tests := []struct {
		name    string
		rb      runbook.Runbook
		members []string // of the security role
		err     error
		noSlack bool
		want    string // the entry's delivery sentence
		emailed []string
	}{
		{name: "e-mail and Slack", rb: spikeRunbook(), members: []string{"sec1@example.com"},
			want:    "sent by e-mail to sec1@example.com, oncall@example.com and to the Slack channel",
			emailed: []string{"sec1@example.com", "oncall@example.com"}},
		{name: "e-mail only: no Slack webhook", rb: roleOnly, members: []string{"sec1@example.com"}, noSlack: true,
			want: "sent by e-mail to sec1@example.com", emailed: []string{"sec1@example.com"}},
		{name: "failed, with why", rb: spikeRunbook(), err: errors.New("email: sendgrid 401\nslack: webhook answered 500"),
			want: "failed: email: sendgrid 401; slack: webhook answered 500"},
		{name: "nobody in the role and no Slack webhook", rb: roleOnly, noSlack: true, want: incident.NoChannel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSvcEnv(fakeRunbooks{tt.rb}, campaignView(campaign.Paused, complaintSpike))
			e.repo.roles["security"] = tt.members
			e.notify.err, e.notify.noSlack = tt.err, tt.noSlack
			inc := open(t)
			inc.Runbook, inc.Severity = tt.rb.ID, "sev2"
			e.repo.put(inc)
			e.clock.Advance(5 * time.Minute)
			if err := e.svc.Escalate(context.Background(), inc.ID); err != nil {
				t.Fatalf("Escalate: %v", err)
			}
			entry := e.repo.lastEntry(t, inc.ID, incident.ActionEscalate)
			if entry.Actor != audit.System || entry.Data["delivery"] != tt.want {
				t.Errorf("timeline entry by %s says %q, want %q", entry.Actor, entry.Data["delivery"], tt.want)
			}
			emailed, _ := entry.Data["emailed"].([]string)
			if !slices.Equal(emailed, tt.emailed) {
				t.Errorf("emailed %v, want %v", emailed, tt.emailed)
			}
			if _, has := entry.Data["no_channel"]; has != (tt.want == incident.NoChannel) {
				t.Errorf("no_channel %v in %v", has, entry.Data)
			}
		})
	}
}

// With no notifier wired at all, the escalation still says nobody was told.
func TestEscalationWithoutNotifierSaysNoChannel(t *testing.T) {
	e := newSvcEnv(fakeRunbooks{spikeRunbook()}, campaignView(campaign.Paused, complaintSpike))
	svc := incident.NewService(incident.Deps{Repo: e.repo, Campaigns: e.campaigns, Runbooks: fakeRunbooks{spikeRunbook()},
		Jobs: e.jobs, Now: e.clock.Now})
	inc := open(t)
	inc.Runbook = runbook.DeliverabilitySpike
	e.repo.put(inc)
	e.clock.Advance(5 * time.Minute)
	if err := svc.Escalate(context.Background(), inc.ID); err != nil {
		t.Fatalf("Escalate: %v", err)
	}
	if entry := e.repo.lastEntry(t, inc.ID, incident.ActionEscalate); entry.Data["delivery"] != incident.NoChannel {
		t.Errorf("timeline entry says %q, want %q", entry.Data["delivery"], incident.NoChannel)
	}
}
