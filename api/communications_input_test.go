package api_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/communication"
)

// Bad input to step 5 (issue 12): each refusal has DESIGN.md's error shape
// with its own code, and changes nothing — checked by reading the
// communication (or the incident's list and timeline) back.

// newDraftingFixture is newAppFixture with the communication service wired as
// `firebreak serve` wires it: a draft's empty fields start from the runbook's
// template (communication.TemplateDrafter).
func newDraftingFixture(t *testing.T) *appFixture {
	t.Helper()
	return newAppFixture(t, api.Config{}, true)
}

// readBack is everything a refused request must leave as it was: the
// communication exactly as GET shows it (content, hash, status, audience,
// updated_at), its ledger rows and the incident's timeline.
type readBack struct {
	comm     string
	ledger   int
	timeline int
}

func (f *appFixture) readBack(tok, inc, id string) readBack {
	f.t.Helper()
	var rb readBack
	r := f.do(call{method: "GET", path: "/api/v1/communications/" + id, token: tok})
	if r.status != 200 {
		f.t.Fatalf("read back %s: %d %s", id, r.status, r.body)
	}
	rb.comm = string(r.body)
	if err := f.store.SQL().QueryRowContext(context.Background(),
		`SELECT count(*) FROM communication_recipients WHERE communication_id = $1`, id).Scan(&rb.ledger); err != nil {
		f.t.Fatal(err)
	}
	var tl []any
	f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).json(f.t, &tl)
	rb.timeline = len(tl)
	return rb
}

// wantUnchanged fails unless the communication reads back as before.
func (f *appFixture) wantUnchanged(what, tok, inc, id string, before readBack) {
	f.t.Helper()
	if after := f.readBack(tok, inc, id); after != before {
		f.t.Errorf("%s changed something:\nbefore %+v\nafter  %+v", what, before, after)
	}
}

// TestCommunicationCreateRefusalsHaveTheirCodeAndStoreNothing: every bad
// draft is 422 validation_failed naming its field (an unknown segment by
// name), or 413 body_too_large beyond the request cap, or 400 for a body that
// is not one JSON object; none stores a communication or a timeline entry.
// 1 MiB of HTML exactly is accepted (the limit is "over 1 MiB").
func TestCommunicationCreateRefusalsHaveTheirCodeAndStoreNothing(t *testing.T) {
	f, tok, inc := commFixture(t)
	var before []any
	f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).json(t, &before)
	over := strings.Repeat("x", communication.MaxHTML+1)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		field  string // for 422: the field details.fields names
		names  string // for 422: what its message must name
	}{
		{"no kind", map[string]any{"text": "Sorry"}, 422, "validation_failed", "kind", "apology"},
		{"unknown kind", map[string]any{"kind": "newsletter", "text": "Sorry"}, 422, "validation_failed", "kind", "apology, correction, breach_notice"},
		{"kind in capitals", map[string]any{"kind": "Apology", "text": "Sorry"}, 422, "validation_failed", "kind", ""},
		{"no body, no template in the test wiring", map[string]any{"kind": "apology", "subject": "Sorry"}, 422, "validation_failed", "html", "empty"},
		{"whitespace bodies", map[string]any{"kind": "apology", "html": " \n\t", "text": "  "}, 422, "validation_failed", "html", "empty"},
		{"html over 1 MiB", map[string]any{"kind": "apology", "html": over}, 422, "validation_failed", "html", "1 MiB"},
		{"text over 1 MiB", map[string]any{"kind": "apology", "text": over}, 422, "validation_failed", "text", "1 MiB"},
		{"unknown scope", map[string]any{"kind": "apology", "text": "Sorry", "scope": "everyone"}, 422, "validation_failed", "scope", "possibly_received"},
		{"unknown segment", map[string]any{"kind": "apology", "text": "Sorry", "segments": []string{"vip", "nobody"}}, 422, "validation_failed", "segments", `"nobody"`},
		{"segments not a list", `{"kind":"apology","text":"Sorry","segments":"vip"}`, 400, "malformed_json", "", ""},
		{"unknown field", map[string]any{"kind": "apology", "text": "Sorry", "audience": "all"}, 400, "malformed_json", "", ""},
		{"empty request body", "", 400, "malformed_json", "", ""},
		{"beyond the request cap", `{"kind":"apology","html":"` + strings.Repeat("x", 11<<20) + `"}`, 413, "body_too_large", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r reply
			if s, ok := tc.body.(string); ok {
				r = f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/communications", token: tok, body: s,
					headers: map[string]string{"Content-Type": "application/json"}})
			} else {
				r = f.createComm(tok, inc, tc.body.(map[string]any))
			}
			e := r.errorBody(t)
			if r.status != tc.status || e.Code != tc.code {
				t.Fatalf("%d %s, want %d %s: %.300s", r.status, e.Code, tc.status, tc.code, r.body)
			}
			if tc.field == "" {
				return
			}
			fields, _ := e.Details["fields"].(map[string]any)
			msg, _ := fields[tc.field].(string)
			if msg == "" || !strings.Contains(msg, tc.names) {
				t.Errorf("details.fields[%s] = %q, want a message naming %q: %.300s", tc.field, msg, tc.names, r.body)
			}
		})
	}
	var l []commReply
	f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/communications", token: tok}).json(t, &l)
	if len(l) != 0 {
		t.Errorf("%d communications stored by refused drafts", len(l))
	}
	var after []any
	f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).json(t, &after)
	if len(after) != len(before) {
		t.Errorf("refused drafts wrote %d timeline entries", len(after)-len(before))
	}
	exact := strings.Repeat("x", communication.MaxHTML)
	if r := f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "Sorry", "html": exact}); r.status != 201 {
		t.Errorf("html of exactly 1 MiB: %d %.300s, want 201", r.status, r.body)
	}
}

