package incident

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/ids"
	"github.com/firebreak/firebreak/domain/page"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Repo is the storage incidents need (implemented by adapter/postgres). Every
// write carries its audit entries into the same transaction.
type Repo interface {
	CreateIncident(ctx context.Context, inc Incident, tasks []Task, entries []audit.Entry) (Incident, bool, error)
	GetIncident(ctx context.Context, id string) (Incident, error)
	OpenIncidentFor(ctx context.Context, campaignID string) (Incident, error)
	ListIncidents(ctx context.Context, status, campaignID string) ([]Incident, error)
	// UpdateIncident applies change under the incident's row lock and writes
	// the result, its entries and its tasks in one transaction. A task without
	// an ID is added to the plan; a task with an ID updates that task of the
	// incident (status, completed_at, completed_by) only while it is still
	// open: one that is not fails the whole change with ErrTaskChanged.
	UpdateIncident(ctx context.Context, id string, change func(Incident) (Incident, []audit.Entry, []Task, error)) (Incident, error)
	ListTasks(ctx context.Context, incidentID string) ([]Task, error)
	GetTask(ctx context.Context, incidentID, taskID string) (Task, error)
	SaveTask(ctx context.Context, t Task, a audit.Entry) (Task, error)
	GetAssessment(ctx context.Context, incidentID string) (Assessment, error)
	SaveAssessment(ctx context.Context, a Assessment, e audit.Entry) error
	BlastRadius(ctx context.Context, campaignID string, espPausedAt *time.Time) (assess.BlastRadius, error)
	// ListAffected is up to q.Limit of the campaign's audience in recipient_id
	// order after q.After, with their states, filtered by q.State and q.Segment.
	ListAffected(ctx context.Context, campaignID string, espPausedAt *time.Time, q assess.AffectedQuery) ([]assess.Affected, error)
	UserEmailsWithRole(ctx context.Context, role string) ([]string, error)
	ListAudit(ctx context.Context, subjectType, subjectID string) ([]audit.Entry, error)
	// ListTasksPage and ListAuditPage are ListTasks and ListAudit one keyset page at a time.
	ListTasksPage(ctx context.Context, incidentID string, p page.Request) ([]Task, page.Cursor, error)
	ListAuditPage(ctx context.Context, subjectType, subjectID string, p page.Request) ([]audit.Entry, page.Cursor, error)
	MetricsRepo
	NoteRepo
}

// Campaigns is what incidents need from the campaign use-cases.
type Campaigns interface {
	Get(ctx context.Context, id string) (campaign.View, error)
	Pause(ctx context.Context, actor audit.Actor, id, reason string) (campaign.View, error)
}

// Runbooks is the loaded runbook set.
type Runbooks interface {
	Get(id string) (runbook.Runbook, bool)
	All() []runbook.Runbook
}

// Jobs schedules escalation checks (asynq behind it).
type Jobs interface {
	EscalateAt(ctx context.Context, incidentID string, at time.Time) error
}

// Notification is one escalation message.
type Notification struct {
	Emails  []string
	Slack   bool
	Subject string
	Text    string
	// Category tags the email (SendGrid category): "escalation" when empty,
	// "review" for a communication waiting for its reviewers.
	Category string
}

// Notifier delivers escalations (email through the SendGrid client, and a
// Slack-compatible incoming webhook when one is configured). It says what it
// delivered; the error says what failed and why (a channel not configured is
// no error: it is absent from the Delivery).
type Notifier interface {
	Notify(ctx context.Context, n Notification) (Delivery, error)
}

// Delivery is what one Notify did: the addresses the e-mail was handed over
// for, and whether the Slack message was posted.
type Delivery struct {
	Emailed []string
	Slack   bool
}

// Observer records response times for /metrics, labelled with the
// incident's runbook and severity at that moment. Each is reported once its
// change is committed, with exactly the duration the incident answer shows
// (the time minus DetectedAt): the first acknowledge, the first pause, and
// every resolve (an incident reopened by a step-6 alert and resolved again is
// observed again, with its new time to resolve).
type Observer interface {
	TimeToAcknowledge(runbook, severity string, d time.Duration)
	TimeToPause(runbook, severity string, d time.Duration)
	TimeToResolve(runbook, severity string, d time.Duration)
}

// Service is the incident use-cases: steps 1–4.
type Service struct {
	repo      Repo
	campaigns Campaigns
	runbooks  Runbooks
	jobs      Jobs
	notify    Notifier
	observe   Observer
	watch     Watcher
	now       func() time.Time
	log       *slog.Logger

	mu         sync.Mutex
	reconciled time.Time // when the last Reconcile that detected without a failure began; zero: none yet
}

