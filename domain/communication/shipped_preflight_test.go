package communication_test

import (
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
)

// TestShippedTemplatesPassTheirOwnPreflight: a draft made from any template
// Firebreak ships, with the incident's facts filled in, is sendable as far as
// the preflight is concerned — the apology is in the first paragraph, the
// subject says what it is, nobody is told to write to a no-reply address, and
// the breach notice has the five California headings, the title a California
// audience needs and the protective steps for exposed credentials. A
// template a marketer must first fix would make the worst day slower.
func TestShippedTemplatesPassTheirOwnPreflight(t *testing.T) {
	brand := campaign.Brand{Name: "Acme Outdoor", FromEmail: "news@acme.example", FromName: "Acme Outdoor",
		ReplyTo: "help@acme.example", LogoURL: "https://acme.example/logo.png", FooterHTML: "<p>Acme Outdoor</p>",
		PhysicalAddress: "1 Trail Way, Portland, OR 97201"}
	checked := 0
	for _, rb := range shipped(t).All() {
		for _, kind := range communication.Kinds() {
			c, err := communication.FromTemplate(rb, kind, sampleFacts())
			if err != nil {
				continue // this runbook has no template for the kind (or forbids it)
			}
			checked++
			in := communication.PreflightInput{Kind: kind, Content: c, Brand: brand}
			if kind == communication.BreachNotice {
				in.CaliforniaRecipients, in.DataCategories = 3, []string{"credentials", "email"}
			}
			if blocking := communication.Blocking(communication.Preflight(in)); len(blocking) > 0 {
				t.Errorf("%s/%s: the shipped template fails its preflight: %+v\nsubject %q", rb.ID, kind, blocking, c.Subject)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked %d shipped templates; want every one (at least 5)", checked)
	}
}
