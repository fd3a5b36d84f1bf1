package api_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/monitoring"
	"github.com/firebreak/firebreak/domain/user"
)

// batchCalls records what SendGrid's plane was asked for.
type batchCalls struct {
	mu    sync.Mutex
	calls []string
}

func (b *batchCalls) SetBatchStatus(_ context.Context, id string, st esp.ScheduleStatus) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, id+":"+string(st))
	return nil
}
func (b *batchCalls) ClearBatchStatus(_ context.Context, id string) error {
	return b.SetBatchStatus(context.Background(), id, "clear")
}
func (b *batchCalls) list() []string { b.mu.Lock(); defer b.mu.Unlock(); return slices.Clone(b.calls) }

// monFixture is the whole step-6 stack on real Postgres, on a fake clock (fixedClock):
// the campaign, incident, communication and monitoring services, and the
// HTTP server for GET /monitoring.
type monFixture struct {
	*fixture
	monClock  *fixedClock
	incidents *incident.Service
	monitor   *monitoring.Service
	deps      monitoring.Deps
	esp       *batchCalls
	notified  *notifications
	token     string
	owner     audit.Actor
	brand     string
	campaign  string // the incident's campaign
	detected  time.Time
}

var monT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newMonFixture(t *testing.T) *monFixture {
	t.Helper()
	ctx := context.Background()
	st, rbs := openStoreAndRunbooks(t)
	clk := &fixedClock{t: monT0}
	calls := &batchCalls{}
	notified := &notifications{}
	users := user.NewService(st, user.Limits{PerEmail: 5, PerIP: 8, Window: time.Minute}, time.Hour, nil)
	campaigns := campaign.NewService(st, &monMail{}, calls, noJobs{}, campaign.Config{DefaultSendBuffer: 15 * time.Minute,
		PublicURL: "http://firebreak.test", UnsubscribeKey: []byte("k"), Runbooks: rbs, Log: discardLog(), Now: clk.now})
	incidents := incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: rbs, Jobs: noJobs{},
		Log: discardLog(), Now: clk.now})
	comms := communication.NewService(communication.Deps{Repo: st, Incidents: st, Runbooks: rbs, Mail: batchOnly{},
		Sched: calls, Jobs: noJobs{}, Facts: st, Review: st, Reviewers: st, Notifier: notified, Now: clk.now})
	deps := monitoring.Deps{Store: st, Incidents: incidents, Campaigns: campaigns, Communications: comms,
		Runbooks: rbs, Users: st, Notifier: notified, Now: clk.now, Log: discardLog()}
	monitor := monitoring.NewService(deps)
	incidents.SetWatcher(monitor)
	e := api.New(api.Config{}, api.Deps{Log: discardLog(), Users: users, Campaigns: campaigns, Incidents: incidents,
		Runbooks: rbs, Communications: comms, Monitoring: monitor})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	f := &monFixture{fixture: &fixture{t: t, srv: srv, echo: e, store: st, users: users}, monClock: clk,
		incidents: incidents, monitor: monitor, deps: deps, esp: calls, notified: notified}
	f.token = f.addUser("owner@acme.example", "marketer", "admin")
	var ownerID string
	if err := st.SQL().QueryRow(`SELECT id FROM users WHERE email = 'owner@acme.example'`).Scan(&ownerID); err != nil {
		t.Fatal(err)
	}
	f.owner = audit.Actor{UserID: ownerID, Name: "owner@acme.example"}
	f.brand = f.fixture.brand(f.token)
	// the brand's history: three sends in the 30 days before the incident
	// (complaints 0.05 %, hard bounces 0.5 %, unsubscribes 0.2 % pooled) and
	// one older, which does not count
	f.send("History 1", monT0.AddDate(0, 0, -20), "sent", 2000, 2000, 10, 1, 4)
	f.send("History 2", monT0.AddDate(0, 0, -10), "sent", 1000, 1000, 5, 0, 2)
	f.send("History 3", monT0.AddDate(0, 0, -2), "sent", 1000, 1000, 5, 1, 2)
	f.send("Ancient", monT0.AddDate(0, 0, -40), "sent", 5000, 5000, 900, 90, 90)
	f.campaign = f.send("The mistake", monT0.Add(-time.Hour), "paused", 3000, 2900, 300, 30, 30)
	inc, _, err := incidents.Declare(ctx, f.owner, incident.Declaration{CampaignID: f.campaign, Runbook: "wrong-segment",
		Summary: "wrong segment", Source: incident.SourceDashboard})
	if err != nil {
		t.Fatal(err)
	}
	f.detected = inc.DetectedAt
	if _, err := incidents.Acknowledge(ctx, f.owner, inc.ID, ""); err != nil {
		t.Fatal(err)
	}
	return f
}

