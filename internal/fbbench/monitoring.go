package fbbench

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/monitoring"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
)

// The monitoring tick's goal: the worker runs monitoring:tick every 30 s
// ("@every 30s", worker/mux.go), so one tick must end well inside the period —
// a tenth of it, leaving the worker's other periodic tasks their time.
const (
	monitorGoal          = 3 * time.Second
	monitorGoalBrands    = 1000
	monitorSendsPerBrand = 10 // in the window: 8 campaigns and 2 communications (an apology, a correction)
	monitorHistoryDays   = monitoring.BaselineDays
	monitorWindow        = 14 * 24 * time.Hour
)

// monitorBench is the monitoring-tick benchmark's state.
type monitorBench struct {
	b      *bench
	now    time.Time
	brands int // seeded so far
}

// monitor measures step 6's monitoring tick (issue 15): brands each with a
// resolved incident and a watching window, monitorSendsPerBrand sends in
// each window with their delivery counters, and 30 days of history before
// each incident (one send a day, the baseline). The tick is the real
// monitoring.Service.Tick over the store; nothing crosses a threshold, so
// every run does what a steady 30-second tick does: read and judge every
// window, change nothing. Two baselines in the same run: the tick reading
// window by window as it did before the batched reads (perWindowStore, the
// same statements), runs alternating with the batched tick's so both see the
// same machine; and both at a tenth of the brands (how they scale).
func (b *bench) monitor(ctx context.Context) error {
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		return err
	}
	campaigns := b.service(0)
	incidents := incident.NewService(incident.Deps{Repo: b.st.store, Campaigns: campaigns, Runbooks: set, Log: b.log})
	comms := communication.NewService(communication.Deps{Repo: b.st.store, Incidents: b.st.store, Runbooks: set,
		Mail: b.sender, Sched: b.client, Jobs: noJobs{}})
	m := &monitorBench{b: b, now: time.Now()}
	tick := func(st monitoring.Store) *monitoring.Service {
		return monitoring.NewService(monitoring.Deps{Store: st, Incidents: incidents, Campaigns: campaigns,
			Communications: comms, Runbooks: set, Log: b.log, Now: func() time.Time { return m.now }})
	}
	variants := []struct {
		name string
		svc  *monitoring.Service
	}{
		{"per window (before)", tick(perWindowStore{b.st.store})},
		{"batched (now)", tick(b.st.store)},
	}

	full := b.opt.monitorBrands
	small := max(1, full/10)
	rec := b.statements()
	type result struct {
		first      time.Duration
		times      []time.Duration
		statements int
	}
	medians := map[string][]time.Duration{}
	for _, n := range []int{small, full} {
		t0 := time.Now()
		if err := m.seed(ctx, n); err != nil {
			return err
		}
		fmt.Printf("setup: %s brands, %s sends in their windows, %s in their 30 days of history and %s incident campaigns, in %s\n",
			thousands(int64(n)), thousands(int64(n*monitorSendsPerBrand)), thousands(int64(n*monitorHistoryDays)),
			thousands(int64(n)), secs(time.Since(t0)))
		results := make([]result, len(variants))
		b.meter.begin()
		for i := range b.opt.monitorRuns + 1 {
			for v, variant := range variants { // alternating: both see the same machine
				rec.Reset()
				s := time.Now()
				if err := variant.svc.Tick(ctx); err != nil {
					return fmt.Errorf("tick %s: %w", variant.name, err)
				}
				d := time.Since(s)
				if i == 0 { // the first warms the caches; not in the figures
					results[v].first, results[v].statements = d, len(rec.All())
					continue
				}
				results[v].times = append(results[v].times, d)
			}
		}
		use := b.meter.end()
		rec.Reset()
		if err := m.check(ctx, n); err != nil {
			return err
		}
		fmt.Printf("monitor tick over %s windows / %s sends, %d runs each, alternating:\n",
			thousands(int64(n)), thousands(int64(n*monitorSendsPerBrand)), b.opt.monitorRuns)
		for v, r := range results {
			d := durStats(r.times)
			medians[variants[v].name] = append(medians[variants[v].name], d.median)
			goal := ""
			if n == monitorGoalBrands {
				goal = verdict(d.median <= monitorGoal && d.max <= monitorGoal, "≤ 3 s per tick (a tenth of the 30 s period)")
			}
			fmt.Printf("        %-20s min %s, median %s, max %s (first %s); %s statements per tick%s\n", variants[v].name+":",
				ms(d.min), ms(d.median), ms(d.max), ms(r.first), thousands(int64(r.statements)), goal)
		}
		fmt.Printf("        both: %s\n", use)
	}
	for _, v := range variants {
		if md := medians[v.name]; len(md) == 2 && md[0] > 0 {
			fmt.Printf("        %s: %d× the windows takes %.1f× the time (median)\n", v.name, full/small, md[1].Seconds()/md[0].Seconds())
		}
	}
	return nil
}

