package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/runbooks"
)

type incidentAnswer struct {
	ID             string     `json:"id"`
	CampaignID     string     `json:"campaign_id"`
	Runbook        string     `json:"runbook"`
	Status         string     `json:"status"`
	Source         string     `json:"source"`
	Owner          *string    `json:"owner"`
	DetectedAt     time.Time  `json:"detected_at"`
	CurrentStep    string     `json:"current_step"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	PausedAt       *time.Time `json:"paused_at"`
	Escalations    int        `json:"escalations"`
	Trigger        *struct {
		Rule      string  `json:"rule"`
		Metric    string  `json:"metric"`
		Value     float64 `json:"value"`
		Threshold float64 `json:"threshold"`
	} `json:"trigger"`
	Steps []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"steps"`
}

func (s *stack) incidents(status string) []incidentAnswer {
	s.t.Helper()
	var out []incidentAnswer
	if code := s.do("GET", "/api/v1/incidents?status="+status, "", nil, &out); code != 200 {
		s.t.Fatalf("list incidents: %d", code)
	}
	return out
}

// TestComplaintSpikeOpensOneIncidentAndPausesAtSendGrid: events cross the
// deliverability-spike complaint rule (≥ 0.3 % of ≥ 200 delivered) in two
// batches posted at once, then again (SendGrid retries): exactly one incident,
// source webhook with its trigger, and the campaign paused on both planes.
func TestComplaintSpikeOpensOneIncidentAndPausesAtSendGrid(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := startStack(t, stackOpts{sim: sgsim.Config{PrivateKey: key}})
	h := &hook{t: t, s: s, key: key}
	id, msgs := sentCampaign(t, s, 1000)
	var a, b []map[string]any
	for i, m := range msgs {
		batch := &a
		if i%2 == 1 {
			batch = &b
		}
		*batch = append(*batch, ev(m, "delivered", 100, nil))
		if i < 8 { // 8 spam reports of 1000 delivered: 0.8 %
			*batch = append(*batch, ev(m, "spamreport", 200, nil))
		}
	}
	var wg sync.WaitGroup
	for _, batch := range [][]map[string]any{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _ := h.post(batch); code != 200 {
				t.Errorf("post: %d", code)
			}
		}()
	}
	wg.Wait()
	s.waitFor("an incident and a SendGrid pause", 10*time.Second, func() bool {
		c := s.get(id)
		return c.Status == "paused" && c.ESPPause.State == "paused" && len(s.incidents("open")) == 1
	})
	h.post(a) // SendGrid retries both batches
	h.post(b)
	time.Sleep(500 * time.Millisecond)
	open := s.incidents("open")
	if len(open) != 1 {
		t.Fatalf("%d open incidents, want exactly 1", len(open))
	}
	inc := open[0]
	if inc.CampaignID != id || inc.Source != "webhook" || inc.Runbook != "deliverability-spike" || inc.Trigger == nil ||
		inc.Trigger.Metric != "complaint_rate" || inc.Trigger.Threshold != 0.003 || inc.PausedAt == nil {
		t.Fatalf("incident %+v trigger %+v", inc, inc.Trigger)
	}
	if s.sim.BatchStatus(s.get(id).BatchID) != "pause" {
		t.Fatal("SendGrid did not receive the pause")
	}
	// Once resolved, later batches (the rate is still over the threshold)
	// do not open the incident again.
	s.postJSON("/api/v1/incidents/"+inc.ID+"/acknowledge", nil, nil)
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/resolve", nil, nil); code != 200 {
		t.Fatalf("resolve: %d", code)
	}
	h.post([]map[string]any{ev(msgs[9], "spamreport", 300, nil)})
	time.Sleep(500 * time.Millisecond)
	if n := len(s.incidents("open")); n != 0 {
		t.Fatalf("a resolved spike re-opened %d incidents", n)
	}
}

func TestDashboardPauseOpensOrJoinsTheTriageIncident(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.importCSV(recipientsCSV(30, "p", true))
	id := s.campaign(map[string]any{"name": "p", "brand_id": s.brand("help@acme.example"), "subject": "S",
		"html": "hi", "segments": []string{"p"}})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("handed", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 30 })
	var first, second struct {
		IncidentID *string `json:"incident_id"`
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "wrong price"}, &first); code != 200 || first.IncidentID == nil {
		t.Fatalf("pause: %d %+v", code, first)
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "again"}, &second); code != 200 ||
		second.IncidentID == nil || *second.IncidentID != *first.IncidentID {
		t.Fatalf("a second pause must join the open incident: %+v vs %+v", second, first)
	}
	var inc incidentAnswer
	s.do("GET", "/api/v1/incidents/"+*first.IncidentID, "", nil, &inc)
	if inc.Runbook != "triage" || inc.Source != "api" || inc.Owner == nil || inc.AcknowledgedAt == nil || inc.PausedAt == nil ||
		inc.CurrentStep != "assess" {
		t.Fatalf("incident %+v", inc)
	}
	if n := len(s.incidents("open")); n != 1 {
		t.Fatalf("%d open incidents", n)
	}
	var tl []struct{ Action string }
	s.do("GET", "/api/v1/incidents/"+inc.ID+"/timeline", "", nil, &tl)
	var actions []string
	for _, e := range tl {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); !strings.HasPrefix(got, "incident.open,incident.acknowledge,incident.pause") {
		t.Fatalf("timeline %s", got)
	}
}