// send makes a campaign of the brand that started sending at started, with
// its counters, and returns its id.
func (f *monFixture) send(name string, started time.Time, status string, handed, delivered, bounced, complained, unsub int) string {
	f.t.Helper()
	var id string
	if err := f.store.SQL().QueryRow(`INSERT INTO campaigns (name, brand_id, send_buffer_seconds, status, batch_id,
		send_started_at, audience, handed_to_esp, delivered, hard_bounced, complained, unsubscribed)
		VALUES ($1, $2, 900, $3, 'batch-' || $1, $4, $5, $5, $6, $7, $8, $9) RETURNING id`, name, f.brand, status, started,
		handed, delivered, bounced, complained, unsub).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *monFixture) counters(id string, delivered, bounced, complained, unsub int) {
	f.t.Helper()
	if _, err := f.store.SQL().Exec(`UPDATE campaigns SET delivered = $2, hard_bounced = $3, complained = $4,
		unsubscribed = $5 WHERE id = $1`, id, delivered, bounced, complained, unsub); err != nil {
		f.t.Fatal(err)
	}
}

func (f *monFixture) incidentID() string {
	f.t.Helper()
	var id string
	if err := f.store.SQL().QueryRow(`SELECT id FROM incidents WHERE campaign_id = $1 ORDER BY created_at LIMIT 1`, f.campaign).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *monFixture) resolve(at time.Time) string {
	f.t.Helper()
	f.monClock.set(at)
	id := f.incidentID()
	if _, err := f.incidents.Resolve(context.Background(), f.owner, []auth.Role{auth.Marketer}, id, "handled", ""); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *monFixture) tick(at time.Time) {
	f.t.Helper()
	f.monClock.set(at)
	if err := f.monitor.Tick(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *monFixture) monitoring(id string) monitoringWire {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + id + "/monitoring", token: f.token})
	if r.status != 200 {
		f.t.Fatalf("GET monitoring: %d %s", r.status, r.body)
	}
	var m monitoringWire
	r.json(f.t, &m)
	return m
}

