package incident_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// t0 is when every test incident was detected; tests move a fake clock from it.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

const (
	alice = "11111111-1111-1111-1111-111111111111" // the owner
	bob   = "22222222-2222-2222-2222-222222222222" // someone else
	carol = "33333333-3333-3333-3333-333333333333" // a third user
	lee   = "44444444-4444-4444-4444-444444444444" // holds the legal role
)

// as is a caller with no role that matters to a transition.
func as(id string) incident.Caller { return incident.Caller{UserID: id} }

func triage() runbook.Runbook {
	return runbook.Runbook{ID: runbook.Triage, Severity: "sev3",
		Acknowledge: runbook.Acknowledge{Deadline: 5 * time.Minute, Repeat: 10 * time.Minute}}
}

// open is a freshly opened dashboard incident.
func open(t *testing.T) incident.Incident {
	t.Helper()
	inc, err := incident.New(incident.NewIncident{CampaignID: "c1", Summary: "wrong segment mailed",
		Source: incident.SourceDashboard}, triage(), t0)
	if err != nil {
		t.Fatal(err)
	}
	inc.ID = "i1"
	return inc
}

// statusLetters maps the compact step notation of the tables to statuses:
// "DDAPPP" is own and stop done, assess active, plan, communicate and monitor pending.
var statusLetters = map[byte]incident.StepStatus{'P': incident.Pending, 'A': incident.Active,
	'D': incident.Done, 'S': incident.Skipped}

// build returns an open incident whose steps are in state (see statusLetters).
// It is acknowledged by alice when own is done, paused when stop is done.
func build(t *testing.T, state string) incident.Incident {
	t.Helper()
	if len(state) != len(runbook.Steps) {
		t.Fatalf("state %q: want %d letters", state, len(runbook.Steps))
	}
	inc := open(t)
	at := t0.Add(time.Minute)
	for i := range inc.Steps {
		st, ok := statusLetters[state[i]]
		if !ok {
			t.Fatalf("state %q: bad letter %q", state, state[i])
		}
		s := incident.Step{Name: runbook.Steps[i], Status: st}
		if st != incident.Pending {
			s.StartedAt = &at
		}
		if st == incident.Done || st == incident.Skipped {
			s.CompletedAt, s.CompletedBy = &at, alice
		}
		inc.Steps[i] = s
	}
	if state[0] == 'D' {
		inc.OwnerID, inc.AcknowledgedAt = alice, &at
	}
	if state[1] == 'D' {
		inc.PausedAt = &at
	}
	return inc
}

// render is the inverse of build's step notation.
func render(inc incident.Incident) string {
	var b strings.Builder
	for _, s := range inc.Steps {
		for l, st := range statusLetters {
			if s.Status == st {
				b.WriteByte(l)
			}
		}
	}
	return b.String()
}

// unchanged fails unless got deep-equals want: transitions never mutate their
// receiver, and return it as it was on error.
func unchanged(t *testing.T, what string, got, want incident.Incident) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s changed the incident:\n got %+v\nwant %+v", what, got, want)
	}
}

// clone deep-copies an incident for later comparison.
func clone(inc incident.Incident) incident.Incident {
	inc.Steps = slices.Clone(inc.Steps)
	inc.RunbookHistory = slices.Clone(inc.RunbookHistory)
	return inc
}

func auditActor() audit.Actor { return audit.Actor{UserID: alice, Name: "alice@example.com"} }
