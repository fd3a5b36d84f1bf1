package stack_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// TestBreachNoticeReachesTheSimulatorOnlyAfterLegalAndSecurityApproveItsExactText
// is invariants 4 and 7 through the whole stack with the SendGrid simulator:
// the data-breach runbook's own notice, submitted; nothing reaches SendGrid
// while it waits, after one approval, or after an edit that withdrew both;
// once legal and security (two people, neither the author) approve the final
// text, it goes out — and the timeline holds every step.
func TestBreachNoticeReachesTheSimulatorOnlyAfterLegalAndSecurityApproveItsExactText(t *testing.T) {
	s := startStack(t, stackOpts{})
	tokenFor := func(email, roles string) string {
		s.env.run("correct horse battery\n", "user", "add", "--email", email, "--name", email, "--roles", roles, "--password-stdin")
		return strings.TrimSpace(s.env.run("", "token", "create", "--email", email).stdout)
	}
	legal, security := tokenFor("lee@example.com", "legal"), tokenFor("sam@example.com", "security")
	as := func(token, method, path string, body any, out any) int {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}

	s.importCSV(recipientsCSV(30, "exposed", true))
	var brand struct{ ID string }
	if code := s.postJSON("/api/v1/brands", map[string]string{"name": "Acme", "from_email": "news@acme.example",
		"from_name": "Acme Outdoor", "reply_to": "privacy@acme.example", "logo_url": "https://cdn.acme.example/logo.png",
		"footer_html": "<p>Acme Outdoor</p>", "physical_address": "1 Trail Road, Springfield"}, &brand); code != 201 {
		t.Fatalf("brand: %d", code)
	}
	campaignID := s.campaign(map[string]any{"name": "Export", "brand_id": brand.ID, "subject": "News", "html": "<p>News</p>",
		"text": "News", "segments": []string{"exposed"}})
	if code := s.postJSON("/api/v1/campaigns/"+campaignID+"/send", nil, nil); code != 202 {
		t.Fatalf("send campaign: %d", code)
	}
	s.waitFor("campaign sent", 60*time.Second, func() bool { return s.get(campaignID).Status == "sent" })
	before := len(s.sim.Messages())
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": campaignID, "runbook": "data-breach",
		"summary": "a list export was readable by anyone with the link"}, &inc); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	type notice struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		ContentHash string `json:"content_hash"`
		Text        string `json:"text"`
		HTML        string `json:"html"`
		StillNeeded []string
		Error       *struct{ Code string } `json:"error"`
	}
	var n notice
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/communications", map[string]any{"kind": "breach_notice"}, &n); code != 201 {
		t.Fatalf("draft the runbook's notice: %d", code)
	}
	// notices are the messages of the notice (its custom arg); reviews are
	// the notifications that told the reviewers.
	notices := func() (out []sgsim.Message) {
		for _, m := range s.sim.Messages()[before:] {
			if m.CustomArgs["firebreak_communication_id"] == n.ID {
				out = append(out, m)
			}
		}
		return out
	}
	nothingSent := func(when string) {
		t.Helper()
		time.Sleep(500 * time.Millisecond) // a wrongly queued handoff would have reached the simulator by now
		if got := len(notices()); got != 0 {
			t.Fatalf("%s: %d notices reached SendGrid", when, got)
		}
	}
	path := "/api/v1/communications/" + n.ID
	// The runbook's notice leaves what only the author knows as [EDIT: …]
	// (the preflight refuses it as unfinished_draft): the author writes it.
	n.ContentHash = s.finishDraft(n.ID)
	var r notice
	if code := s.postJSON(path+"/send", nil, &r); code != 409 || r.Error == nil || r.Error.Code != "approval_required" {
		t.Fatalf("send a draft: %d %+v", code, r.Error)
	}
	if code := s.postJSON(path+"/submit", nil, &r); code != 200 || r.Status != "in_review" {
		t.Fatalf("submit: %d %s", code, r.Status)
	}
	if code := as(legal, "POST", path+"/approve", map[string]string{"content_hash": n.ContentHash}, &r); code != 200 {
		t.Fatalf("legal approves: %d", code)
	}
	if code := s.postJSON(path+"/send", nil, nil); code != 409 {
		t.Fatalf("send with legal only: %d", code)
	}
	nothingSent("after legal alone")
	if code := as(security, "POST", path+"/approve", map[string]string{"content_hash": n.ContentHash}, &r); code != 200 || r.Status != "approved" {
		t.Fatalf("security approves: %d %s", code, r.Status)
	}
	// An edit after both approvals withdraws them.
	s.do("GET", path, "", nil, &n)
	if code := s.do("PATCH", path, "application/json", strings.NewReader(`{"text": `+mustJSON(n.Text+"\nUpdated.")+
		`, "html": `+mustJSON(n.HTML+"<p>Updated.</p>")+`}`), &r); code != 200 || r.Status != "draft" {
		t.Fatalf("edit: %d %s", code, r.Status)
	}
	if code := s.postJSON(path+"/send", nil, nil); code != 409 {
		t.Fatalf("send after the edit: %d", code)
	}
	nothingSent("after an edit withdrew the approvals")
	s.postJSON(path+"/submit", nil, &r)
	if code := as(legal, "POST", path+"/approve", map[string]string{"content_hash": n.ContentHash}, nil); code != 409 {
		t.Fatalf("legal approves the old text's hash: %d, want 409 content_changed", code)
	}
	as(legal, "POST", path+"/approve", map[string]string{"content_hash": r.ContentHash}, nil)
	as(security, "POST", path+"/approve", map[string]string{"content_hash": r.ContentHash}, nil)
	var sent map[string]any
	if code := s.postJSON(path+"/send", nil, &sent); code != 202 {
		t.Fatalf("send the approved notice: %d %v", code, sent)
	}
	s.waitFor("the notice sent", 60*time.Second, func() bool { return s.communication(n.ID).Status == "sent" })
	reviewers := map[string]bool{}
	for _, m := range s.sim.Messages()[before:] {
		if len(m.Categories) == 2 && m.Categories[1] == "review" && strings.Contains(m.Contents[0].Value, "/reviews/"+n.ID) {
			reviewers[m.To] = true
		}
	}
	if !reviewers["lee@example.com"] || !reviewers["sam@example.com"] {
		t.Errorf("the reviewers were not emailed a link to the review page: %v", reviewers)
	}
	mails := notices()
	if len(mails) != 30 {
		t.Fatalf("%d notices reached SendGrid, want 30", len(mails))
	}
	for _, m := range mails {
		if !strings.Contains(m.Contents[0].Value+m.Contents[len(m.Contents)-1].Value, "Updated.") {
			t.Fatalf("a notice went out without the approved text: %q", m.Subject)
		}
	}
	var timeline []struct {
		Action string `json:"action"`
		Actor  string `json:"actor"`
	}
	s.do("GET", "/api/v1/incidents/"+inc.ID+"/timeline?limit=200", "", nil, &timeline)
	var actions []string
	for _, e := range timeline {
		if strings.HasPrefix(e.Action, "communication.") {
			actions = append(actions, e.Action+" by "+e.Actor)
		}
	}
	joined := strings.Join(actions, "\n")
	for _, want := range []string{"communication.submit", "communication.approve by lee@example.com",
		"communication.approve by sam@example.com", "communication.approvals_withdrawn", "communication.approved", "communication.send"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, joined)
		}
	}
}

var editMarker = regexp.MustCompile(`\[EDIT:[^\]]*\]`)

// finishDraft writes what a template left for the author ([EDIT: …]) in the
// subject and both bodies, as a marketer would, and returns the new content hash.
func (s *stack) finishDraft(id string) string {
	s.t.Helper()
	var c struct {
		Subject     string `json:"subject"`
		HTML        string `json:"html"`
		Text        string `json:"text"`
		ContentHash string `json:"content_hash"`
	}
	s.do("GET", "/api/v1/communications/"+id, "", nil, &c)
	fill := func(v string) string { return editMarker.ReplaceAllString(v, "Your email address and first name") }
	body := map[string]string{"subject": fill(c.Subject), "html": fill(c.HTML), "text": fill(c.Text)}
	raw, _ := json.Marshal(body)
	if code := s.do("PATCH", "/api/v1/communications/"+id, "application/json", bytes.NewReader(raw), &c); code != 200 {
		s.t.Fatalf("finish the draft: %d", code)
	}
	return c.ContentHash
}
