package communication

import (
	"context"
	"fmt"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

// AudienceFacts are what the preflight needs to know about a communication's
// affected audience, computed by the store with set-based SQL over the same
// audience the communication counts: its will_receive (affected, not
// suppressed now, not already received).
type AudienceFacts struct {
	// Gaps: per merge tag without fallback, the members for whom it is empty.
	Gaps []campaign.TagGap
	// California: members whose attribute "state" or "region" is CA or
	// California (case-insensitive, trimmed).
	California int
}

// FactStore is what the preflight, the preview and the branded handoff read
// besides the communication itself (adapter/postgres). It is optional in
// Deps: without it Preflight and Preview are unavailable and Send does not
// run the preflight (domain tests with in-memory fakes).
type FactStore interface {
	// CommunicationBrand is the brand of the incident's campaign.
	CommunicationBrand(ctx context.Context, incidentID string) (campaign.Brand, error)
	// CommunicationFacts measures c's will_receive audience for the tags
	// (those without a fallback), with examples (email addresses).
	CommunicationFacts(ctx context.Context, c Communication, campaignID string, tags []campaign.Tag) (AudienceFacts, error)
	// AffectedRecipient is one member of c's affected audience, its merge
	// values as snapshotted for the campaign; recipientID empty is the first
	// (by id). ErrRecipientNotAffected when there is no such member.
	AffectedRecipient(ctx context.Context, c Communication, campaignID, recipientID string) (Recipient, error)
	// DataCategories are the incident assessment's data_categories_exposed
	// (none when there is no assessment yet).
	DataCategories(ctx context.Context, incidentID string) ([]string, error)
}

// ErrRecipientNotAffected: the preview asked for someone who is not in the
// communication's affected audience (or there is nobody affected).
var ErrRecipientNotAffected = errs.New(errs.NotFound, "recipient_not_affected",
	"That recipient is not in this communication's affected audience.")

// PreflightResult is a communication's preflight: OK when no problem blocks.
type PreflightResult struct {
	OK       bool
	Problems []campaign.Problem
}

// PreflightError refuses a send (422 preflight_failed) and carries the whole
// preflight as details.preflight, as a campaign send does.
type PreflightError struct{ Preflight PreflightResult }

func (e *PreflightError) Error() string {
	return fmt.Sprintf("preflight failed with %d blocking problems", len(Blocking(e.Preflight.Problems)))
}

// Unwrap makes it an Invalid error (422).
func (e *PreflightError) Unwrap() error { return errs.Invalid }

// Code is the error code of the refusal.
func (e *PreflightError) Code() string { return "preflight_failed" }

// Details returns the preflight for the error body, each problem with its
// severity, as POST /communications/{cid}/preflight shows it.
func (e *PreflightError) Details() map[string]any {
	return map[string]any{"preflight": e.Preflight.JSON()}
}

// ProblemJSON is one problem as the API shows it: campaign.Problem plus
// its Severity.
type ProblemJSON struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
	Severity string   `json:"severity"`
}

// PreflightJSON is the body of a preflight: {ok, problems}.
type PreflightJSON struct {
	OK       bool          `json:"ok"`
	Problems []ProblemJSON `json:"problems"`
}

// JSON is r as the API shows it (problems never null).
func (r PreflightResult) JSON() PreflightJSON {
	out := PreflightJSON{OK: r.OK, Problems: make([]ProblemJSON, 0, len(r.Problems))}
	for _, p := range r.Problems {
		ex := p.Examples
		if ex == nil {
			ex = []string{}
		}
		out.Problems = append(out.Problems, ProblemJSON{Code: p.Code, Message: p.Message, Count: p.Count, Examples: ex,
			Severity: Severity(p.Code)})
	}
	return out
}

// Preflight checks a communication before it may be sent: its kind and
// content, the incident campaign's brand, the merge tags over its actual
// affected audience, its California recipients and the assessment's data
// categories (see the package function Preflight for the checks).
func (s *Service) Preflight(ctx context.Context, id string) (PreflightResult, error) {
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return PreflightResult{}, err
	}
	inc, err := s.d.Incidents.GetIncident(ctx, c.IncidentID)
	if err != nil {
		return PreflightResult{}, err
	}
	return s.preflight(ctx, c, inc.CampaignID)
}

func (s *Service) preflight(ctx context.Context, c Communication, campaignID string) (PreflightResult, error) {
	if s.d.Facts == nil {
		return PreflightResult{}, fmt.Errorf("preflight of communication %s: %w", c.ID, errNoFacts)
	}
	b, err := s.d.Facts.CommunicationBrand(ctx, c.IncidentID)
	if err != nil {
		return PreflightResult{}, err
	}
	tags, _ := campaign.ParseTags(c.Subject, c.HTML, c.Text)
	var needy []campaign.Tag
	for _, t := range tags {
		if !t.HasFallback {
			needy = append(needy, t)
		}
	}
	facts, err := s.d.Facts.CommunicationFacts(ctx, c, campaignID, needy)
	if err != nil {
		return PreflightResult{}, err
	}
	cats, err := s.d.Facts.DataCategories(ctx, c.IncidentID)
	if err != nil {
		return PreflightResult{}, err
	}
	ps := Preflight(PreflightInput{Kind: c.Kind, Content: c.Content, Brand: b, MergeGaps: facts.Gaps,
		CaliforniaRecipients: facts.California, DataCategories: cats})
	return PreflightResult{OK: len(Blocking(ps)) == 0, Problems: ps}, nil
}

// PreviewResult is the rendered message and whom it was rendered for.
type PreviewResult struct {
	RecipientID string
	Content
}

// Preview is exactly what one affected recipient would receive: the
// communication inside its brand's template, merge tags resolved for them
// (with fallbacks), the unsubscribe link theirs. recipientID empty is the
// first affected recipient; someone not affected is ErrRecipientNotAffected.
func (s *Service) Preview(ctx context.Context, id, recipientID string) (PreviewResult, error) {
	if s.d.Facts == nil {
		return PreviewResult{}, fmt.Errorf("preview of communication %s: %w", id, errNoFacts)
	}
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return PreviewResult{}, err
	}
	inc, err := s.d.Incidents.GetIncident(ctx, c.IncidentID)
	if err != nil {
		return PreviewResult{}, err
	}
	b, err := s.d.Facts.CommunicationBrand(ctx, c.IncidentID)
	if err != nil {
		return PreviewResult{}, err
	}
	r, err := s.d.Facts.AffectedRecipient(ctx, c, inc.CampaignID, recipientID)
	if err != nil {
		return PreviewResult{}, err
	}
	tags, _ := campaign.ParseTags(c.Subject, c.HTML, c.Text)
	subject, h, t := RenderForRecipient(b, c.Content, tags, r.Values, s.unsubscribeURL(inc.CampaignID, r.ID))
	return PreviewResult{RecipientID: r.ID, Content: Content{Subject: subject, HTML: h, Text: t, ReplyTo: Wrap(b, c.Content).ReplyTo}}, nil
}

// unsubscribeURL is a recipient's one-click link: the campaigns' signed
// /u/{campaign}/{recipient}/{sig} for the incident's campaign (the recipient
// is in its snapshot, so the /u/ route records the unsubscribe).
func (s *Service) unsubscribeURL(campaignID, recipientID string) string {
	if s.d.UnsubscribeURL == nil {
		return ""
	}
	return s.d.UnsubscribeURL(campaignID, recipientID)
}

// errNoFacts: the service was built without Facts.
var errNoFacts = fmt.Errorf("communication: preflight is not configured: %w", errs.Unavailable)