func (f *monFixture) actions(id, action string) int {
	f.t.Helper()
	var n int
	if err := f.store.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE subject_type = 'incident' AND subject_id = $1
		AND action = $2`, id, action).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *monFixture) status(campaignID string) string {
	f.t.Helper()
	var s string
	if err := f.store.SQL().QueryRow(`SELECT status FROM campaigns WHERE id = $1`, campaignID).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

type ratesWire struct {
	Sends           int     `json:"sends"`
	Delivered       int     `json:"delivered"`
	BounceRate      float64 `json:"bounce_rate"`
	ComplaintRate   float64 `json:"complaint_rate"`
	UnsubscribeRate float64 `json:"unsubscribe_rate"`
}

type monitoringWire struct {
	Status string `json:"status"`
	Window *struct {
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
		DaysLeft float64   `json:"days_left"`
	} `json:"window"`
	Baseline struct {
		ratesWire
		From          time.Time `json:"from"`
		To            time.Time `json:"to"`
		EnoughHistory bool      `json:"enough_history"`
		Note          string    `json:"note"`
	} `json:"baseline"`
	Current    ratesWire `json:"current"`
	Thresholds []struct {
		Metric    string  `json:"metric"`
		Threshold float64 `json:"threshold"`
	} `json:"thresholds"`
	Series []struct {
		At        time.Time `json:"at"`
		Delivered int       `json:"delivered"`
	} `json:"series"`
	Alerts []struct {
		Metric    string  `json:"metric"`
		SendID    string  `json:"send_id"`
		SendKind  string  `json:"send_kind"`
		Value     float64 `json:"value"`
		Delivered int     `json:"delivered"`
	} `json:"alerts"`
	Sends []struct {
		ratesWire
		ID   string `json:"id"`
		Kind string `json:"kind"`
	} `json:"sends"`
}

func TestMonitoringBaselineBeforeAndAfterResolve(t *testing.T) {
	f := newMonFixture(t)
	id := f.incidentID()
	m := f.monitoring(id)
	if m.Status != "not_started" || m.Window != nil {
		t.Fatalf("before resolve: %s %+v", m.Status, m.Window)
	}
	// History 1–3 (4,000 delivered); Ancient is older than 30 days, The mistake is the incident's own
	b := m.Baseline
	if b.Sends != 3 || b.Delivered != 4000 || !b.EnoughHistory || !b.To.Equal(f.detected) ||
		!b.From.Equal(f.detected.AddDate(0, 0, -30)) {
		t.Fatalf("baseline %+v", b)
	}
	if b.ComplaintRate != 2.0/4000 || b.BounceRate != 20.0/4000 || b.UnsubscribeRate != 8.0/4000 {
		t.Errorf("rates %+v", b.ratesWire)
	}
	// complaints max(0.1 %, 2 × 0.05 %) = 0.1 %; bounces max(2 %, 1 %) = 2 %; unsubscribes max(1 %, 0.6 %) = 1 %
	want := map[string]float64{"complaint_rate": 0.001, "bounce_rate": 0.02, "unsubscribe_rate": 0.01}
	for _, th := range m.Thresholds {
		if th.Threshold != want[th.Metric] {
			t.Errorf("%s threshold %v, want %v", th.Metric, th.Threshold, want[th.Metric])
		}
	}

	resolved := monT0.Add(time.Hour)
	f.resolve(resolved)
	// a send after detection does not move the snapshot
	f.send("After", monT0.Add(30*time.Minute), "sent", 1000, 1000, 500, 50, 50)
	m = f.monitoring(id)
	if m.Status != "watching" || m.Window == nil || !m.Window.Start.Equal(resolved) ||
		!m.Window.End.Equal(resolved.Add(7*24*time.Hour)) || m.Window.DaysLeft != 7 {
		t.Fatalf("after resolve: %s %+v", m.Status, m.Window)
	}
	if m.Baseline.Delivered != 4000 || len(m.Sends) != 0 || len(m.Alerts) != 0 {
		t.Errorf("after resolve: baseline %+v sends %d", m.Baseline, len(m.Sends))
	}
	if n := f.actions(id, incident.ActionWatchStart); n != 1 {
		t.Errorf("the window's start is on the timeline %d times, want 1", n)
	}
}

func TestMonitoringCleanWindowClosesAndCompletesStep6(t *testing.T) {
	f := newMonFixture(t)
	id := f.resolve(monT0.Add(time.Hour))
	calm := f.send("Calm", monT0.Add(2*time.Hour), "sending", 1000, 1000, 5, 0, 3)
	f.tick(monT0.Add(3 * time.Hour))
	if m := f.monitoring(id); m.Status != "watching" || len(m.Sends) != 1 || m.Sends[0].ID != calm || m.Current.Delivered != 1000 {
		t.Fatalf("mid-window: %+v", m)
	}
	end := monT0.Add(time.Hour + 7*24*time.Hour)
	f.tick(end.Add(-time.Second))
	if m := f.monitoring(id); m.Status != "watching" {
		t.Fatalf("a second before the end: %s", m.Status)
	}
	f.tick(end.Add(10 * time.Second))
	f.tick(end.Add(40 * time.Second)) // a repeat changes nothing
	m := f.monitoring(id)
	if m.Status != "clear" || len(m.Alerts) != 0 || m.Window.DaysLeft != 0 {
		t.Fatalf("after the end: %s %+v", m.Status, m.Alerts)
	}
	inc, err := f.incidents.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := inc.Step(incident.StepMonitor); s.Status != incident.Done || inc.Status != incident.Resolved {
		t.Errorf("step 6 %+v, status %s", s, inc.Status)
	}
	var n int
	if err := f.store.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE subject_id = $1 AND action = 'incident.step_complete'
		AND data->>'step' = 'monitor'`, id).Scan(&n); err != nil || n != 1 {
		t.Errorf("step 6 on the timeline %d times (%v), want 1", n, err)
	}
	if f.status(calm) != "sending" {
		t.Error("a clean send was paused")
	}
}

