package incident_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

func TestNew(t *testing.T) {
	spike := &incident.Trigger{Rule: "complaint-spike", Metric: "complaint_rate", Value: 0.004, Threshold: 0.003,
		Window: "4 of 1000 delivered"}
	tests := []struct {
		name      string
		in        incident.NewIncident
		rb        runbook.Runbook
		badFields []string // the FieldError's fields; nil: no error
		severity  string
		summary   string
	}{
		{name: "dashboard, runbook severity", in: incident.NewIncident{CampaignID: "c1", Summary: " wrong price ",
			Source: incident.SourceDashboard}, rb: triage(), severity: "sev3", summary: "wrong price"},
		{name: "api, own severity", in: incident.NewIncident{CampaignID: "c1", Summary: "x", Severity: "sev1",
			Source: incident.SourceAPI}, rb: triage(), severity: "sev1", summary: "x"},
		{name: "webhook without summary takes the trigger's", in: incident.NewIncident{CampaignID: "c1",
			Source: incident.SourceWebhook, Trigger: spike}, rb: triage(), severity: "sev3",
			summary: "complaint-spike: complaint_rate 0.40% ≥ 0.30% (4 of 1000 delivered)"},
		{name: "webhook without summary or trigger", in: incident.NewIncident{CampaignID: "c1",
			Source: incident.SourceWebhook}, rb: triage(), severity: "sev3", summary: ""},
		{name: "webhook keeps its summary", in: incident.NewIncident{CampaignID: "c1", Summary: "spam reports",
			Source: incident.SourceWebhook, Trigger: spike}, rb: triage(), severity: "sev3", summary: "spam reports"},
		{name: "no campaign", in: incident.NewIncident{Summary: "x", Source: incident.SourceAPI}, rb: triage(),
			badFields: []string{"campaign_id"}},
		{name: "blank summary", in: incident.NewIncident{CampaignID: "c1", Summary: "  ", Source: incident.SourceDashboard},
			rb: triage(), badFields: []string{"summary"}},
		{name: "unknown severity", in: incident.NewIncident{CampaignID: "c1", Summary: "x", Severity: "sev0",
			Source: incident.SourceAPI}, rb: triage(), badFields: []string{"severity"}},
		{name: "runbook without default severity", in: incident.NewIncident{CampaignID: "c1", Summary: "x",
			Source: incident.SourceAPI}, rb: runbook.Runbook{ID: "triage"}, badFields: []string{"severity"}},
		{name: "unknown source", in: incident.NewIncident{CampaignID: "c1", Summary: "x", Source: "email"},
			rb: triage(), badFields: []string{"source"}},
		{name: "no runbook", in: incident.NewIncident{CampaignID: "c1", Summary: "x", Source: incident.SourceAPI},
			rb: runbook.Runbook{Severity: "sev2"}, badFields: []string{"runbook"}},
		{name: "everything wrong", in: incident.NewIncident{Source: "x", Severity: "high"}, rb: runbook.Runbook{},
			badFields: []string{"campaign_id", "runbook", "severity", "source", "summary"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inc, err := incident.New(tc.in, tc.rb, t0)
			if tc.badFields != nil {
				var fe *errs.FieldError
				if !errors.As(err, &fe) || !errors.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want a FieldError", err)
				}
				if len(fe.Fields) != len(tc.badFields) {
					t.Errorf("fields = %v, want %v", fe.Fields, tc.badFields)
				}
				for _, f := range tc.badFields {
					if fe.Fields[f] == "" {
						t.Errorf("field %s not reported in %v", f, fe.Fields)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if inc.Severity != tc.severity || inc.Summary != tc.summary || inc.Status != incident.Open ||
				inc.Runbook != tc.rb.ID || inc.CampaignID != "c1" || inc.Source != tc.in.Source || !inc.DetectedAt.Equal(t0) {
				t.Errorf("New = %+v", inc)
			}
			if got := render(inc); got != "APPPPP" {
				t.Errorf("steps = %s, want APPPPP", got)
			}
			if inc.CurrentStep() != incident.StepOwn || inc.Steps[0].StartedAt == nil || !inc.Steps[0].StartedAt.Equal(t0) {
				t.Errorf("own must be active since detection: %+v", inc.Steps[0])
			}
			for i, s := range inc.Steps {
				if s.Name != runbook.Steps[i] {
					t.Errorf("step %d = %s, want %s", i, s.Name, runbook.Steps[i])
				}
			}
			if inc.OwnerID != "" || inc.AcknowledgedAt != nil || inc.PausedAt != nil || inc.ResolvedAt != nil ||
				inc.EscalationCount != 0 || inc.LastEscalatedAt != nil || len(inc.RunbookHistory) != 0 {
				t.Errorf("a new incident has no owner, pause, resolution, escalation or history: %+v", inc)
			}
			if tc.in.Trigger != nil && (inc.Trigger == tc.in.Trigger || *inc.Trigger != *tc.in.Trigger) {
				t.Errorf("trigger must be copied: %+v", inc.Trigger)
			}
			ch := incident.Opened(inc)
			if ch.Action != incident.ActionOpen || ch.Data["runbook"] != tc.rb.ID || ch.Data["severity"] != tc.severity {
				t.Errorf("Opened = %+v", ch)
			}
		})
	}
}

func TestStepLookup(t *testing.T) {
	inc := build(t, "DDAPPP")
	if s, ok := inc.Step(incident.StepStop); !ok || s.Status != incident.Done {
		t.Errorf("Step(stop) = %+v, %v", s, ok)
	}
	if _, ok := inc.Step("dance"); ok {
		t.Error("Step(dance) found")
	}
	if got := build(t, "DDDDSD").CurrentStep(); got != "" {
		t.Errorf("CurrentStep of a finished incident = %q, want empty", got)
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		err  *errs.E
		kind error
	}{
		{incident.ErrNotFound, errs.NotFound},
		{incident.ErrAlreadyOpen, errs.Conflict},
		{incident.ErrResolved, errs.Conflict},
		{incident.ErrNotOwner, errs.Forbidden},
		{incident.ErrNotAcknowledged, errs.Conflict},
		{incident.ErrAlreadyAcknowledged, errs.Conflict},
		{incident.ErrInvalidStep, errs.Invalid},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.kind) {
			t.Errorf("%s is not %v", tc.err.Code, tc.kind)
		}
		if tc.err.Message == "" || strings.ToLower(tc.err.Code) != tc.err.Code {
			t.Errorf("%+v: want a snake_case code and a message", tc.err)
		}
	}
}
