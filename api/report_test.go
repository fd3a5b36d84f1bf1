package api_test

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/postmortem"
	"github.com/firebreak/firebreak/domain/user"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden.md from this run")

// fixedClock is a settable clock: every service of a reportFixture reads it.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// t0 is when the golden incident is detected.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// reportFixture is a server with every service the report reads, all on one
// fixed clock, over a fresh database.
type reportFixture struct {
	*fixture
	clock                       *fixedClock
	stamps                      *auditStamps
	admin, marketer, legal, sec string // tokens
	marketerID, legalID, secID  string
	brandID                     string
}

func newReportFixture(t *testing.T) *reportFixture {
	t.Helper()
	st, rbs := openStoreAndRunbooks(t)
	clk := &fixedClock{t: t0}
	users := user.NewService(st, user.Limits{PerEmail: 5, PerIP: 8, Window: time.Minute}, time.Hour, nil)
	campaigns := campaign.NewService(st, nil, nil, noJobs{}, campaign.Config{DefaultSendBuffer: 15 * time.Minute,
		PublicURL: "http://firebreak.test", UnsubscribeKey: []byte("test key"), Log: discardLog(), Now: clk.now})
	incidents := incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: rbs, Jobs: noJobs{},
		Log: discardLog(), Now: clk.now})
	comms := communication.NewService(communication.Deps{Repo: st, Incidents: st, Runbooks: rbs, Mail: batchOnly{},
		Jobs: noJobs{}, Facts: st, UnsubscribeURL: campaigns.UnsubscribeURL, Review: st, Reviewers: st, Now: clk.now})
	stamps := &auditStamps{at: map[int64]time.Time{}}
	reports := postmortem.NewService(postmortem.Deps{Incidents: stampedTimeline{incidents, stamps}, Campaigns: campaigns, Communications: comms,
		People: users, Runbooks: rbs, Now: clk.now})
	e := api.New(api.Config{}, api.Deps{Log: discardLog(), Users: users, Campaigns: campaigns, Incidents: incidents,
		Runbooks: rbs, Communications: comms, Reports: reports})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	f := &reportFixture{fixture: &fixture{t: t, srv: srv, echo: e, store: st, users: users}, clock: clk, stamps: stamps}
	f.admin = f.addUser("admin@acme.example", "admin")
	f.marketer = f.addUser("mara@acme.example", "marketer")
	f.legal = f.addUser("lee@acme.example", "legal")
	f.sec = f.addUser("sam@acme.example", "security")
	f.marketerID, f.legalID, f.secID = f.userID("mara@acme.example"), f.userID("lee@acme.example"), f.userID("sam@acme.example")
	f.brandID = f.brand(f.admin)
	return f
}

