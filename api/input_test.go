package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
)

// fieldsOf returns details.fields of a 422, failing when the answer is not one.
func fieldsOf(t *testing.T, r reply) map[string]any {
	t.Helper()
	if r.status != 422 {
		t.Fatalf("status %d, want 422: %.300s", r.status, r.body)
	}
	e := r.errorBody(t)
	fields, _ := e.Details["fields"].(map[string]any)
	if e.Code != "validation_failed" || fields == nil {
		t.Fatalf("want validation_failed with details.fields: %.300s", r.body)
	}
	return fields
}

func (f *appFixture) countCampaigns() int {
	f.t.Helper()
	var n int
	if err := f.store.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM campaigns`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// Integers a Postgres integer column cannot hold are field errors, not 500s.
func TestIntegersBeyondInt32Are422NamingTheField(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	b := f.brand(admin)
	for field, v := range map[string]any{
		"canary_hold_seconds": 3000000000,
		"asm_group_id":        2147483648,
		"send_buffer_seconds": 9999999999,
	} {
		t.Run(field, func(t *testing.T) {
			body := campaignBody(b)
			body[field] = v
			if field == "canary_hold_seconds" {
				body["canary_percent"] = 10
			}
			r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: admin, body: body})
			if fields := fieldsOf(t, r); fields[field] == nil {
				t.Fatalf("details.fields lacks %s: %s", field, r.body)
			}
		})
	}
	r := f.do(call{method: "POST", path: "/api/v1/suppressions", token: admin,
		body: map[string]any{"email": "x@example.com", "kind": "group_unsubscribe", "group_id": 2147483648}})
	if fields := fieldsOf(t, r); fields["group_id"] == nil {
		t.Fatalf("suppression group_id: %s", r.body)
	}
	if n := f.countCampaigns(); n != 0 {
		t.Fatalf("bad input stored %d campaigns", n)
	}
}

func TestCostBeyondWhatCanBeStoredIs422(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	inc := f.incident(admin)
	for name, body := range map[string]string{
		"hours overflow": `{"cost_parts":{"responder_hours":1e300,"hourly_rate_cents":1000}}`,
		"rate overflow":  `{"cost_parts":{"responder_hours":10,"hourly_rate_cents":9223372036854775807}}`,
		"send overflow":  `{"cost_parts":{"responder_hours":1,"hourly_rate_cents":1,"send_cost_cents":9223372036854775807}}`,
		"cost too large": `{"cost_estimate_cents":9223372036854775807}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(call{method: "PATCH", path: "/api/v1/incidents/" + inc + "/assessment", token: admin, body: body})
			fields := fieldsOf(t, r)
			if fields["cost_parts"] == nil && fields["cost_estimate_cents"] == nil {
				t.Fatalf("details.fields names neither cost field: %s", r.body)
			}
		})
	}
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/assessment", token: admin})
	if !strings.Contains(string(r.body), `"cost_estimate_cents":0`) {
		t.Fatalf("a refused patch changed the cost: %s", r.body)
	}
}

// A NUL in any JSON string (Postgres text cannot hold it) is a 400 naming the
// field, on every JSON endpoint, and nothing is stored.
func TestNULInAJSONStringIs400NamingTheField(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	b := f.brand(admin)
	inc := f.incident(admin)
	before := f.countCampaigns()
	for _, c := range []struct {
		name, method, path, body, field string
	}{
		{"campaign name", "POST", "/api/v1/campaigns",
			`{"name":"a\u0000b","brand_id":"` + b + `","subject":"s","html":"<p>x</p>","segments":["all"]}`, "name"},
		{"segment", "POST", "/api/v1/campaigns",
			`{"name":"n","brand_id":"` + b + `","subject":"s","html":"<p>x</p>","segments":["all","b\u0000"]}`, "segments[1]"},
		{"user name", "POST", "/api/v1/users", `{"email":"x@example.com","name":"\u0000","roles":["legal"]}`, "name"},
		{"suppression reason", "POST", "/api/v1/suppressions", `{"email":"x@example.com","reason":"a\u0000"}`, "reason"},
		{"assessment notes", "PATCH", "/api/v1/incidents/" + inc + "/assessment", `{"notes":"a\u0000"}`, "notes"},
		{"cause nested", "PATCH", "/api/v1/incidents/" + inc + "/assessment", `{"data_categories_exposed":["name","\u0000"]}`, "data_categories_exposed[1]"},
		{"task title", "POST", "/api/v1/incidents/" + inc + "/tasks", `{"title":"a\u0000","kind":"internal"}`, "title"},
		{"incident campaign", "POST", "/api/v1/incidents", `{"campaign_id":"\u0000","runbook":"triage","summary":"x"}`, "campaign_id"},
		{"brand footer", "POST", "/api/v1/brands", `{"name":"B","from_email":"b@example.com","footer_html":"\u0000"}`, "footer_html"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(call{method: c.method, path: c.path, token: admin, body: c.body})
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if e := r.errorBody(t); e.Code != "malformed_json" || e.Details["field"] != c.field {
				t.Fatalf("want malformed_json naming %s: %s", c.field, r.body)
			}
		})
	}
	if n := f.countCampaigns(); n != before {
		t.Fatalf("bad input stored %d campaigns", n-before)
	}
}

