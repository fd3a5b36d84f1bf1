package communication

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
)

// ReviewRepo is the storage of submissions and decisions (adapter/postgres).
// Every method runs under the communication's row lock, so a decision, an
// edit and a send are ordered: whichever commits first, the others see it.
type ReviewRepo interface {
	// SubmitCommunication moves a draft to status (in_review, or approved
	// when no approval is needed), withdrawing the earlier round's decisions,
	// with its entry; a communication that is not a draft is ErrNotSubmittable.
	SubmitCommunication(ctx context.Context, id string, status Status, a audit.Entry) (Communication, error)
	// ReviewCommunication reads the communication and its active decisions
	// under the row's lock, asks decide what to do and applies the Review.
	ReviewCommunication(ctx context.Context, id string,
		decide func(c Communication, active []Approval) (Review, error)) (Communication, error)
	// ActiveApprovals returns each communication's active (not withdrawn)
	// decisions, oldest first.
	ActiveApprovals(ctx context.Context, ids []string) (map[string][]Approval, error)
	// InReview lists the communications in review, oldest submission first.
	InReview(ctx context.Context) ([]Communication, error)
	// CommunicationHistory returns every version of the content and every
	// decision, withdrawn ones included.
	CommunicationHistory(ctx context.Context, id string) (History, error)
	// SuppressedAffected streams c's affected recipients suppressed now.
	SuppressedAffected(ctx context.Context, c Communication, campaignID string, each func(SuppressedRecipient) error) error
}

// Reviewers finds who to notify of a submission: the emails of enabled users
// holding any of roles.
type Reviewers interface {
	ReviewerEmails(ctx context.Context, roles []string) ([]string, error)
}

// Submit asks for the approvals a communication needs: a draft becomes
// in_review (legal and security are notified, by email and the Slack-compatible
// webhook, with a link to the review page) or, when none is needed, approved.
func (s *Service) Submit(ctx context.Context, actor audit.Actor, id string) (View, error) {
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return View{}, err
	}
	inc, rb, err := s.incidentOf(ctx, c.IncidentID)
	if err != nil {
		return View{}, err
	}
	if !allows(rb, c.Kind) {
		return View{}, &NotAllowedError{Runbook: rb.ID, Kind: c.Kind}
	}
	status := Approved
	if len(c.RequiredApprovals) > 0 {
		status = InReview
	}
	c, err = s.d.Review.SubmitCommunication(ctx, id, status, entry(actor, "communication.submit", c,
		map[string]any{"status": string(status), "required_approvals": c.RequiredApprovals}))
	if err != nil {
		return View{}, err
	}
	if status == InReview {
		s.notifyReviewers(ctx, inc, c)
	}
	return s.view(ctx, inc, c)
}

// notifyReviewers tells the people holding the required roles that a text
// waits for them. A failed notification does not undo the submission: the
// queue (GET /api/v1/approvals) shows it either way.
func (s *Service) notifyReviewers(ctx context.Context, inc incident.Incident, c Communication) {
	if s.d.Notifier == nil || s.d.Reviewers == nil {
		return
	}
	emails, err := s.d.Reviewers.ReviewerEmails(ctx, c.RequiredApprovals)
	if err != nil {
		return
	}
	link := strings.TrimRight(s.d.PublicURL, "/") + "/reviews/" + c.ID
	_, _ = s.d.Notifier.Notify(ctx, incident.Notification{Emails: emails, Slack: true, Category: "review",
		Subject: fmt.Sprintf("[Firebreak] Review needed: %s %q", strings.ReplaceAll(string(c.Kind), "_", " "), c.Subject),
		Text: fmt.Sprintf("A %s for incident %q needs approval by %s before it can be sent.\nReview it: %s\n",
			strings.ReplaceAll(string(c.Kind), "_", " "), inc.Summary, strings.Join(c.RequiredApprovals, " and "), link)})
}

