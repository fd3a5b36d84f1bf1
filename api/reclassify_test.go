package api_test

import (
	"reflect"
	"sort"
	"testing"

	"github.com/firebreak/firebreak/api"
)

// The triage runbook's two tasks, as runbooks/triage.yaml words them.
const (
	triageFindCause = "Find the cause and reclassify the incident to its runbook (or record a false alarm and resume)"
	triageHolding   = "Give customer support a holding line for replies and tickets about this email"
)

type planTask struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Status      string  `json:"status"`
	Overdue     bool    `json:"overdue"`
	FromRunbook bool    `json:"from_runbook"`
	CompletedAt *string `json:"completed_at"`
}

func (f *appFixture) plan(tok, inc string) map[string]planTask {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/tasks?limit=100", token: tok})
	if r.status != 200 {
		f.t.Fatalf("tasks: %d %s", r.status, r.body)
	}
	var ts []planTask
	r.json(f.t, &ts)
	out := map[string]planTask{}
	for _, t := range ts {
		out[t.Title] = t
	}
	return out
}

func (f *appFixture) lastReclassify(tok, inc string) map[string]any {
	f.t.Helper()
	var last map[string]any
	for _, e := range f.timelineOf(tok, inc) {
		if e.Action == "incident.reclassify" {
			last = e.Data
		}
	}
	if last == nil {
		f.t.Fatal("no incident.reclassify entry on the timeline")
	}
	return last
}

// listed is a tasks_kept or tasks_cancelled list as titles, sorted.
func listed(v any) []string {
	out := []string{}
	list, _ := v.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		if id, _ := m["task_id"].(string); id != "" {
			out = append(out, m["title"].(string))
		}
	}
	sort.Strings(out)
	return out
}

// TestReclassifyOldTasks: reclassifying a triage incident keeps the triage
// tasks open by default (old_tasks keep), or closes the ones still open as
// cancelled (old_tasks cancel) — never as done, and never a task a person
// added or one already done. The timeline says which tasks it kept or
// cancelled; anything but keep or cancel is 422 with nothing changed.
func TestReclassifyOldTasks(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("lead@example.com", "admin")
	tok := f.addUser("mara@example.com", "marketer") // reclassifies: a plain marketer
	reclassify := func(inc string, body map[string]any) reply {
		return f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/runbook", token: tok, body: body})
	}
	// prepared is a triage incident whose holding-line task is done and
	// which has a task a person added.
	prepared := func() string {
		inc := f.incident(admin)
		if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/tasks", token: tok,
			body: map[string]any{"title": "Ask the agency what changed", "kind": "internal"}}); r.status != 201 {
			t.Fatalf("add task: %d %s", r.status, r.body)
		}
		holding := f.plan(tok, inc)[triageHolding]
		if r := f.do(call{method: "PATCH", path: "/api/v1/incidents/" + inc + "/tasks/" + holding.ID, token: tok,
			body: map[string]any{"status": "done"}}); r.status != 200 {
			t.Fatalf("complete task: %d %s", r.status, r.body)
		}
		return inc
	}

	{ // default and keep leave them open
		for _, body := range []map[string]any{{"runbook": "wrong-segment"}, {"runbook": "wrong-segment", "old_tasks": "keep"}} {
			inc := prepared()
			if r := reclassify(inc, body); r.status != 200 {
				t.Fatalf("reclassify %v: %d %s", body, r.status, r.body)
			}
			plan := f.plan(tok, inc)
			if s := plan[triageFindCause].Status; s != "open" {
				t.Errorf("%v: the triage task is %s, want open", body, s)
			}
			if s := plan["Ask the agency what changed"].Status; s != "open" {
				t.Errorf("%v: the person's task is %s, want open", body, s)
			}
			if s := plan["Fix the segment definition and check its size against the brief"].Status; s != "open" {
				t.Errorf("%v: the wrong-segment task is %q, want open (added)", body, s)
			}
			d := f.lastReclassify(tok, inc)
			if d["old_tasks"] != "keep" || !reflect.DeepEqual(listed(d["tasks_kept"]), []string{triageFindCause}) || d["tasks_cancelled"] != nil {
				t.Errorf("%v: reclassify entry %v, want old_tasks keep, tasks_kept [the open triage task]", body, d)
			}
		}
	}

	{ // cancel closes the old runbook's open tasks, not done ones nor a person's
		inc := prepared()
		if r := reclassify(inc, map[string]any{"runbook": "wrong-segment", "old_tasks": "cancel"}); r.status != 200 {
			t.Fatalf("reclassify: %d %s", r.status, r.body)
		}
		plan := f.plan(tok, inc)
		if c := plan[triageFindCause]; c.Status != "cancelled" || c.Overdue || c.CompletedAt != nil || !c.FromRunbook {
			t.Errorf("the open triage task %+v, want cancelled, not overdue, no completed_at", c)
		}
		if s := plan[triageHolding].Status; s != "done" {
			t.Errorf("the done triage task is %s, want done still", s)
		}
		if s := plan["Ask the agency what changed"].Status; s != "open" {
			t.Errorf("the task a person added is %s, want open: it is never cancelled", s)
		}
		if s := plan["Fix the segment definition and check its size against the brief"].Status; s != "open" {
			t.Errorf("the wrong-segment task is %q, want open (added)", s)
		}
		d := f.lastReclassify(tok, inc)
		if d["old_tasks"] != "cancel" || !reflect.DeepEqual(listed(d["tasks_cancelled"]), []string{triageFindCause}) {
			t.Errorf("reclassify entry %v, want old_tasks cancel, tasks_cancelled [the open triage task]", d)
		}
		// A person may decide the task is needed after all.
		if r := f.do(call{method: "PATCH", path: "/api/v1/incidents/" + inc + "/tasks/" + plan[triageFindCause].ID, token: tok,
			body: map[string]any{"status": "open"}}); r.status != 200 {
			t.Errorf("reopen a cancelled task: %d %s", r.status, r.body)
		}
		// Cancelling by PATCH is not a thing: only reclassifying cancels.
		if r := f.do(call{method: "PATCH", path: "/api/v1/incidents/" + inc + "/tasks/" + plan[triageFindCause].ID, token: tok,
			body: map[string]any{"status": "cancelled"}}); r.status != 422 {
			t.Errorf("PATCH status cancelled: %d %s, want 422", r.status, r.body)
		}
	}

	{ // a bad old_tasks is refused and nothing changes
		inc := prepared()
		for _, v := range []string{"done", "Cancel", "close"} {
			r := reclassify(inc, map[string]any{"runbook": "wrong-segment", "old_tasks": v})
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Details struct {
						Fields map[string]string `json:"fields"`
					} `json:"details"`
				} `json:"error"`
			}
			r.json(t, &e)
			if r.status != 422 || e.Error.Code != "validation_failed" || e.Error.Details.Fields["old_tasks"] == "" {
				t.Errorf("old_tasks %q: %d %s, want 422 validation_failed on old_tasks", v, r.status, r.body)
			}
		}
		r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc, token: tok})
		var got struct{ Runbook string }
		r.json(t, &got)
		if got.Runbook != "triage" {
			t.Errorf("after refused reclassifications the runbook is %s, want triage", got.Runbook)
		}
		plan := f.plan(tok, inc)
		if len(plan) != 3 || plan[triageFindCause].Status != "open" {
			t.Errorf("after refused reclassifications the plan is %+v, want the three tasks as they were", plan)
		}
	}
}
