package communication

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Deps are what the Service is built from. Drafter, Mail and Jobs may be
// nil: no template (bodies as given), and no sending (Send is unavailable).
type Deps struct {
	Repo      Repo
	Incidents Incidents
	Runbooks  Runbooks
	Drafter   Drafter
	// Mail creates the communication's own SendGrid batch and hands it over.
	Mail esp.Sender
	// Sched pauses, resumes and cancels the batch at SendGrid (nil: only
	// Firebreak's plane changes).
	Sched      esp.Scheduler
	ESPTimeout time.Duration // one scheduled-sends call; default 10s
	Jobs       Jobs
	Send       SendConfig
	Now        func() time.Time
	// Facts feeds the preflight and the preview (the store); nil: neither is
	// available and Send runs no preflight.
	Facts FactStore
	// UnsubscribeURL signs one recipient's one-click link for the incident's
	// campaign (campaign.Service.UnsubscribeURL); nil: no link.
	UnsubscribeURL func(campaignID, recipientID string) string
	// Review stores submissions and decisions (the store); nil: a
	// communication that needs approvals can never be sent (invariant 4's
	// safe default).
	Review ReviewRepo
	// Reviewers and Notifier tell legal and security a text waits for them
	// (nil: nobody is notified; the queue still shows it). PublicURL is where
	// the dashboard's review page is reached.
	Reviewers Reviewers
	Notifier  incident.Notifier
	PublicURL string
}

// Service is the communication use-cases: draft, read, edit and send.
type Service struct{ d Deps }

// NewService wires the use-cases.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// View is a communication with its live audience, as the API shows it.
type View struct {
	Communication
	Audience  Audience
	Approvals []Approval // the current round's active decisions
	// StillNeeded are the required roles no active approval covers yet.
	StillNeeded []string
}

// NewDraft is the input to Create: empty content fields start from the
// runbook's template for the kind; an empty scope is PossiblyReceived.
type NewDraft struct {
	Kind            Kind
	Content         Content
	Scope           Scope
	Segments        []string
	IncludePrevious bool
}

// Changes is the input to Update: nil fields stay as they are.
type Changes struct {
	Subject, HTML, Text, ReplyTo *string
	Scope                        *Scope
	Segments                     *[]string
	IncludePrevious              *bool
}

// allows reports whether the runbook lets a communication of kind be made.
// apology.allowed false (stale-suppression-list) forbids apologies and
// corrections — both mail the stale list again (invariant 3). A breach notice
// is not forbidden by it: it is a legal notification (GDPR Art. 34, US state
// laws) that must reach the people whose data was exposed whatever the runbook
// thinks of apologising, and it is gated by its legal and security approvals.
func allows(rb runbook.Runbook, k Kind) bool {
	return rb.Apology.Allowed || k == BreachNotice
}

// incidentOf reads the incident and its runbook.
func (s *Service) incidentOf(ctx context.Context, id string) (incident.Incident, runbook.Runbook, error) {
	inc, err := s.d.Incidents.GetIncident(ctx, id)
	if err != nil {
		return incident.Incident{}, runbook.Runbook{}, err
	}
	rb, ok := s.d.Runbooks.Get(inc.Runbook)
	if !ok {
		return inc, rb, fmt.Errorf("incident %s: runbook %q is not loaded: %w", id, inc.Runbook, errs.Unavailable)
	}
	return inc, rb, nil
}

// entry is an audit entry on the incident's trail (subject incident), so every
// communication change shows on GET /incidents/{id}/timeline.
func entry(actor audit.Actor, action string, c Communication, data map[string]any) audit.Entry {
	return audit.Entry{Actor: actor, Action: action, SubjectType: incident.SubjectType, SubjectID: c.IncidentID,
		Data: audit.With(data, "communication_id", c.ID, "kind", string(c.Kind), "content_hash", c.ContentHash)}
}

// Create drafts a communication for an open incident. An unknown kind, an
// empty body, HTML over 1 MiB, an unknown scope or segment is a field error
// (422); a kind the runbook forbids is ErrApologyNotAllowed (409).
func (s *Service) Create(ctx context.Context, actor audit.Actor, incidentID string, in NewDraft) (View, error) {
	inc, rb, err := s.incidentOf(ctx, incidentID)
	if err != nil {
		return View{}, err
	}
	if inc.Status == incident.Resolved {
		return View{}, incident.ErrResolved
	}
	if in.Kind.Valid() && !allows(rb, in.Kind) {
		return View{}, &NotAllowedError{Runbook: rb.ID, Kind: in.Kind}
	}
	c := Communication{IncidentID: inc.ID, Kind: in.Kind, Status: Draft, Content: in.Content, Scope: in.Scope,
		Segments: cleanSegments(in.Segments), IncludePrevious: in.IncludePrevious, AuthorID: actor.UserID,
		RequiredApprovals: NeedsApproval(in.Kind, rb.Apology.RequiresApproval)}
	if c.Scope == "" {
		c.Scope = PossiblyReceived
	}
	if s.d.Drafter != nil && in.Kind.Valid() {
		d, err := s.d.Drafter.Draft(ctx, DraftInput{Incident: inc, Runbook: rb, Kind: in.Kind})
		if err != nil {
			return View{}, fmt.Errorf("draft %s from the runbook template: %w", in.Kind, err)
		}
		c.Content = fill(c.Content, d)
	}
	if err := s.validate(ctx, inc, c); err != nil {
		return View{}, err
	}
	c.ContentHash = c.Hash()
	c, err = s.d.Repo.CreateCommunication(ctx, c, entry(actor, "communication.create", c,
		map[string]any{"scope": string(c.Scope), "segments": c.Segments, "include_previous": c.IncludePrevious}))
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inc, c)
}