// Deps wires a Service.
type Deps struct {
	Repo      Repo
	Campaigns Campaigns
	Runbooks  Runbooks
	Jobs      Jobs
	Notifier  Notifier
	Observer  Observer
	// Watcher starts step 6's window on resolve (nil: no monitoring).
	Watcher Watcher
	Now     func() time.Time
	Log     *slog.Logger
}

// NewService returns the use-cases.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{repo: d.Repo, campaigns: d.Campaigns, runbooks: d.Runbooks, jobs: d.Jobs, notify: d.Notifier,
		observe: d.Observer, watch: d.Watcher, now: d.Now, log: d.Log}
}

// ErrUnknownRunbook: no runbook has that id.
var ErrUnknownRunbook = errs.New(errs.Invalid, "unknown_runbook", "No runbook has that id; GET /api/v1/runbooks lists them.")

// Declaration is the input to Declare.
type Declaration struct {
	CampaignID string
	Runbook    string
	Summary    string
	// SummaryGenerated: Firebreak wrote Summary (Title), so it may rewrite it.
	SummaryGenerated bool
	Severity         string
	Source           Source
	Trigger          *Trigger
}

// Declare opens an incident for a campaign with the runbook's task templates —
// or, when the campaign already has an open incident, returns that one
// (created false): a second declaration joins it. A new incident's escalation
// check is scheduled at its acknowledgement deadline.
func (s *Service) Declare(ctx context.Context, actor audit.Actor, d Declaration) (Incident, bool, error) {
	rb, ok := s.runbooks.Get(d.Runbook)
	if !ok {
		return Incident{}, false, ErrUnknownRunbook
	}
	if _, err := s.campaigns.Get(ctx, d.CampaignID); err != nil {
		if errors.Is(err, errs.NotFound) {
			var f errs.Fields
			f.Add("campaign_id", "no campaign has this id")
			return Incident{}, false, f.Err()
		}
		return Incident{}, false, err
	}
	return s.declare(ctx, actor, d, rb)
}

// declare is Declare for a caller that has just read the campaign (the pause,
// detection): it does not read it again.
func (s *Service) declare(ctx context.Context, actor audit.Actor, d Declaration, rb runbook.Runbook) (Incident, bool, error) {
	now := s.now()
	inc, err := New(NewIncident{CampaignID: d.CampaignID, Severity: d.Severity, Summary: d.Summary,
		SummaryGenerated: d.SummaryGenerated, Source: d.Source, Trigger: d.Trigger}, rb, now)
	if err != nil {
		return Incident{}, false, err
	}
	inc.Runbook = rb.ID
	out, created, err := s.repo.CreateIncident(ctx, inc, taskTemplates(rb, inc.DetectedAt), []audit.Entry{Opened(inc).Entry(actor, "", now)})
	if err != nil || !created {
		return out, false, err
	}
	s.scheduleEscalation(ctx, out, rb)
	return out, true, nil
}

func taskTemplates(rb runbook.Runbook, detected time.Time) []Task {
	out := make([]Task, 0, len(rb.Tasks))
	for _, t := range rb.Tasks {
		due := detected.Add(t.Due)
		out = append(out, Task{Title: t.Title, Kind: t.Kind, OwnerRole: t.OwnerRole, DueAt: &due, Template: true})
	}
	return out
}

func (s *Service) scheduleEscalation(ctx context.Context, inc Incident, rb runbook.Runbook) {
	if _, next := EscalationDue(inc, rb, s.now()); !next.IsZero() && s.jobs != nil {
		if err := s.jobs.EscalateAt(ctx, inc.ID, next); err != nil {
			s.log.Warn("schedule escalation (the reconciler will retry)", "incident_id", inc.ID, "err", err.Error())
		}
	}
}

// update applies a transition under the row lock and writes its audit entry.
func (s *Service) update(ctx context.Context, actor audit.Actor, id string,
	tr func(Incident, time.Time) (Incident, Change, []Task, error)) (Incident, error) {
	return s.repo.UpdateIncident(ctx, id, func(cur Incident) (Incident, []audit.Entry, []Task, error) {
		now := s.now()
		next, ch, tasks, err := tr(cur, now)
		if err != nil {
			return cur, nil, nil, err
		}
		if ch.IsZero() && len(tasks) == 0 {
			return cur, nil, nil, ErrNoChange
		}
		var entries []audit.Entry
		if !ch.IsZero() {
			entries = append(entries, ch.Entry(actor, id, now))
		}
		return next, entries, tasks, nil
	})
}

