package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
)

type commReply struct {
	ID                string   `json:"id"`
	IncidentID        string   `json:"incident_id"`
	Kind              string   `json:"kind"`
	Status            string   `json:"status"`
	Subject           string   `json:"subject"`
	Text              string   `json:"text"`
	Scope             string   `json:"scope"`
	Segments          []string `json:"segments"`
	ContentHash       string   `json:"content_hash"`
	RequiredApprovals []string `json:"required_approvals"`
	Approvals         []any    `json:"approvals"`
	Audience          struct {
		Affected        int `json:"affected"`
		Suppressed      int `json:"suppressed"`
		AlreadyReceived int `json:"already_received"`
		WillReceive     int `json:"will_receive"`
	} `json:"audience"`
}

// commFixture is an app with an admin-marketer token and a triage incident
// (wrong-segment) whose campaign reached r1 (vip) and r2 (news, suppressed); r3 was never handed.
func commFixture(t *testing.T) (*appFixture, string, string) {
	t.Helper()
	f := newAppFixture(t, api.Config{})
	tok := f.addUser("mara@example.com", "admin", "marketer")
	inc := f.incident(tok)
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/runbook", token: tok,
		body: map[string]any{"runbook": "wrong-segment"}}); r.status != 200 {
		t.Fatalf("reclassify: %d %s", r.status, r.body)
	}
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc, token: tok})
	var i struct {
		CampaignID string `json:"campaign_id"`
	}
	r.json(t, &i)
	ctx := context.Background()
	for n, row := range []struct{ segs, state string }{{"{vip}", "handed"}, {"{news}", "handed"}, {"{vip}", "pending"}} {
		email := fmt.Sprintf("r%d@x.io", n+1)
		if _, err := f.store.SQL().ExecContext(ctx, `WITH r AS (INSERT INTO recipients (email) VALUES ($1) RETURNING id)
			INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at)
			SELECT $2, id, $1, $3, $4, now() FROM r`, email, i.CampaignID, row.segs, row.state); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.SQL().ExecContext(ctx, `INSERT INTO suppressions (email, kind, source) VALUES ('r2@x.io', 'bounce', 'webhook')`); err != nil {
		t.Fatal(err)
	}
	return f, tok, inc
}

func (f *appFixture) createComm(tok, inc string, body map[string]any) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/communications", token: tok, body: body})
}

func TestCommunicationCreate201(t *testing.T) {
	f, tok, inc := commFixture(t)
	r := f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "Sorry about our last email", "text": "We are sorry."})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var c commReply
	r.json(t, &c)
	if c.Kind != "apology" || c.Status != "draft" || c.Scope != "possibly_received" || c.IncidentID != inc ||
		len(c.ContentHash) != 64 || c.RequiredApprovals == nil || len(c.RequiredApprovals) != 0 || c.Approvals == nil {
		t.Errorf("created: %s", r.body)
	}
	if c.Audience.Affected != 2 || c.Audience.Suppressed != 1 || c.Audience.WillReceive != 1 || c.Audience.AlreadyReceived != 0 {
		t.Errorf("audience %+v, want affected 2 (r1, r2), suppressed 1 (r2), will_receive 1", c.Audience)
	}
	got := f.do(call{method: "GET", path: "/api/v1/communications/" + c.ID, token: tok})
	var g commReply
	got.json(t, &g)
	if got.status != 200 || g.ContentHash != c.ContentHash || g.Subject != "Sorry about our last email" {
		t.Errorf("get: %d %s", got.status, got.body)
	}
	list := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/communications", token: tok})
	var l []commReply
	list.json(t, &l)
	if list.status != 200 || len(l) != 1 || l[0].ID != c.ID {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	if !strings.Contains(string(f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).body), `"communication.create"`) {
		t.Error("the incident timeline does not show communication.create")
	}
	if r := f.do(call{method: "GET", path: "/api/v1/communications/00000000-0000-0000-0000-000000000000", token: tok}); r.status != 404 ||
		r.errorBody(t).Code != "communication_not_found" {
		t.Errorf("unknown id: %d %s", r.status, r.body)
	}
}