// Decide records a reviewer's approval or rejection (DESIGN.md: 403
// author_cannot_approve, 403 without a required role — admin alone does not
// count —, 409 when that role already approved, 409 content_changed for a
// stale hash, 422 for a rejection without a reason). The last approval makes
// the communication approved; a rejection returns it to draft.
func (s *Service) Decide(ctx context.Context, r Reviewer, id string, in ReviewInput) (View, error) {
	c, err := s.d.Review.ReviewCommunication(ctx, id, func(c Communication, active []Approval) (Review, error) {
		return decide(c, active, r, in, s.d.Now())
	})
	if err != nil {
		return View{}, err
	}
	inc, err := s.d.Incidents.GetIncident(ctx, c.IncidentID)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inc, c)
}

// PendingReviews is a reviewer's queue: communications in review that still
// need a role the caller holds, that the caller did not write and has not
// approved already.
func (s *Service) PendingReviews(ctx context.Context, userID string, roles []auth.Role) ([]View, error) {
	cs, err := s.d.Review.InReview(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	active, err := s.d.Review.ActiveApprovals(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []View{}
	incs := map[string]incident.Incident{}
	for _, c := range cs {
		if len(PendingFor(c, active[c.ID], userID, roles)) == 0 {
			continue
		}
		inc, ok := incs[c.IncidentID]
		if !ok {
			if inc, err = s.d.Incidents.GetIncident(ctx, c.IncidentID); err != nil {
				return nil, err
			}
			incs[c.IncidentID] = inc
		}
		v, err := s.viewWith(ctx, inc, c, active[c.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// approvalsOf reads a communication's active decisions (none without a ReviewRepo).
func (s *Service) approvalsOf(ctx context.Context, id string) ([]Approval, error) {
	if s.d.Review == nil || id == "" {
		return []Approval{}, nil
	}
	m, err := s.d.Review.ActiveApprovals(ctx, []string{id})
	if err != nil {
		return nil, fmt.Errorf("approvals of communication %s: %w", id, err)
	}
	if a := m[id]; a != nil {
		return a, nil
	}
	return []Approval{}, nil
}

// StillNeeded returns the required roles no active approval covers yet, for
// the dashboard's "who is still needed".
func StillNeeded(c Communication, active []Approval) []string {
	out := pending(c, active)
	if out == nil {
		return []string{}
	}
	return slices.Clone(out)
}

// Version is one content a communication has had, by its hash.
type Version struct {
	ContentHash string
	Content
	Scope           Scope
	Segments        []string
	IncludePrevious bool
	CreatedAt       time.Time
	CreatedBy       string
}

// Decided is a decision with its withdrawal, if any.
type Decided struct {
	Approval
	WithdrawnAt     *time.Time
	WithdrawnReason string
}

// History is every version of a communication and every decision on it: what
// a reviewer diffs against ("what changed since I last saw it"), and what the
// report shows was approved.
type History struct {
	Versions  []Version
	Decisions []Decided
}

// SuppressedRecipient is an affected person email cannot reach: suppressed.
type SuppressedRecipient struct {
	RecipientID, Email, FirstName, LastName string
	Kinds                                   []string
}

// History returns the communication's versions and decisions.
func (s *Service) History(ctx context.Context, id string) (History, error) {
	if _, err := s.d.Repo.GetCommunication(ctx, id); err != nil {
		return History{}, err
	}
	if s.d.Review == nil {
		return History{Versions: []Version{}, Decisions: []Decided{}}, nil
	}
	return s.d.Review.CommunicationHistory(ctx, id)
}

// SuppressedAffected streams the affected people the communication cannot
// reach because they are suppressed now: for a breach notice they must be
// told another way (post, phone), so legal needs the list.
func (s *Service) SuppressedAffected(ctx context.Context, id string, each func(SuppressedRecipient) error) error {
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return err
	}
	inc, err := s.d.Incidents.GetIncident(ctx, c.IncidentID)
	if err != nil {
		return err
	}
	if s.d.Review == nil {
		return fmt.Errorf("suppressed affected of %s: the store cannot list them: %w", id, errs.Unavailable)
	}
	return s.d.Review.SuppressedAffected(ctx, c, inc.CampaignID, each)
}
