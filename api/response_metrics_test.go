package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/user"
)

// metricsFixture is the incident service on real Postgres and a settable
// clock, reporting to the server's /metrics, and a token per role.
type metricsFixture struct {
	*fixture
	clock     *fixedClock
	incidents *incident.Service
	owner     audit.Actor
	tokens    map[string]string // role -> token (admin: marketer and admin)
	brand     string
	n         int // campaigns made
}

func newMetricsFixture(t *testing.T) *metricsFixture {
	t.Helper()
	st, rbs := openStoreAndRunbooks(t)
	clk := &fixedClock{t: t0}
	users := user.NewService(st, user.Limits{PerEmail: 5, PerIP: 8, Window: time.Minute}, time.Hour, nil)
	campaigns := campaign.NewService(st, nil, &batchCalls{}, noJobs{}, campaign.Config{DefaultSendBuffer: 15 * time.Minute,
		PublicURL: "http://firebreak.test", UnsubscribeKey: []byte("k"), Log: discardLog(), Now: clk.now})
	metrics := api.NewMetrics()
	incidents := incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: rbs, Jobs: noJobs{},
		Observer: metrics, Log: discardLog(), Now: clk.now})
	e := api.New(api.Config{}, api.Deps{Log: discardLog(), Users: users, Campaigns: campaigns, Incidents: incidents,
		Runbooks: rbs, Metrics: metrics})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	f := &metricsFixture{fixture: &fixture{t: t, srv: srv, echo: e, store: st, users: users}, clock: clk,
		incidents: incidents, tokens: map[string]string{}}
	f.tokens["admin"] = f.addUser("owner@acme.example", "marketer", "admin")
	for _, r := range []string{"marketer", "legal", "security"} {
		f.tokens[r] = f.addUser(r+"@acme.example", r)
	}
	var ownerID string
	if err := st.SQL().QueryRow(`SELECT id FROM users WHERE email = 'owner@acme.example'`).Scan(&ownerID); err != nil {
		t.Fatal(err)
	}
	f.owner = audit.Actor{UserID: ownerID, Name: "owner@acme.example"}
	f.brand = f.fixture.brand(f.tokens["admin"])
	return f
}

// step is one thing that happens to an incident, seconds after detection.
type step struct {
	after float64
	do    string // ack, pause, resolve, reopen, reclassify:<runbook>
}

// seed opens an incident of runbook and severity at detected, on a campaign
// of its own that is sending, and plays events in time order on the clock,
// through the service as a user would. It returns the incident's id.
func (f *metricsFixture) seed(rb, severity string, detected time.Time, events ...step) string {
	f.t.Helper()
	ctx := context.Background()
	f.n++
	var camp string
	if err := f.store.SQL().QueryRow(`INSERT INTO campaigns (name, brand_id, send_buffer_seconds, status, batch_id,
		send_started_at, audience, handed_to_esp) VALUES ($1, $2, 900, 'sending', $3, $4, 10, 10) RETURNING id`,
		"Campaign "+rb+severity+detected.String(), f.brand, "batch-"+detected.String()+rb, detected).Scan(&camp); err != nil {
		f.t.Fatal(err)
	}
	f.clock.set(detected)
	inc, _, err := f.incidents.Declare(ctx, f.owner, incident.Declaration{CampaignID: camp, Runbook: rb,
		Summary: "seeded", Severity: severity, Source: incident.SourceAPI})
	if err != nil {
		f.t.Fatal(err)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].after < events[j].after })
	for _, ev := range events {
		f.clock.set(detected.Add(time.Duration(ev.after * float64(time.Second))))
		switch {
		case ev.do == "ack":
			_, err = f.incidents.Acknowledge(ctx, f.owner, inc.ID, "")
		case ev.do == "pause":
			_, _, err = f.incidents.Pause(ctx, f.owner, inc.ID, "stop")
		case ev.do == "resolve":
			_, err = f.incidents.Resolve(ctx, f.owner, []auth.Role{auth.Marketer}, inc.ID, "handled", "")
		case ev.do == "reopen":
			_, _, err = f.incidents.ReopenForAlert(ctx, inc.ID, incident.MonitoringAlert{At: f.clock.now(),
				Metric: "complaint_rate", Value: 0.01, Threshold: 0.001, SendKind: "campaign", SendID: camp, SendName: "Later"})
		case strings.HasPrefix(ev.do, "reclassify:"):
			_, err = f.incidents.Reclassify(ctx, f.owner, inc.ID, strings.TrimPrefix(ev.do, "reclassify:"), incident.KeepOldTasks)
		default:
			f.t.Fatalf("unknown event %q", ev.do)
		}
		if err != nil {
			f.t.Fatalf("%s at +%vs: %v", ev.do, ev.after, err)
		}
	}
	return inc.ID
}

