package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/monitoring"
)

const (
	monBrand    = "00000000-0000-0000-0000-0000000000b7"
	monOther    = "00000000-0000-0000-0000-0000000000b8"
	monCampaign = "00000000-0000-0000-0000-0000000007c1"
	monIncident = "00000000-0000-0000-0000-0000000007e1"
)

var monT0 = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)

// seedMonitoring makes brand monBrand with the incident's campaign (started
// at t0), two later campaigns, one of another brand, and an apology of the
// incident started an hour after t0, with counters and a few events.
func seedMonitoring(t *testing.T, db *sql.DB) (later, apology string) {
	t.Helper()
	ctx := context.Background()
	must := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(`INSERT INTO brands (id, name, from_email) VALUES ($1, 'B', 'b@x.io'), ($2, 'O', 'o@x.io')`, monBrand, monOther)
	must(`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status, send_started_at, handed_to_esp, delivered,
		hard_bounced, complained, unsubscribed, opened, machine_opened, blocked)
		VALUES ($1, 'Own', $2, 900, 'paused', $3, 1000, 900, 10, 2, 3, 100, 50, 5)`, monCampaign, monBrand, monT0)
	must(`INSERT INTO incidents (id, campaign_id, runbook, severity, source, detected_at, steps, status, resolved_at)
		VALUES ($1, $2, 'wrong-segment', 'sev2', 'api', $3, '[]', 'resolved', $3)`, monIncident, monCampaign, monT0)
	if err := db.QueryRowContext(ctx, `INSERT INTO campaigns (name, brand_id, send_buffer_seconds, status, send_started_at,
		handed_to_esp, delivered, complained, canary_percent, canary_release_at)
		VALUES ('Later', $1, 900, 'sending', $2, 500, 400, 1, 10, $3) RETURNING id`, monBrand, monT0.Add(2*time.Hour),
		time.Now().Add(time.Hour)).Scan(&later); err != nil {
		t.Fatal(err)
	}
	must(`INSERT INTO campaigns (name, brand_id, send_buffer_seconds, status) VALUES ('Draft', $1, 900, 'draft')`, monBrand)
	must(`INSERT INTO campaigns (name, brand_id, send_buffer_seconds, status, send_started_at, delivered)
		VALUES ('Other brand', $1, 900, 'sent', $2, 999)`, monOther, monT0.Add(time.Hour))
	if err := db.QueryRowContext(ctx, `INSERT INTO communications (incident_id, kind, status, subject, text, content_hash,
		sent_at, handed_to_esp, delivered, hard_bounced, unsubscribed) VALUES ($1, 'apology', 'sent', 'Sorry', 'x', 'h', $2, 300, 250, 7, 1)
		RETURNING id`, monIncident, monT0.Add(time.Hour)).Scan(&apology); err != nil {
		t.Fatal(err)
	}
	ev := func(n int, typ, kind string, machine bool, at time.Time, campaignID, commID any) {
		t.Helper()
		must(`INSERT INTO events (sg_event_id, natural_key, event, email, occurred_at, campaign_id, communication_id,
			bounce_kind, machine_open, raw) VALUES ($1, $1, $2, 'x@y.io', $3, $4, $5, $6, $7, '{}')`,
			typ+at.String()+string(rune('a'+n)), typ, at, campaignID, commID, kind, machine)
	}
	ev(1, "delivered", "", false, monT0.Add(2*time.Hour+time.Minute), later, nil)
	ev(2, "delivered", "", false, monT0.Add(2*time.Hour+2*time.Minute), later, nil)
	ev(3, "spamreport", "", false, monT0.Add(2*time.Hour+3*time.Minute), later, nil)
	ev(4, "delivered", "", false, monT0.Add(time.Hour+5*time.Minute), nil, apology)
	ev(5, "bounce", "hard", false, monT0.Add(time.Hour+6*time.Minute), nil, apology)
	ev(6, "open", "", true, monT0.Add(time.Hour+7*time.Minute), nil, apology)
	ev(7, "bounce", "block", false, monT0.Add(time.Hour+8*time.Minute), nil, apology)
	ev(8, "delivered", "", false, monT0.Add(-time.Minute), monCampaign, nil) // before the window
	return later, apology
}

