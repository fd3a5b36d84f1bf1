package communication_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
)

type campaignFacts struct {
	c campaign.Campaign
	b campaign.Brand
}

func (f campaignFacts) GetCampaign(context.Context, string) (campaign.Campaign, error) {
	return f.c, nil
}
func (f campaignFacts) GetBrand(context.Context, string) (campaign.Brand, error) { return f.b, nil }

// TestTemplateDrafterFillsTheIncidentsFacts: a new apology starts from the
// runbook's template with the brand, the wrong mail's subject and the date it
// went out filled in, merge tags kept for each recipient; a runbook without a
// template for the kind drafts nothing (the author writes it).
func TestTemplateDrafterFillsTheIncidentsFacts(t *testing.T) {
	sent := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d := communication.TemplateDrafter{Campaigns: campaignFacts{
		c: campaign.Campaign{ID: "c1", BrandID: "b1", Name: "Spring sale", Subject: "20% off tents", SendStartedAt: &sent},
		b: campaign.Brand{ID: "b1", Name: "Acme Outdoor", ReplyTo: "help@acme.example"}}}
	set := shipped(t)
	rb, _ := set.Get("wrong-segment")
	got, err := d.Draft(context.Background(), communication.DraftInput{Incident: incident.Incident{CampaignID: "c1",
		Summary: "The sale went to the wrong list"}, Runbook: rb, Kind: communication.Correction})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Subject, "20% off tents") || !strings.Contains(got.HTML, "Acme Outdoor") ||
		!strings.Contains(got.Text, "{{first_name") {
		t.Errorf("the correction does not carry the incident's facts and merge tags: %+v", got)
	}
	if !strings.Contains(got.Text, "The sale went to the wrong list.") {
		t.Errorf("a summary typed as a title is not ended as a sentence in the draft: %q", got.Text)
	}
	triage, _ := set.Get("triage")
	none, err := d.Draft(context.Background(), communication.DraftInput{Incident: incident.Incident{CampaignID: "c1"},
		Runbook: triage, Kind: communication.BreachNotice})
	if err != nil || none != (communication.Content{}) {
		t.Errorf("a runbook without a template for the kind must draft nothing: %+v, %v", none, err)
	}
}