func (f *reportFixture) userID(email string) string {
	f.t.Helper()
	var id string
	if err := f.store.SQL().QueryRow(`SELECT id FROM users WHERE email = $1`, email).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// auditStamps maps audit entry ids to the fixed-clock instant of the step
// that wrote them. The audit trail is append-only (its trigger refuses
// UPDATE), and Postgres stamps its at with now(): the report reads the
// timeline through stampedTimeline, which shows each entry at its step's
// instant. Everything else of the entry (order, actor, action, data) is the
// stored one.
type auditStamps struct {
	mu sync.Mutex
	at map[int64]time.Time
}

// stampedTimeline is the incident service with the timeline's times moved to
// the fixed clock (postmortem.Incidents).
type stampedTimeline struct {
	*incident.Service
	stamps *auditStamps
}

func (s stampedTimeline) Timeline(ctx context.Context, id string) ([]audit.Entry, error) {
	es, err := s.Service.Timeline(ctx, id)
	s.stamps.mu.Lock()
	defer s.stamps.mu.Unlock()
	for i := range es {
		if at, ok := s.stamps.at[es[i].ID]; ok {
			es[i].At = at
		}
	}
	return es, err
}

// stampedColumns are the other columns the store fills with the wall clock:
// step rewrites what a step wrote into them to the fixed clock, so the report
// is stable.
var stampedColumns = []struct{ table, column string }{
	{"assessments", "computed_at"}, {"communications", "created_at"},
	{"communications", "updated_at"}, {"communications", "submitted_at"}, {"incident_tasks", "created_at"},
}

// step runs fn at t0+d on the fixed clock, then moves every database-stamped
// time fn wrote to that instant.
func (f *reportFixture) step(d time.Duration, fn func()) {
	f.t.Helper()
	at := t0.Add(d)
	f.clock.set(at)
	var before time.Time
	var lastID int64
	if err := f.store.SQL().QueryRow(`SELECT clock_timestamp(), coalesce(max(id), 0) FROM audit_log`).Scan(&before, &lastID); err != nil {
		f.t.Fatal(err)
	}
	fn()
	rows, err := f.store.SQL().Query(`SELECT id FROM audit_log WHERE id > $1`, lastID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	f.stamps.mu.Lock()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		f.stamps.at[id] = at
	}
	f.stamps.mu.Unlock()
	for _, c := range stampedColumns {
		if _, err := f.store.SQL().Exec(fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s >= $2`, c.table, c.column, c.column), at, before); err != nil {
			f.t.Fatal(err)
		}
	}
}

// post sends a JSON request as tok and fails unless the answer is want.
func (f *reportFixture) post(tok, method, path string, body any, want int) reply {
	f.t.Helper()
	r := f.do(call{method: method, path: path, token: tok, body: body})
	if r.status != want {
		f.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// seedCampaign creates a campaign whose audience is in the ledger (two
// handed over in segment vip, one in news, one held in vip) without an ESP:
// as commFixture does.
func (f *reportFixture) seedCampaign(name string) string {
	f.t.Helper()
	body := campaignBody(f.brandID)
	body["name"] = name
	var c struct{ ID string }
	f.post(f.marketer, "POST", "/api/v1/campaigns", body, 201).json(f.t, &c)
	for n, row := range []struct{ segs, state string }{{"{vip}", "handed"}, {"{vip,news}", "handed"}, {"{news}", "handed"}, {"{vip}", "pending"}} {
		email := fmt.Sprintf("%s-%d@x.io", strings.ToLower(strings.Fields(name)[0]), n+1)
		if _, err := f.store.SQL().Exec(`WITH r AS (INSERT INTO recipients (email) VALUES ($1) RETURNING id)
			INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at)
			SELECT $2, id, $1, $3, $4, $5 FROM r`, email, c.ID, row.segs, row.state, t0.Add(-time.Hour)); err != nil {
			f.t.Fatal(err)
		}
	}
	return c.ID
}

func (f *reportFixture) declare(campaignID, rb, summary string) string {
	f.t.Helper()
	var inc struct{ ID string }
	f.post(f.marketer, "POST", "/api/v1/incidents", map[string]any{"campaign_id": campaignID, "runbook": rb, "summary": summary}, 201).json(f.t, &inc)
	return inc.ID
}

func (f *reportFixture) taskID(inc, title string) string {
	f.t.Helper()
	var id string
	if err := f.store.SQL().QueryRow(`SELECT id FROM incident_tasks WHERE incident_id = $1 AND title = $2`, inc, title).Scan(&id); err != nil {
		f.t.Fatalf("task %q: %v", title, err)
	}
	return id
}

// seedGolden walks one data-breach incident through every step the report
// shows and returns its id.
func (f *reportFixture) seedGolden() string {
	f.t.Helper()
	var camp, inc string
	f.step(0, func() {
		camp = f.seedCampaign("Spring | sale")
		inc = f.declare(camp, "data-breach", "Order history of | VIP customers\nsent to the news segment")
	})
	base := "/api/v1/incidents/"
	f.step(250*time.Second, func() { f.post(f.marketer, "POST", base+inc+"/acknowledge", nil, 200) })
	f.step(10*time.Minute, func() { f.post(f.marketer, "POST", base+inc+"/assessment", nil, 200) })
	f.step(15*time.Minute, func() {
		f.post(f.marketer, "PATCH", base+inc+"/assessment", map[string]any{"cause": "A stale segment export",
			"cost_parts": map[string]any{"responder_hours": 6.5, "hourly_rate_cents": 9000, "send_cost_cents": 1250}}, 200)
		f.post(f.legal, "PATCH", base+inc+"/assessment", map[string]any{"data_categories_exposed": []string{"email_address", "purchase_history"},
			"notes": "Order history of 3 customers was readable by others; no payment data."}, 200)
	})
	var task struct{ ID string }
	f.step(20*time.Minute, func() {
		f.post(f.marketer, "POST", base+inc+"/tasks", map[string]any{"title": "Rebuild the segment | from the CRM",
			"owner_id": f.marketerID, "kind": "internal", "due_at": t0.Add(24 * time.Hour)}, 201).json(f.t, &task)
	})
	f.step(3*time.Hour, func() {
		f.post(f.marketer, "PATCH", base+inc+"/tasks/"+task.ID, map[string]any{"status": "done"}, 200)
	})
	var notice struct{ ID string }
	f.step(4*time.Hour, func() {
		f.post(f.marketer, "POST", base+inc+"/communications", map[string]any{"kind": "breach_notice",
			"subject": "Notice of Data Breach", "text": noticeText}, 201).json(f.t, &notice)
		f.post(f.marketer, "POST", "/api/v1/communications/"+notice.ID+"/submit", nil, 200)
	})
	f.step(5*time.Hour, func() {
		f.post(f.legal, "POST", "/api/v1/communications/"+notice.ID+"/approve", map[string]any{"comment": "Wording checked"}, 200)
	})
	f.step(5*time.Hour+30*time.Minute, func() {
		f.post(f.sec, "POST", "/api/v1/communications/"+notice.ID+"/approve", map[string]any{"comment": "Steps | are right"}, 200)
	})
	f.step(26*time.Hour, func() {
		f.post(f.legal, "POST", base+inc+"/legal-confirmation", map[string]any{"comment": "Notifiable: notice approved; regulator told on day 1"}, 200)
	})
	f.step(26*time.Hour+5*time.Minute, func() {
		f.post(f.marketer, "POST", base+inc+"/resolve", map[string]any{"reason": "Notice approved; the rest is tracked in the plan",
			"summary": "Apology sent to all 3; the export job is fixed"}, 200)
	})
	f.clock.set(t0.Add(27 * time.Hour)) // generated_at
	return inc
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// stableIDs replaces each distinct UUID by <id-N>, N in order of first
// appearance: the ids are fresh per run, their places in the text are not.
func stableIDs(s string) string {
	seen := map[string]string{}
	return uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if l, ok := seen[id]; ok {
			return l
		}
		seen[id] = fmt.Sprintf("<id-%d>", len(seen)+1)
		return seen[id]
	})
}

// TestReportMarkdownGolden: one incident seeded through the real services on
// real Postgres answers ?format=md exactly as testdata/report.golden.md
// (go test ./api/ -run TestReportMarkdownGolden -update rewrites it).
func TestReportMarkdownGolden(t *testing.T) {
	f := newReportFixture(t)
	inc := f.seedGolden()
	r := f.post(f.sec, "GET", "/api/v1/incidents/"+inc+"/report?format=md", nil, 200)
	if ct := r.header.Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	got := stableIDs(string(r.body))
	if byAccept := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/report", token: f.legal,
		headers: map[string]string{"Accept": "text/markdown"}}); stableIDs(string(byAccept.body)) != got {
		t.Errorf("Accept: text/markdown answers another document: %d\n%s", byAccept.status, byAccept.body)
	}
	path := filepath.Join("testdata", "report.golden.md")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("the report differs from %s (run with -update if the change is intended):\n%s", path, got)
	}
}

// TestReportJSON200: the JSON report carries the same facts: the response
// times in seconds, the timeline, the approvals, not_started monitoring.
func TestReportJSON200(t *testing.T) {
	f := newReportFixture(t)
	inc := f.seedGolden()
	var rep struct {
		Incident  struct{ ID string }
		Summary   string
		Durations struct {
			ToAcknowledgeSeconds *int64 `json:"to_acknowledge_seconds"`
			ToPauseSeconds       *int64 `json:"to_pause_seconds"`
			ToResolveSeconds     *int64 `json:"to_resolve_seconds"`
		}
		Timeline       []struct{ Action string }
		Communications []struct {
			Approvals []struct{ Role, Decision string }
		}
		Monitoring struct {
			Status string
			Alerts []any
		}
		GeneratedAt time.Time `json:"generated_at"`
	}
	f.post(f.marketer, "GET", "/api/v1/incidents/"+inc+"/report", nil, 200).json(t, &rep)
	if rep.Incident.ID != inc || rep.Durations.ToAcknowledgeSeconds == nil || *rep.Durations.ToAcknowledgeSeconds != 250 ||
		rep.Durations.ToPauseSeconds != nil || rep.Durations.ToResolveSeconds == nil || *rep.Durations.ToResolveSeconds != 26*3600+300 {
		t.Errorf("durations %+v", rep.Durations)
	}
	if !strings.Contains(rep.Summary, "3 recipients possibly received it") || !strings.Contains(rep.Summary, "Cause: A stale segment export.") ||
		!strings.HasSuffix(rep.Summary, " Closing summary: Apology sent to all 3; the export job is fixed") {
		t.Errorf("summary %q", rep.Summary)
	}
	if len(rep.Communications) != 1 || len(rep.Communications[0].Approvals) != 2 {
		t.Errorf("communications %+v", rep.Communications)
	}
	if rep.Monitoring.Status != "not_started" || rep.Monitoring.Alerts == nil || !rep.GeneratedAt.Equal(t0.Add(27*time.Hour)) {
		t.Errorf("monitoring %+v, generated %v", rep.Monitoring, rep.GeneratedAt)
	}
	if len(rep.Timeline) == 0 || rep.Timeline[0].Action != "incident.open" {
		t.Errorf("timeline %+v", rep.Timeline)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/00000000-0000-0000-0000-000000000404/report", token: f.marketer}); r.status != 404 {
		t.Errorf("unknown incident: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/report?format=pdf", token: f.marketer}); r.status != 422 {
		t.Errorf("format=pdf: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/report"}); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

const notNotifiable = "Not notifiable: only first names exposed, no risk to rights and freedoms"

// TestBreachRegister: a data-breach incident legal decided not notifiable is
// listed with that reason and notified=false; a non-breach incident is not
// listed; legal and admin read it, a marketer or security gets 403.
func TestBreachRegister(t *testing.T) {
	f := newReportFixture(t)
	var breach, other string
	f.step(0, func() {
		breach = f.declare(f.seedCampaign("Winter news"), "data-breach", "=HYPERLINK(\"x\") first names in the preheader")
		other = f.declare(f.seedCampaign("Autumn news"), "wrong-segment", "Sent to the wrong segment")
	})
	f.step(time.Minute, func() { f.post(f.marketer, "POST", "/api/v1/incidents/"+breach+"/acknowledge", nil, 200) })
	f.step(2*time.Minute, func() { f.post(f.marketer, "POST", "/api/v1/incidents/"+breach+"/assessment", nil, 200) })
	f.step(3*time.Minute, func() {
		f.post(f.legal, "PATCH", "/api/v1/incidents/"+breach+"/assessment", map[string]any{"data_categories_exposed": []string{"name"},
			"notes": "First names only"}, 200)
		f.post(f.marketer, "POST", "/api/v1/incidents/"+breach+"/communications", map[string]any{"kind": "breach_notice",
			"subject": "Notice of Data Breach", "text": noticeText}, 201) // drafted, never sent
	})
	f.step(time.Hour, func() {
		f.post(f.legal, "POST", "/api/v1/incidents/"+breach+"/legal-confirmation", map[string]any{"comment": notNotifiable}, 200)
	})
	// A later breach an admin who also holds legal resolved without a
	// separate confirmation: their resolve is the decision (who and when).
	adminLegal := f.addUser("al@acme.example", "admin", "legal")
	var later string
	f.step(2*time.Hour, func() {
		later = f.declare(f.seedCampaign("Summer news"), "data-breach", "Second breach")
		f.post(f.marketer, "POST", "/api/v1/incidents/"+later+"/acknowledge", nil, 200)
	})
	f.step(3*time.Hour, func() {
		f.post(adminLegal, "POST", "/api/v1/incidents/"+later+"/resolve", map[string]any{"reason": "Handled by legal"}, 200)
	})

	var recs []struct {
		IncidentID     string     `json:"incident_id"`
		Summary        string     `json:"summary"`
		DataCategories []string   `json:"data_categories"`
		Subjects       int        `json:"subjects"`
		Effects        string     `json:"effects"`
		Notified       bool       `json:"notified"`
		Decision       string     `json:"decision"`
		DecidedAt      *time.Time `json:"decided_at"`
		DecidedBy      string     `json:"decided_by"`
		ResolvedAt     *time.Time `json:"resolved_at"`
	}
	f.post(f.legal, "GET", "/api/v1/breach-register", nil, 200).json(t, &recs)
	if len(recs) != 2 || recs[0].IncidentID != breach || recs[1].IncidentID != later {
		t.Fatalf("register lists %+v, want the breaches %s then %s (not %s)", recs, breach, later, other)
	}
	if l := recs[1]; l.DecidedBy != "al@acme.example" || l.DecidedAt == nil || !l.DecidedAt.Equal(t0.Add(3*time.Hour)) ||
		l.ResolvedAt == nil || l.Decision != "" {
		t.Errorf("a legal user's resolve is the decision: %+v", l)
	}
	rec := recs[0]
	if rec.Notified || rec.Decision != notNotifiable || rec.DecidedBy != "lee@acme.example" || rec.DecidedAt == nil ||
		!rec.DecidedAt.Equal(t0.Add(time.Hour)) || rec.ResolvedAt != nil {
		t.Errorf("decision: %+v", rec)
	}
	if rec.Subjects != 3 || rec.Effects != "First names only" || strings.Join(rec.DataCategories, ";") != "name" {
		t.Errorf("facts: %+v", rec)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/breach-register", token: f.admin}); r.status != 200 {
		t.Errorf("admin: %d %s", r.status, r.body)
	}
	for name, tok := range map[string]string{"marketer": f.marketer, "security": f.sec} {
		r := f.do(call{method: "GET", path: "/api/v1/breach-register", token: tok})
		if r.status != 403 || r.errorBody(t).Code != "forbidden" {
			t.Errorf("%s: %d %s, want 403 forbidden", name, r.status, r.body)
		}
	}

	t.Run("csv", func(t *testing.T) {
		for _, c := range []call{
			{method: "GET", path: "/api/v1/breach-register?format=csv", token: f.legal},
			{method: "GET", path: "/api/v1/breach-register", token: f.legal, headers: map[string]string{"Accept": "text/csv"}},
		} {
			r := f.do(c)
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%v: %d %s", c.headers, r.status, r.body)
			}
			rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			want := "incident_id,campaign_id,detected_at,status,summary,data_categories,subjects,effects,remedial_action,notified,decision,decided_at,decided_by,resolved_at"
			if len(rows) != 3 || strings.Join(rows[0], ",") != want {
				t.Fatalf("rows %q", rows)
			}
			row := rows[1]
			if row[0] != breach || row[4] != `'=HYPERLINK("x") first names in the preheader` || row[5] != "name" || row[6] != "3" ||
				row[9] != "false" || row[10] != notNotifiable || row[11] != "2026-03-02T10:00:00Z" || row[12] != "lee@acme.example" || row[13] != "" {
				t.Errorf("row %q", row)
			}
		}
	})
}
