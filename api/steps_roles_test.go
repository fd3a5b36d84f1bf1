package api_test

import (
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
)

type stepsView struct {
	CurrentStep string `json:"current_step"`
	Steps       []struct {
		Name             string   `json:"name"`
		Status           string   `json:"status"`
		FinishPermission string   `json:"finish_permission"`
		FinishRoles      []string `json:"finish_roles"`
	} `json:"steps"`
}

// TestWhoMayFinishEachStep (issue 16): POST …/steps/{step}/complete|skip
// refuses a role the step's permission does not cover with 403 forbidden
// naming who may, and changes nothing; the incident says, step by step, which
// permission and roles finish it.
func TestWhoMayFinishEachStep(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	lead := f.addUser("lead@example.com", "admin", "marketer") // sets up the brand
	mkt := f.addUser("marketer@example.com", "marketer")
	legal := f.addUser("legal@example.com", "legal")
	sec := f.addUser("security@example.com", "security")
	inc := f.incident(lead)
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/acknowledge", token: mkt}); r.status != 200 {
		t.Fatalf("acknowledge: %d %s", r.status, r.body)
	}
	get := func() stepsView {
		t.Helper()
		var v stepsView
		r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc, token: legal})
		if r.status != 200 {
			t.Fatalf("get: %d %s", r.status, r.body)
		}
		r.json(t, &v)
		return v
	}
	step := func(tok, name, verb string) reply {
		t.Helper()
		return f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/steps/" + name + "/" + verb, token: tok})
	}
	refused := func(tok, name, verb, message, allowed string) {
		t.Helper()
		before := get()
		r := step(tok, name, verb)
		if r.status != 403 {
			t.Fatalf("%s %s: %d %s, want 403", verb, name, r.status, r.body)
		}
		e := r.errorBody(t)
		if e.Code != "forbidden" || e.Message != message || e.Details["step"] != name {
			t.Errorf("%s %s: %+v, want message %q", verb, name, e, message)
		}
		var got []string
		for _, x := range e.Details["allowed_roles"].([]any) {
			got = append(got, x.(string))
		}
		if strings.Join(got, ",") != allowed {
			t.Errorf("allowed_roles = %v, want %s", got, allowed)
		}
		if after := get(); after.CurrentStep != before.CurrentStep {
			t.Errorf("a refused %s changed the current step %s → %s", verb, before.CurrentStep, after.CurrentStep)
		}
	}

	v := get()
	want := map[string]string{"own": "incident.acknowledge marketer,admin", "stop": "campaign.pause marketer,security,admin",
		"assess": "incident.assess marketer,security,admin", "plan": "incident.acknowledge marketer,admin",
		"communicate": "communication.draft marketer,admin", "monitor": "incident.resolve marketer,admin"}
	for _, s := range v.Steps {
		if got := s.FinishPermission + " " + strings.Join(s.FinishRoles, ","); got != want[s.Name] {
			t.Errorf("step %s: finish %q, want %q", s.Name, got, want[s.Name])
		}
	}
	if v.CurrentStep != "stop" {
		t.Fatalf("current step %s, want stop", v.CurrentStep)
	}

	refused(legal, "stop", "skip", "Only marketers, security and admins can skip the stop step (it needs campaign.pause).",
		"marketer,security,admin")
	if r := step(sec, "stop", "skip"); r.status != 200 {
		t.Fatalf("security skips stop: %d %s", r.status, r.body)
	}
	refused(legal, "assess", "complete", "Only marketers, security and admins can mark the assess step done (it needs incident.assess).",
		"marketer,security,admin")
	if r := step(sec, "assess", "complete"); r.status != 200 {
		t.Fatalf("security completes assess: %d %s", r.status, r.body)
	}
	refused(legal, "plan", "complete", "Only marketers and admins can mark the plan step done (it needs incident.acknowledge).",
		"marketer,admin")
	refused(sec, "plan", "skip", "Only marketers and admins can skip the plan step (it needs incident.acknowledge).",
		"marketer,admin")
	if r := step(mkt, "plan", "complete"); r.status != 200 {
		t.Fatalf("marketer completes plan: %d %s", r.status, r.body)
	}
	if got := get().CurrentStep; got != "communicate" {
		t.Errorf("current step %s, want communicate", got)
	}
}
