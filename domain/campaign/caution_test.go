package campaign_test

import (
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/runbook"
)

// rbSet is a runbook set of two watch canaries.
type rbSet map[string]runbook.Monitoring

func (s rbSet) Get(id string) (runbook.Runbook, bool) {
	m, ok := s[id]
	return runbook.Runbook{ID: id, Monitoring: m}, ok
}

func TestCautious(t *testing.T) {
	rbs := rbSet{
		"wrong-price": {CanaryPercent: 10, CanaryHold: time.Hour},
		"spike":       {CanaryPercent: 5, CanaryHold: 4 * time.Hour},
	}
	end := time.Date(2026, 12, 9, 15, 0, 0, 0, time.UTC)
	watch := campaign.Watch{IncidentID: "i1", IncidentSummary: "Wrong price", Runbook: "wrong-price", BrandName: "Acme", End: end}
	admin := audit.Actor{UserID: "u1", Name: "ada@acme.example"}
	tests := []struct {
		name         string
		own          campaign.Campaign
		open         []campaign.Watch
		override     *campaign.CautionOverride
		wantNil      bool
		wantPct      float64 // the canary it goes out with
		wantHold     int
		wantWatch    float64 // caution.canary_percent
		wantIncident string
		wantReason   string
	}{
		{name: "no window", wantNil: true},
		{name: "no canary of its own", open: []campaign.Watch{watch}, wantPct: 10, wantHold: 3600, wantWatch: 10, wantIncident: "i1",
			wantReason: "Watching Acme after incident “Wrong price” until 9 Dec: sent as a 10 % canary held 1 h."},
		{name: "a weaker canary of its own is raised", own: campaign.Campaign{CanaryPercent: 30, CanaryHoldSeconds: 600},
			open: []campaign.Watch{watch}, wantPct: 10, wantHold: 3600, wantWatch: 10, wantIncident: "i1",
			wantReason: "Watching Acme after incident “Wrong price” until 9 Dec: sent as a 10 % canary held 1 h."},
		{name: "a stronger canary of its own is kept", own: campaign.Campaign{CanaryPercent: 2.5, CanaryHoldSeconds: 5400},
			open: []campaign.Watch{watch}, wantPct: 2.5, wantHold: 5400, wantWatch: 10, wantIncident: "i1",
			wantReason: "Watching Acme after incident “Wrong price” until 9 Dec: sent as a 2.5 % canary held 1 h 30 min " +
				"(the watch's is a 10 % canary held 1 h; the campaign's own stronger setting is kept)."},
		{name: "a longer hold of its own is kept, its share raised", own: campaign.Campaign{CanaryPercent: 50, CanaryHoldSeconds: 2 * 86400},
			open: []campaign.Watch{watch}, wantPct: 10, wantHold: 2 * 86400, wantWatch: 10, wantIncident: "i1",
			wantReason: "Watching Acme after incident “Wrong price” until 9 Dec: sent as a 10 % canary held 2 d " +
				"(the watch's is a 10 % canary held 1 h; the campaign's own stronger setting is kept)."},
		{name: "two windows: the strongest canary, the later window named",
			open:    []campaign.Watch{watch, {IncidentID: "i2", Runbook: "spike", BrandName: "Acme", End: end.AddDate(0, 0, 3)}},
			wantPct: 5, wantHold: 4 * 3600, wantWatch: 5, wantIncident: "i2",
			wantReason: "Watching Acme after incident “spike” until 12 Dec: sent as a 5 % canary held 4 h."},
		{name: "an unknown runbook takes the default", open: []campaign.Watch{{IncidentID: "i3", Runbook: "gone", BrandName: "Acme", End: end}},
			wantPct: 10, wantHold: 3600, wantWatch: 10, wantIncident: "i3",
			wantReason: "Watching Acme after incident “gone” until 9 Dec: sent as a 10 % canary held 1 h."},
		{name: "an override keeps its own canary", own: campaign.Campaign{CanaryPercent: 50, CanaryHoldSeconds: 60},
			open: []campaign.Watch{watch}, override: &campaign.CautionOverride{Reason: " recall ", Admin: true},
			wantPct: 50, wantHold: 60, wantWatch: 10, wantIncident: "i1",
			wantReason: "Watching Acme after incident “Wrong price” until 9 Dec: sent without the watch's 10 % canary held 1 h, " +
				"overridden by ada@acme.example: “recall”."},
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cau, out := campaign.Cautious(tt.own, tt.open, rbs, tt.override, admin, now, true)
			if tt.wantNil {
				if cau != nil || out.CanaryPercent != tt.own.CanaryPercent {
					t.Fatalf("caution %+v, canary %v", cau, out.CanaryPercent)
				}
				return
			}
			if cau == nil {
				t.Fatal("no caution")
			}
			if out.CanaryPercent != tt.wantPct || out.CanaryHoldSeconds != tt.wantHold {
				t.Errorf("goes out as %v %% held %d s, want %v %% held %d s", out.CanaryPercent, out.CanaryHoldSeconds, tt.wantPct, tt.wantHold)
			}
			if cau.CanaryPercent != tt.wantWatch || cau.IncidentID != tt.wantIncident || cau.Reason != tt.wantReason {
				t.Errorf("caution %+v\nreason %q\nwant   %q", cau, cau.Reason, tt.wantReason)
			}
			if o := tt.override; o != nil {
				if !cau.Overridden || cau.OverrideReason != "recall" || cau.OverriddenBy != admin.Name ||
					cau.OverriddenAt == nil || !cau.OverriddenAt.Equal(now) {
					t.Errorf("override recorded as %+v", cau)
				}
			} else if cau.Overridden || cau.OverriddenAt != nil {
				t.Errorf("not overridden, yet %+v", cau)
			}
		})
	}
}

func TestCautiousDraftSaysWhatSendWillDo(t *testing.T) {
	w := campaign.Watch{IncidentID: "i1", IncidentSummary: "Wrong price", Runbook: "x", BrandName: "Acme",
		End: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)}
	cau, out := campaign.Cautious(campaign.Campaign{}, []campaign.Watch{w}, nil, nil, audit.Actor{}, time.Now(), false)
	if want := "Watching Acme after incident “Wrong price” until 9 Dec: send goes out as a 10 % canary held 1 h."; cau == nil || cau.Reason != want {
		t.Errorf("draft caution %+v, want reason %q", cau, want)
	}
	if out.CanaryPercent != 10 {
		t.Errorf("would go out at %v %%", out.CanaryPercent)
	}
}
