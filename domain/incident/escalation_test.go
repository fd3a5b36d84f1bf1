package incident_test

import (
	"errors"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

func TestEscalationDue(t *testing.T) {
	rb := func(deadline, repeat time.Duration) runbook.Runbook {
		return runbook.Runbook{ID: runbook.Triage, Severity: "sev3",
			Acknowledge: runbook.Acknowledge{Deadline: deadline, Repeat: repeat}}
	}
	m := time.Minute
	escalatedAt := func(d time.Duration, n int) func(*incident.Incident) {
		return func(inc *incident.Incident) {
			at := t0.Add(d)
			inc.LastEscalatedAt, inc.EscalationCount = &at, n
		}
	}
	acknowledged := func(inc *incident.Incident) {
		at := t0.Add(2 * m)
		inc.AcknowledgedAt, inc.OwnerID = &at, alice
	}
	tests := []struct {
		name  string
		rb    runbook.Runbook
		setup func(*incident.Incident)
		now   time.Duration // after detection
		due   bool
		next  time.Duration // after detection; -1: zero time
	}{
		{name: "before the deadline", rb: rb(5*m, 10*m), now: 5*m - time.Second, next: 5 * m},
		{name: "at the deadline", rb: rb(5*m, 10*m), now: 5 * m, due: true, next: 5 * m},
		{name: "long after the deadline", rb: rb(5*m, 10*m), now: time.Hour, due: true, next: 5 * m},
		{name: "runbook without deadline: five minutes", rb: rb(0, 0), now: 5 * m, due: true, next: 5 * m},
		{name: "runbook without deadline, before", rb: rb(0, 0), now: 4 * m, next: 5 * m},
		{name: "repeat not yet", rb: rb(5*m, 10*m), setup: escalatedAt(6*m, 1), now: 16*m - time.Second, next: 16 * m},
		{name: "repeat due", rb: rb(5*m, 10*m), setup: escalatedAt(6*m, 1), now: 16 * m, due: true, next: 16 * m},
		{name: "no repeat: once only", rb: rb(5*m, 0), setup: escalatedAt(5*m, 1), now: time.Hour, next: -1},
		{name: "acknowledged in time", rb: rb(5*m, 10*m), setup: acknowledged, now: 5 * m, next: -1},
		{name: "acknowledged after escalations", rb: rb(5*m, 10*m),
			setup: func(inc *incident.Incident) { escalatedAt(15*m, 2)(inc); acknowledged(inc) }, now: time.Hour, next: -1},
		{name: "resolved", rb: rb(5*m, 10*m), setup: func(inc *incident.Incident) { inc.Status = incident.Resolved },
			now: time.Hour, next: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inc := open(t)
			if tc.setup != nil {
				tc.setup(&inc)
			}
			due, next := incident.EscalationDue(inc, tc.rb, t0.Add(tc.now))
			want := time.Time{}
			if tc.next >= 0 {
				want = t0.Add(tc.next)
			}
			if due != tc.due || !next.Equal(want) {
				t.Errorf("EscalationDue = %v, %v; want %v, %v", due, next, tc.due, want)
			}
		})
	}
}

// TestEscalationTimeline drives a fake clock minute by minute, escalating
// whenever EscalationDue says so: first at the deadline, then every repeat,
// and never again once somebody acknowledges.
func TestEscalationTimeline(t *testing.T) {
	rb := triage() // deadline 5m, repeat 10m
	inc := open(t)
	var at []time.Duration
	for now := t0; now.Before(t0.Add(time.Hour)); now = now.Add(30 * time.Second) {
		if now.Equal(t0.Add(36 * time.Minute)) {
			var err error
			if inc, _, err = inc.Acknowledge("", alice, now); err != nil {
				t.Fatal(err)
			}
		}
		due, _ := incident.EscalationDue(inc, rb, now)
		if !due {
			continue
		}
		var ch incident.Change
		var err error
		if inc, ch, err = inc.Escalated(now); err != nil {
			t.Fatal(err)
		}
		if ch.Action != incident.ActionEscalate || ch.Data["count"] != inc.EscalationCount {
			t.Errorf("change = %+v", ch)
		}
		at = append(at, now.Sub(t0))
	}
	want := []time.Duration{5 * time.Minute, 15 * time.Minute, 25 * time.Minute, 35 * time.Minute}
	if len(at) != len(want) {
		t.Fatalf("escalated at %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Errorf("escalation %d at %v, want %v", i+1, at[i], want[i])
		}
	}
	if inc.EscalationCount != 4 || !inc.LastEscalatedAt.Equal(t0.Add(35*time.Minute)) {
		t.Errorf("count %d, last %v", inc.EscalationCount, inc.LastEscalatedAt)
	}
}

func TestEscalatedRefusesAcknowledged(t *testing.T) {
	inc := build(t, "DAPPPP")
	before := clone(inc)
	got, ch, err := inc.Escalated(t0.Add(time.Hour))
	if !errors.Is(err, incident.ErrAlreadyAcknowledged) || !ch.IsZero() {
		t.Fatalf("err = %v, change %+v", err, ch)
	}
	unchanged(t, "a refused Escalated", got, before)

	fresh := open(t)
	before = clone(fresh)
	got, _, err = fresh.Escalated(t0.Add(5 * time.Minute))
	if err != nil || got.EscalationCount != 1 {
		t.Fatalf("err %v, count %d", err, got.EscalationCount)
	}
	unchanged(t, "Escalated (receiver)", fresh, before)
}