// fill takes each empty field of c from the template's draft: the subject
// and the reply-to on their own, the two bodies together. A field of only
// whitespace is empty, as validate counts it.
func fill(c, d Content) Content {
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	// The two bodies are one message: an author who wrote either part
	// wrote the message, and a template's other part would say something
	// else (and keep its [EDIT: …] markers) — so the bodies come from the
	// template only when both are empty.
	if blank(c.HTML) && blank(c.Text) {
		c.HTML, c.Text = d.HTML, d.Text
	}
	if blank(c.Subject) {
		c.Subject = d.Subject
	}
	if blank(c.ReplyTo) {
		c.ReplyTo = d.ReplyTo
	}
	return c
}

func (s *Service) validate(ctx context.Context, inc incident.Incident, c Communication) error {
	unknown := map[string]bool{}
	if len(c.Segments) > 0 {
		missing, err := s.d.Repo.UnknownSegments(ctx, inc.CampaignID, c.Segments)
		if err != nil {
			return err
		}
		for _, m := range missing {
			unknown[m] = true
		}
	}
	return c.validate(func(seg string) bool { return !unknown[seg] })
}

// Get reads one communication with its live audience.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return View{}, err
	}
	inc, err := s.d.Incidents.GetIncident(ctx, c.IncidentID)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inc, c)
}

// List lists an incident's communications, oldest first, each with its audience.
func (s *Service) List(ctx context.Context, incidentID string) ([]View, error) {
	inc, err := s.d.Incidents.GetIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	cs, err := s.d.Repo.ListCommunications(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(cs))
	for _, c := range cs {
		v, err := s.view(ctx, inc, c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, inc incident.Incident, c Communication) (View, error) {
	active, err := s.approvalsOf(ctx, c.ID)
	if err != nil {
		return View{}, err
	}
	return s.viewWith(ctx, inc, c, active)
}

func (s *Service) viewWith(ctx context.Context, inc incident.Incident, c Communication, active []Approval) (View, error) {
	a, err := s.d.Repo.Audience(ctx, c, inc.CampaignID)
	if err != nil {
		return View{}, fmt.Errorf("audience of communication %s: %w", c.ID, err)
	}
	if active == nil {
		active = []Approval{}
	}
	return View{Communication: c, Audience: a, Approvals: active, StillNeeded: StillNeeded(c, active)}, nil
}

// Update edits a communication that has not started sending. A change of
// content or audience returns it to draft and withdraws every approval (both
// on the incident's timeline, invariant 7); an edit that changes nothing
// changes nothing. Once sending it is ErrNotEditable (409).
func (s *Service) Update(ctx context.Context, actor audit.Actor, id string, ch Changes) (View, error) {
	c, err := s.d.Repo.GetCommunication(ctx, id)
	if err != nil {
		return View{}, err
	}
	if !c.Status.Editable() {
		return View{}, ErrNotEditable
	}
	inc, _, err := s.incidentOf(ctx, c.IncidentID)
	if err != nil {
		return View{}, err
	}
	n := c
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&n.Subject, ch.Subject)
	set(&n.HTML, ch.HTML)
	set(&n.Text, ch.Text)
	set(&n.ReplyTo, ch.ReplyTo)
	if ch.Scope != nil {
		n.Scope = *ch.Scope
	}
	if ch.Segments != nil {
		n.Segments = cleanSegments(*ch.Segments)
	}
	if ch.IncludePrevious != nil {
		n.IncludePrevious = *ch.IncludePrevious
	}
	if err := s.validate(ctx, inc, n); err != nil {
		return View{}, err
	}
	n.ContentHash = n.Hash()
	if n.ContentHash == c.ContentHash {
		return s.view(ctx, inc, c)
	}
	n.Status = Draft
	entries := []audit.Entry{entry(actor, "communication.update", n, map[string]any{
		"previous_content_hash": c.ContentHash, "previous_status": string(c.Status),
		"scope": string(n.Scope), "segments": n.Segments, "include_previous": n.IncludePrevious})}
	if c.Status != Draft {
		entries = append(entries, entry(actor, "communication.approvals_withdrawn", n, map[string]any{
			"reason": "the content or audience changed", "previous_content_hash": c.ContentHash}))
	}
	n, err = s.d.Repo.UpdateCommunication(ctx, n, entries)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inc, n)
}

// errNoSending: the service was built without Mail or Jobs.
var errNoSending = fmt.Errorf("communication: sending is not configured: %w", errs.Unavailable)