// Get reads an incident.
func (s *Service) Get(ctx context.Context, id string) (Incident, error) {
	return s.repo.GetIncident(ctx, id)
}

// List lists incidents, open first; status and campaignID filter when set.
func (s *Service) List(ctx context.Context, status, campaignID string) ([]Incident, error) {
	if status != "" && status != string(Open) && status != string(Resolved) {
		var f errs.Fields
		f.Add("status", "must be open or resolved")
		return nil, f.Err()
	}
	if campaignID != "" && !ids.Valid(campaignID) {
		return []Incident{}, nil
	}
	return s.repo.ListIncidents(ctx, status, campaignID)
}

// SetStep completes (or skips) a step of the response, for a caller whose
// roles may (auth.RequireStep: the step's permission; 403 naming who may).
func (s *Service) SetStep(ctx context.Context, actor audit.Actor, roles []auth.Role, id, step string, skip bool) (Incident, error) {
	if err := auth.RequireStep(roles, step, skip); err != nil {
		return Incident{}, err
	}
	return s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		if skip {
			next, ch, err := cur.SkipStep(step, actor.Name, now)
			return next, ch, nil, err
		}
		next, ch, err := cur.CompleteStep(step, actor.Name, now)
		return next, ch, nil, err
	})
}

// Acknowledge makes ownerID (default: the caller) the owner of an incident
// nobody owns yet. Once acknowledged, the owner asking again changes nothing,
// and anyone asking for another owner is ErrAlreadyAcknowledged naming the
// owner: the owner moves only by Reassign.
func (s *Service) Acknowledge(ctx context.Context, actor audit.Actor, id, ownerID string) (Incident, error) {
	if ownerID == "" {
		ownerID = actor.UserID
	}
	if err := validUserID("owner_id", ownerID); err != nil {
		return Incident{}, err
	}
	var acked *Incident
	inc, err := s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.Acknowledge(ownerID, actor.Name, now)
		acked = nil
		if err == nil && cur.AcknowledgedAt == nil && next.AcknowledgedAt != nil {
			acked = &next
		}
		return next, ch, nil, err
	})
	if err == nil && acked != nil && s.observe != nil {
		s.observe.TimeToAcknowledge(acked.Runbook, acked.Severity, acked.AcknowledgedAt.Sub(acked.DetectedAt))
	}
	return inc, err
}

// caller is who the principal is to the transitions that depend on it.
func caller(actor audit.Actor, roles []auth.Role) Caller {
	return Caller{UserID: actor.UserID, IsAdmin: slices.Contains(roles, auth.Admin),
		IsLegal: slices.Contains(roles, auth.Legal), CanTakeOver: auth.Can(roles, auth.IncidentAck)}
}

// Reassign hands an acknowledged incident to ownerID for a reason: the
// owner, anyone who may acknowledge incidents, or an admin (Incident.Reassign).
// The change and its incident.reassign audit entry (from, to, reason) are
// written in one transaction under the incident's row lock.
func (s *Service) Reassign(ctx context.Context, actor audit.Actor, roles []auth.Role, id, ownerID, reason string) (Incident, error) {
	if err := validUserID("owner_id", ownerID); err != nil {
		return Incident{}, err
	}
	return s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.Reassign(ownerID, reason, caller(actor, roles), now)
		return next, ch, nil, err
	})
}

// Pause stops the incident's campaign on both planes and records it.
func (s *Service) Pause(ctx context.Context, actor audit.Actor, id, reason string) (Incident, campaign.View, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return Incident{}, campaign.View{}, err
	}
	if inc.Status == Resolved {
		return inc, campaign.View{}, ErrResolved
	}
	if reason == "" {
		reason = "paused from incident " + id
	}
	v, err := s.campaigns.Pause(ctx, actor, inc.CampaignID, reason)
	if err != nil && !errors.Is(err, campaign.ErrNotSending) {
		return inc, v, err
	}
	if err != nil { // a draft, cancelled or failed campaign: nothing to pause
		v, _ = s.campaigns.Get(ctx, inc.CampaignID)
		return inc, v, nil
	}
	inc, err = s.markPaused(ctx, actor, id, v.Campaign.Name)
	return inc, v, err
}