func TestMonitoringWindowLifecycle(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	seedMonitoring(t, st.SQL())
	if _, err := st.GetWatchWindow(ctx, monIncident); !errors.Is(err, monitoring.ErrNoWindow) {
		t.Fatalf("before start: %v, want ErrNoWindow", err)
	}
	b := monitoring.Baseline{Rates: monitoring.Rates{Sends: 4, Delivered: 5000, ComplaintRate: 0.0004}, From: monT0.AddDate(0, 0, -30),
		To: monT0, EnoughHistory: true, Note: "n", Spread: monitoring.Spread{ComplaintRate: 0.0001}}
	w := monitoring.NewWindow(monIncident, monBrand, monCampaign, monT0, 14*24*time.Hour, b)
	got, started, err := st.StartWatchWindow(ctx, w)
	if err != nil || !started {
		t.Fatalf("start: %v %v", started, err)
	}
	if got.CampaignID != monCampaign || got.Status != monitoring.Watching || !got.End.Equal(w.End) ||
		got.Baseline.ComplaintRate != 0.0004 || got.Baseline.Spread.ComplaintRate != 0.0001 || !got.Baseline.EnoughHistory {
		t.Fatalf("stored window %+v", got)
	}
	// a second start keeps the first window and its baseline
	w2 := w
	w2.Start, w2.End, w2.Baseline = monT0.Add(time.Hour), monT0.Add(48*time.Hour), monitoring.Baseline{}
	again, started, err := st.StartWatchWindow(ctx, w2)
	if err != nil || started || !again.Start.Equal(monT0) || again.Baseline.Delivered != 5000 {
		t.Fatalf("second start: %v %v %+v", started, err, again)
	}
	ws, err := st.ListWatchingWindows(ctx)
	if err != nil || len(ws) != 1 {
		t.Fatalf("watching: %v %v", ws, err)
	}
	// a restart only applies to a window in alert
	restart := w
	restart.Start, restart.End = monT0.Add(2*time.Hour), monT0.Add(2*time.Hour+7*24*time.Hour)
	if got, started, err := st.StartWatchWindow(ctx, restart); err != nil || started || !got.Start.Equal(monT0) {
		t.Fatalf("restart of a watching window: %v %v %+v", started, err, got)
	}
	if ok, err := st.CloseWatchWindow(ctx, monIncident, monitoring.Alerted, monT0.Add(3*time.Hour)); !ok || err != nil {
		t.Fatalf("alert: %v %v", ok, err)
	}
	got, started, err = st.StartWatchWindow(ctx, restart)
	if err != nil || !started || !got.Start.Equal(restart.Start) || !got.End.Equal(restart.End) ||
		got.Status != monitoring.Watching || got.ClosedAt != nil || got.Baseline.Delivered != 5000 {
		t.Fatalf("restart after an alert: %v %v %+v", started, err, got)
	}
	if ok, err := st.CloseWatchWindow(ctx, monIncident, monitoring.Clear, monT0.Add(15*24*time.Hour)); !ok || err != nil {
		t.Fatalf("close: %v %v", ok, err)
	}
	if ok, err := st.CloseWatchWindow(ctx, monIncident, monitoring.Alerted, monT0.Add(16*24*time.Hour)); ok || err != nil {
		t.Fatalf("second close must change nothing: %v %v", ok, err)
	}
	if ws, _ := st.ListWatchingWindows(ctx); len(ws) != 0 {
		t.Fatalf("closed window still watching: %v", ws)
	}
	if got, _ := st.GetWatchWindow(ctx, monIncident); got.Status != monitoring.Clear || got.ClosedAt == nil {
		t.Fatalf("after close %+v", got)
	}
}

