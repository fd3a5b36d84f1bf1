package incident_test

import (
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/incident"
)

func resolved(t *testing.T, state string) incident.Incident {
	t.Helper()
	inc := build(t, state)
	out, _, err := inc.Resolve(as(alice), "enough", "", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func letters(inc incident.Incident) string {
	s := ""
	for _, st := range inc.Steps {
		for l, v := range statusLetters {
			if v == st.Status {
				s += string(l)
			}
		}
	}
	return s
}

func TestReopenForAlert(t *testing.T) {
	alert := incident.MonitoringAlert{Metric: "complaint_rate", Value: 0.004, Threshold: 0.001, SendKind: "campaign", SendID: "c2", Delivered: 500}
	tests := []struct {
		name, state, want string
	}{
		{"every step done: monitor active", "DDDDDA", "DDDDDA"},
		{"monitor pending: active now", "DDDDDP", "DDDDDA"},
		{"a step left active at resolve goes back to pending", "DDAPPP", "DDPPPA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := resolved(t, tt.state)
			now := t0.Add(48 * time.Hour)
			out, ch, err := inc.ReopenForAlert(alert, now)
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != incident.Open || out.ResolvedAt != nil || out.CurrentStep() != incident.StepMonitor {
				t.Errorf("status %s resolved %v current %q", out.Status, out.ResolvedAt, out.CurrentStep())
			}
			if got := letters(out); got != tt.want {
				t.Errorf("steps %s, want %s", got, tt.want)
			}
			if ch.Action != incident.ActionReopen || ch.Data["alert"] != alert {
				t.Errorf("change %+v", ch)
			}
			if inc.Status != incident.Resolved {
				t.Error("the receiver changed")
			}
			// a second alert on the reopened incident only records itself
			again, ch2, err := out.ReopenForAlert(alert, now.Add(time.Minute))
			if err != nil || ch2.Action != incident.ActionMonitoringAlert || letters(again) != tt.want || again.Status != incident.Open {
				t.Errorf("second alert: %+v %v", ch2, err)
			}
		})
	}
}

func TestCloseWatch(t *testing.T) {
	inc := resolved(t, "DDDDDA")
	end := t0.Add(8 * 24 * time.Hour)
	out, ch, err := inc.CloseWatch(end, end.Add(time.Minute))
	if err != nil || ch.Action != incident.ActionStepComplete || ch.Data["step"] != incident.StepMonitor {
		t.Fatalf("close: %+v %v", ch, err)
	}
	if s, _ := out.Step(incident.StepMonitor); s.Status != incident.Done || s.CompletedAt == nil || out.Status != incident.Resolved {
		t.Errorf("monitor %+v status %s", s, out.Status)
	}
	if _, ch, _ := out.CloseWatch(end, end.Add(time.Hour)); !ch.IsZero() {
		t.Errorf("a repeat changes nothing: %+v", ch)
	}
}