// perWindowStore is the store with the tick's batched reads done window by
// window, as the tick read before them: the window's sends, its alerts, and
// its alerts again (the tick re-read them after its insert, which stores
// nothing and so runs no statement when there is nothing new) — three
// statements per window.
type perWindowStore struct{ *postgres.Store }

func (s perWindowStore) WindowSends(ctx context.Context, ws []monitoring.Window) (map[string][]monitoring.Send, error) {
	out := make(map[string][]monitoring.Send, len(ws))
	for _, w := range ws {
		sends, err := s.BrandSends(ctx, w.BrandID, w.IncidentID, w.Start, w.End)
		if err != nil {
			return nil, err
		}
		out[w.IncidentID] = sends
	}
	return out, nil
}

func (s perWindowStore) WindowAlerts(ctx context.Context, ids []string) (map[string][]monitoring.Alert, error) {
	out := make(map[string][]monitoring.Alert, len(ids))
	for _, id := range ids {
		for range 2 {
			alerts, err := s.ListMonitoringAlerts(ctx, id)
			if err != nil {
				return nil, err
			}
			out[id] = alerts
		}
	}
	return out, nil
}

// check fails the run when a tick changed anything: no alert may have been
// raised and every window must still be watching (the seeded sends stay
// under the floors, so a tick that alerts misjudged them).
func (m *monitorBench) check(ctx context.Context, brands int) error {
	var alerts, watching int
	if err := m.b.st.store.SQL().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM monitoring_alerts),
		(SELECT count(*) FROM watch_windows WHERE status = 'watching')`).Scan(&alerts, &watching); err != nil {
		return err
	}
	if alerts != 0 || watching != brands {
		return fmt.Errorf("monitor: after the ticks %d alerts and %d windows watching, want 0 and %d", alerts, watching, brands)
	}
	return nil
}

// seed adds brands up to n (brand numbers m.brands+1 … n), in SQL: per
// brand the campaign of its incident (started 2 h before detection, its
// complaints the cause), 30 history campaigns (one a day in the 30 days
// before detection), the incident (detected 3 days ago, resolved 2 days
// ago), 8 campaigns and 2 communications started in the window since, all
// with realistic counters (2,000–20,000 handed over, 97 % delivered,
// complaints under 0.06 %, hard bounces under 1 %, unsubscribes under
// 0.4 %: nothing crosses the floors). Then each window is started through
// the store as StartWatch does: the baseline from BrandSends, then
// StartWatchWindow.
func (m *monitorBench) seed(ctx context.Context, n int) error {
	lo, hi := m.brands+1, n
	if lo > hi {
		return nil
	}
	db := m.b.st.store.SQL()
	detected := m.now.Add(-72 * time.Hour)
	resolved := m.now.Add(-48 * time.Hour)
	const id = `CAST(%s || lpad(g::text, 12, '0') AS uuid)`
	brandID := fmt.Sprintf(id, `'b0000000-0000-4000-8000-'`)
	ownID := fmt.Sprintf(id, `'c0000000-0000-4000-8000-'`)
	incID := fmt.Sprintf(id, `'e0000000-0000-4000-8000-'`)
	// x: one row per send, a its audience; rates drawn per send
	sendCols := `handed_to_esp, delivered, hard_bounced, complained, unsubscribed, opened, blocked`
	sendVals := `a, (a * 0.97)::int, (a * 0.97 * (0.002 + r1 * 0.006))::int, (a * 0.97 * (0.0001 + r2 * 0.0004))::int,
		(a * 0.97 * (0.001 + r3 * 0.002))::int, (a * 0.97 * (0.2 + r4 * 0.15))::int, (a * r5 * 0.01)::int`
	sends := func(per int) string {
		return fmt.Sprintf(`(SELECT g, d, 2000 + (random() * 18000)::int AS a, random() AS r1, random() AS r2, random() AS r3,
			random() AS r4, random() AS r5, random() AS r6 FROM generate_series($1::int, $2::int) g, generate_series(1, %d) d) x`, per)
	}
	stmts := []struct {
		what string
		sql  string
		args []any
	}{
		{"seed", `SELECT setseed(0.15)`, nil},
		{"brands", `INSERT INTO brands (id, name, from_email, from_name) SELECT ` + brandID + `, 'Bench brand ' || g,
			'news' || g || '@bench.example', 'Bench ' || g FROM generate_series($1::int, $2::int) g`, []any{lo, hi}},
		{"own campaigns", `INSERT INTO campaigns (id, name, brand_id, subject, send_buffer_seconds, status, audience,
			send_started_at, finished_at, machine_opened, ` + sendCols + `)
			SELECT ` + ownID + `, 'Incident campaign ' || g, ` + brandID + `, 'Our offer', 900, 'paused', a, $3::timestamptz - interval '2 hours',
			NULL, (a * 0.1)::int, a, (a * 0.97)::int, (a * 0.005)::int, (a * 0.004)::int, (a * 0.02)::int, (a * 0.25)::int, (a * 0.004)::int
			FROM ` + sends(1), []any{lo, hi, detected}},
		{"history campaigns", `INSERT INTO campaigns (name, brand_id, subject, send_buffer_seconds, status, audience,
			send_started_at, finished_at, machine_opened, ` + sendCols + `)
			SELECT 'History ' || g || '/' || d, ` + brandID + `, 'Weekly news', 900, 'sent', a,
			$3::timestamptz - make_interval(days => d) + make_interval(secs => r6 * 3600), $3::timestamptz - make_interval(days => d) + interval '2 hours',
			(a * 0.97 * r4 * 0.3)::int, ` + sendVals + ` FROM ` + sends(monitorHistoryDays), []any{lo, hi, detected}},
		{"incidents", `INSERT INTO incidents (id, campaign_id, runbook, severity, status, summary, source, detected_at,
			acknowledged_at, paused_at, resolved_at, steps) SELECT ` + incID + `, ` + ownID + `, 'wrong-segment', 'sev2', 'resolved',
			'bench incident ' || g, 'api', $3, $3, $3, $4, '[]' FROM generate_series($1::int, $2::int) g`, []any{lo, hi, detected, resolved}},
		{"window campaigns", `INSERT INTO campaigns (name, brand_id, subject, send_buffer_seconds, status, audience,
			send_started_at, finished_at, machine_opened, ` + sendCols + `)
			SELECT 'After ' || g || '/' || d, ` + brandID + `, 'Back to normal', 900, CASE WHEN d = 8 THEN 'sending' ELSE 'sent' END, a,
			$3::timestamptz + make_interval(secs => (d - 1) * 20000 + r6 * 3600), NULL,
			(a * 0.97 * r4 * 0.3)::int, ` + sendVals + ` FROM ` + sends(monitorSendsPerBrand-2), []any{lo, hi, resolved}},
		{"communications", `INSERT INTO communications (incident_id, kind, status, subject, text, content_hash, audience,
			sent_at, ` + sendCols + `)
			SELECT ` + incID + `, CASE WHEN d = 1 THEN 'apology' ELSE 'correction' END, 'sent', 'We are sorry', 'x', 'h', a,
			$3::timestamptz + make_interval(secs => d * 3600 + r6 * 600), ` + sendVals + ` FROM ` + sends(2), []any{lo, hi, resolved}},
		{"analyze", `ANALYZE brands, campaigns, incidents, communications`, nil},
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("monitor: seed %s: %w", s.what, err)
		}
	}
	// The windows, as StartWatch opens them (4 at once: setup, not measured).
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := lo; i <= hi; i++ {
		g.Go(func() error {
			brand := fmt.Sprintf("b0000000-0000-4000-8000-%012d", i)
			inc := fmt.Sprintf("e0000000-0000-4000-8000-%012d", i)
			own := fmt.Sprintf("c0000000-0000-4000-8000-%012d", i)
			hist, err := m.b.st.store.BrandSends(gctx, brand, "", detected.AddDate(0, 0, -monitoring.BaselineDays), detected)
			if err != nil {
				return err
			}
			base := monitoring.ComputeBaseline(hist, detected, own)
			if !base.EnoughHistory {
				return fmt.Errorf("monitor: brand %d has too little history: %s", i, base.Note)
			}
			_, started, err := m.b.st.store.StartWatchWindow(gctx, monitoring.NewWindow(inc, brand, own, resolved, monitorWindow, base))
			if err == nil && !started {
				err = fmt.Errorf("monitor: the window of %s did not start", inc)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `ANALYZE watch_windows, monitoring_alerts`); err != nil {
		return err
	}
	m.brands = n
	return nil
}