// markPaused records the pause on the incident; the first pause of an
// incident with a generated title rewrites it ("… — paused").
func (s *Service) markPaused(ctx context.Context, actor audit.Actor, id, campaignName string) (Incident, error) {
	var paused *Incident
	inc, err := s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.MarkPaused(actor.Name, now)
		paused = nil
		if err == nil && cur.PausedAt == nil && next.PausedAt != nil {
			paused = &next
			if rb, ok := s.runbooks.Get(next.Runbook); ok && next.SummaryGenerated {
				if t := Title(next, rb, campaignName); t != next.Summary {
					next.Summary = t
					ch.Data = audit.With(ch.Data, "summary", t)
				}
			}
		}
		return next, ch, nil, err
	})
	if err == nil && paused != nil && s.observe != nil {
		s.observe.TimeToPause(paused.Runbook, paused.Severity, paused.PausedAt.Sub(paused.DetectedAt))
	}
	return inc, err
}

// PauseCampaign is the dashboard's and API's pause: it opens (or joins) the
// campaign's incident with runbook triage, makes the caller its owner and
// acknowledges it, and pauses the campaign on both planes. It reads the
// campaign once here (to refuse before opening an incident for nothing) and
// once more under the lock of the status change.
func (s *Service) PauseCampaign(ctx context.Context, actor audit.Actor, campaignID, reason string, src Source) (campaign.View, Incident, error) {
	v, err := s.campaigns.Get(ctx, campaignID)
	if err != nil {
		return campaign.View{}, Incident{}, err
	}
	if !v.Campaign.Pausable() { // refuse before opening an incident for nothing
		return v, Incident{}, campaign.ErrNotSending
	}
	rb, ok := s.runbooks.Get(runbook.Triage)
	if !ok {
		return campaign.View{}, Incident{}, ErrUnknownRunbook
	}
	summary, generated := reason, false
	if summary == "" {
		summary, generated = "Campaign paused by "+actor.Name, true
	}
	inc, _, err := s.declare(ctx, actor, Declaration{CampaignID: campaignID, Runbook: rb.ID, Summary: summary,
		SummaryGenerated: generated, Source: src}, rb)
	if err != nil {
		return campaign.View{}, Incident{}, err
	}
	if inc.AcknowledgedAt == nil {
		if inc, err = s.Acknowledge(ctx, actor, inc.ID, actor.UserID); err != nil {
			return campaign.View{}, inc, err
		}
	}
	v, err = s.campaigns.Pause(ctx, actor, campaignID, reason)
	if err != nil {
		return v, inc, err
	}
	inc, err = s.markPaused(ctx, actor, inc.ID, v.Campaign.Name)
	return v, inc, err
}

// Resolve closes the incident: the owner or an admin; with a reason while
// steps are unfinished; a data breach only after a legal confirmation
// (Incident.Resolve has the rules). Once committed, step 6's watch window
// starts (Watcher).
func (s *Service) Resolve(ctx context.Context, actor audit.Actor, roles []auth.Role, id, reason, summary string) (Incident, error) {
	var resolved *Incident
	inc, err := s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.Resolve(caller(actor, roles), reason, summary, now)
		resolved = nil
		if err == nil && cur.ResolvedAt == nil && next.ResolvedAt != nil {
			resolved = &next
		}
		return next, ch, nil, err
	})
	if err == nil && resolved != nil && s.observe != nil {
		s.observe.TimeToResolve(resolved.Runbook, resolved.Severity, resolved.ResolvedAt.Sub(resolved.DetectedAt))
	}
	if err == nil {
		s.startWatch(ctx, inc)
	}
	return inc, err
}

// ConfirmLegal records a legal user's sign-off (with what they checked) on
// the incident and its timeline; a data breach resolves only after one.
func (s *Service) ConfirmLegal(ctx context.Context, actor audit.Actor, roles []auth.Role, id, comment string) (Incident, error) {
	return s.update(ctx, actor, id, func(cur Incident, now time.Time) (Incident, Change, []Task, error) {
		next, ch, err := cur.ConfirmLegal(comment, caller(actor, roles), now)
		return next, ch, nil, err
	})
}

// Timeline is the incident's audit trail, oldest first.
func (s *Service) Timeline(ctx context.Context, id string) ([]audit.Entry, error) {
	if _, err := s.repo.GetIncident(ctx, id); err != nil {
		return nil, err
	}
	return s.repo.ListAudit(ctx, SubjectType, id)
}

func notResolved(inc Incident) error {
	if inc.Status == Resolved {
		return ErrResolved
	}
	return nil
}

// validUserID checks that a user id field is an id (the store checks that
// the user exists).
func validUserID(field, id string) error {
	if id == "" || ids.Valid(id) {
		return nil
	}
	var f errs.Fields
	f.Add(field, "is not a user id")
	return f.Err()
}