// TestCommunicationCreate409StaleList: invariant 3 through the API — a
// stale-suppression-list incident refuses an apology and a correction, and
// stores nothing; a breach notice (a legal notification) is not refused.
func TestCommunicationCreate409StaleList(t *testing.T) {
	f, tok, inc := commFixture(t)
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/runbook", token: tok,
		body: map[string]any{"runbook": "stale-suppression-list"}}); r.status != 200 {
		t.Fatalf("reclassify: %d %s", r.status, r.body)
	}
	for _, kind := range []string{"apology", "correction"} {
		r := f.createComm(tok, inc, map[string]any{"kind": kind, "subject": "Sorry", "text": "We are sorry."})
		if r.status != 409 || r.errorBody(t).Code != "apology_not_allowed" || !strings.Contains(r.errorBody(t).Message, "only adds complaints") {
			t.Errorf("%s: %d %s, want 409 apology_not_allowed saying why", kind, r.status, r.body)
		}
	}
	var l []commReply
	f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/communications", token: tok}).json(t, &l)
	if len(l) != 0 {
		t.Errorf("%d communications stored after refusals", len(l))
	}
	r := f.createComm(tok, inc, map[string]any{"kind": "breach_notice", "subject": "Notice of Data Breach", "text": "What happened."})
	var c commReply
	r.json(t, &c)
	if r.status != 201 || strings.Join(c.RequiredApprovals, ",") != "legal,security" {
		t.Errorf("breach notice: %d %s, want 201 needing legal and security", r.status, r.body)
	}
}

func TestCommunicationCreate422(t *testing.T) {
	f, tok, inc := commFixture(t)
	big := strings.Repeat("x", 1<<20+1)
	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"unknown kind", "kind", map[string]any{"kind": "newsletter", "text": "Hi"}},
		{"empty body", "html", map[string]any{"kind": "apology", "subject": "Sorry", "html": " ", "text": ""}},
		{"html over 1 MiB", "html", map[string]any{"kind": "apology", "html": big}},
		{"unknown scope", "scope", map[string]any{"kind": "apology", "text": "Sorry", "scope": "everyone"}},
		{"unknown segment", "segments", map[string]any{"kind": "apology", "text": "Sorry", "segments": []string{"vip", "nobody"}}},
		{"bad reply-to", "reply_to", map[string]any{"kind": "apology", "text": "Sorry", "reply_to": "not an address"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.createComm(tok, inc, tc.body)
			if r.status != 422 {
				t.Fatalf("%d %s, want 422", r.status, r.body)
			}
			e := r.errorBody(t)
			fields, _ := e.Details["fields"].(map[string]any)
			if e.Code != "validation_failed" || fields[tc.field] == nil {
				t.Errorf("error %+v, want validation_failed naming %s", e, tc.field)
			}
		})
	}
	var l []commReply
	f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/communications", token: tok}).json(t, &l)
	if len(l) != 0 {
		t.Errorf("%d communications stored after refusals", len(l))
	}
	if r := f.createComm(tok, inc, map[string]any{"kind": "apology", "text": "Sorry", "segments": []string{"vip"}}); r.status != 201 {
		t.Errorf("a known segment: %d %s", r.status, r.body)
	}
}

func TestCommunicationPatch(t *testing.T) {
	f, tok, inc := commFixture(t)
	var c commReply
	f.createComm(tok, inc, map[string]any{"kind": "correction", "subject": "Correction", "text": "Disregard it."}).json(t, &c)
	r := f.do(call{method: "PATCH", path: "/api/v1/communications/" + c.ID, token: tok,
		body: map[string]any{"subject": "Correction: please disregard our previous email", "segments": []string{"vip"}}})
	var p commReply
	r.json(t, &p)
	if r.status != 200 || p.ContentHash == c.ContentHash || p.Status != "draft" || p.Audience.Affected != 1 ||
		strings.Join(p.Segments, ",") != "vip" || p.Text != "Disregard it." {
		t.Errorf("patch: %d %s", r.status, r.body)
	}
	if !strings.Contains(string(f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).body), `"communication.update"`) {
		t.Error("the incident timeline does not show communication.update")
	}
	if r := f.do(call{method: "PATCH", path: "/api/v1/communications/" + c.ID, token: tok,
		body: map[string]any{"scope": "everyone"}}); r.status != 422 {
		t.Errorf("bad scope: %d %s", r.status, r.body)
	}
	// An approved communication that is edited goes back to draft, on the timeline.
	if _, err := f.store.SQL().ExecContext(context.Background(), `UPDATE communications SET status = 'approved' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	r = f.do(call{method: "PATCH", path: "/api/v1/communications/" + c.ID, token: tok, body: map[string]any{"text": "Please disregard it."}})
	r.json(t, &p)
	if r.status != 200 || p.Status != "draft" ||
		!strings.Contains(string(f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).body), `"communication.approvals_withdrawn"`) {
		t.Errorf("edit of an approved communication: %d %s, want draft and approvals withdrawn on the timeline", r.status, r.body)
	}
	if _, err := f.store.SQL().ExecContext(context.Background(), `UPDATE communications SET status = 'sending' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	r = f.do(call{method: "PATCH", path: "/api/v1/communications/" + c.ID, token: tok, body: map[string]any{"subject": "Other"}})
	if r.status != 409 || r.errorBody(t).Code != "communication_not_editable" {
		t.Errorf("patch while sending: %d %s, want 409 communication_not_editable", r.status, r.body)
	}
	var g commReply
	f.do(call{method: "GET", path: "/api/v1/communications/" + c.ID, token: tok}).json(t, &g)
	if g.Subject != "Correction: please disregard our previous email" {
		t.Errorf("the refused edit changed the subject to %q", g.Subject)
	}
}

