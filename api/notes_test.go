package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
)

type noteEntry struct {
	At        string         `json:"at"`
	Actor     string         `json:"actor"`
	ActorName *string        `json:"actor_name"`
	Action    string         `json:"action"`
	Data      map[string]any `json:"data"`
}

// timelineOf is the incident's timeline as the dashboard reads it.
func (f *appFixture) timelineOf(tok, inc string) []noteEntry {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok})
	if r.status != 200 {
		f.t.Fatalf("timeline: %d %s", r.status, r.body)
	}
	var out []noteEntry
	r.json(f.t, &out)
	return out
}

func notes(es []noteEntry) []noteEntry {
	var out []noteEntry
	for _, e := range es {
		if e.Action == "incident.note" {
			out = append(out, e)
		}
	}
	return out
}

// TestIncidentNotes: every role that works on incidents posts free-text
// notes, on an open or resolved incident; each is an audit entry on the
// timeline with its author's email and name. Bad notes are 422 and store
// nothing; an unknown incident is 404.
func TestIncidentNotes(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	tok := f.addUser("lead@example.com", "admin", "marketer") // sets up the brand
	inc := f.incident(tok)
	tokens := map[string]string{
		"marketer@example.com": f.addUser("marketer@example.com", "marketer"),
		"legal@example.com":    f.addUser("legal@example.com", "legal"),
		"security@example.com": f.addUser("security@example.com", "security"),
		"admin@example.com":    f.addUser("admin@example.com", "admin"),
	}
	for _, email := range []string{"marketer@example.com", "legal@example.com", "security@example.com", "admin@example.com"} {
		r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/notes", token: tokens[email],
			body: map[string]any{"text": "  Called the Gmail postmaster desk — " + email + "  "}})
		var e noteEntry
		r.json(t, &e)
		if r.status != 201 || e.Action != "incident.note" || e.Actor != email || e.ActorName == nil ||
			*e.ActorName != "Test "+email || e.Data["text"] != "Called the Gmail postmaster desk — "+email || e.At == "" {
			t.Errorf("note by %s: %d %s", email, r.status, r.body)
		}
	}
	got := notes(f.timelineOf(tok, inc))
	if len(got) != 4 {
		t.Fatalf("the timeline holds %d notes, want 4: %+v", len(got), got)
	}
	if got[1].Actor != "legal@example.com" || got[1].ActorName == nil || *got[1].ActorName != "Test legal@example.com" {
		t.Errorf("timeline note %+v, want legal's with their name", got[1])
	}
	// The system's own entries have no name.
	if open := f.timelineOf(tok, inc)[0]; open.Action != "incident.open" || open.ActorName == nil {
		t.Errorf("first entry %+v, want incident.open by the marketer, named", open)
	}

	for name, tc := range map[string]struct {
		body   any
		status int
		code   string
		field  string
	}{
		"empty":                  {body: map[string]any{"text": ""}, status: 422, code: "validation_failed", field: "text"},
		"blank":                  {body: map[string]any{"text": " \n "}, status: 422, code: "validation_failed", field: "text"},
		"missing":                {body: map[string]any{}, status: 422, code: "validation_failed", field: "text"},
		"over 10,000 characters": {body: map[string]any{"text": strings.Repeat("n", 10001)}, status: 422, code: "validation_failed", field: "text"},
		"not a string":           {body: map[string]any{"text": 12}, status: 400, code: "malformed_json"},
		"unknown field":          {body: map[string]any{"text": "x", "txt": "x"}, status: 400, code: "malformed_json"},
	} {
		r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/notes", token: tok, body: tc.body})
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", name, r.status, r.body, tc.status)
			continue
		}
		e := r.errorBody(t)
		if e.Code != tc.code {
			t.Errorf("%s: code %s, want %s", name, e.Code, tc.code)
		}
		if tc.field != "" {
			if raw, _ := json.Marshal(e.Details); !strings.Contains(string(raw), `"`+tc.field+`"`) {
				t.Errorf("%s: details %s do not name %s", name, raw, tc.field)
			}
		}
	}
	if n := len(notes(f.timelineOf(tok, inc))); n != 4 {
		t.Errorf("after the refused notes the timeline holds %d notes, want still 4", n)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + strings.Repeat("0", 8) + "-0000-0000-0000-000000000000/notes",
		token: tok, body: map[string]any{"text": "x"}}); r.status != 404 || r.errorBody(t).Code != "incident_not_found" {
		t.Errorf("note on an unknown incident: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/not-an-id/notes", token: tok,
		body: map[string]any{"text": "x"}}); r.status != 404 {
		t.Errorf("note on a malformed id: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/notes", body: map[string]any{"text": "x"}}); r.status != 401 {
		t.Errorf("note without credentials: %d %s", r.status, r.body)
	}

	// A resolved incident still takes notes: what was learnt afterwards belongs with it.
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/acknowledge", token: tok}); r.status != 200 {
		t.Fatalf("acknowledge: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/resolve", token: tok,
		body: map[string]any{"reason": "false alarm"}}); r.status != 200 {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/notes", token: tokens["legal@example.com"],
		body: map[string]any{"text": "Gmail confirmed: no reputation hit."}}); r.status != 201 {
		t.Errorf("note on a resolved incident: %d %s", r.status, r.body)
	}
	if n := len(notes(f.timelineOf(tok, inc))); n != 5 {
		t.Errorf("the resolved incident's timeline holds %d notes, want 5", n)
	}
}

// TestDeclaredIncidentTitleIsAPersons: a declared incident's summary is
// written by a person (summary_generated false) and reclassifying keeps it.
func TestDeclaredIncidentTitleIsAPersons(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	tok := f.addUser("lead@example.com", "admin", "marketer")
	inc := f.incident(tok)
	r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/runbook", token: tok, body: map[string]any{"runbook": "wrong-segment"}})
	var got struct {
		Summary          string `json:"summary"`
		SummaryGenerated *bool  `json:"summary_generated"`
		Runbook          string `json:"runbook"`
	}
	r.json(t, &got)
	if r.status != 200 || got.Runbook != "wrong-segment" || got.Summary != "wrong segment" || got.SummaryGenerated == nil || *got.SummaryGenerated {
		t.Errorf("reclassified: %d %s; want the person's summary kept, summary_generated false", r.status, r.body)
	}
}