// TestCommunicationEmptyBodyStartsFromTheTemplateOrIsRefused: as `serve`
// wires it, an empty body starts from the runbook's template for the kind;
// where the runbook has none (wrong-segment has no breach notice), it is 422
// naming html. A body of only whitespace is as empty as no body: it starts
// from the template too, never a mail whose HTML part is blank while its text
// part apologises.
func TestCommunicationEmptyBodyStartsFromTheTemplateOrIsRefused(t *testing.T) {
	f := newDraftingFixture(t)
	tok := f.addUser("mara@example.com", "admin", "marketer")
	inc := f.incident(tok)
	if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/runbook", token: tok,
		body: map[string]any{"runbook": "wrong-segment"}}); r.status != 200 {
		t.Fatalf("reclassify: %d %s", r.status, r.body)
	}
	var tmpl struct{ Subject, HTML, Text string }
	r := f.createComm(tok, inc, map[string]any{"kind": "apology"})
	r.json(t, &tmpl)
	if r.status != 201 || tmpl.Subject == "" || strings.TrimSpace(tmpl.HTML) == "" || strings.TrimSpace(tmpl.Text) == "" {
		t.Fatalf("apology with no body: %d %.300s, want 201 from the wrong-segment template", r.status, r.body)
	}

	r = f.createComm(tok, inc, map[string]any{"kind": "breach_notice", "subject": "Notice of Data Breach"})
	if e := r.errorBody(t); r.status != 422 || e.Code != "validation_failed" {
		t.Errorf("breach notice with no body and no template: %d %s, want 422 validation_failed", r.status, r.body)
	} else if fields, _ := e.Details["fields"].(map[string]any); fields["html"] == nil {
		t.Errorf("details.fields does not name html: %s", r.body)
	}

	var ws struct{ HTML, Text string }
	r = f.createComm(tok, inc, map[string]any{"kind": "apology", "html": " \n  "})
	r.json(t, &ws)
	if r.status != 201 || ws.HTML != tmpl.HTML || ws.Text != tmpl.Text {
		t.Errorf("apology with whitespace html: %d, html %q (template's %.60q…), text %.60q…; want both parts from the template",
			r.status, ws.HTML, tmpl.HTML, ws.Text)
	}
}

