package incident_test

import (
	"errors"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// op is one transition as the step table names it.
type op struct {
	name string
	do   func(inc incident.Incident, now time.Time) (incident.Incident, incident.Change, error)
}

func ack(owner string) op {
	return op{"acknowledge " + owner, func(inc incident.Incident, now time.Time) (incident.Incident, incident.Change, error) {
		return inc.Acknowledge(owner, alice, now)
	}}
}

var pause = op{"pause", func(inc incident.Incident, now time.Time) (incident.Incident, incident.Change, error) {
	return inc.MarkPaused(bob, now)
}}

func complete(step string) op {
	return op{"complete " + step, func(inc incident.Incident, now time.Time) (incident.Incident, incident.Change, error) {
		return inc.CompleteStep(step, bob, now)
	}}
}

func skip(step string) op {
	return op{"skip " + step, func(inc incident.Incident, now time.Time) (incident.Incident, incident.Change, error) {
		return inc.SkipStep(step, bob, now)
	}}
}

// TestStepMachine runs every step transition from every state a step can be
// in: before the current step, current, after it, done, skipped. States are
// written own..monitor as P(ending) A(ctive) D(one) S(kipped).
func TestStepMachine(t *testing.T) {
	const invalid, noop, owned = "invalid", "noop", "owned"
	tests := []struct {
		from   string
		op     op
		want   string // the steps after, or invalid (ErrInvalidStep), owned (ErrAlreadyAcknowledged), or noop (nothing changed)
		action string
	}{
		// own: finished only by acknowledging.
		{"APPPPP", ack(""), "DAPPPP", incident.ActionAcknowledge},
		{"ADPPPP", ack(""), "DDAPPP", incident.ActionAcknowledge}, // paused before anyone owned it
		{"DSAPPP", ack(alice), noop, ""},                          // same owner again
		{"DAPPPP", ack(bob), owned, ""},                           // another owner: refused, reassign instead
		{"APPPPP", complete("own"), invalid, ""},
		{"APPPPP", skip("own"), invalid, ""},
		{"DAPPPP", complete("own"), invalid, ""},
		{"DAPPPP", skip("own"), invalid, ""},

		// stop: completed only by the pause, may be skipped when current.
		{"DAPPPP", pause, "DDAPPP", incident.ActionPause},
		{"APPPPP", pause, "ADPPPP", incident.ActionPause}, // webhook pause: own stays current
		{"DSAPPP", pause, "DDAPPP", incident.ActionPause}, // skipped, then paused after all
		{"DDAPPP", pause, noop, ""},
		{"DDDDDA", pause, noop, ""},
		{"DAPPPP", complete("stop"), invalid, ""},
		{"DAPPPP", skip("stop"), "DSAPPP", incident.ActionStepSkip},
		{"APPPPP", skip("stop"), invalid, ""}, // after the current step
		{"DDAPPP", skip("stop"), invalid, ""}, // done
		{"DSAPPP", skip("stop"), noop, ""},

		// assess: the general rule.
		{"DDAPPP", complete("assess"), "DDDAPP", incident.ActionStepComplete},
		{"DDAPPP", skip("assess"), "DDSAPP", incident.ActionStepSkip},
		{"DDPAPP", complete("assess"), "DDDAPP", incident.ActionStepComplete}, // earlier pending
		{"DDPAPP", skip("assess"), "DDSAPP", incident.ActionStepSkip},
		{"APPPPP", complete("assess"), invalid, ""},
		{"DAPPPP", complete("assess"), invalid, ""},
		{"ADPPPP", complete("assess"), invalid, ""}, // nobody owns it yet
		{"DAPPPP", skip("assess"), invalid, ""},
		{"DDDAPP", complete("assess"), noop, ""},
		{"DDDAPP", skip("assess"), invalid, ""},
		{"DDSAPP", skip("assess"), noop, ""},
		{"DDSAPP", complete("assess"), invalid, ""},

		// plan.
		{"DDDAPP", complete("plan"), "DDDDAP", incident.ActionStepComplete},
		{"DDDAPP", skip("plan"), "DDDSAP", incident.ActionStepSkip},
		{"DDAPPP", complete("plan"), invalid, ""},
		{"DDAPPP", skip("plan"), invalid, ""},
		{"DDDDAP", complete("plan"), noop, ""},
		{"DDDSAP", complete("plan"), invalid, ""},

		// communicate: starts pending, completed later by the feature that runs it.
		{"DDDDAP", complete("communicate"), "DDDDDA", incident.ActionStepComplete},
		{"DDDDAP", skip("communicate"), "DDDDSA", incident.ActionStepSkip}, // e.g. stale-suppression-list: no apology
		{"DDDDPA", complete("communicate"), "DDDDDA", incident.ActionStepComplete},
		{"DDDAPP", complete("communicate"), invalid, ""},
		{"DDDDDA", skip("communicate"), invalid, ""},

		// monitor: the last step; afterwards no step is current.
		{"DDDDDA", complete("monitor"), "DDDDDD", incident.ActionStepComplete},
		{"DDDDDA", skip("monitor"), "DDDDDS", incident.ActionStepSkip},
		{"DDDDAP", complete("monitor"), invalid, ""},
		{"DDDDDD", complete("monitor"), noop, ""},
		{"DDDDDS", complete("monitor"), invalid, ""},

		{"DDAPPP", complete("dance"), invalid, ""},
		{"DDAPPP", skip(""), invalid, ""},
	}
	now := t0.Add(time.Hour)
	for _, tc := range tests {
		t.Run(tc.from+" "+tc.op.name, func(t *testing.T) {
			in := build(t, tc.from)
			before := clone(in)
			got, ch, err := tc.op.do(in, now)
			unchanged(t, "the transition (receiver)", in, before)
			switch tc.want {
			case owned:
				if !errors.Is(err, incident.ErrAlreadyAcknowledged) {
					t.Fatalf("err = %v, want ErrAlreadyAcknowledged", err)
				}
				unchanged(t, "a refused acknowledge", got, before)
				if !ch.IsZero() {
					t.Errorf("change = %+v, want none", ch)
				}
				return
			case invalid:
				if !errors.Is(err, incident.ErrInvalidStep) || !errors.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want ErrInvalidStep", err)
				}
				var coded *errs.E
				var rich interface {
					Code() string
					Details() map[string]any
				}
				if !errors.As(err, &coded) || !errors.As(err, &rich) || rich.Code() != "invalid_step" || rich.Details()["reason"] == "" {
					t.Errorf("err %v must carry the code and details for the API", err)
				}
				unchanged(t, "a refused transition", got, before)
				if !ch.IsZero() {
					t.Errorf("change = %+v, want none", ch)
				}
				return
			case noop:
				if err != nil {
					t.Fatal(err)
				}
				unchanged(t, "a repeated transition", got, before)
				if !ch.IsZero() {
					t.Errorf("change = %+v, want none", ch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r := render(got); r != tc.want {
				t.Errorf("steps = %s, want %s", r, tc.want)
			}
			if ch.Action != tc.action {
				t.Errorf("action = %q, want %q", ch.Action, tc.action)
			}
			if cur, ok := ch.Data["current_step"]; ok && cur != got.CurrentStep() {
				t.Errorf("change says current_step %v, incident %q", cur, got.CurrentStep())
			}
			// Every step this transition finished says who and when; the step
			// it activated says since when.
			for i, s := range got.Steps {
				old := before.Steps[i]
				if s.Status == old.Status {
					if s != old {
						t.Errorf("step %s changed without changing status: %+v", s.Name, s)
					}
					continue
				}
				switch s.Status {
				case incident.Done, incident.Skipped:
					if s.CompletedAt == nil || !s.CompletedAt.Equal(now) || s.CompletedBy == "" || s.StartedAt == nil {
						t.Errorf("finished step %s: %+v", s.Name, s)
					}
				case incident.Active:
					if s.StartedAt == nil || !s.StartedAt.Equal(now) || s.CompletedAt != nil {
						t.Errorf("activated step %s: %+v", s.Name, s)
					}
				}
			}
		})
	}
}

func TestAcknowledge(t *testing.T) {
	in := open(t)
	now := t0.Add(3 * time.Minute)
	got, ch, err := in.Acknowledge("", alice, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnerID != alice || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(now) {
		t.Fatalf("owner %q at %v", got.OwnerID, got.AcknowledgedAt)
	}
	if s, _ := got.Step(incident.StepOwn); s.CompletedBy != alice {
		t.Errorf("own completed by %q", s.CompletedBy)
	}
	if ch.Data["owner_id"] != alice || ch.Data["seconds_to_acknowledge"] != int64(180) {
		t.Errorf("change = %+v", ch)
	}
	if _, _, err := in.Acknowledge("", "", now); !errors.Is(err, errs.Invalid) {
		t.Errorf("acknowledge without an actor: err = %v", err)
	}
}

func TestMarkPausedKeepsFirstPause(t *testing.T) {
	in := build(t, "DSAPPP") // stop skipped, but then the campaign is paused after all
	first := t0.Add(time.Minute)
	in.PausedAt = &first
	got, ch, err := in.MarkPaused(bob, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !got.PausedAt.Equal(first) || ch.Action != incident.ActionPause {
		t.Errorf("paused_at = %v (want the first, %v), change %+v", got.PausedAt, first, ch)
	}

	fresh := open(t)
	got, ch, err = fresh.MarkPaused("webhook", t0.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !got.PausedAt.Equal(t0.Add(2*time.Second)) || ch.Data["seconds_to_pause"] != int64(2) {
		t.Errorf("paused_at = %v, change %+v", got.PausedAt, ch)
	}
	if s, _ := got.Step(incident.StepStop); s.CompletedBy != "webhook" {
		t.Errorf("stop completed by %q", s.CompletedBy)
	}
}

func TestReclassify(t *testing.T) {
	rb := func(id, sev string) runbook.Runbook { return runbook.Runbook{ID: id, Severity: sev} }
	tests := []struct {
		name     string
		severity string // the incident's before
		to       runbook.Runbook
		want     string // severity after
		noop     bool
		invalid  bool
	}{
		{name: "more severe runbook raises severity", severity: "sev3", to: rb(runbook.DataBreach, "sev1"), want: "sev1"},
		{name: "less severe runbook keeps severity", severity: "sev2", to: rb(runbook.WrongContent, "sev4"), want: "sev2"},
		{name: "equal severity", severity: "sev3", to: rb(runbook.WrongSegment, "sev3"), want: "sev3"},
		{name: "runbook without severity keeps it", severity: "sev3", to: rb(runbook.WrongSegment, ""), want: "sev3"},
		{name: "same runbook changes nothing", severity: "sev3", to: rb(runbook.Triage, "sev1"), noop: true},
		{name: "no runbook", severity: "sev3", to: rb("", "sev1"), invalid: true},
	}
	now := t0.Add(20 * time.Minute)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := build(t, "DDAPPP")
			in.Severity = tc.severity
			before := clone(in)
			got, ch, err := in.Reclassify(tc.to, bob, now)
			unchanged(t, "Reclassify (receiver)", in, before)
			switch {
			case tc.invalid:
				if !errors.Is(err, errs.Invalid) {
					t.Errorf("err = %v, want Invalid", err)
				}
				unchanged(t, "a refused Reclassify", got, before)
				return
			case tc.noop:
				if err != nil || !ch.IsZero() {
					t.Errorf("err %v, change %+v", err, ch)
				}
				unchanged(t, "a no-op Reclassify", got, before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []incident.RunbookChange{{From: runbook.Triage, To: tc.to.ID, At: now, By: bob}}
			if got.Runbook != tc.to.ID || got.Severity != tc.want || len(got.RunbookHistory) != 1 || got.RunbookHistory[0] != want[0] {
				t.Errorf("got runbook %s severity %s history %+v", got.Runbook, got.Severity, got.RunbookHistory)
			}
			if ch.Action != incident.ActionReclassify || ch.Data["from"] != runbook.Triage || ch.Data["to"] != tc.to.ID ||
				ch.Data["severity"] != tc.want {
				t.Errorf("change = %+v", ch)
			}
			if render(got) != "DDAPPP" {
				t.Errorf("reclassifying moved the steps: %s", render(got))
			}
		})
	}

	// History is kept across several reclassifications, oldest first.
	inc := open(t)
	inc, _, _ = inc.Reclassify(rb(runbook.WrongSegment, "sev2"), alice, t0.Add(time.Minute))
	inc, _, _ = inc.Reclassify(rb(runbook.DataBreach, "sev1"), bob, t0.Add(2*time.Minute))
	if len(inc.RunbookHistory) != 2 || inc.RunbookHistory[0].To != runbook.WrongSegment ||
		inc.RunbookHistory[1].From != runbook.WrongSegment || inc.RunbookHistory[1].To != runbook.DataBreach ||
		inc.Severity != "sev1" {
		t.Errorf("history %+v, severity %s", inc.RunbookHistory, inc.Severity)
	}
}

// TestResolvedIsReadOnly: every transition of a resolved incident is refused
// with ErrResolved (a Conflict) and changes nothing.
func TestResolvedIsReadOnly(t *testing.T) {
	inc, _, err := build(t, "DDAPPP").Resolve(as(alice), "closed for the test", "", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	unacked := build(t, "APPPPP")
	unacked.Status = incident.Resolved
	now := t0.Add(2 * time.Hour)
	tests := []struct {
		name string
		inc  incident.Incident
		do   func(incident.Incident) (incident.Incident, incident.Change, error)
	}{
		{"acknowledge", unacked, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.Acknowledge("", alice, now)
		}},
		{"acknowledge naming another owner", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.Acknowledge(bob, alice, now)
		}},
		{"reassign", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.Reassign(bob, "handover", as(alice), now)
		}},
		{"legal confirmation", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.ConfirmLegal("notified", incident.Caller{UserID: lee, IsLegal: true}, now)
		}},
		{"same owner", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.Acknowledge(alice, alice, now)
		}},
		{"pause", unacked, func(i incident.Incident) (incident.Incident, incident.Change, error) { return i.MarkPaused(bob, now) }},
		{"complete", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.CompleteStep(incident.StepAssess, alice, now)
		}},
		{"skip", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.SkipStep(incident.StepAssess, alice, now)
		}},
		{"reclassify", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.Reclassify(runbook.Runbook{ID: runbook.DataBreach, Severity: "sev1"}, alice, now)
		}},
		{"resolve again", inc, func(i incident.Incident) (incident.Incident, incident.Change, error) {
			return i.Resolve(incident.Caller{UserID: alice, IsAdmin: true}, "again", "", now)
		}},
		{"escalated", unacked, func(i incident.Incident) (incident.Incident, incident.Change, error) { return i.Escalated(now) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := clone(tc.inc)
			got, ch, err := tc.do(tc.inc)
			if !errors.Is(err, incident.ErrResolved) || !errors.Is(err, errs.Conflict) {
				t.Fatalf("err = %v, want ErrResolved", err)
			}
			unchanged(t, tc.name, got, before)
			if !ch.IsZero() {
				t.Errorf("change = %+v", ch)
			}
		})
	}
}

func TestChangeEntry(t *testing.T) {
	_, ch, err := open(t).Acknowledge("", alice, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	e := ch.Entry(auditActor(), "i1", t0.Add(time.Minute))
	if e.Action != incident.ActionAcknowledge || e.SubjectType != "incident" || e.SubjectID != "i1" ||
		e.Actor.UserID != alice || !e.At.Equal(t0.Add(time.Minute)) || e.Data["owner_id"] != alice {
		t.Errorf("entry = %+v", e)
	}
}
