package communication

import (
	"context"
	"errors"
	"strings"

	"github.com/firebreak/firebreak/domain/campaign"
)

// CampaignFacts reads what a first draft says about the mail that went wrong.
// campaign.Repo (adapter/postgres) implements it.
type CampaignFacts interface {
	GetCampaign(ctx context.Context, id string) (campaign.Campaign, error)
	GetBrand(ctx context.Context, id string) (campaign.Brand, error)
}

// TemplateDrafter is the Drafter of the shipped (or FIREBREAK_RUNBOOKS_DIR)
// runbook templates: it fills the incident's facts — the brand, the wrong
// mail's subject and name, when it went out, the incident's summary, the
// brand's reply-to as the contact — into the runbook's template for the kind
// (FromTemplate). A fact it cannot know (the correct information, what the
// company will honour) stays an [EDIT: …] marker for the author to replace.
// A kind the runbook has no template for drafts nothing; whether the kind may
// be sent at all is decided by the Service before it asks.
type TemplateDrafter struct{ Campaigns CampaignFacts }

var _ Drafter = TemplateDrafter{}

// Draft implements Drafter.
func (d TemplateDrafter) Draft(ctx context.Context, in DraftInput) (Content, error) {
	c, err := d.Campaigns.GetCampaign(ctx, in.Incident.CampaignID)
	if err != nil {
		return Content{}, err
	}
	b, err := d.Campaigns.GetBrand(ctx, c.BrandID)
	if err != nil {
		return Content{}, err
	}
	f := Facts{BrandName: b.Name, OriginalSubject: c.Subject, CampaignName: c.Name,
		IncidentSummary: sentence(in.Incident.Summary), ContactEmail: b.ReplyTo}
	if c.SendStartedAt != nil {
		f.SentAt = c.SendStartedAt.UTC().Format("2 January 2006")
	}
	out, err := FromTemplate(in.Runbook, in.Kind, f)
	// Whether the kind may be sent at all is the Service's rule (a breach
	// notice is allowed where an apology is not); the drafter only drafts.
	if errors.Is(err, ErrNoTemplate) || errors.Is(err, ErrApologyNotAllowed) {
		return Content{}, nil
	}
	return out, err
}

// sentence ends a summary typed as a title ("The newsletter went to the
// wrong segment") with a full stop, so the template's sentence after it reads.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsRune(".!?…", []rune(s)[len([]rune(s))-1]) {
		return s
	}
	return s + "."
}
