package incident_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// TestTitle: the title Firebreak writes for an incident is a sentence a
// newcomer reads in the list (what, on which campaign, paused or not); the
// rule's numbers stay in the trigger.
func TestTitle(t *testing.T) {
	spike := runbook.Runbook{ID: runbook.DeliverabilitySpike, Title: "Complaint, bounce or drop spike"}
	segment := runbook.Runbook{ID: runbook.WrongSegment, Title: "Sent to the wrong segment"}
	untitled := runbook.Runbook{ID: "odd-one-out"}
	complaints := &incident.Trigger{Rule: "complaint-spike", Metric: incident.MetricComplaintRate, Value: 11.0 / 3431,
		Threshold: 0.003, Window: "11 of 3431 delivered"}
	bounces := &incident.Trigger{Rule: "hard-bounce-spike", Metric: incident.MetricHardBounceRate, Value: 0.051}
	drops := &incident.Trigger{Rule: "drop-spike", Metric: incident.MetricDropRate, Value: 0.06}
	paused := t0.Add(time.Minute)
	moved := []incident.RunbookChange{{From: runbook.DeliverabilitySpike, To: runbook.WrongSegment, At: paused, By: "a"}}
	fromTriage := []incident.RunbookChange{{From: runbook.Triage, To: runbook.WrongSegment, At: paused, By: "a"}}
	tests := []struct {
		name     string
		inc      incident.Incident
		rb       runbook.Runbook
		campaign string
		want     string
	}{
		{name: "complaint spike, not paused yet", inc: incident.Incident{Runbook: spike.ID, Trigger: complaints},
			rb: spike, campaign: "Spring sale", want: "Complaints at 0.32 % on Spring sale"},
		{name: "complaint spike, paused", inc: incident.Incident{Runbook: spike.ID, Trigger: complaints, PausedAt: &paused},
			rb: spike, campaign: "Spring sale", want: "Complaints at 0.32 % on Spring sale — paused"},
		{name: "hard bounces", inc: incident.Incident{Runbook: spike.ID, Trigger: bounces, PausedAt: &paused},
			rb: spike, campaign: "Spring sale", want: "Hard bounces at 5.10 % on Spring sale — paused"},
		{name: "drops, in the runbook the rule suggests", inc: incident.Incident{Runbook: runbook.StaleSuppressionList, Trigger: drops},
			rb: runbook.Runbook{ID: runbook.StaleSuppressionList}, campaign: "Spring sale", want: "Drops at 6.00 % on Spring sale"},
		{name: "reclassified: the runbook's title first, the numbers after",
			inc: incident.Incident{Runbook: segment.ID, Trigger: complaints, PausedAt: &paused, RunbookHistory: moved},
			rb:  segment, campaign: "Spring sale", want: "Sent to the wrong segment: Spring sale — complaints at 0.32 %, paused"},
		{name: "reclassified back: the rule's title again",
			inc: incident.Incident{Runbook: spike.ID, Trigger: complaints, PausedAt: &paused,
				RunbookHistory: append(moved, incident.RunbookChange{From: segment.ID, To: spike.ID})},
			rb: spike, campaign: "Spring sale", want: "Complaints at 0.32 % on Spring sale — paused"},
		{name: "opened by a pause, never reclassified: its summary is kept",
			inc: incident.Incident{Runbook: runbook.Triage, Summary: "Campaign paused by alice@example.com", PausedAt: &paused},
			rb:  runbook.Runbook{ID: runbook.Triage}, campaign: "Spring sale", want: "Campaign paused by alice@example.com"},
		{name: "opened by a pause, reclassified",
			inc: incident.Incident{Runbook: segment.ID, Summary: "Campaign paused by alice@example.com", PausedAt: &paused,
				RunbookHistory: fromTriage},
			rb: segment, campaign: "Spring sale", want: "Sent to the wrong segment: Spring sale — paused"},
		{name: "a runbook without a title: its id in words",
			inc: incident.Incident{Runbook: "odd-one-out", RunbookHistory: fromTriage},
			rb:  untitled, campaign: "Spring sale", want: "odd one out: Spring sale"},
		{name: "no campaign name", inc: incident.Incident{Runbook: spike.ID, Trigger: complaints},
			rb: spike, campaign: "  ", want: "Complaints at 0.32 % on the campaign"},
		{name: "a campaign name's spacing is tidied", inc: incident.Incident{Runbook: spike.ID, Trigger: complaints},
			rb: spike, campaign: " Spring\n  sale ", want: "Complaints at 0.32 % on Spring sale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := incident.Title(tt.inc, tt.rb, tt.campaign); got != tt.want {
				t.Errorf("Title = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("a very long campaign name is cut", func(t *testing.T) {
		got := incident.Title(incident.Incident{Runbook: spike.ID, Trigger: complaints}, spike, strings.Repeat("x", 5000))
		if n := len([]rune(got)); n > 200 || !strings.Contains(got, "…") {
			t.Errorf("Title of a 5000-character name is %d characters (%q…), want it cut with …", n, got[:40])
		}
	})
}

// TestDetectedIncidentTitle: an incident a detection rule opens is titled
// for people, its pause shows in the title, and the rule's detail is the trigger.
func TestDetectedIncidentTitle(t *testing.T) {
	rbs := runbookSet()
	v := campaignView(campaign.Sending, complaintSpike)
	e := newSvcEnv(rbs, v)
	if err := e.svc.Detect(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	all := e.repo.all()
	if len(all) != 1 {
		t.Fatalf("%d incidents, want 1", len(all))
	}
	inc := all[0]
	if want := "Complaints at 0.40 % on November sale — paused"; inc.Summary != want || !inc.SummaryGenerated {
		t.Errorf("summary %q (generated %v), want %q generated", inc.Summary, inc.SummaryGenerated, want)
	}
	if inc.Trigger == nil || inc.Trigger.Rule != "complaint-spike" || inc.Trigger.Window != "40 of 10000 delivered" {
		t.Errorf("trigger %+v, want the rule's detail", inc.Trigger)
	}
	if got := e.repo.lastEntry(t, inc.ID, incident.ActionPause).Data["summary"]; got != inc.Summary {
		t.Errorf("the pause entry records summary %v, want %q", got, inc.Summary)
	}
}

// TestReclassifyRewritesOnlyAGeneratedTitle: reclassifying rewrites the title
// Firebreak wrote (and says so on the timeline), never one a person wrote.
func TestReclassifyRewritesOnlyAGeneratedTitle(t *testing.T) {
	segment := runbook.Runbook{ID: runbook.WrongSegment, Title: "Sent to the wrong segment", Severity: "sev2"}
	rbs := append(runbookSet(), segment)
	v := campaignView(campaign.Sending, complaintSpike)
	tests := []struct {
		name      string
		summary   string
		generated bool
		want      string
	}{
		{name: "generated: rewritten", summary: "Complaints at 0.40 % on November sale — paused", generated: true,
			want: "Sent to the wrong segment: November sale — complaints at 0.40 %, paused"},
		{name: "written by a person: kept", summary: "Spam complaints after the November mail-out",
			want: "Spam complaints after the November mail-out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSvcEnv(rbs, v)
			inc := open(t)
			inc.ID, inc.Runbook, inc.Summary, inc.SummaryGenerated = "i1", runbook.DeliverabilitySpike, tt.summary, tt.generated
			inc.Trigger = &incident.Trigger{Rule: "complaint-spike", Metric: incident.MetricComplaintRate, Value: 0.004}
			at := t0.Add(time.Minute)
			inc.PausedAt = &at
			e.repo.put(inc)
			got, err := e.svc.Reclassify(context.Background(), auditActor(), "i1", segment.ID, incident.KeepOldTasks)
			if err != nil {
				t.Fatal(err)
			}
			if got.Summary != tt.want || got.SummaryGenerated != tt.generated {
				t.Errorf("summary %q (generated %v), want %q (generated %v)", got.Summary, got.SummaryGenerated, tt.want, tt.generated)
			}
			d := e.repo.lastEntry(t, "i1", incident.ActionReclassify).Data
			if tt.generated && (d["summary"] != tt.want || d["summary_from"] != tt.summary) {
				t.Errorf("reclassify entry %v, want summary_from %q and summary %q", d, tt.summary, tt.want)
			}
			if _, ok := d["summary"]; !tt.generated && ok {
				t.Errorf("reclassify entry %v records a summary change for a kept title", d)
			}
		})
	}
}

// TestValidateNote: a note is trimmed text of 1 to 10,000 characters.
func TestValidateNote(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
		bad            bool
	}{
		{name: "trimmed", in: "  Called Gmail postmaster  \n", want: "Called Gmail postmaster"},
		{name: "empty", in: "", bad: true},
		{name: "blank", in: " \n\t ", bad: true},
		{name: "10,000 characters (multi-byte) is fine", in: strings.Repeat("é", incident.MaxNoteLen), want: strings.Repeat("é", incident.MaxNoteLen)},
		{name: "10,001 characters", in: strings.Repeat("a", incident.MaxNoteLen+1), bad: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := incident.ValidateNote(tt.in)
			if tt.bad {
				var fe *errs.FieldError
				if !errors.As(err, &fe) || fe.Fields["text"] == "" {
					t.Errorf("ValidateNote(%.20q) = %v, want a field error on text", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ValidateNote = %.20q, %v; want %.20q", got, err, tt.want)
			}
		})
	}
}