func (f *appFixture) sendComm(tok, id string) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/communications/" + id + "/send", token: tok})
}

// TestCommunicationSend202: a send snapshots only who will receive it (never
// the suppressed r2 or the never-handed r3) and answers 202; a resend and an
// edit afterwards are 409, changing nothing.
func TestCommunicationSend202(t *testing.T) {
	f, tok, inc := commFixture(t)
	var c commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "Sorry", "text": "We are sorry, {{first_name|friend}}."}).json(t, &c)
	r := f.sendComm(tok, c.ID)
	var s struct {
		Status   string `json:"status"`
		Audience int    `json:"audience"`
	}
	r.json(t, &s)
	if r.status != 202 || s.Status != "sending" || s.Audience != 1 {
		t.Fatalf("send: %d %s, want 202 sending to 1", r.status, r.body)
	}
	var emails []string
	rows, err := f.store.SQL().QueryContext(context.Background(), `SELECT email FROM communication_recipients WHERE communication_id = $1`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		emails = append(emails, e)
	}
	rows.Close()
	if strings.Join(emails, ",") != "r1@x.io" {
		t.Errorf("snapshot %v, want only r1@x.io", emails)
	}
	if r := f.sendComm(tok, c.ID); r.status != 409 || r.errorBody(t).Code != "communication_already_sent" {
		t.Errorf("resend: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "PATCH", path: "/api/v1/communications/" + c.ID, token: tok, body: map[string]any{"subject": "x"}}); r.status != 409 {
		t.Errorf("edit while sending: %d %s", r.status, r.body)
	}
	if !strings.Contains(string(f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).body), `"communication.send"`) {
		t.Error("the incident timeline does not show communication.send")
	}
}

// TestCommunicationSend409: a breach notice cannot be sent without its
// approvals (invariant 4's safe default); an apology drafted before the
// incident was reclassified to stale-suppression-list cannot be sent
// (invariant 3); two concurrent sends make one send.
func TestCommunicationSend409(t *testing.T) {
	f, tok, inc := commFixture(t)
	var notice, apology, other commReply
	f.createComm(tok, inc, map[string]any{"kind": "breach_notice", "subject": "Notice of Data Breach", "text": "What happened."}).json(t, &notice)
	if r := f.sendComm(tok, notice.ID); r.status != 409 || r.errorBody(t).Code != "approval_required" {
		t.Errorf("breach notice: %d %s, want 409 approval_required", r.status, r.body)
	}
	f.createComm(tok, inc, map[string]any{"kind": "correction", "subject": "Correction: please disregard our previous email",
		"text": "We are sorry. Please disregard it."}).json(t, &other)
	codes := make(chan int, 2)
	for range 2 {
		go func() {
			codes <- f.do(call{method: "POST", path: "/api/v1/communications/" + other.ID + "/send", token: tok}).status
		}()
	}
	if a, b := <-codes, <-codes; a+b != 202+409 {
		t.Errorf("two concurrent sends: %d and %d, want one 202 and one 409", a, b)
	}
	f.createComm(tok, inc, map[string]any{"kind": "apology", "text": "Sorry."}).json(t, &apology)
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/runbook", token: tok,
		body: map[string]any{"runbook": "stale-suppression-list"}}); r.status != 200 {
		t.Fatalf("reclassify: %d %s", r.status, r.body)
	}
	if r := f.sendComm(tok, apology.ID); r.status != 409 || r.errorBody(t).Code != "apology_not_allowed" {
		t.Errorf("apology on a stale-list incident: %d %s, want 409 apology_not_allowed", r.status, r.body)
	}
	var n int
	if err := f.store.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM communication_recipients WHERE communication_id IN ($1, $2)`,
		notice.ID, apology.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d recipients snapshotted for refused sends (%v)", n, err)
	}
}
