package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/monitoring"
)

var _ monitoring.Store = (*Store)(nil)

// windowRow is a watch_windows row with its incident's campaign.
type windowRow struct {
	IncidentID string
	BrandID    string
	CampaignID string
	StartedAt  time.Time
	EndsAt     time.Time
	Status     string
	ClosedAt   *time.Time
	Baseline   []byte
}

// baselineJSON is the snapshot stored in watch_windows.baseline.
type baselineJSON struct {
	Sends           int               `json:"sends"`
	Delivered       int               `json:"delivered"`
	BounceRate      float64           `json:"bounce_rate"`
	ComplaintRate   float64           `json:"complaint_rate"`
	UnsubscribeRate float64           `json:"unsubscribe_rate"`
	OpenRate        float64           `json:"open_rate"`
	MachineOpenRate float64           `json:"machine_open_rate"`
	BlockRate       float64           `json:"block_rate"`
	From            time.Time         `json:"from"`
	To              time.Time         `json:"to"`
	EnoughHistory   bool              `json:"enough_history"`
	Note            string            `json:"note"`
	Spread          monitoring.Spread `json:"spread"`
}

func toBaselineJSON(b monitoring.Baseline) baselineJSON {
	r := b.Rates
	return baselineJSON{Sends: r.Sends, Delivered: r.Delivered, BounceRate: r.BounceRate, ComplaintRate: r.ComplaintRate,
		UnsubscribeRate: r.UnsubscribeRate, OpenRate: r.OpenRate, MachineOpenRate: r.MachineOpenRate, BlockRate: r.BlockRate,
		From: b.From, To: b.To, EnoughHistory: b.EnoughHistory, Note: b.Note, Spread: b.Spread}
}

func toWindow(r windowRow) (monitoring.Window, error) {
	var b baselineJSON
	if err := json.Unmarshal(r.Baseline, &b); err != nil {
		return monitoring.Window{}, fmt.Errorf("baseline of window %s: %w", r.IncidentID, err)
	}
	return monitoring.Window{IncidentID: r.IncidentID, BrandID: r.BrandID, CampaignID: r.CampaignID,
		Start: r.StartedAt, End: r.EndsAt, Status: r.Status, ClosedAt: r.ClosedAt,
		Baseline: monitoring.Baseline{Rates: monitoring.Rates{Sends: b.Sends, Delivered: b.Delivered,
			BounceRate: b.BounceRate, ComplaintRate: b.ComplaintRate, UnsubscribeRate: b.UnsubscribeRate,
			OpenRate: b.OpenRate, MachineOpenRate: b.MachineOpenRate, BlockRate: b.BlockRate},
			From: b.From, To: b.To, EnoughHistory: b.EnoughHistory, Note: b.Note, Spread: b.Spread}}, nil
}

const windowSelect = `SELECT w.incident_id::text, w.brand_id::text, i.campaign_id::text, w.started_at, w.ends_at,
	w.status, w.closed_at, w.baseline FROM watch_windows w JOIN incidents i ON i.id = w.incident_id`

// StartWatchWindow implements monitoring.Store. A watching or clear window
// stays as it is (a repeated resolve or a retried start keeps the window it
// began with); a window in alert — the incident was reopened by it and is
// now resolved again — starts over from w's start to w's end, watching, with
// its first baseline and its alerts kept (so a send already alerted on never
// alerts again). started tells whether this call started or restarted it.
func (s *Store) StartWatchWindow(ctx context.Context, w monitoring.Window) (monitoring.Window, bool, error) {
	b, err := json.Marshal(toBaselineJSON(w.Baseline))
	if err != nil {
		return monitoring.Window{}, false, err
	}
	res := s.db.WithContext(ctx).Exec(`INSERT INTO watch_windows AS o (incident_id, brand_id, started_at, ends_at, status, baseline)
		VALUES (CAST(? AS uuid), CAST(? AS uuid), ?, ?, 'watching', ?)
		ON CONFLICT (incident_id) DO UPDATE SET started_at = EXCLUDED.started_at, ends_at = EXCLUDED.ends_at,
			status = 'watching', closed_at = NULL
		WHERE o.status = 'alert' AND EXCLUDED.started_at > o.started_at`,
		w.IncidentID, w.BrandID, w.Start, w.End, b)
	if res.Error != nil {
		return monitoring.Window{}, false, fmt.Errorf("start watch window of %s: %w", w.IncidentID, translate(res.Error, nil, nil))
	}
	got, err := s.GetWatchWindow(ctx, w.IncidentID)
	return got, res.RowsAffected == 1, err
}

