package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

type commPreflightReply struct {
	OK       bool `json:"ok"`
	Problems []struct {
		Code     string   `json:"code"`
		Message  string   `json:"message"`
		Count    int      `json:"count"`
		Examples []string `json:"examples"`
		Severity string   `json:"severity"`
	} `json:"problems"`
}

func (p commPreflightReply) find(code string) (int, []string, string, bool) {
	for _, q := range p.Problems {
		if q.Code == code {
			return q.Count, q.Examples, q.Severity, true
		}
	}
	return 0, nil, "", false
}

func (f *appFixture) commPreflight(tok, id string) (commPreflightReply, reply) {
	f.t.Helper()
	r := f.do(call{method: "POST", path: "/api/v1/communications/" + id + "/preflight", token: tok})
	var p commPreflightReply
	if r.status == 200 {
		r.json(f.t, &p)
	}
	return p, r
}

func (f *appFixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.store.SQL().ExecContext(context.Background(), q, args...); err != nil {
		f.t.Fatal(err)
	}
}

// TestCommunicationPreflightProblems: an apology whose first paragraph does not
// apologise gets no_apology (blocking); a merge tag without fallback is counted
// over the communication's affected, unsuppressed audience (r1 only: r2 is
// suppressed, r3 was never handed); a breach notice titled otherwise gets
// title only once an affected recipient lives in California.
func TestCommunicationPreflightProblems(t *testing.T) {
	f, tok, inc := commFixture(t)
	var a commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "We made a mistake in our last email",
		"html": "<p>Here is some news about your order, {{first_name}}.</p><p>We are sorry.</p>",
		"text": "Here is some news about your order.\n\nWe are sorry."}).json(t, &a)
	p, r := f.commPreflight(tok, a.ID)
	if r.status != 200 {
		t.Fatalf("preflight: %d %s", r.status, r.body)
	}
	if p.OK {
		t.Errorf("ok with a planted problem: %s", r.body)
	}
	if _, _, sev, ok := p.find("no_apology"); !ok || sev != "blocking" {
		t.Errorf("no no_apology (blocking): %s", r.body)
	}
	if n, ex, _, ok := p.find("unresolved_merge_tag"); !ok || n != 1 || strings.Join(ex, ",") != "r1@x.io" {
		t.Errorf("unresolved_merge_tag: %d %v, want 1 [r1@x.io]: %s", n, ex, r.body)
	}
	if _, _, sev, ok := p.find("not_branded"); !ok || sev != "warning" {
		t.Errorf("not_branded should be a warning for the fixture's bare brand: %s", r.body)
	}

	var n commReply
	f.createComm(tok, inc, map[string]any{"kind": "breach_notice", "subject": "Important information about your account",
		"html": "<p>We are sorry.</p>", "text": "We are sorry."}).json(t, &n)
	p, r = f.commPreflight(tok, n.ID)
	if _, _, _, ok := p.find("title"); r.status != 200 || ok {
		t.Errorf("title without a California recipient: %d %s", r.status, r.body)
	}
	f.exec(`UPDATE campaign_recipients SET attributes = '{"State": "x", "state": " California "}' WHERE email = 'r1@x.io'`)
	p, r = f.commPreflight(tok, n.ID)
	if _, _, sev, ok := p.find("title"); r.status != 200 || !ok || sev != "blocking" {
		t.Errorf("no title problem with a California recipient: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/communications/00000000-0000-0000-0000-000000000000/preflight", token: tok}); r.status != 404 ||
		r.errorBody(t).Code != "communication_not_found" {
		t.Errorf("preflight of nothing: %d %s", r.status, r.body)
	}
}

