package incident_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

func TestNewPeriod(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name      string
		from, to  string
		want      incident.Period
		badFields map[string]string // field -> part of the problem; nil: valid
	}{
		{name: "neither: the 30 days before now",
			want: incident.Period{From: now.Add(-30 * day), To: now}},
		{name: "to only: the 30 days before it",
			to:   "2026-06-01T00:00:00Z",
			want: incident.Period{From: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "from only: up to now",
			from: "2026-11-01T00:00:00Z",
			want: incident.Period{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: now}},
		{name: "an offset is converted to UTC",
			from: "2026-01-01T02:00:00+02:00", to: "2026-01-02T00:00:00.5Z",
			want: incident.Period{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 2, 0, 0, 0, 5e8, time.UTC)}},
		{name: "exactly 366 days is allowed",
			from: "2025-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z",
			want: incident.Period{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}},
		{name: "366 days and a second is too long",
			from: "2025-01-01T00:00:00Z", to: "2026-01-02T00:00:01Z", badFields: map[string]string{"from": "over 366 days"}},
		{name: "from equal to to",
			from: "2026-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", badFields: map[string]string{"from": "before to"}},
		{name: "from after to",
			from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z", badFields: map[string]string{"from": "before to"}},
		{name: "from after the default to (now)",
			from: "2026-12-01T00:00:00Z", badFields: map[string]string{"from": "before to"}},
		{name: "a date without a time",
			from: "2026-01-01", badFields: map[string]string{"from": "RFC 3339"}},
		{name: "both unparsable: both named",
			from: "yesterday", to: "1700000000", badFields: map[string]string{"from": "RFC 3339", "to": "RFC 3339"}},
		{name: "a + decoded to a space: the hint says how to send it",
			to: "2026-01-01T00:00:00 02:00", badFields: map[string]string{"to": "%2B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := incident.NewPeriod(tt.from, tt.to, now)
			if tt.badFields == nil {
				if err != nil || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
					t.Fatalf("NewPeriod = %v, %v; want %v", got, err, tt.want)
				}
				if got.From.Location() != time.UTC || got.To.Location() != time.UTC {
					t.Errorf("period %v is not in UTC", got)
				}
				return
			}
			var fe *errs.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, errs.Invalid) {
				t.Fatalf("NewPeriod = %v, %v; want a field error", got, err)
			}
			if len(fe.Fields) != len(tt.badFields) {
				t.Errorf("fields %v, want %v", fe.Fields, tt.badFields)
			}
			for f, part := range tt.badFields {
				if !strings.Contains(fe.Fields[f], part) {
					t.Errorf("field %s: %q, want it to say %q", f, fe.Fields[f], part)
				}
			}
		})
	}
}

// The service asks the store for the period of the request at its clock's
// now, and a bad period reaches no store.
func TestServiceResponseMetricsPeriod(t *testing.T) {
	e := newSvcEnv(runbookSet())
	m, err := e.svc.ResponseMetrics(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := incident.Period{From: t0.Add(-incident.DefaultMetricsPeriod), To: t0}
	if !slices.Equal(e.repo.metricsAsked, []incident.Period{want}) || m.Period != want || m.Groups == nil {
		t.Errorf("asked %v, answered period %v groups %v; want %v and an empty list", e.repo.metricsAsked, m.Period, m.Groups, want)
	}
	if _, err := e.svc.ResponseMetrics(context.Background(), "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"); !errors.Is(err, errs.Invalid) {
		t.Errorf("from after to: %v, want invalid", err)
	}
	if len(e.repo.metricsAsked) != 1 {
		t.Errorf("the store was asked %d times, want once", len(e.repo.metricsAsked))
	}
}

// /metrics gets each response time once, labelled with the incident's
// runbook and severity, with the duration the incident answer shows, and
// only for a change that happened.
func TestObserverLabelsAndDurations(t *testing.T) {
	ctx := context.Background()
	ana := audit.Actor{UserID: alice, Name: "alice@example.com"}
	bobActor := audit.Actor{UserID: bob, Name: "bob@example.com"}
	e := newSvcEnv(runbookSet(), campaignView(campaign.Sending, quiet))
	inc, _, err := e.svc.Declare(ctx, ana, incident.Declaration{CampaignID: "c1", Runbook: runbook.Triage,
		Summary: "wrong price", Severity: "sev2", Source: incident.SourceDashboard})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if _, err := e.svc.Acknowledge(ctx, ana, inc.ID, ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.Acknowledge(ctx, ana, inc.ID, ""); err != nil { // again: nothing changes
		t.Fatal(err)
	}
	e.clock.Advance(90 * time.Second)
	if _, _, err := e.svc.Pause(ctx, ana, inc.ID, "stop"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.Resolve(ctx, bobActor, []auth.Role{auth.Marketer}, inc.ID, "done", ""); !errors.Is(err, incident.ErrNotOwner) {
		t.Fatalf("resolve by bob: %v, want not owner", err)
	}
	e.clock.Advance(time.Hour)
	got, err := e.svc.Resolve(ctx, ana, []auth.Role{auth.Marketer}, inc.ID, "done", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []observation{
		{What: "ack", Runbook: runbook.Triage, Severity: "sev2", D: 2 * time.Minute},
		{What: "pause", Runbook: runbook.Triage, Severity: "sev2", D: 4*time.Minute + 30*time.Second},
		{What: "resolve", Runbook: runbook.Triage, Severity: "sev2", D: 2*time.Hour + 4*time.Minute + 30*time.Second},
	}
	if obs := e.observe.observations(); !slices.Equal(obs, want) {
		t.Errorf("observed %+v\nwant %+v", obs, want)
	}
	if d := got.ResolvedAt.Sub(got.DetectedAt); d != want[2].D {
		t.Errorf("the incident says %v to resolve, /metrics %v", d, want[2].D)
	}
}