func TestMonitoringSpikePausesAndReopensOnce(t *testing.T) {
	tests := []struct {
		name                       string
		metric                     string
		bounced, complained, unsub int
	}{
		{"complaints", "complaint_rate", 0, 2, 0},      // 0.2 % ≥ 0.1 %
		{"hard bounces", "bounce_rate", 25, 0, 0},      // 2.5 % ≥ 2 %
		{"unsubscribes", "unsubscribe_rate", 0, 0, 12}, // 1.2 % ≥ 1 %
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMonFixture(t)
			id := f.resolve(monT0.Add(time.Hour))
			next := f.send("Next", monT0.Add(2*time.Hour), "sending", 1000, 0, 0, 0, 0)
			f.tick(monT0.Add(2*time.Hour + time.Minute))
			f.counters(next, 1000, tt.bounced, tt.complained, tt.unsub)
			f.tick(monT0.Add(3 * time.Hour))
			f.tick(monT0.Add(3*time.Hour + 30*time.Second)) // twice

			if got := f.status(next); got != "paused" {
				t.Errorf("send status %s, want paused", got)
			}
			if calls := f.esp.list(); !slices.Equal(calls, []string{"batch-Next:pause"}) {
				t.Errorf("SendGrid calls %v, want the batch paused once", calls)
			}
			inc, err := f.incidents.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if inc.Status != incident.Open || inc.ResolvedAt != nil || inc.CurrentStep() != incident.StepMonitor {
				t.Errorf("incident %s resolved %v step %s", inc.Status, inc.ResolvedAt, inc.CurrentStep())
			}
			if n := f.actions(id, incident.ActionReopen); n != 1 {
				t.Errorf("reopened %d times, want 1", n)
			}
			if n := f.actions(id, incident.ActionMonitoringAlert); n != 0 {
				t.Errorf("%d extra alert entries", n)
			}
			m := f.monitoring(id)
			if m.Status != "alert" || len(m.Alerts) != 1 || m.Alerts[0].Metric != tt.metric || m.Alerts[0].SendID != next ||
				m.Alerts[0].Delivered != 1000 {
				t.Errorf("monitoring %s %+v", m.Status, m.Alerts)
			}
			if n := f.notified.list(); len(n) != 1 || len(n[0].Emails) != 1 || n[0].Emails[0] != "owner@acme.example" {
				t.Errorf("notifications %+v", n)
			}
			var reason string
			if err := f.store.SQL().QueryRow(`SELECT data->>'reason' FROM audit_log WHERE subject_id = $1
				AND action = 'campaign.pause'`, next).Scan(&reason); err != nil || len(reason) < 14 || reason[:14] != "step 6 alert: " {
				t.Errorf("pause reason %q (%v)", reason, err)
			}
		})
	}
}

