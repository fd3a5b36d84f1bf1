package monitoring

import (
	"context"
	"errors"
	"time"
)

// View is GET /incidents/{id}/monitoring: the window (nil before resolve),
// the baseline it judges by (computed live before resolve), the brand's
// sends in the window pooled (Current) and one by one, the thresholds, the
// series and the alerts.
type View struct {
	Status     string
	Window     *Window
	DaysLeft   float64
	Baseline   Baseline
	Current    Rates
	Thresholds []Threshold
	Series     []Point
	Alerts     []Alert
	Sends      []Send // newest first
}

// Monitoring is the incident's step 6 as of now.
func (s *Service) Monitoring(ctx context.Context, incidentID string) (View, error) {
	inc, err := s.d.Incidents.Get(ctx, incidentID)
	if err != nil {
		return View{}, err
	}
	now := s.d.Now()
	w, err := s.d.Store.GetWatchWindow(ctx, incidentID)
	if errors.Is(err, ErrNoWindow) {
		brand, err := s.d.Store.BrandOfCampaign(ctx, inc.CampaignID)
		if err != nil {
			return View{}, err
		}
		b, err := s.baseline(ctx, brand, inc)
		if err != nil {
			return View{}, err
		}
		return View{Status: NotStarted, Baseline: b, Thresholds: Thresholds(b), Series: []Point{}, Alerts: []Alert{},
			Sends: []Send{}}, nil
	}
	if err != nil {
		return View{}, err
	}
	sends, err := s.d.Store.BrandSends(ctx, w.BrandID, w.IncidentID, w.Start, w.End)
	if err != nil {
		return View{}, err
	}
	alerts, err := s.d.Store.ListMonitoringAlerts(ctx, incidentID)
	if err != nil {
		return View{}, err
	}
	to := now
	if w.ClosedAt != nil && w.ClosedAt.Before(to) {
		to = *w.ClosedAt
	}
	if w.End.Before(to) {
		to = w.End
	}
	series := []Point{}
	if to.After(w.Start) {
		bucket := Bucket(to.Sub(w.Start))
		pts, err := s.d.Store.MonitoringSeries(ctx, w.BrandID, w.IncidentID, w.Start, to, bucket)
		if err != nil {
			return View{}, err
		}
		series = fill(pts, w.Start, to, bucket)
	}
	if alerts == nil {
		alerts = []Alert{}
	}
	if sends == nil {
		sends = []Send{}
	}
	return View{Status: w.Status, Window: &w, DaysLeft: w.DaysLeft(now), Baseline: w.Baseline,
		Current: Aggregate(sends), Thresholds: Thresholds(w.Baseline), Series: series, Alerts: alerts, Sends: sends}, nil
}

// fill is one point per bucket from from up to to, zero where pts has none.
func fill(pts []Point, from, to time.Time, bucket time.Duration) []Point {
	by := make(map[int64]Point, len(pts))
	for _, p := range pts {
		by[p.At.Unix()] = p
	}
	var out []Point
	for at := from; at.Before(to); at = at.Add(bucket) {
		p, ok := by[at.Unix()]
		if !ok {
			p = Point{}
		}
		p.At = at
		out = append(out, p)
	}
	return out
}
