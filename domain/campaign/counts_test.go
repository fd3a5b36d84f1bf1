package campaign_test

import (
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
)

func TestCountsAreDerivedFromTheCampaignCounters(t *testing.T) {
	c := campaign.Campaign{Audience: 1000, HandedToESP: 800, InDoubt: 100, FailedRecipients: 50,
		Outcomes: campaign.Outcomes{Delivered: 500, Complained: 2, HardBounced: 40, Dropped: 8, MachineOpened: 30}}
	n := c.Counts()
	if n.Audience != 1000 || n.HandedToESP != 800 || n.InDoubt != 100 || n.Failed != 50 || n.MachineOpened != 30 {
		t.Fatalf("counts %+v", n)
	}
	if n.Rates.Complaint != 0.004 || n.Rates.HardBounce != 0.05 || n.Rates.Drop != 0.01 {
		t.Fatalf("rates %+v", n.Rates)
	}
	if z := (campaign.Campaign{}).Counts(); z.Rates != (campaign.Rates{}) {
		t.Fatalf("no volume must give zero rates, not NaN: %+v", z.Rates)
	}
	// Held: not handed over (1000-800-100 = 100) plus what SendGrid holds,
	// i.e. handed with send_at ≥ pause + 10 min (300 of the 800).
	paused := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	handed := []campaign.Handed{{SendAt: paused.Add(5 * time.Minute), Count: 500}, {SendAt: paused.Add(10 * time.Minute), Count: 300}}
	campaign.ComputeHeld(&n, handed, &paused)
	if n.Held != 400 || n.PossiblyReceived != 600 {
		t.Fatalf("held %d possibly received %d", n.Held, n.PossiblyReceived)
	}
	campaign.ComputeHeld(&n, handed, nil)
	if n.Held != 100 {
		t.Fatalf("without an accepted ESP pause only what was never handed over is held: %d", n.Held)
	}
}