// GetWatchWindow implements monitoring.Store; none is monitoring.ErrNoWindow.
func (s *Store) GetWatchWindow(ctx context.Context, incidentID string) (monitoring.Window, error) {
	var rows []windowRow
	if err := s.db.WithContext(ctx).Raw(windowSelect+` WHERE w.incident_id = CAST(? AS uuid)`, incidentID).
		Scan(&rows).Error; err != nil {
		return monitoring.Window{}, fmt.Errorf("get watch window %s: %w", incidentID, translate(err, monitoring.ErrNoWindow, nil))
	}
	if len(rows) == 0 {
		return monitoring.Window{}, monitoring.ErrNoWindow
	}
	return toWindow(rows[0])
}

// ListWatchingWindows implements monitoring.Store: every window still
// watching, oldest end first.
func (s *Store) ListWatchingWindows(ctx context.Context) ([]monitoring.Window, error) {
	var rows []windowRow
	if err := s.db.WithContext(ctx).Raw(windowSelect + ` WHERE w.status = 'watching' ORDER BY w.ends_at, w.incident_id`).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list watching windows: %w", translate(err, nil, nil))
	}
	out := make([]monitoring.Window, 0, len(rows))
	for _, r := range rows {
		w, err := toWindow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// CloseWatchWindow implements monitoring.Store: a watching window moves to
// status (clear or alert) at at; a window already closed is left alone
// (false), so two ticks racing close it once.
func (s *Store) CloseWatchWindow(ctx context.Context, incidentID, status string, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE watch_windows SET status = ?, closed_at = ?
		WHERE incident_id = CAST(? AS uuid) AND status = 'watching'`, status, at, incidentID)
	if res.Error != nil {
		return false, fmt.Errorf("close watch window %s: %w", incidentID, translate(res.Error, nil, nil))
	}
	return res.RowsAffected == 1, nil
}

// BrandOfCampaign implements monitoring.Store.
func (s *Store) BrandOfCampaign(ctx context.Context, campaignID string) (string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Raw(`SELECT brand_id::text FROM campaigns WHERE id = CAST(? AS uuid)`, campaignID).
		Scan(&ids).Error; err != nil {
		return "", fmt.Errorf("brand of campaign %s: %w", campaignID, translate(err, campaign.ErrNotFound, nil))
	}
	if len(ids) == 0 {
		return "", campaign.ErrNotFound
	}
	return ids[0], nil
}

// sendRow is one campaign or communication with its counters (WindowID:
// the window it was read for, by WindowSends).
type sendRow struct {
	WindowID      string
	Kind          string
	ID            string
	Name          string
	Status        string
	StartedAt     *time.Time
	CampaignID    string
	Canary        string
	HandedToESP   int
	Delivered     int
	HardBounced   int
	Complained    int
	Unsubscribed  int
	Opened        int
	MachineOpened int
	Blocked       int
}

// brandSendsSQL: the brand's campaigns (brand_id) and communications (their
// incident's campaign's brand) that started sending in [from, to), with the
// counters the webhook ingest keeps on each row — one statement, no scan of
// events. Communications have no machine-open counter (0).
const brandSendsSQL = `
SELECT 'campaign' AS kind, c.id::text AS id, c.name, c.status, c.send_started_at AS started_at, '' AS campaign_id,
	CASE WHEN c.canary_percent = 0 OR c.canary_release_at IS NULL THEN 'none'
		WHEN c.canary_release_at > now() THEN 'waiting' ELSE 'released' END AS canary,
	c.handed_to_esp, c.delivered, c.hard_bounced, c.complained, c.unsubscribed, c.opened, c.machine_opened, c.blocked
FROM campaigns c
WHERE c.brand_id = CAST(@brand AS uuid) AND c.send_started_at >= @from AND c.send_started_at < @to
UNION ALL
SELECT 'communication', m.id::text, m.kind || ': ' || m.subject, m.status, m.sent_at, c.id::text, 'none',
	m.handed_to_esp, m.delivered, m.hard_bounced, m.complained, m.unsubscribed, m.opened, 0, m.blocked
FROM communications m JOIN incidents i ON i.id = m.incident_id JOIN campaigns c ON c.id = i.campaign_id
WHERE c.brand_id = CAST(@brand AS uuid) AND m.sent_at < @to
	AND (m.sent_at >= @from OR m.incident_id = CAST(NULLIF(@incident, '') AS uuid))
ORDER BY started_at DESC, id`

// BrandSends implements monitoring.Store: the brand's sends started in
// [from, to), newest first.
func (s *Store) BrandSends(ctx context.Context, brandID, incidentID string, from, to time.Time) ([]monitoring.Send, error) {
	var rows []sendRow
	if err := s.db.WithContext(ctx).Raw(brandSendsSQL, map[string]any{"brand": brandID, "incident": incidentID, "from": from, "to": to}).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("sends of brand %s: %w", brandID, translate(err, nil, nil))
	}
	out := make([]monitoring.Send, 0, len(rows))
	for _, r := range rows {
		out = append(out, toSend(r))
	}
	return out, nil
}

func toSend(r sendRow) monitoring.Send {
	return monitoring.Send{Kind: monitoring.SendKind(r.Kind), ID: r.ID, Name: r.Name, Status: r.Status,
		StartedAt: r.StartedAt, CampaignID: r.CampaignID, Canary: r.Canary, HandedToESP: r.HandedToESP,
		Delivered: r.Delivered, HardBounced: r.HardBounced, Complained: r.Complained, Unsubscribed: r.Unsubscribed,
		Opened: r.Opened, MachineOpened: r.MachineOpened, Blocked: r.Blocked}
}

// windowSendsSQL is brandSendsSQL for many windows in one statement: the
// windows (incident id, brand, [from, to)) come as a JSON array, and each
// row names the window it belongs to (a send of a brand with two windows
// comes once per window). The campaigns are read once for all windows.
const windowSendsSQL = `
WITH w AS (
	SELECT CAST(x.incident_id AS uuid) AS incident_id, CAST(x.brand_id AS uuid) AS brand_id, x.from_at, x.to_at
	FROM jsonb_to_recordset(CAST(@windows AS jsonb)) AS x(incident_id text, brand_id text, from_at timestamptz, to_at timestamptz)
)
SELECT w.incident_id::text AS window_id, 'campaign' AS kind, c.id::text AS id, c.name, c.status, c.send_started_at AS started_at,
	'' AS campaign_id,
	CASE WHEN c.canary_percent = 0 OR c.canary_release_at IS NULL THEN 'none'
		WHEN c.canary_release_at > now() THEN 'waiting' ELSE 'released' END AS canary,
	c.handed_to_esp, c.delivered, c.hard_bounced, c.complained, c.unsubscribed, c.opened, c.machine_opened, c.blocked
FROM w JOIN campaigns c ON c.brand_id = w.brand_id AND c.send_started_at >= w.from_at AND c.send_started_at < w.to_at
UNION ALL
SELECT w.incident_id::text, 'communication', m.id::text, m.kind || ': ' || m.subject, m.status, m.sent_at, c.id::text, 'none',
	m.handed_to_esp, m.delivered, m.hard_bounced, m.complained, m.unsubscribed, m.opened, 0, m.blocked
FROM w JOIN campaigns c ON c.brand_id = w.brand_id JOIN incidents i ON i.campaign_id = c.id
	JOIN communications m ON m.incident_id = i.id AND m.sent_at < w.to_at
		AND (m.sent_at >= w.from_at OR m.incident_id = w.incident_id)
ORDER BY window_id, started_at DESC, id`

// windowRef is one window of windowSendsSQL.
type windowRef struct {
	IncidentID string    `json:"incident_id"`
	BrandID    string    `json:"brand_id"`
	From       time.Time `json:"from_at"`
	To         time.Time `json:"to_at"`
}

// WindowSends implements monitoring.Store: BrandSends of every window (its
// brand's sends started in [Start, End)), by incident id, in one statement.
func (s *Store) WindowSends(ctx context.Context, windows []monitoring.Window) (map[string][]monitoring.Send, error) {
	out := make(map[string][]monitoring.Send, len(windows))
	if len(windows) == 0 {
		return out, nil
	}
	refs := make([]windowRef, len(windows))
	for i, w := range windows {
		refs[i] = windowRef{IncidentID: w.IncidentID, BrandID: w.BrandID, From: w.Start, To: w.End}
	}
	b, err := json.Marshal(refs)
	if err != nil {
		return nil, err
	}
	var rows []sendRow
	if err := s.db.WithContext(ctx).Raw(windowSendsSQL, map[string]any{"windows": string(b)}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("sends of %d watch windows: %w", len(windows), translate(err, nil, nil))
	}
	for _, r := range rows {
		out[r.WindowID] = append(out[r.WindowID], toSend(r))
	}
	return out, nil
}

// seriesSQL buckets the events of the brand's sends started in [from, to)
// that occurred in [from, to) by @bucket seconds from @from. It reads the
// events through their (campaign_id|communication_id, occurred_at) indexes.
const seriesSQL = `
WITH sends AS (
	SELECT c.id AS campaign_id, NULL::uuid AS communication_id FROM campaigns c
	WHERE c.brand_id = CAST(@brand AS uuid) AND c.send_started_at >= @from AND c.send_started_at < @to
	UNION ALL
	SELECT NULL, m.id FROM communications m JOIN incidents i ON i.id = m.incident_id JOIN campaigns c ON c.id = i.campaign_id
	WHERE c.brand_id = CAST(@brand AS uuid) AND m.sent_at < @to
		AND (m.sent_at >= @from OR m.incident_id = CAST(NULLIF(@incident, '') AS uuid))
), ev AS (
	SELECT e.* FROM sends s JOIN events e ON e.campaign_id = s.campaign_id
	WHERE s.campaign_id IS NOT NULL AND e.occurred_at >= @from AND e.occurred_at < @to
	UNION ALL
	SELECT e.* FROM sends s JOIN events e ON e.communication_id = s.communication_id
	WHERE s.communication_id IS NOT NULL AND e.occurred_at >= @from AND e.occurred_at < @to
)
SELECT CAST(@from AS timestamptz) + make_interval(secs => floor(extract(epoch FROM ev.occurred_at - @from) / @bucket) * @bucket) AS at,
	count(*) FILTER (WHERE event = 'delivered')::int AS delivered,
	count(*) FILTER (WHERE event = 'bounce' AND bounce_kind = 'hard')::int AS bounced,
	count(*) FILTER (WHERE event = 'spamreport')::int AS complained,
	count(*) FILTER (WHERE event IN ('unsubscribe', 'group_unsubscribe'))::int AS unsubscribed,
	count(*) FILTER (WHERE event = 'open' AND NOT machine_open)::int AS opened,
	count(*) FILTER (WHERE event = 'open' AND machine_open)::int AS machine_opened,
	count(*) FILTER (WHERE bounce_kind = 'block')::int AS blocked
FROM ev GROUP BY 1 ORDER BY 1`

// MonitoringSeries implements monitoring.Store: the events of the brand's
// sends started in [from, to) per bucket from from (buckets without events
// are left out; the caller fills them).
func (s *Store) MonitoringSeries(ctx context.Context, brandID, incidentID string, from, to time.Time, bucket time.Duration) ([]monitoring.Point, error) {
	var rows []monitoring.Point
	if err := s.db.WithContext(ctx).Raw(seriesSQL, map[string]any{"brand": brandID, "incident": incidentID, "from": from, "to": to,
		"bucket": bucket.Seconds()}).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("series of brand %s: %w", brandID, translate(err, nil, nil))
	}
	return rows, nil
}

// alertRow is a monitoring_alerts row.
type alertRow struct {
	At        time.Time `json:"at"`
	Metric    string    `json:"metric"`
	Value     float64   `json:"value"`
	Baseline  float64   `json:"baseline"`
	Threshold float64   `json:"threshold"`
	SendKind  string    `json:"send_kind"`
	SendID    string    `json:"send_id"`
	SendName  string    `json:"send_name"`
	Delivered int       `json:"delivered"`
	Handled   bool      `json:"-"`
	// IncidentID: the incident it was read for, by WindowAlerts.
	IncidentID string `json:"-"`
}

func toAlert(r alertRow) monitoring.Alert {
	return monitoring.Alert{At: r.At, Metric: monitoring.Metric(r.Metric), Value: r.Value, Baseline: r.Baseline,
		Threshold: r.Threshold, SendKind: monitoring.SendKind(r.SendKind), SendID: r.SendID, SendName: r.SendName,
		Delivered: r.Delivered, Handled: r.Handled}
}

// InsertMonitoringAlerts implements monitoring.Store: one statement; an
// alert already stored for the same incident, send and metric is skipped
// (ON CONFLICT DO NOTHING), and only the alerts this call stored come back —
// what the caller acts on, so a repeated tick acts on nothing twice.
func (s *Store) InsertMonitoringAlerts(ctx context.Context, incidentID string, alerts []monitoring.Alert) ([]monitoring.Alert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	in := make([]alertRow, len(alerts))
	for i, a := range alerts {
		in[i] = alertRow{At: a.At, Metric: string(a.Metric), Value: a.Value, Baseline: a.Baseline, Threshold: a.Threshold,
			SendKind: string(a.SendKind), SendID: a.SendID, SendName: a.SendName, Delivered: a.Delivered}
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var rows []alertRow
	if err := s.db.WithContext(ctx).Raw(`INSERT INTO monitoring_alerts AS m
			(incident_id, at, metric, value, baseline, threshold, send_kind, send_id, send_name, delivered)
		SELECT CAST(? AS uuid), x.at, x.metric, x.value, x.baseline, x.threshold, x.send_kind, CAST(x.send_id AS uuid), x.send_name, x.delivered
		FROM jsonb_to_recordset(CAST(? AS jsonb)) AS x(at timestamptz, metric text, value float8, baseline float8,
			threshold float8, send_kind text, send_id text, send_name text, delivered int)
		ON CONFLICT (incident_id, send_kind, send_id, metric) DO NOTHING
		RETURNING m.at, m.metric, m.value, m.baseline, m.threshold, m.send_kind, m.send_id::text, m.send_name, m.delivered`,
		incidentID, string(b)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("insert alerts of %s: %w", incidentID, translate(err, nil, nil))
	}
	out := make([]monitoring.Alert, len(rows))
	for i, r := range rows {
		out[i] = toAlert(r)
	}
	return out, nil
}

// ListMonitoringAlerts implements monitoring.Store: the incident's alerts, oldest first.
func (s *Store) ListMonitoringAlerts(ctx context.Context, incidentID string) ([]monitoring.Alert, error) {
	var rows []alertRow
	if err := s.db.WithContext(ctx).Raw(`SELECT at, metric, value, baseline, threshold, send_kind, send_id::text,
			send_name, delivered, handled_at IS NOT NULL AS handled FROM monitoring_alerts WHERE incident_id = CAST(? AS uuid) ORDER BY at, metric, send_id`,
		incidentID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list alerts of %s: %w", incidentID, translate(err, nil, nil))
	}
	out := make([]monitoring.Alert, len(rows))
	for i, r := range rows {
		out[i] = toAlert(r)
	}
	return out, nil
}

// WindowAlerts implements monitoring.Store: ListMonitoringAlerts of every
// incident, by incident id, in one statement.
func (s *Store) WindowAlerts(ctx context.Context, incidentIDs []string) (map[string][]monitoring.Alert, error) {
	out := make(map[string][]monitoring.Alert, len(incidentIDs))
	if len(incidentIDs) == 0 {
		return out, nil
	}
	var rows []alertRow
	if err := s.db.WithContext(ctx).Raw(`SELECT incident_id::text AS incident_id, at, metric, value, baseline, threshold,
			send_kind, send_id::text, send_name, delivered, handled_at IS NOT NULL AS handled
		FROM monitoring_alerts WHERE incident_id = ANY(CAST(? AS uuid[])) ORDER BY incident_id, at, metric, send_id`,
		textArray(incidentIDs)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("alerts of %d incidents: %w", len(incidentIDs), translate(err, nil, nil))
	}
	for _, r := range rows {
		out[r.IncidentID] = append(out[r.IncidentID], toAlert(r))
	}
	return out, nil
}

// MarkAlertsHandled implements monitoring.Store: the incident's alerts not
// handled yet are marked handled at at.
func (s *Store) MarkAlertsHandled(ctx context.Context, incidentID string, at time.Time) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE monitoring_alerts SET handled_at = ?
		WHERE incident_id = CAST(? AS uuid) AND handled_at IS NULL`, at, incidentID).Error
	if err != nil {
		return fmt.Errorf("mark alerts of %s handled: %w", incidentID, translate(err, nil, nil))
	}
	return nil
}

// ResolvedWithoutWindow implements monitoring.Store: incidents resolved
// since since that have no watch window (a start that failed after the
// resolve committed), oldest first.
func (s *Store) ResolvedWithoutWindow(ctx context.Context, since time.Time) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw(`SELECT i.id::text FROM incidents i
		WHERE i.status = 'resolved' AND i.resolved_at >= ?
			AND NOT EXISTS (SELECT 1 FROM watch_windows w WHERE w.incident_id = i.id)
		ORDER BY i.resolved_at, i.id`, since).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("resolved incidents without a window: %w", translate(err, nil, nil))
	}
	return ids, nil
}
