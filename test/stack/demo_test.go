package stack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/demo"
	"github.com/firebreak/firebreak/internal/sgsim"
)

// TestDemoFastPathOpensAnIncidentByItselfWithinAMinute runs `make demo`'s
// fast path as the demo does: the simulator at the demo's shares and
// speed-up (its default seed), the demo seed through the API, the real
// webhook and detection on the wall clock. The flash sale, sent by the seed,
// is paused by an incident the webhook opened (the complaint-spike rule)
// well within the two minutes the banner promises; the spring sale is still
// a draft nobody touched, and once sent (its buffer taken out) its complaints
// cross the rule too, as the banner says; seeding again changes nothing.
func TestDemoFastPathOpensAnIncidentByItselfWithinAMinute(t *testing.T) {
	s := startStack(t, stackOpts{webhook: true, sim: sgsim.Config{
		Outcomes: demo.SimOutcomes, EngagementSpeedup: demo.SimSpeedup, FlushInterval: time.Second}})
	ctx := context.Background()
	start := time.Now()
	seeded, err := demo.Seed(ctx, demo.Client{Base: s.base, Token: s.token}, true)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if seeded.FlashSaleID == "" || !seeded.FlashSent || seeded.SpringSaleID == "" {
		t.Fatalf("seeded %+v, want both campaigns and the flash sale sent", seeded)
	}

	var opened incidentAnswer
	s.waitFor("an incident the webhook opened on the flash sale", time.Minute, func() bool {
		for _, inc := range s.incidents("open") {
			if inc.CampaignID == seeded.FlashSaleID && inc.Source == "webhook" && inc.PausedAt != nil {
				opened = inc
				return true
			}
		}
		time.Sleep(200 * time.Millisecond)
		return false
	})
	took := time.Since(start)
	t.Logf("auto-opened %s (%s, %s %.4f >= %.4f) %s after the seed", opened.ID, opened.Runbook,
		opened.Trigger.Metric, opened.Trigger.Value, opened.Trigger.Threshold, took.Round(time.Second))
	if opened.Runbook != "deliverability-spike" || opened.Trigger == nil || opened.Trigger.Rule != "complaint-spike" {
		t.Fatalf("incident %+v, want deliverability-spike opened by complaint-spike", opened)
	}
	if took > 75*time.Second {
		t.Fatalf("the fast path took %s to open its incident; the banner promises well under two minutes", took)
	}
	flash := s.get(seeded.FlashSaleID)
	if flash.Status != "paused" || flash.Counts.Delivered < 200 {
		t.Fatalf("flash sale %s with %d delivered, want paused after at least 200 deliveries", flash.Status, flash.Counts.Delivered)
	}
	if spring := s.get(seeded.SpringSaleID); spring.Status != "draft" {
		t.Fatalf("spring sale is %s, want the untouched draft", spring.Status)
	}
	for _, inc := range s.incidents("open") {
		if inc.CampaignID != seeded.FlashSaleID {
			t.Fatalf("an incident on campaign %s besides the flash sale's", inc.CampaignID)
		}
	}

	// The banner's promise for the spring sale, with its 15-minute buffer
	// taken out: at the demo's shares its complaints cross the rule too.
	if code := s.do("PATCH", "/api/v1/campaigns/"+seeded.SpringSaleID, "application/json",
		strings.NewReader(`{"send_buffer_seconds":0}`), nil); code != 200 {
		t.Fatalf("patch the spring sale's buffer: %d", code)
	}
	if code := s.postJSON("/api/v1/campaigns/"+seeded.SpringSaleID+"/send", nil, nil); code != 202 {
		t.Fatalf("send the spring sale: %d", code)
	}
	sent := time.Now()
	s.waitFor("an incident the webhook opened on the spring sale", time.Minute, func() bool {
		for _, inc := range s.incidents("open") {
			if inc.CampaignID == seeded.SpringSaleID && inc.Source == "webhook" {
				return true
			}
		}
		time.Sleep(200 * time.Millisecond)
		return false
	})
	t.Logf("the spring sale's incident opened %s after its deliveries", time.Since(sent).Round(time.Second))

	again, err := demo.Seed(ctx, demo.Client{Base: s.base, Token: s.token}, true)
	if err != nil || again.FlashSaleID != seeded.FlashSaleID || again.SpringSaleID != seeded.SpringSaleID || again.FlashSent {
		t.Fatalf("second seed %+v, %v; want the same campaigns, nothing sent", again, err)
	}
	var cs []struct{ ID string }
	if code := s.do("GET", "/api/v1/campaigns", "", nil, &cs); code != 200 || len(cs) != 2 {
		t.Fatalf("%d campaigns after seeding twice (%d), want 2", len(cs), code)
	}
}