// NUL or invalid UTF-8 in a path parameter or query value is a 400 naming it.
func TestNULOrInvalidUTF8InPathOrQueryIs400(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	inc := f.incident(admin)
	for _, c := range []struct{ method, path, param string }{
		{"GET", "/api/v1/campaigns/%00", "id"},
		{"GET", "/api/v1/campaigns/%FF", "id"},
		{"GET", "/api/v1/incidents/%00/timeline", "id"},
		{"GET", "/api/v1/incidents/" + inc + "/timeline?after=%00", "after"},
		{"DELETE", "/api/v1/tokens/%00", "id"},
		{"GET", "/api/v1/suppressions?email=%00", "email"},
		{"GET", "/api/v1/suppressions?email=%C0%AF", "email"},
		{"GET", "/api/v1/events?campaign_id=%00", "campaign_id"},
		{"GET", "/api/v1/incidents?campaign_id=%FF", "campaign_id"},
	} {
		r := f.do(call{method: c.method, path: c.path, token: admin})
		if r.status != 400 {
			t.Errorf("%s %s: %d, want 400: %s", c.method, c.path, r.status, r.body)
			continue
		}
		if e := r.errorBody(t); e.Code != "invalid_parameter" || e.Details["parameter"] != c.param {
			t.Errorf("%s %s: want invalid_parameter naming %s: %s", c.method, c.path, c.param, r.body)
		}
	}
}

func TestFieldLengthCaps422(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	b := f.brand(admin)
	for field, v := range map[string]string{
		"name":    strings.Repeat("n", 201),
		"subject": strings.Repeat("s", 999),
		"html":    strings.Repeat("h", 1<<20+1),
		"text":    strings.Repeat("t", 1<<20+1),
	} {
		t.Run(field, func(t *testing.T) {
			body := campaignBody(b)
			body[field] = v
			r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: admin, body: body})
			if fields := fieldsOf(t, r); fields[field] == nil {
				t.Fatalf("details.fields lacks %s: %.300s", field, r.body)
			}
		})
	}
	// At the limits it is accepted (multi-byte names count characters).
	body := campaignBody(b)
	body["name"], body["subject"] = strings.Repeat("é", 200), strings.Repeat("s", 998)
	if r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: admin, body: body}); r.status != 201 {
		t.Fatalf("at the limits: %d %.300s", r.status, r.body)
	}
	camp := f.campaign(admin, b)
	r := f.do(call{method: "POST", path: "/api/v1/incidents", token: admin,
		body: map[string]any{"campaign_id": camp, "runbook": "triage", "summary": strings.Repeat("x", 2001)}})
	if fields := fieldsOf(t, r); fields["summary"] == nil {
		t.Fatalf("summary: %.300s", r.body)
	}
	r = f.do(call{method: "POST", path: "/api/v1/campaigns/" + camp + "/pause", token: admin,
		body: map[string]any{"reason": strings.Repeat("x", 2001)}})
	if fields := fieldsOf(t, r); fields["reason"] == nil {
		t.Fatalf("pause reason: %.300s", r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents", token: admin}); strings.TrimSpace(string(r.body)) != "[]" {
		t.Fatalf("a refused declaration or pause opened an incident: %s", r.body)
	}
}