func TestMonitoringBelowMinimumVolumeNothingFires(t *testing.T) {
	f := newMonFixture(t)
	id := f.resolve(monT0.Add(time.Hour))
	small := f.send("Small", monT0.Add(2*time.Hour), "sending", 199, 199, 50, 50, 50)
	f.tick(monT0.Add(3 * time.Hour))
	if m := f.monitoring(id); m.Status != "watching" || len(m.Alerts) != 0 || f.status(small) != "sending" {
		t.Fatalf("199 delivered judged: %s %+v", m.Status, m.Alerts)
	}
	f.counters(small, 200, 50, 50, 50) // the 200th delivered: judged now
	f.tick(monT0.Add(4 * time.Hour))
	if m := f.monitoring(id); m.Status != "alert" || len(m.Alerts) != 3 {
		t.Fatalf("200 delivered: %s %+v", m.Status, m.Alerts)
	}
	if n := f.actions(id, incident.ActionReopen); n != 1 {
		t.Errorf("three alerts reopened %d times, want 1", n)
	}
	if n := f.actions(id, incident.ActionMonitoringAlert); n != 2 {
		t.Errorf("the other two alerts on the timeline: %d", n)
	}
	// Telling people is on the timeline too: once for the three, by the system.
	var delivery, actor string
	if err := f.store.SQL().QueryRow(`SELECT data->>'delivery', actor FROM audit_log WHERE subject_type = 'incident'
		AND subject_id = $1 AND action = $2`, id, incident.ActionNotify).Scan(&delivery, &actor); err != nil ||
		!strings.HasPrefix(delivery, "sent ") || !strings.HasSuffix(delivery, "to the Slack channel") || actor != "system" {
		t.Errorf("the notification on the timeline: %q by %q (%v)", delivery, actor, err)
	}
}

func TestMonitoringCommunicationSpikePausesIt(t *testing.T) {
	f := newMonFixture(t)
	id := f.resolve(monT0.Add(time.Hour))
	var comm string
	if err := f.store.SQL().QueryRow(`INSERT INTO communications (incident_id, kind, status, subject, text, content_hash,
		batch_id, sent_at, audience, handed_to_esp, delivered, hard_bounced) VALUES ($1, 'correction', 'sending', 'Correction',
		'x', 'h', 'batch-comm', $2, 500, 500, 400, 20) RETURNING id`, id, monT0.Add(2*time.Hour)).Scan(&comm); err != nil {
		t.Fatal(err)
	}
	f.tick(monT0.Add(3 * time.Hour))
	var st string
	if err := f.store.SQL().QueryRow(`SELECT status FROM communications WHERE id = $1`, comm).Scan(&st); err != nil || st != "paused" {
		t.Errorf("communication %s (%v), want paused", st, err)
	}
	if calls := f.esp.list(); !slices.Equal(calls, []string{"batch-comm:pause"}) {
		t.Errorf("SendGrid calls %v", calls)
	}
	m := f.monitoring(id)
	if len(m.Alerts) != 1 || m.Alerts[0].SendKind != "communication" || m.Alerts[0].Metric != "bounce_rate" {
		t.Errorf("alerts %+v", m.Alerts)
	}
}

// TestMonitoringAlertOnTheOtherOpenIncident: the campaign has a newer open
// incident (incidents_one_open_per_campaign): the alert goes on it.
func TestMonitoringAlertOnTheOtherOpenIncident(t *testing.T) {
	f := newMonFixture(t)
	ctx := context.Background()
	id := f.resolve(monT0.Add(time.Hour))
	f.monClock.set(monT0.Add(90 * time.Minute))
	other, created, err := f.incidents.Declare(ctx, f.owner, incident.Declaration{CampaignID: f.campaign,
		Runbook: "triage", Summary: "again", Source: incident.SourceDashboard})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	f.send("Next", monT0.Add(2*time.Hour), "sending", 1000, 1000, 0, 5, 0)
	f.tick(monT0.Add(3 * time.Hour))
	inc, _ := f.incidents.Get(ctx, id)
	if inc.Status != incident.Resolved {
		t.Errorf("the watched incident was reopened beside the open one: %s", inc.Status)
	}
	if f.actions(other.ID, incident.ActionMonitoringAlert) != 1 || f.actions(id, incident.ActionReopen) != 0 {
		t.Errorf("alert not recorded on the open incident")
	}
	var windowOf string
	_ = f.store.SQL().QueryRow(`SELECT data->'alert'->>'window_of' FROM audit_log WHERE subject_id = $1
		AND action = $2`, other.ID, incident.ActionMonitoringAlert).Scan(&windowOf)
	if windowOf != id {
		t.Errorf("window_of %q, want %s", windowOf, id)
	}
}

