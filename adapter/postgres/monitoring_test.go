package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

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
	all, err := st.BrandSends(ctx, monBrand, monT0.AddDate(0, 0, -30), monT0.AddDate(0, 0, 1))
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
	win, err := st.BrandSends(ctx, monBrand, monT0.Add(time.Second), monT0.AddDate(0, 0, 14))
	if err != nil || len(win) != 2 {
		t.Fatalf("window sends %+v %v", win, err)
	}

	pts, err := st.MonitoringSeries(ctx, monBrand, monT0, monT0.Add(3*time.Hour), time.Hour)
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
	days, err := st.MonitoringSeries(ctx, monBrand, monT0, monT0.Add(5*24*time.Hour), 24*time.Hour)
	if err != nil || len(days) != 1 || days[0].Delivered != 3 {
		t.Errorf("daily: %+v %v", days, err)
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