// The figures as the wire has them.
type statsWire struct {
	Count  int    `json:"count"`
	Median *int64 `json:"median_seconds"`
	P90    *int64 `json:"p90_seconds"`
	Max    *int64 `json:"max_seconds"`
}

type groupWire struct {
	Runbook       string    `json:"runbook"`
	Severity      string    `json:"severity"`
	Incidents     int       `json:"incidents"`
	ToAcknowledge statsWire `json:"to_acknowledge"`
	ToPause       statsWire `json:"to_pause"`
	ToResolve     statsWire `json:"to_resolve"`
}

type responseMetricsWire struct {
	From   time.Time   `json:"from"`
	To     time.Time   `json:"to"`
	Total  groupWire   `json:"total"`
	Groups []groupWire `json:"groups"`
}

// st is DurationStats of count values with median, p90 and max seconds.
func st(count int, median, p90, max int64) statsWire {
	return statsWire{Count: count, Median: &median, P90: &p90, Max: &max}
}

var none = statsWire{} // count 0, every figure null

func (f *metricsFixture) responseMetrics(token, query string) reply {
	f.t.Helper()
	return f.do(call{method: "GET", path: "/api/v1/response-metrics" + query, token: token})
}

func (f *metricsFixture) figures(token, query string) responseMetricsWire {
	f.t.Helper()
	r := f.responseMetrics(token, query)
	if r.status != 200 {
		f.t.Fatalf("GET response-metrics%s: %d %s", query, r.status, r.body)
	}
	var m responseMetricsWire
	r.json(f.t, &m)
	return m
}

