package incident

import (
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/figures"
)

// Step 6's audit actions.
const (
	// ActionReopen: a send in the watch window crossed a threshold and the
	// resolved incident is open again, at step monitor.
	ActionReopen = "incident.reopened"
	// ActionMonitoringAlert: a further alert on an incident already open
	// (reopened by an earlier one, or the campaign's other open incident).
	ActionMonitoringAlert = "incident.monitoring_alert"
	// ActionWatchStart: resolving started the watch window.
	ActionWatchStart = "incident.watch_started"
)

// MonitoringAlert is a step-6 crossing as the timeline records it.
type MonitoringAlert struct {
	At        time.Time `json:"at"`
	Metric    string    `json:"metric"` // complaint_rate, bounce_rate, unsubscribe_rate
	Value     float64   `json:"value"`
	Baseline  float64   `json:"baseline"`
	Threshold float64   `json:"threshold"`
	SendKind  string    `json:"send_kind"` // campaign or communication
	SendID    string    `json:"send_id"`
	SendName  string    `json:"send_name"`
	Delivered int       `json:"delivered"`
	// WindowOf is the incident whose watch window raised it, when the alert is
	// recorded on another (the campaign's open incident).
	WindowOf string `json:"window_of,omitempty"`
}

// Describe is the alert in words, for the pause reason and the notification.
func (a MonitoringAlert) Describe() string {
	return fmt.Sprintf("%s %s of %s: %s%% ≥ %s%% (baseline %s%%, %d delivered)", a.SendKind, a.SendName,
		a.Metric, figures.PercentNumber(a.Value), figures.PercentNumber(a.Threshold), figures.PercentNumber(a.Baseline),
		a.Delivered)
}

// ReopenForAlert reopens a resolved incident for a step-6 alert: status open,
// ResolvedAt cleared, step monitor active (a step left active at resolve goes
// back to pending, so one step stays active); the Change
// (incident.reopened) carries the alert. On an incident already open it
// changes nothing but records the alert (incident.monitoring_alert), so a
// burst of alerts reopens it once and each is on the timeline.
func (inc Incident) ReopenForAlert(a MonitoringAlert, now time.Time) (Incident, Change, error) {
	if inc.Status != Resolved {
		return inc, Change{Action: ActionMonitoringAlert, Data: map[string]any{"alert": a}}, nil
	}
	out := inc.clone()
	out.Status, out.ResolvedAt = Open, nil
	for i := range out.Steps {
		if out.Steps[i].Status == Active {
			out.Steps[i].Status = Pending
		}
	}
	if i := out.stepIndex(StepMonitor); i >= 0 {
		s := &out.Steps[i]
		s.Status, s.CompletedAt, s.CompletedBy = Active, nil, ""
		if s.StartedAt == nil {
			s.StartedAt = ptr(now)
		}
	}
	data := map[string]any{"alert": a}
	if inc.ResolvedAt != nil {
		data["resolved_at"] = *inc.ResolvedAt
	}
	return out, Change{Action: ActionReopen, Data: data}, nil
}

// CloseWatch completes step monitor when the watch window closed with no
// alert: the one change a resolved incident still takes. An incident whose
// monitor step is already finished changes nothing.
func (inc Incident) CloseWatch(end time.Time, now time.Time) (Incident, Change, error) {
	i := inc.stepIndex(StepMonitor)
	if i < 0 || finished(inc.Steps[i].Status) {
		return inc, Change{}, nil
	}
	out := inc.clone()
	out.finish(i, Done, "", now)
	return out, Change{Action: ActionStepComplete, Data: map[string]any{"step": StepMonitor,
		"reason": "watch window closed with no alert", "window_end": end}}, nil
}