// TestCommunicationSend422Preflight: a send with a blocking problem is 422
// preflight_failed with the preflight in details; nothing is snapshotted and
// the communication stays a draft.
func TestCommunicationSend422Preflight(t *testing.T) {
	f, tok, inc := commFixture(t)
	var a commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "We made a mistake in our last email",
		"html": "<p>Here is some news about your order.</p>", "text": "Here is some news about your order."}).json(t, &a)
	r := f.sendComm(tok, a.ID)
	if r.status != 422 {
		t.Fatalf("send: %d %s, want 422", r.status, r.body)
	}
	e := r.errorBody(t)
	raw, _ := json.Marshal(e.Details)
	var d struct {
		Preflight commPreflightReply `json:"preflight"`
	}
	_ = json.Unmarshal(raw, &d)
	if _, _, sev, ok := d.Preflight.find("no_apology"); e.Code != "preflight_failed" || d.Preflight.OK || !ok || sev != "blocking" {
		t.Errorf("refusal: %s", r.body)
	}
	var n int
	if err := f.store.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM communication_recipients WHERE communication_id = $1`,
		a.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d recipients snapshotted for a refused send (%v)", n, err)
	}
	var c commReply
	f.do(call{method: "GET", path: "/api/v1/communications/" + a.ID, token: tok}).json(t, &c)
	if c.Status != "draft" {
		t.Errorf("status %q after a refused send, want draft", c.Status)
	}
}

type previewReply struct {
	RecipientID string `json:"recipient_id"`
	Subject     string `json:"subject"`
	HTML        string `json:"html"`
	Text        string `json:"text"`
}

// TestCommunicationPreview: the preview is the branded message for one
// affected recipient: their first name (escaped in the HTML), the fallback for
// one without, their signed unsubscribe link; 404 recipient_not_affected for a
// recipient who was never handed the campaign.
func TestCommunicationPreview(t *testing.T) {
	f, tok, inc := commFixture(t)
	ctx := context.Background()
	f.exec(`UPDATE campaign_recipients SET first_name = 'Ada & <Co>' WHERE email = 'r1@x.io'`)
	f.exec(`WITH r AS (INSERT INTO recipients (email) VALUES ('r4@x.io') RETURNING id)
		INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at)
		SELECT (SELECT campaign_id FROM incidents WHERE id = $1), id, 'r4@x.io', '{vip}', 'handed', now() FROM r`, inc)
	ids := map[string]string{}
	rows, err := f.store.SQL().QueryContext(ctx, `SELECT email, recipient_id::text FROM campaign_recipients
		WHERE campaign_id = (SELECT campaign_id FROM incidents WHERE id = $1)`, inc)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e, id string
		_ = rows.Scan(&e, &id)
		ids[e] = id
	}
	rows.Close()
	var camp string
	_ = f.store.SQL().QueryRowContext(ctx, `SELECT campaign_id::text FROM incidents WHERE id = $1`, inc).Scan(&camp)

	var a commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "{{first_name|Friend}}, we made a mistake",
		"html": "<p>We are sorry, {{first_name|friend}}.</p>", "text": "We are sorry, {{first_name|friend}}."}).json(t, &a)
	get := func(rid string) (previewReply, reply) {
		r := f.do(call{method: "GET", path: "/api/v1/communications/" + a.ID + "/preview?recipient_id=" + rid, token: tok})
		var p previewReply
		if r.status == 200 {
			r.json(t, &p)
		}
		return p, r
	}
	p, r := get(ids["r1@x.io"])
	if r.status != 200 || p.RecipientID != ids["r1@x.io"] {
		t.Fatalf("preview r1: %d %s", r.status, r.body)
	}
	if !strings.Contains(p.HTML, "We are sorry, Ada &amp; &lt;Co&gt;.") || !strings.Contains(p.Text, "We are sorry, Ada & <Co>.") ||
		p.Subject != "Ada & <Co>, we made a mistake" {
		t.Errorf("r1 not resolved (escaped in HTML): subject %q\ntext %q\nhtml %s", p.Subject, p.Text, p.HTML)
	}
	link := "http://firebreak.test/u/" + camp + "/" + ids["r1@x.io"] + "/"
	if !strings.Contains(p.HTML, link) || !strings.Contains(p.Text, link) || !strings.Contains(p.HTML, "Acme") {
		t.Errorf("r1 preview lacks the brand or the unsubscribe link %s:\n%s\n%s", link, p.HTML, p.Text)
	}
	if strings.Contains(p.HTML, "{{") || strings.Contains(p.Text, "{{") {
		t.Errorf("unresolved tags left: %s", p.HTML)
	}
	p, r = get(ids["r4@x.io"])
	if r.status != 200 || !strings.Contains(p.HTML, "We are sorry, friend.") || p.Subject != "Friend, we made a mistake" {
		t.Errorf("r4 (no first name) should get the fallback: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/communications/" + a.ID + "/preview", token: tok}); r.status != 200 {
		t.Errorf("preview without recipient_id: %d %s", r.status, r.body)
	} else {
		var q previewReply
		r.json(t, &q)
		if q.RecipientID == "" || q.RecipientID == ids["r3@x.io"] {
			t.Errorf("default preview for %q, want an affected recipient", q.RecipientID)
		}
	}
	for _, rid := range []string{ids["r3@x.io"], "00000000-0000-0000-0000-000000000000", "not-a-uuid"} {
		if _, r := get(rid); r.status != 404 || r.errorBody(t).Code != "recipient_not_affected" {
			t.Errorf("preview for unaffected %q: %d %s, want 404 recipient_not_affected", rid, r.status, r.body)
		}
	}
}