// escalatingRunbooks writes a runbook set whose triage must be acknowledged
// within 1 s and escalates to an address and the security role.
func escalatingRunbooks(t *testing.T) string {
	dir := t.TempDir()
	all, _ := fs.Glob(runbooks.FS, "*.yaml")
	for _, name := range all {
		b, _ := fs.ReadFile(runbooks.FS, name)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"triage.yaml": `id: triage
title: Triage
severity: sev3
acknowledge: {deadline: 1s, repeat: 2s, escalation: [{email: oncall@example.com}, {role: security}]}
`,
		"data-breach.yaml": `id: data-breach
title: Data breach
severity: sev1
acknowledge: {deadline: 5m, escalation: [{role: security}]}
involve: {legal: true, security: true}
apology: {allowed: true, requires_approval: [legal, security]}
tasks:
  - {title: Notify the supervisory authority (GDPR Art. 33), kind: legal, owner_role: legal, due: 72h}
  - {title: Notify affected individuals, kind: legal, owner_role: legal, due: 72h}
  - {title: US state notices, kind: legal, owner_role: legal, due: 30d}
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestUnacknowledgedIncidentEscalatesOnTimeAndAcknowledgedDoesNot(t *testing.T) {
	s := startStackWith(t, stackOpts{}, map[string]string{"FIREBREAK_RUNBOOKS_DIR": escalatingRunbooks(t)})
	s.env.run("correct horse battery\n", "user", "add", "--email", "sec@example.com", "--name", "Sec", "--roles", "security", "--password-stdin")
	s.importCSV(recipientsCSV(5, "e", true))
	brand := s.brand("help@acme.example")
	a := s.campaign(map[string]any{"name": "a", "brand_id": brand, "subject": "S", "html": "hi", "segments": []string{"e"}})
	b := s.campaign(map[string]any{"name": "b", "brand_id": brand, "subject": "S", "html": "hi", "segments": []string{"e"}})
	var ia, ib incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": a, "runbook": "triage", "summary": "odd numbers"}, &ia); code != 201 {
		t.Fatalf("declare: %d", code)
	}
	s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": b, "runbook": "triage", "summary": "fine"}, &ib)
	if code := s.postJSON("/api/v1/incidents/"+ib.ID+"/acknowledge", nil, &ib); code != 200 || ib.AcknowledgedAt == nil {
		t.Fatalf("acknowledge: %d", code)
	}
	escalationMail := func() []string {
		var to []string
		for _, m := range s.sim.Messages() {
			if strings.Contains(m.Subject, "Unacknowledged incident") && strings.Contains(m.Subject, a) {
				to = append(to, m.To)
			}
		}
		return to
	}
	s.waitFor("escalation of the unacknowledged incident", 10*time.Second, func() bool { return len(escalationMail()) >= 2 })
	got := strings.Join(escalationMail()[:2], ",")
	if !strings.Contains(got, "oncall@example.com") || !strings.Contains(got, "sec@example.com") {
		t.Fatalf("escalation went to %s", got)
	}
	var tl []struct {
		Action string
		Data   map[string]any
	}
	// The mail goes out before the escalation is written to the timeline (so
	// the entry can carry a notify error): the entry follows within moments.
	s.waitFor("the escalation on the timeline", 10*time.Second, func() bool {
		tl = nil
		s.do("GET", "/api/v1/incidents/"+ia.ID+"/timeline", "", nil, &tl)
		return len(tl) > 0 && tl[len(tl)-1].Action == "incident.escalate"
	})
	s.waitFor("the repeat", 10*time.Second, func() bool {
		var inc incidentAnswer
		s.do("GET", "/api/v1/incidents/"+ia.ID, "", nil, &inc)
		return inc.Escalations >= 2
	})
	for _, m := range s.sim.Messages() {
		if strings.Contains(m.Subject, b) {
			t.Fatal("an acknowledged incident escalated")
		}
	}
}

func TestDataBreachOpensLegalClocksAndRolesAreEnforced(t *testing.T) {
	s := startStackWith(t, stackOpts{}, map[string]string{"FIREBREAK_RUNBOOKS_DIR": escalatingRunbooks(t)})
	s.env.run("correct horse battery\n", "user", "add", "--email", "lee@example.com", "--name", "Lee", "--roles", "legal", "--password-stdin")
	legal := strings.TrimSpace(s.env.run("", "token", "create", "--email", "lee@example.com").stdout)
	s.importCSV(recipientsCSV(5, "d", true))
	id := s.campaign(map[string]any{"name": "d", "brand_id": s.brand("help@acme.example"), "subject": "S", "html": "hi", "segments": []string{"d"}})
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": id, "runbook": "data-breach", "summary": "export leaked"}, &inc); code != 201 {
		t.Fatalf("declare %d", code)
	}
	var tasks []struct {
		Title     string     `json:"title"`
		Kind      string     `json:"kind"`
		OwnerRole string     `json:"owner_role"`
		DueAt     *time.Time `json:"due_at"`
		ID        string     `json:"id"`
	}
	s.do("GET", "/api/v1/incidents/"+inc.ID+"/tasks", "", nil, &tasks)
	if len(tasks) != 3 {
		t.Fatalf("tasks %+v", tasks)
	}
	detected := inc.DetectedAt
	if d := tasks[0].DueAt.Sub(detected); d != 72*time.Hour || tasks[0].Kind != "legal" || tasks[0].OwnerRole != "legal" {
		t.Fatalf("GDPR clock: due after %s, %+v", d, tasks[0])
	}
	if d := tasks[2].DueAt.Sub(detected); d != 30*24*time.Hour {
		t.Fatalf("US-state clock due after %s", d)
	}
	// legal may plan (tasks) and set data categories, but not acknowledge or set the cause.
	as := func(token, method, path string, body any) int {
		saved := s.token
		s.token = token
		defer func() { s.token = saved }()
		if method == "PATCH" {
			return s.do("PATCH", path, "application/json", strings.NewReader(mustJSON(body)), nil)
		}
		return s.postJSON(path, body, nil)
	}
	if code := as(legal, "POST", "/api/v1/incidents/"+inc.ID+"/acknowledge", nil); code != 403 {
		t.Errorf("legal acknowledged: %d", code)
	}
	if code := as(legal, "PATCH", "/api/v1/incidents/"+inc.ID+"/assessment", map[string]any{"cause": "x"}); code != 403 {
		t.Errorf("legal set the cause: %d", code)
	}
	if code := as(legal, "PATCH", "/api/v1/incidents/"+inc.ID+"/assessment", map[string]any{"data_categories_exposed": []string{"email_address", "payment"}}); code != 200 {
		t.Errorf("legal could not set data categories: %d", code)
	}
	if code := as(legal, "POST", "/api/v1/incidents/"+inc.ID+"/tasks", map[string]any{"title": "Call the DPO", "kind": "legal"}); code != 201 {
		t.Errorf("legal could not add a task: %d", code)
	}
	if code := as(legal, "POST", "/api/v1/campaigns/"+id+"/pause", nil); code != 403 {
		t.Errorf("legal paused a campaign: %d", code)
	}
	var av struct {
		PIIExposed       bool `json:"pii_exposed"`
		LegalRequired    bool `json:"legal_required"`
		SecurityRequired bool `json:"security_required"`
	}
	s.do("GET", "/api/v1/incidents/"+inc.ID+"/assessment", "", nil, &av)
	if !av.PIIExposed || !av.LegalRequired || !av.SecurityRequired {
		t.Fatalf("assessment %+v", av)
	}
	// Resolve (the owner), then it is read-only.
	s.postJSON("/api/v1/incidents/"+inc.ID+"/acknowledge", nil, nil)
	var got incidentAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/resolve", nil, &got); code != 200 || got.Status != "resolved" {
		t.Fatalf("resolve: %d %+v", code, got)
	}
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/tasks", map[string]any{"title": "late", "kind": "internal"}, nil); code != 409 {
		t.Fatalf("a resolved incident took a task: %d", code)
	}
}

func TestAssessmentThroughTheAPIMatchesTheCampaign(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := startStack(t, stackOpts{sim: sgsim.Config{PrivateKey: key}})
	h := &hook{t: t, s: s, key: key}
	id, msgs := sentCampaign(t, s, 10)
	var evs []map[string]any
	for i, m := range msgs {
		evs = append(evs, ev(m, "delivered", 100, nil))
		if i < 4 {
			evs = append(evs, ev(m, "open", 200, nil))
		}
	}
	h.post(evs)
	var pause struct {
		IncidentID *string `json:"incident_id"`
	}
	s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "r"}, &pause)
	var av struct {
		Totals struct {
			Targeted    int `json:"targeted"`
			HandedToESP int `json:"handed_to_esp"`
			Held        int `json:"held"`
			Delivered   int `json:"delivered"`
			Opened      int `json:"opened"`
		} `json:"totals"`
		BySegment []struct {
			Segment  string `json:"segment"`
			Targeted int    `json:"targeted"`
		} `json:"by_segment"`
	}
	if code := s.postJSON("/api/v1/incidents/"+*pause.IncidentID+"/assessment", nil, &av); code != 200 {
		t.Fatalf("assess %d", code)
	}

	if av.Totals.Targeted != 10 || av.Totals.HandedToESP != 10 || av.Totals.Held != 10 || av.Totals.Delivered != 10 ||
		av.Totals.Opened != 4 || len(av.BySegment) != 1 || av.BySegment[0].Targeted != 10 {
		t.Fatalf("assessment %+v", av)
	}
}

func TestRefusedPauseOpensNoIncidentAndASecurityOwnerResolves(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.env.run("correct horse battery\n", "user", "add", "--email", "sam@example.com", "--name", "Sam", "--roles", "security", "--password-stdin")
	sec := strings.TrimSpace(s.env.run("", "token", "create", "--email", "sam@example.com").stdout)
	s.importCSV(recipientsCSV(10, "r", true))
	id := s.campaign(map[string]any{"name": "r", "brand_id": s.brand("help@acme.example"), "subject": "S", "html": "hi", "segments": []string{"r"}})
	if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", nil, nil); code != 409 {
		t.Fatalf("pausing a draft: %d, want 409", code)
	}
	if n := len(s.incidents("")); n != 0 {
		t.Fatalf("a refused pause left %d incidents", n)
	}
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("handed", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 10 })
	saved := s.token
	s.token = sec
	var out struct {
		IncidentID *string `json:"incident_id"`
	}
	if code := s.postJSON("/api/v1/campaigns/"+id+"/pause", map[string]string{"reason": "phishing-like content"}, &out); code != 200 || out.IncidentID == nil {
		t.Fatalf("security pause: %d", code)
	}
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents/"+*out.IncidentID+"/resolve", nil, &inc); code != 200 || inc.Status != "resolved" {
		t.Fatalf("the security owner resolving: %d %+v", code, inc)
	}
	s.token = saved
}

func TestStepsCanBeCompletedAndPeopleListedForEveryRole(t *testing.T) {
	s := startStack(t, stackOpts{})
	s.env.run("correct horse battery\n", "user", "add", "--email", "lee@example.com", "--name", "Lee Legal", "--roles", "legal", "--password-stdin")
	legal := strings.TrimSpace(s.env.run("", "token", "create", "--email", "lee@example.com").stdout)
	s.importCSV(recipientsCSV(10, "q", true))
	id := s.campaign(map[string]any{"name": "q", "brand_id": s.brand("help@acme.example"), "subject": "S", "html": "hi", "segments": []string{"q"}})
	s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil)
	s.waitFor("handed", 20*time.Second, func() bool { return s.get(id).Counts.HandedToESP == 10 })
	var p struct {
		IncidentID string `json:"incident_id"`
	}
	s.postJSON("/api/v1/campaigns/"+id+"/pause", nil, &p)
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents/"+p.IncidentID+"/steps/assess/complete", nil, &inc); code != 200 || inc.CurrentStep != "plan" {
		t.Fatalf("complete assess: %d, current %q", code, inc.CurrentStep)
	}
	if code := s.postJSON("/api/v1/incidents/"+p.IncidentID+"/steps/monitor/complete", nil, nil); code != 422 {
		t.Fatalf("completing a later step out of order: %d, want 422", code)
	}
	var byCampaign []incidentAnswer
	s.do("GET", "/api/v1/incidents?campaign_id="+id, "", nil, &byCampaign)
	if len(byCampaign) != 1 || byCampaign[0].ID != p.IncidentID {
		t.Fatalf("incidents of the campaign: %+v", byCampaign)
	}
	saved := s.token
	s.token = legal
	defer func() { s.token = saved }()
	var people []struct {
		Name  string   `json:"name"`
		Roles []string `json:"roles"`
	}
	if code := s.do("GET", "/api/v1/people", "", nil, &people); code != 200 || len(people) != 2 {
		t.Fatalf("people for legal: %d %+v", code, people)
	}
	if code := s.do("GET", "/api/v1/users", "", nil, nil); code != 403 {
		t.Fatalf("users for legal: %d, want 403", code)
	}
}
