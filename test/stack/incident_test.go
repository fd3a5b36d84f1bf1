package stack_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	Summary        string     `json:"summary"`
	Generated      bool       `json:"summary_generated"`
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
	// A title for people, generated (so reclassifying may rewrite it); the numbers stay in the trigger.
	// (sentCampaign names the campaign "w"; the rate is the one detection saw.)
	if !regexp.MustCompile(`^Complaints at \d+\.\d\d % on w — paused$`).MatchString(inc.Summary) || !inc.Generated {
		t.Errorf("incident title %q (generated %v), want \"Complaints at …%% on w — paused\", generated", inc.Summary, inc.Generated)
	}
	if s.sim.BatchStatus(s.get(id).BatchID) != "pause" {
		t.Fatal("SendGrid did not receive the pause")
	}
	// Once resolved, later batches (the rate is still over the threshold)
	// do not open the incident again.
	s.postJSON("/api/v1/incidents/"+inc.ID+"/acknowledge", nil, nil)
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/resolve", map[string]string{"reason": "spike explained"}, nil); code != 200 {
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
	// The entry says who was told, by the real notifier: the e-mail went out, and no Slack webhook is configured.
	if d, _ := tl[len(tl)-1].Data["delivery"].(string); !strings.HasPrefix(d, "sent by e-mail to ") ||
		!strings.Contains(d, "oncall@example.com") || strings.Contains(d, "Slack") {
		t.Errorf("the escalation on the timeline says %q", d)
	}
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
	// Resolve (the owner, once legal confirmed), then it is read-only.
	s.postJSON("/api/v1/incidents/"+inc.ID+"/acknowledge", nil, nil)
	if code := as(legal, "POST", "/api/v1/incidents/"+inc.ID+"/legal-confirmation", map[string]string{"comment": "notified"}); code != 200 {
		t.Fatalf("legal confirmation: %d", code)
	}
	var got incidentAnswer
	if code := s.postJSON("/api/v1/incidents/"+inc.ID+"/resolve", map[string]string{"reason": "test"}, &got); code != 200 || got.Status != "resolved" {
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
	if code := s.postJSON("/api/v1/incidents/"+*out.IncidentID+"/resolve", map[string]string{"reason": "content was fine"}, &inc); code != 200 || inc.Status != "resolved" {
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

// errorAnswer is DESIGN.md's error shape.
type errorAnswer struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

type timelineAnswer []struct {
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	Data   map[string]any `json:"data"`
}

// user adds a user with roles and returns their API token and id.
func (s *stack) user(email, roles string) (token, id string) {
	s.t.Helper()
	if r := s.env.run("correct horse battery\n", "user", "add", "--email", email, "--name", email, "--roles", roles, "--password-stdin"); r.code != 0 {
		s.t.Fatalf("user add %s: %+v", email, r)
	}
	token = strings.TrimSpace(s.env.run("", "token", "create", "--email", email).stdout)
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	s.as(token, func() { s.do("GET", "/api/v1/me", "", nil, &me) })
	if me.User.ID == "" {
		s.t.Fatalf("no id for %s", email)
	}
	return token, me.User.ID
}

// as runs fn with another user's token.
func (s *stack) as(token string, fn func()) {
	saved := s.token
	s.token = token
	defer func() { s.token = saved }()
	fn()
}

func (s *stack) postAs(token, path string, in, out any) (code int) {
	s.t.Helper()
	s.as(token, func() { code = s.postJSON(path, in, out) })
	return code
}

func (s *stack) timeline(id string) timelineAnswer {
	s.t.Helper()
	var tl timelineAnswer
	if code := s.do("GET", "/api/v1/incidents/"+id+"/timeline", "", nil, &tl); code != 200 {
		s.t.Fatalf("timeline: %d", code)
	}
	return tl
}

func (s *stack) incident(id string) incidentAnswer {
	s.t.Helper()
	var inc incidentAnswer
	if code := s.do("GET", "/api/v1/incidents/"+id, "", nil, &inc); code != 200 {
		s.t.Fatalf("get incident: %d", code)
	}
	return inc
}

func (s *stack) declare(runbook string) incidentAnswer {
	s.t.Helper()
	id := s.campaign(map[string]any{"name": runbook, "brand_id": s.brand("help@acme.example"), "subject": "S", "html": "hi",
		"segments": []string{"o"}})
	var inc incidentAnswer
	if code := s.postJSON("/api/v1/incidents", map[string]string{"campaign_id": id, "runbook": runbook, "summary": "s"}, &inc); code != 201 {
		s.t.Fatalf("declare %s: %d", runbook, code)
	}
	return inc
}

func actions(tl timelineAnswer) []string {
	out := make([]string, len(tl))
	for i, e := range tl {
		out[i] = e.Action
	}
	return out
}

// TestIncidentReacknowledgeKeepsTheOwnerAndReassigningIsExplicit: a second
// acknowledge by someone else is refused with 409 already_acknowledged
// naming the owner, and changes nothing; ownership moves only through
// POST …/owner with a reason, on the timeline with actor and time.
func TestIncidentReacknowledgeKeepsTheOwnerAndReassigningIsExplicit(t *testing.T) {
	s := startStack(t, stackOpts{})
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	s.do("GET", "/api/v1/me", "", nil, &me)
	ops := me.User.ID
	mia, miaID := s.user("mia@example.com", "marketer")
	lee, leeID := s.user("lee@example.com", "legal")
	s.importCSV(recipientsCSV(3, "o", true))
	inc := s.declare("triage")
	path := "/api/v1/incidents/" + inc.ID
	if code := s.postJSON(path+"/acknowledge", nil, nil); code != 200 {
		t.Fatalf("first acknowledge: %d", code)
	}
	before := len(s.timeline(inc.ID))

	// Mia acknowledges too, for herself or naming herself: refused, owner kept.
	for _, body := range []any{nil, map[string]string{"owner_id": miaID}} {
		var e errorAnswer
		if code := s.postAs(mia, path+"/acknowledge", body, &e); code != 409 || e.Error.Code != "already_acknowledged" ||
			e.Error.Details["owner_id"] != ops {
			t.Fatalf("re-acknowledge by another user (%v): %d %+v, want 409 already_acknowledged naming %s", body, code, e, ops)
		}
	}
	if got := s.incident(inc.ID); got.Owner == nil || *got.Owner != ops {
		t.Fatalf("owner after a refused acknowledge: %v, want %s", got.Owner, ops)
	}
	// The owner acknowledging again is harmless: 200, nothing recorded.
	var again incidentAnswer
	if code := s.postJSON(path+"/acknowledge", nil, &again); code != 200 || again.Owner == nil || *again.Owner != ops {
		t.Fatalf("the owner re-acknowledging: %d %+v", code, again)
	}
	if n := len(s.timeline(inc.ID)); n != before {
		t.Fatalf("refused or repeated acknowledges wrote %d timeline entries", n-before)
	}

	// Reassigning: a reason is required; legal may not take it over.
	var e errorAnswer
	if code := s.postAs(mia, path+"/owner", map[string]string{"owner_id": miaID}, &e); code != 422 ||
		e.Error.Code != "validation_failed" {
		t.Fatalf("reassign without a reason: %d %+v, want 422", code, e)
	}
	if code := s.postAs(lee, path+"/owner", map[string]string{"owner_id": leeID, "reason": "mine"}, &e); code != 403 {
		t.Fatalf("legal taking over: %d, want 403", code)
	}
	if got := s.incident(inc.ID); *got.Owner != ops {
		t.Fatalf("owner after refused reassigns: %s", *got.Owner)
	}
	start := time.Now().Add(-time.Second)
	var moved incidentAnswer
	if code := s.postAs(mia, path+"/owner", map[string]string{"owner_id": miaID, "reason": "ops is off shift"}, &moved); code != 200 ||
		moved.Owner == nil || *moved.Owner != miaID || moved.AcknowledgedAt == nil || !moved.AcknowledgedAt.Equal(*again.AcknowledgedAt) {
		t.Fatalf("take over: %d %+v", code, moved)
	}
	tl := s.timeline(inc.ID)
	last := tl[len(tl)-1]
	if last.Action != "incident.reassign" || last.Actor != "mia@example.com" || last.At.Before(start) ||
		last.Data["from"] != ops || last.Data["to"] != miaID || last.Data["reason"] != "ops is off shift" {
		t.Fatalf("timeline entry %+v", last)
	}
	// The new owner hands it to a user of any role.
	if code := s.postAs(mia, path+"/owner", map[string]string{"owner_id": leeID, "reason": "legal owns the notices"}, &moved); code != 200 ||
		*moved.Owner != leeID {
		t.Fatalf("hand over to legal: %d %+v", code, moved)
	}
}

// TestIncidentResolveNeedsAReasonForPendingStepsAndLegalForABreach: resolving with
// steps pending is 422 steps_pending listing them (nothing changes) unless a
// reason is given; a data-breach incident resolves only once a legal user
// has confirmed, whoever resolves it (an admin alone is not legal).
func TestIncidentResolveNeedsAReasonForPendingStepsAndLegalForABreach(t *testing.T) {
	s := startStack(t, stackOpts{})
	mia, _ := s.user("mia@example.com", "marketer")
	lee, leeID := s.user("lee@example.com", "legal")
	s.importCSV(recipientsCSV(3, "o", true))

	inc := s.declare("triage")
	path := "/api/v1/incidents/" + inc.ID
	s.postJSON(path+"/acknowledge", nil, nil)
	var e errorAnswer
	if code := s.postJSON(path+"/resolve", nil, &e); code != 422 || e.Error.Code != "steps_pending" ||
		fmt.Sprint(e.Error.Details["pending"]) != "[stop assess plan communicate]" {
		t.Fatalf("resolve with steps pending: %d %+v, want 422 steps_pending", code, e)
	}
	if got := s.incident(inc.ID); got.Status != "open" || slices.Contains(actions(s.timeline(inc.ID)), "incident.resolve") {
		t.Fatalf("a refused resolve changed the incident: %+v", got)
	}
	var done incidentAnswer
	if code := s.postJSON(path+"/resolve", map[string]string{"reason": "false alarm: the price was right"}, &done); code != 200 ||
		done.Status != "resolved" {
		t.Fatalf("resolve with a reason: %d %+v", code, done)
	}
	// Resolving starts step 6's watch window: the resolve entry is followed by
	// incident.watch_started and nothing else.
	tl := s.timeline(inc.ID)
	if got := strings.Join(actions(tl), ","); !strings.HasSuffix(got, "incident.resolve,incident.watch_started") {
		t.Fatalf("timeline %s", got)
	}
	if last := tl[len(tl)-2]; last.Data["reason"] != "false alarm: the price was right" ||
		fmt.Sprint(last.Data["unfinished_steps"]) != "[stop assess plan communicate]" {
		t.Fatalf("resolve entry %+v", last)
	}

	// A breach owned by a marketer.
	br := s.declare("data-breach")
	path = "/api/v1/incidents/" + br.ID
	if code := s.postAs(mia, path+"/acknowledge", nil, nil); code != 200 {
		t.Fatalf("mia acknowledges: %d", code)
	}
	reason := map[string]string{"reason": "contained; notices handled by legal"}
	if code := s.postAs(mia, path+"/resolve", reason, &e); code != 409 || e.Error.Code != "legal_confirmation_required" {
		t.Fatalf("marketer resolving a breach: %d %+v, want 409 legal_confirmation_required", code, e)
	}
	if code := s.postJSON(path+"/resolve", reason, &e); code != 409 || e.Error.Code != "legal_confirmation_required" {
		t.Fatalf("admin resolving a breach: %d %+v, want 409 legal_confirmation_required", code, e)
	}
	if code := s.postJSON(path+"/legal-confirmation", map[string]string{"comment": "fine"}, &e); code != 403 {
		t.Fatalf("admin confirming for legal: %d, want 403", code)
	}
	if code := s.postAs(lee, path+"/legal-confirmation", map[string]string{"comment": ""}, &e); code != 422 {
		t.Fatalf("legal confirming without a comment: %d, want 422", code)
	}
	if got := s.incident(br.ID); got.Status != "open" {
		t.Fatalf("refused requests changed the breach: %+v", got)
	}
	var confirmed struct {
		LegalConfirmation *struct {
			By      string    `json:"by"`
			At      time.Time `json:"at"`
			Comment string    `json:"comment"`
		} `json:"legal_confirmation"`
		LegalConfirmationRequired bool `json:"legal_confirmation_required"`
	}
	if code := s.postAs(lee, path+"/legal-confirmation", map[string]string{"comment": "Regulator notified within 72 h"}, &confirmed); code != 200 ||
		confirmed.LegalConfirmation == nil || confirmed.LegalConfirmation.By != leeID || !confirmed.LegalConfirmationRequired {
		t.Fatalf("legal confirms: %d %+v", code, confirmed)
	}
	if code := s.postAs(mia, path+"/resolve", reason, &done); code != 200 || done.Status != "resolved" {
		t.Fatalf("resolve after legal confirmed: %d %+v", code, done)
	}
	tl = s.timeline(br.ID)
	if got := strings.Join(actions(tl), ","); !strings.HasSuffix(got, "incident.legal_confirm,incident.resolve,incident.watch_started") {
		t.Fatalf("timeline %s", got)
	}
	if c := tl[len(tl)-3]; c.Actor != "lee@example.com" || c.Data["comment"] != "Regulator notified within 72 h" {
		t.Fatalf("confirmation entry %+v", c)
	}
	if r := tl[len(tl)-2]; r.Actor != "mia@example.com" || r.Data["legal_confirmed_by"] != leeID {
		t.Fatalf("resolve entry %+v", r)
	}
}