func TestResponseMetrics(t *testing.T) {
	f := newMetricsFixture(t)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 7)
	at := func(h float64) time.Time { return from.Add(time.Duration(h * float64(time.Hour))) }

	// wrong-segment sev2: four incidents, the first detected exactly at from.
	// To acknowledge 60, 120, 180, 600.9 s: median (percentile_disc, not the
	// interpolated 150) 120, p90 600 (whole seconds, truncated), max 600. To
	// pause 30, 45, 90 (one never paused); to resolve 3600 and 7200.
	f.seed("wrong-segment", "sev2", from, step{60, "ack"}, step{30, "pause"}, step{3600, "resolve"})
	f.seed("wrong-segment", "sev2", at(10), step{120, "ack"}, step{45, "pause"}, step{7200, "resolve"})
	f.seed("wrong-segment", "sev2", at(20), step{180, "ack"}, step{90, "pause"})
	f.seed("wrong-segment", "sev2", at(30), step{600.9, "ack"})
	// wrong-segment sev3: nobody acknowledged it.
	f.seed("wrong-segment", "sev3", at(40))
	// broken-personalization sev1: resolved after 1 h, reopened by an alert
	// and resolved again after 3 h (it counts with its latest resolve, as the
	// incident answer's resolved_at); one resolved after 30 min; one
	// reclassified from triage (counted in its runbook now), reopened and
	// still open (no time to resolve).
	f.seed("broken-personalization", "sev1", at(50), step{30, "ack"}, step{10, "pause"},
		step{3600, "resolve"}, step{7200, "reopen"}, step{10800, "resolve"})
	f.seed("broken-personalization", "sev1", at(60), step{300, "ack"}, step{1800, "resolve"})
	f.seed("triage", "sev1", at(70), step{45, "ack"}, step{100, "reclassify:broken-personalization"},
		step{200, "resolve"}, step{300, "reopen"})
	// outside [from, to): a second before from, and exactly at to; their
	// 5000 s would be every group's max if they counted.
	f.seed("wrong-segment", "sev2", from.Add(-time.Second), step{5000, "ack"}, step{5000, "pause"}, step{5000, "resolve"})
	f.seed("wrong-segment", "sev2", to, step{5000, "ack"}, step{5000, "pause"}, step{5000, "resolve"})

	q := "?from=" + url.QueryEscape(from.Format(time.RFC3339)) + "&to=" + url.QueryEscape(to.Format(time.RFC3339))
	got := f.figures(f.tokens["marketer"], q)
	want := responseMetricsWire{From: from, To: to,
		Total: groupWire{Incidents: 8,
			// 30, 45, 60, 120, 180, 300, 600
			ToAcknowledge: st(7, 120, 600, 600),
			// 10, 30, 45, 90
			ToPause: st(4, 30, 90, 90),
			// 1800, 3600, 7200, 10800
			ToResolve: st(4, 3600, 10800, 10800)},
		Groups: []groupWire{
			{Runbook: "broken-personalization", Severity: "sev1", Incidents: 3,
				ToAcknowledge: st(3, 45, 300, 300), ToPause: st(1, 10, 10, 10), ToResolve: st(2, 1800, 10800, 10800)},
			{Runbook: "wrong-segment", Severity: "sev2", Incidents: 4,
				ToAcknowledge: st(4, 120, 600, 600), ToPause: st(3, 45, 90, 90), ToResolve: st(2, 3600, 7200, 7200)},
			{Runbook: "wrong-segment", Severity: "sev3", Incidents: 1,
				ToAcknowledge: none, ToPause: none, ToResolve: none},
		}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("response metrics\n got %s\nwant %s", dump(got), dump(want))
	}

	t.Run("every role reads it; nobody else", func(t *testing.T) {
		for role, tok := range f.tokens {
			if r := f.responseMetrics(tok, q); r.status != 200 {
				t.Errorf("%s: %d %s, want 200", role, r.status, r.body)
			}
		}
		r := f.responseMetrics("", q)
		if r.status != 401 || r.errorBody(t).Code != "unauthenticated" {
			t.Errorf("no token: %d %s, want 401 unauthenticated", r.status, r.body)
		}
	})

	t.Run("a period without incidents: zero counts, null figures, no groups", func(t *testing.T) {
		empty := f.figures(f.tokens["legal"], "?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z")
		want := responseMetricsWire{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
			Total: groupWire{ToAcknowledge: none, ToPause: none, ToResolve: none}, Groups: []groupWire{}}
		if !reflect.DeepEqual(empty, want) {
			t.Errorf("got %s, want %s", dump(empty), dump(want))
		}
		r := f.responseMetrics(f.tokens["legal"], "?from=2025-01-01T00:00:00Z&to=2025-02-01T00:00:00Z")
		for _, k := range []string{`"groups":[]`, `"median_seconds":null`, `"p90_seconds":null`, `"max_seconds":null`, `"count":0`} {
			if !strings.Contains(string(r.body), k) {
				t.Errorf("the answer lacks %s: %s", k, r.body)
			}
		}
	})

	t.Run("the default period: the 30 days before now", func(t *testing.T) {
		now := to.Add(time.Hour) // the incident detected at to counts now, the one before from too
		f.clock.set(now)
		d := f.figures(f.tokens["security"], "")
		if !d.From.Equal(now.AddDate(0, 0, -30)) || !d.To.Equal(now) || d.Total.Incidents != 10 {
			t.Errorf("default period %s – %s with %d incidents; want %s – %s with 10", d.From, d.To, d.Total.Incidents,
				now.AddDate(0, 0, -30), now)
		}
		// only to: the 30 days before it; the offset is read and answered in UTC
		d = f.figures(f.tokens["security"], "?to="+url.QueryEscape("2026-03-08T02:00:00+02:00"))
		if !d.To.Equal(to) || !d.From.Equal(to.AddDate(0, 0, -30)) || d.Total.Incidents != 9 {
			t.Errorf("to only: %s – %s with %d incidents; want %s – %s with 9", d.From, d.To, d.Total.Incidents,
				to.AddDate(0, 0, -30), to)
		}
	})

	t.Run("422 validation_failed", func(t *testing.T) {
		for _, tc := range []struct{ query, field string }{
			{"?from=yesterday", "from"},
			{"?from=2026-03-01", "from"},
			{"?to=1772323200", "to"},
			{"?from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z", "from"},
			{"?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from"},
			{"?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:01Z", "from"},
			{"?to=2026-03-08T02:00:00+02:00", "to"}, // an unencoded + is a space
		} {
			r := f.responseMetrics(f.tokens["marketer"], tc.query)
			if r.status != 422 {
				t.Errorf("%s: %d %s, want 422", tc.query, r.status, r.body)
				continue
			}
			e := r.errorBody(t)
			fields, _ := e.Details["fields"].(map[string]any)
			if e.Code != "validation_failed" || fields[tc.field] == nil {
				t.Errorf("%s: %s %v, want validation_failed naming %s", tc.query, e.Code, e.Details, tc.field)
			}
		}
		if r := f.responseMetrics(f.tokens["marketer"], "?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:00Z"); r.status != 200 {
			t.Errorf("exactly 366 days: %d %s, want 200", r.status, r.body)
		}
	})
}