func TestMonitoringBrandSendsAndSeries(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	later, apology := seedMonitoring(t, st.SQL())
	if b, err := st.BrandOfCampaign(ctx, monCampaign); err != nil || b != monBrand {
		t.Fatalf("brand %q %v", b, err)
	}
	all, err := st.BrandSends(ctx, monBrand, "", monT0.AddDate(0, 0, -30), monT0.AddDate(0, 0, 1))
	if err != nil || len(all) != 3 {
		t.Fatalf("sends %+v %v", all, err)
	}
	if all[0].ID != later || all[0].Canary != "waiting" || all[0].Delivered != 400 || all[0].Complained != 1 {
		t.Errorf("newest first, the later campaign: %+v", all[0])
	}
	if a := all[1]; a.ID != apology || a.Kind != monitoring.KindCommunication || a.Name != "apology: Sorry" ||
		a.Delivered != 250 || a.HardBounced != 7 || a.CampaignID != monCampaign || a.StartedAt == nil {
		t.Errorf("the apology: %+v", a)
	}
	if o := all[2]; o.ID != monCampaign || o.MachineOpened != 50 || o.Blocked != 5 || o.HandedToESP != 1000 || o.Canary != "none" {
		t.Errorf("the own campaign: %+v", o)
	}
	// from the window's start: the own campaign (started at t0) is in, as >= from
	win, err := st.BrandSends(ctx, monBrand, "", monT0.Add(time.Second), monT0.AddDate(0, 0, 14))
	if err != nil || len(win) != 2 {
		t.Fatalf("window sends %+v %v", win, err)
	}

	pts, err := st.MonitoringSeries(ctx, monBrand, "", monT0, monT0.Add(3*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 { // hour 0 has no event (the own campaign's is before t0): absent
		t.Fatalf("points %+v", pts)
	}
	byHour := map[time.Time]monitoring.Point{}
	for _, p := range pts {
		byHour[p.At.UTC()] = p
	}
	h1, h2 := byHour[monT0.Add(time.Hour)], byHour[monT0.Add(2*time.Hour)]
	if h1.Delivered != 1 || h1.Bounced != 1 || h1.MachineOpened != 1 || h1.Opened != 0 || h1.Blocked != 1 {
		t.Errorf("hour 1 (the apology): %+v", h1)
	}
	if h2.Delivered != 2 || h2.Complained != 1 {
		t.Errorf("hour 2 (the later campaign): %+v", h2)
	}
	days, err := st.MonitoringSeries(ctx, monBrand, "", monT0, monT0.Add(5*24*time.Hour), 24*time.Hour)
	if err != nil || len(days) != 1 || days[0].Delivered != 3 {
		t.Errorf("daily: %+v %v", days, err)
	}
}

// TestMonitoringWatchesTheIncidentsOwnCommunicationsSentBeforeTheWindow:
// the apology goes out in step 5, before resolve starts the window, yet it is
// the first send the window watches (its later complaints count); another
// incident's window, or none, does not list it.
func TestMonitoringWatchesTheIncidentsOwnCommunicationsSentBeforeTheWindow(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	later, apology := seedMonitoring(t, st.SQL())
	start := monT0.Add(time.Hour + 30*time.Minute) // resolved after the apology was sent
	ids := func(sends []monitoring.Send) []string {
		var out []string
		for _, x := range sends {
			out = append(out, x.ID)
		}
		return out
	}
	with, err := st.BrandSends(ctx, monBrand, monIncident, start, start.AddDate(0, 0, 14))
	if err != nil || fmt.Sprint(ids(with)) != fmt.Sprint([]string{later, apology}) {
		t.Fatalf("the window's sends %v %v, want the later campaign and the apology", ids(with), err)
	}
	without, err := st.BrandSends(ctx, monBrand, "", start, start.AddDate(0, 0, 14))
	if err != nil || fmt.Sprint(ids(without)) != fmt.Sprint([]string{later}) {
		t.Fatalf("no incident: %v %v, want only the later campaign", ids(without), err)
	}
	got, err := st.WindowSends(ctx, []monitoring.Window{{IncidentID: monIncident, BrandID: monBrand, Start: start,
		End: start.AddDate(0, 0, 14)}})
	if err != nil || fmt.Sprint(ids(got[monIncident])) != fmt.Sprint(ids(with)) {
		t.Fatalf("the tick's read %v %v, want %v", ids(got[monIncident]), err, ids(with))
	}
	// Events of the apology after the window's start count in the series.
	must := func(q string, args ...any) {
		t.Helper()
		if _, err := st.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must(`INSERT INTO events (sg_event_id, natural_key, event, email, occurred_at, communication_id, raw)
		VALUES ('late-spam', 'late-spam', 'spamreport', 'x@y.io', $1, $2, '{}')`, start.Add(time.Minute), apology)
	pts, err := st.MonitoringSeries(ctx, monBrand, monIncident, start, start.Add(3*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	complained := 0
	for _, p := range pts {
		complained += p.Complained
	}
	if complained != 2 { // the later campaign's and the apology's late one
		t.Errorf("complaints in the series %d, want 2: %+v", complained, pts)
	}
}

func TestMonitoringAlertsOncePerSendAndMetric(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	later, apology := seedMonitoring(t, st.SQL())
	a := func(kind monitoring.SendKind, id string, m monitoring.Metric) monitoring.Alert {
		return monitoring.Alert{At: monT0.Add(3 * time.Hour), Metric: m, Value: 0.01, Baseline: 0.001, Threshold: 0.002,
			SendKind: kind, SendID: id, SendName: "n", Delivered: 400}
	}
	first := []monitoring.Alert{a(monitoring.KindCampaign, later, monitoring.ComplaintRate),
		a(monitoring.KindCommunication, apology, monitoring.BounceRate)}
	got, err := st.InsertMonitoringAlerts(ctx, monIncident, first)
	if err != nil || len(got) != 2 {
		t.Fatalf("first insert: %+v %v", got, err)
	}
	second := append(first, a(monitoring.KindCampaign, later, monitoring.UnsubscribeRate))
	got, err = st.InsertMonitoringAlerts(ctx, monIncident, second)
	if err != nil || len(got) != 1 || got[0].Metric != monitoring.UnsubscribeRate || got[0].SendID != later {
		t.Fatalf("second insert returns only the new one: %+v %v", got, err)
	}
	all, err := st.ListMonitoringAlerts(ctx, monIncident)
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %+v %v", all, err)
	}
	if all[0].Delivered != 400 || all[0].Threshold != 0.002 || all[0].SendName != "n" {
		t.Errorf("round trip: %+v", all[0])
	}
	if all[0].Handled {
		t.Error("a new alert is not handled")
	}
	if err := st.MarkAlertsHandled(ctx, monIncident, monT0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if all, _ := st.ListMonitoringAlerts(ctx, monIncident); len(all) != 3 || !all[0].Handled || !all[2].Handled {
		t.Errorf("after mark: %+v", all)
	}
}

func TestMonitoringResolvedWithoutWindow(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	seedMonitoring(t, st.SQL())
	ids, err := st.ResolvedWithoutWindow(ctx, monT0.Add(-time.Hour))
	if err != nil || len(ids) != 1 || ids[0] != monIncident {
		t.Fatalf("without window: %v %v", ids, err)
	}
	if ids, _ := st.ResolvedWithoutWindow(ctx, monT0.Add(time.Hour)); len(ids) != 0 {
		t.Errorf("resolved before since: %v", ids)
	}
	if _, _, err := st.StartWatchWindow(ctx, monitoring.NewWindow(monIncident, monBrand, monCampaign, monT0, time.Hour, monitoring.Baseline{})); err != nil {
		t.Fatal(err)
	}
	if ids, _ := st.ResolvedWithoutWindow(ctx, monT0.Add(-time.Hour)); len(ids) != 0 {
		t.Errorf("with a window: %v", ids)
	}
}

// monWindows stores, beside seedMonitoring's, two more incidents (on the
// later campaign of the same brand and on the other brand's campaign) and
// returns four windows: the incident's own over its 14 days, a short one of
// the same brand that holds only the apology, the other brand's, and one
// with no send in it.
func monWindows(t *testing.T, st *postgres.Store, later string) []monitoring.Window {
	t.Helper()
	ctx := context.Background()
	db := st.SQL()
	var other string
	if err := db.QueryRowContext(ctx, `SELECT id::text FROM campaigns WHERE brand_id = $1`, monOther).Scan(&other); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{later: "00000000-0000-0000-0000-0000000007e2", other: "00000000-0000-0000-0000-0000000007e3"}
	for cid, iid := range ids {
		if _, err := db.ExecContext(ctx, `INSERT INTO incidents (id, campaign_id, runbook, severity, source, detected_at, steps)
			VALUES ($1, $2, 'triage', 'sev3', 'api', $3, '[]')`, iid, cid, monT0); err != nil {
			t.Fatal(err)
		}
	}
	day := 24 * time.Hour
	return []monitoring.Window{
		monitoring.NewWindow(monIncident, monBrand, monCampaign, monT0, 14*day, monitoring.Baseline{}),
		monitoring.NewWindow(ids[later], monBrand, later, monT0.Add(30*time.Minute), 90*time.Minute, monitoring.Baseline{}),
		monitoring.NewWindow(ids[other], monOther, other, monT0, day, monitoring.Baseline{}),
		monitoring.NewWindow("00000000-0000-0000-0000-0000000007e4", monOther, other, monT0.Add(2*day), day, monitoring.Baseline{}),
	}
}

// The tick reads every window's sends and alerts in one statement each:
// they must be exactly what BrandSends and ListMonitoringAlerts give window
// by window (the reads the tick made before).
func TestMonitoringWindowReadsMatchThePerWindowReads(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	later, apology := seedMonitoring(t, st.SQL())
	ws := monWindows(t, st, later)

	got, err := st.WindowSends(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	wantLens := []int{3, 1, 1, 0} // own+later+apology; the apology; the other brand's; none
	for i, w := range ws {
		want, err := st.BrandSends(ctx, w.BrandID, w.IncidentID, w.Start, w.End)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != wantLens[i] {
			t.Fatalf("window %d: BrandSends gave %d sends, the seed has %d", i, len(want), wantLens[i])
		}
		if len(got[w.IncidentID]) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got[w.IncidentID], want)) {
			t.Errorf("window %d (%s): WindowSends\n  %+v\nBrandSends\n  %+v", i, w.IncidentID, got[w.IncidentID], want)
		}
	}
	if s := got[ws[1].IncidentID]; len(s) == 1 && s[0].ID != apology {
		t.Errorf("the short window holds the apology alone: %+v", s)
	}
	if len(got) != 3 {
		t.Errorf("windows with sends: %d, want 3 (a window without sends has no entry)", len(got))
	}

	alert := func(id string, m monitoring.Metric, at time.Duration) monitoring.Alert {
		return monitoring.Alert{At: monT0.Add(at), Metric: m, Value: 0.01, Baseline: 0.001, Threshold: 0.002,
			SendKind: monitoring.KindCampaign, SendID: id, SendName: "n", Delivered: 400}
	}
	if _, err := st.InsertMonitoringAlerts(ctx, monIncident, []monitoring.Alert{alert(later, monitoring.ComplaintRate, 3*time.Hour),
		alert(later, monitoring.BounceRate, 2*time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkAlertsHandled(ctx, monIncident, monT0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InsertMonitoringAlerts(ctx, monIncident, []monitoring.Alert{alert(later, monitoring.UnsubscribeRate, time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InsertMonitoringAlerts(ctx, ws[2].IncidentID, []monitoring.Alert{alert(later, monitoring.ComplaintRate, time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ids := []string{ws[0].IncidentID, ws[1].IncidentID, ws[2].IncidentID}
	alerts, err := st.WindowAlerts(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		want, err := st.ListMonitoringAlerts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts[id]) != len(want) || (len(want) > 0 && !reflect.DeepEqual(alerts[id], want)) {
			t.Errorf("incident %d: WindowAlerts\n  %+v\nListMonitoringAlerts\n  %+v", i, alerts[id], want)
		}
	}
	if a := alerts[monIncident]; len(a) != 3 || !a[1].Handled || a[0].Handled || a[0].Metric != monitoring.UnsubscribeRate {
		t.Errorf("the incident's alerts, oldest first, two handled: %+v", a)
	}
	if len(alerts[ws[2].IncidentID]) != 1 || len(alerts[ws[1].IncidentID]) != 0 {
		t.Errorf("alerts of the other incidents: %+v", alerts)
	}
}

// A steady tick (nothing to store or act on) costs the same statements
// whatever the number of windows: no read per window.
func TestMonitoringTickStatementsDoNotGrowWithWindows(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	later, _ := seedMonitoring(t, st.SQL())
	ws := monWindows(t, st, later)
	// (resolved long ago, so the tick does not look for its missing window)
	if _, err := st.SQL().ExecContext(ctx, `INSERT INTO incidents (id, campaign_id, runbook, severity, source, detected_at, steps,
		status, resolved_at) VALUES ($1, $2, 'triage', 'sev3', 'api', $3, '[]', 'resolved', $3)`, ws[3].IncidentID, ws[3].CampaignID, monT0); err != nil {
		t.Fatal(err)
	}
	// windows that start tomorrow: no send in them yet, none ends
	now := time.Now()
	for i := range ws {
		ws[i].Start, ws[i].End = now.Add(24*time.Hour), now.Add(15*24*time.Hour)
	}
	svc := monitoring.NewService(monitoring.Deps{Store: st, Now: func() time.Time { return now }})
	rec := postgres.RecordStatements(st)
	count := func() int {
		rec.Reset()
		if err := svc.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		return len(rec.All())
	}
	counts := map[int]int{}
	for i, w := range ws {
		if _, started, err := st.StartWatchWindow(ctx, w); err != nil || !started {
			t.Fatalf("start %d: %v %v", i, started, err)
		}
		counts[i+1] = count()
	}
	if counts[1] != counts[4] || counts[1] > 4 {
		t.Errorf("statements of a tick: %d at 1 window, %d at 4 (want the same, at most 4)", counts[1], counts[4])
	}
}