// TestMonitoringTickLosesNothing: the tick keeps nothing but Postgres. An
// alert stored by a tick that died before acting on it (a crash, a flushed
// Redis, a restarted worker) is acted on by the next tick of a fresh
// service, and a resolve whose window failed to start gets its window.
func TestMonitoringTickLosesNothing(t *testing.T) {
	f := newMonFixture(t)
	ctx := context.Background()
	f.incidents.SetWatcher(nil) // the window's start is lost with the resolve
	id := f.resolve(monT0.Add(time.Hour))
	if _, err := f.store.GetWatchWindow(ctx, id); err == nil {
		t.Fatal("a window without a watcher")
	}
	restarted := monitoring.NewService(f.deps)
	f.monClock.set(monT0.Add(2 * time.Hour))
	if err := restarted.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := f.store.GetWatchWindow(ctx, id)
	if err != nil || !w.Start.Equal(monT0.Add(time.Hour)) || w.Baseline.Delivered != 4000 {
		t.Fatalf("the tick did not start the missing window: %+v %v", w, err)
	}
	next := f.send("Next", monT0.Add(2*time.Hour), "sending", 1000, 1000, 0, 5, 0)
	// a tick stored the alert, then died before pausing or reopening
	if _, err := f.store.InsertMonitoringAlerts(ctx, id, []monitoring.Alert{{At: monT0.Add(3 * time.Hour),
		Metric: monitoring.ComplaintRate, Value: 0.005, Threshold: 0.001, Baseline: 0.0005,
		SendKind: monitoring.KindCampaign, SendID: next, SendName: "Next", Delivered: 1000}}); err != nil {
		t.Fatal(err)
	}
	again := monitoring.NewService(f.deps)
	f.monClock.set(monT0.Add(3*time.Hour + 30*time.Second))
	if err := again.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if err := again.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if f.status(next) != "paused" || f.actions(id, incident.ActionReopen) != 1 {
		t.Errorf("the stored alert was not acted on: %s, reopened %d", f.status(next), f.actions(id, incident.ActionReopen))
	}
	if m := f.monitoring(id); m.Status != "alert" || len(m.Alerts) != 1 {
		t.Errorf("monitoring %s %+v", m.Status, m.Alerts)
	}
}

func TestMonitoringAnswers(t *testing.T) {
	f := newMonFixture(t)
	viewer := f.addUser("viewer@acme.example", "legal") // every role reads it
	id := f.incidentID()
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/" + id + "/monitoring", token: viewer}); r.status != 200 {
		t.Errorf("monitoring200: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/" + id + "/monitoring"}); r.status != 401 {
		t.Errorf("monitoring401: %d", r.status)
	}
	r := f.do(call{method: "GET", path: "/api/v1/incidents/00000000-0000-0000-0000-000000000404/monitoring", token: viewer})
	if r.status != 404 || r.errorBody(t).Code != "incident_not_found" {
		t.Errorf("monitoring404: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/not-a-uuid/monitoring", token: viewer}); r.status != 404 {
		t.Errorf("monitoring404 for a malformed id: %d %s", r.status, r.body)
	}
}

// TestMonitoringResolvedAgainWatchesAgain: after an alert reopened it, the
// incident resolved again starts a new watch; the paused send never alerts
// again, and a calm window then closes clear.
func TestMonitoringResolvedAgainWatchesAgain(t *testing.T) {
	f := newMonFixture(t)
	id := f.resolve(monT0.Add(time.Hour))
	f.send("Next", monT0.Add(2*time.Hour), "sending", 1000, 1000, 0, 5, 0)
	f.tick(monT0.Add(3 * time.Hour))
	again := monT0.Add(5 * time.Hour)
	f.resolve(again)
	m := f.monitoring(id)
	if m.Status != "watching" || !m.Window.Start.Equal(again) || len(m.Alerts) != 1 {
		t.Fatalf("resolved again: %s %+v %d alerts", m.Status, m.Window, len(m.Alerts))
	}
	f.tick(again.Add(time.Hour))
	f.tick(again.Add(7*24*time.Hour + time.Minute))
	if m := f.monitoring(id); m.Status != "clear" {
		t.Fatalf("after the second window: %s", m.Status)
	}
	if n := f.actions(id, incident.ActionReopen); n != 1 {
		t.Errorf("reopened %d times, want 1", n)
	}
}