// The figures agree with the incident answer of the one incident of a group.
func TestResponseMetricsAgreeWithTheIncident(t *testing.T) {
	f := newMetricsFixture(t)
	id := f.seed("wrong-content", "sev4", t0, step{75.9, "ack"}, step{20.25, "pause"}, step{4000.5, "resolve"})
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + id, token: f.tokens["marketer"]})
	var inc struct {
		DetectedAt               time.Time `json:"detected_at"`
		ResolvedAt               time.Time `json:"resolved_at"`
		TimeToAcknowledgeSeconds float64   `json:"time_to_acknowledge_seconds"`
		TimeToPauseSeconds       float64   `json:"time_to_pause_seconds"`
	}
	r.json(t, &inc)
	m := f.figures(f.tokens["marketer"], "?from="+url.QueryEscape(t0.Add(-time.Hour).Format(time.RFC3339)))
	if len(m.Groups) != 1 {
		t.Fatalf("groups %s, want one", dump(m.Groups))
	}
	g := m.Groups[0]
	for _, c := range []struct {
		name  string
		stats statsWire
		secs  float64
	}{
		{"to acknowledge", g.ToAcknowledge, inc.TimeToAcknowledgeSeconds},
		{"to pause", g.ToPause, inc.TimeToPauseSeconds},
		{"to resolve", g.ToResolve, inc.ResolvedAt.Sub(inc.DetectedAt).Seconds()},
	} {
		w := int64(math.Trunc(c.secs))
		if c.stats.Count != 1 || *c.stats.Median != w || *c.stats.P90 != w || *c.stats.Max != w {
			t.Errorf("%s: %s, the incident says %v s", c.name, dump(c.stats), c.secs)
		}
	}
	if *g.ToAcknowledge.Max != 75 || *g.ToPause.Max != 20 || *g.ToResolve.Max != 4000 {
		t.Errorf("figures %s, want 75, 20 and 4000 s", dump(g))
	}
}

// /metrics has the response-time histograms labelled with runbook and
// severity, time to resolve among them, under the names it always had.
func TestMetricsHistogramsByRunbookAndSeverity(t *testing.T) {
	f := newMetricsFixture(t)
	body := func() string {
		r := f.do(call{method: "GET", path: "/metrics"})
		if r.status != 200 {
			t.Fatalf("GET /metrics: %d", r.status)
		}
		return string(r.body)
	}
	resolveLine := regexp.MustCompile(`(?m)^firebreak_incident_time_to_resolve_seconds_count\{runbook="wrong-segment",severity="sev2"\} 1$`)
	id := f.seed("wrong-segment", "sev2", t0, step{60, "ack"}, step{30, "pause"})
	before := body()
	if resolveLine.MatchString(before) {
		t.Fatalf("a time to resolve before the resolve:\n%s", before)
	}
	f.clock.set(t0.Add(2 * time.Hour))
	if _, err := f.incidents.Resolve(context.Background(), f.owner, []auth.Role{auth.Marketer}, id, "handled", ""); err != nil {
		t.Fatal(err)
	}
	after := body()
	for _, want := range []string{
		`firebreak_incident_time_to_acknowledge_seconds_count{runbook="wrong-segment",severity="sev2"} 1`,
		`firebreak_incident_time_to_acknowledge_seconds_sum{runbook="wrong-segment",severity="sev2"} 60`,
		`firebreak_incident_time_to_pause_seconds_count{runbook="wrong-segment",severity="sev2"} 1`,
		`firebreak_incident_time_to_pause_seconds_bucket{runbook="wrong-segment",severity="sev2",le="30"} 1`,
		`firebreak_incident_time_to_resolve_seconds_sum{runbook="wrong-segment",severity="sev2"} 7200`,
		`firebreak_incident_time_to_resolve_seconds_bucket{runbook="wrong-segment",severity="sev2",le="3600"} 0`,
		`firebreak_incident_time_to_resolve_seconds_bucket{runbook="wrong-segment",severity="sev2",le="7200"} 1`,
	} {
		if !strings.Contains(after, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !resolveLine.MatchString(after) {
		t.Errorf("/metrics lacks the time to resolve count of wrong-segment sev2")
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(after, "firebreak_incident_"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