// TestCommunicationPatchRefusalsChangeNothing: a bad edit of a draft is 422
// naming the field (HTML over 1 MiB, an unknown scope or segment, both bodies
// emptied), an edit of one that is sending or paused is 409
// communication_not_editable; each leaves the communication, its ledger and
// the timeline exactly as they were.
func TestCommunicationPatchRefusalsChangeNothing(t *testing.T) {
	f, tok, inc := commFixture(t)
	var c commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "Sorry", "html": "<p>We are sorry.</p>", "text": "We are sorry."}).json(t, &c)
	patch := func(body map[string]any) reply {
		return f.do(call{method: "PATCH", path: "/api/v1/communications/" + c.ID, token: tok, body: body})
	}
	over := strings.Repeat("y", communication.MaxHTML+1)
	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"html over 1 MiB", "html", map[string]any{"html": over}},
		{"unknown scope", "scope", map[string]any{"scope": "all_recipients"}},
		{"unknown segment", "segments", map[string]any{"segments": []string{"ghosts"}}},
		{"both bodies emptied", "html", map[string]any{"html": "", "text": " "}},
		{"bad reply-to with a good subject", "reply_to", map[string]any{"subject": "Changed", "reply_to": "nobody"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.readBack(tok, inc, c.ID)
			r := patch(tc.body)
			e := r.errorBody(t)
			fields, _ := e.Details["fields"].(map[string]any)
			if r.status != 422 || e.Code != "validation_failed" || fields[tc.field] == nil {
				t.Fatalf("%d %.300s, want 422 validation_failed naming %s", r.status, r.body, tc.field)
			}
			f.wantUnchanged("a refused edit", tok, inc, c.ID, before)
		})
	}

	s := f.sendComm(tok, c.ID)
	if s.status != 202 {
		t.Fatalf("send: %d %s", s.status, s.body)
	}
	for _, status := range []string{"sending", "paused"} {
		if status == "paused" {
			if r := f.do(call{method: "POST", path: "/api/v1/communications/" + c.ID + "/pause", token: tok}); r.status != 200 {
				t.Fatalf("pause: %d %s", r.status, r.body)
			}
		}
		before := f.readBack(tok, inc, c.ID)
		if !strings.Contains(before.comm, `"status":"`+status+`"`) || before.ledger != 1 {
			t.Fatalf("not %s with its ledger: %s (ledger %d)", status, before.comm, before.ledger)
		}
		for _, body := range []map[string]any{{"subject": "Other"}, {"segments": []string{"vip"}}, {"html": over}} {
			r := patch(body)
			if e := r.errorBody(t); r.status != 409 || e.Code != "communication_not_editable" {
				t.Errorf("edit while %s %v: %d %.200s, want 409 communication_not_editable", status, keys(body), r.status, r.body)
			}
		}
		f.wantUnchanged("an edit while "+status, tok, inc, c.ID, before)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCommunicationConcurrentSendsOneWins: eight POST /send of one draft at
// once make exactly one send — one 202, seven 409 communication_already_sent
// in the error shape — with one ledger row per recipient of the winner's
// audience, the winner's batch, and one communication.send on the timeline.
func TestCommunicationConcurrentSendsOneWins(t *testing.T) {
	f, tok, inc := commFixture(t)
	ctx := context.Background()
	// more affected recipients than the fixture's two, so a second snapshot would show
	if _, err := f.store.SQL().ExecContext(ctx, `WITH r AS (INSERT INTO recipients (email)
			SELECT 'many-' || g || '@x.io' FROM generate_series(1, 500) g RETURNING id, email)
		INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at)
		SELECT (SELECT campaign_id FROM incidents WHERE id = $1), id, email, '{vip}', 'handed', now() FROM r`, inc); err != nil {
		t.Fatal(err)
	}
	var c commReply
	f.createComm(tok, inc, map[string]any{"kind": "apology", "subject": "Sorry", "text": "We are sorry."}).json(t, &c)
	if c.Audience.WillReceive != 501 {
		t.Fatalf("audience %+v, want 501 to receive", c.Audience)
	}
	const n = 8
	replies := make([]reply, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[i] = f.do(call{method: "POST", path: "/api/v1/communications/" + c.ID + "/send", token: tok})
		}()
	}
	close(start)
	wg.Wait()
	var won []reply
	for _, r := range replies {
		switch r.status {
		case 202:
			won = append(won, r)
		case 409:
			if e := r.errorBody(t); e.Code != "communication_already_sent" {
				t.Errorf("a refused send: %s, want communication_already_sent", r.body)
			}
		default:
			t.Errorf("a send answered %d %s", r.status, r.body)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d sends answered 202, want exactly one", len(won))
	}
	var w struct {
		Audience      int `json:"audience"`
		Communication struct {
			BatchID string `json:"batch_id"`
		} `json:"communication"`
	}
	won[0].json(t, &w)
	var rows, distinct int
	if err := f.store.SQL().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT recipient_id) FROM communication_recipients
		WHERE communication_id = $1`, c.ID).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if w.Audience != 501 || rows != 501 || distinct != 501 {
		t.Errorf("the winner's audience %d; ledger %d rows for %d recipients; want 501 each", w.Audience, rows, distinct)
	}
	var g struct {
		Status  string `json:"status"`
		BatchID string `json:"batch_id"`
		Counts  struct {
			Audience int `json:"audience"`
		} `json:"counts"`
	}
	f.do(call{method: "GET", path: "/api/v1/communications/" + c.ID, token: tok}).json(t, &g)
	if g.Status != "sending" || g.BatchID != w.Communication.BatchID || g.Counts.Audience != 501 {
		t.Errorf("read back %+v, want sending with the winner's batch %q and audience 501", g, w.Communication.BatchID)
	}
	tl := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/timeline", token: tok}).body
	if k := bytes.Count(tl, []byte(`"communication.send"`)); k != 1 {
		t.Errorf("%d communication.send entries on the timeline, want 1", k)
	}
}
