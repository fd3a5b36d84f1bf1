package monitoring

import "time"

// Window is the watch window of one resolved incident.
type Window struct {
	IncidentID string
	BrandID    string
	// CampaignID is the incident's campaign (its alerts reopen that incident).
	CampaignID string
	Start      time.Time
	End        time.Time
	Status     string // Watching, Clear or Alerted
	ClosedAt   *time.Time
	Baseline   Baseline // the snapshot taken at resolve
}

// NewWindow opens the window of an incident resolved at now: watching for
// the runbook's length, judged by the baseline as of now.
func NewWindow(incidentID, brandID, campaignID string, now time.Time, length time.Duration, b Baseline) Window {
	return Window{IncidentID: incidentID, BrandID: brandID, CampaignID: campaignID, Start: now, End: now.Add(length),
		Status: Watching, Baseline: b}
}

// DaysLeft is the time left in the window, in days (0 once it ended).
func (w Window) DaysLeft(now time.Time) float64 {
	if !now.Before(w.End) {
		return 0
	}
	return w.End.Sub(now).Hours() / 24
}

// Watches reports whether the send is one of the window's: started at or
// after the window's start and before its end.
func (w Window) Watches(s Send) bool {
	return s.StartedAt != nil && !s.StartedAt.Before(w.Start) && s.StartedAt.Before(w.End)
}

// Alert is one crossing: a send's rate of Metric at Value against Threshold
// (Baseline the brand's rate), with Delivered the send's delivered then.
type Alert struct {
	At        time.Time
	Metric    Metric
	Value     float64
	Baseline  float64
	Threshold float64
	SendKind  SendKind
	SendID    string
	SendName  string
	Delivered int
	// Handled: the tick paused the send, reopened the incident and notified
	// for it (stored alerts only).
	Handled bool
}

// Key identifies an alert: one per send and metric.
func (a Alert) Key() string { return string(a.SendKind) + "/" + a.SendID + "/" + string(a.Metric) }

// Outcome is what one evaluation decided.
type Outcome struct {
	// Alerts are the crossings not raised before, in send then metric order.
	Alerts []Alert
	// CloseClear: the window ended (now ≥ End) with no alert ever.
	CloseClear bool
}

// Evaluate judges the window's sends (those it Watches) at now against its
// thresholds. An alert already in raised (same send and metric) is never
// raised again. A window that is not watching decides nothing. When the
// window has ended, the sends are still judged first (their counters may
// have grown since the last tick); it closes clear only when nothing was
// raised since the window (re)started.
func Evaluate(w Window, sends []Send, raised []Alert, now time.Time) Outcome {
	if w.Status != Watching {
		return Outcome{}
	}
	seen := make(map[string]bool, len(raised))
	for _, a := range raised {
		seen[a.Key()] = true
	}
	var out Outcome
	ths := Thresholds(w.Baseline)
	for _, s := range sends {
		if !w.Watches(s) {
			continue
		}
		for _, t := range ths {
			if !t.Crossed(s) {
				continue
			}
			a := Alert{At: now, Metric: t.Metric, Value: s.Rate(t.Metric), Baseline: t.Baseline, Threshold: t.Value,
				SendKind: s.Kind, SendID: s.ID, SendName: s.Name, Delivered: s.Delivered}
			if seen[a.Key()] {
				continue
			}
			seen[a.Key()] = true
			out.Alerts = append(out.Alerts, a)
		}
	}
	// alerts raised before the window (re)started belong to an earlier watch
	earlier := 0
	for _, a := range raised {
		if a.At.Before(w.Start) {
			earlier++
		}
	}
	out.CloseClear = len(raised) == earlier && len(out.Alerts) == 0 && !now.Before(w.End)
	return out
}

// Point is one bucket of the series: events of the window's sends that
// occurred in [At, At + bucket).
type Point struct {
	At            time.Time
	Delivered     int
	Bounced       int // hard bounces
	Complained    int
	Unsubscribed  int
	Opened        int // human opens
	MachineOpened int
	Blocked       int
}

// SeriesHourlyFor is how long the series stays hourly; past it, daily.
const SeriesHourlyFor = 72 * time.Hour

// Bucket is the series' bucket for a window spanning span so far.
func Bucket(span time.Duration) time.Duration {
	if span > SeriesHourlyFor {
		return 24 * time.Hour
	}
	return time.Hour
}
