package postmortem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// BreachRecord is one line of the breach register: what GDPR Art. 33(5)
// asks a controller to document of every personal data breach, notified or
// not — the facts, its effects and the remedial action taken — and legal's
// decision with who made it and when.
type BreachRecord struct {
	IncidentID     string
	CampaignID     string
	DetectedAt     time.Time
	Status         incident.Status
	Summary        string   // the facts
	DataCategories []string // the assessment's data categories exposed
	Subjects       int      // recipients who possibly received it
	Effects        string   // the assessment's notes
	RemedialAction string   // the tasks done, in words
	Notified       bool     // a breach notice was sent
	Decision       string   // the legal confirmation's comment
	DecidedAt      *time.Time
	DecidedBy      string // the legal user's address
	ResolvedAt     *time.Time
}

// BreachRegister lists every incident whose runbook is data-breach, open or
// resolved, notified or not, oldest first (detected_at, then id).
func (s *Service) BreachRegister(ctx context.Context) ([]BreachRecord, error) {
	incs, err := s.d.Incidents.List(ctx, "", "")
	if err != nil {
		return nil, err
	}
	incs = slices.DeleteFunc(slices.Clone(incs), func(i incident.Incident) bool { return i.Runbook != runbook.DataBreach })
	slices.SortStableFunc(incs, func(a, b incident.Incident) int {
		if c := a.DetectedAt.Compare(b.DetectedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]BreachRecord, 0, len(incs))
	for _, inc := range incs {
		rec, err := s.breachRecord(ctx, inc)
		if err != nil {
			return nil, fmt.Errorf("breach register, incident %s: %w", inc.ID, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func (s *Service) breachRecord(ctx context.Context, inc incident.Incident) (BreachRecord, error) {
	var a *incident.AssessmentView
	switch v, err := s.d.Incidents.GetAssessment(ctx, inc.ID); {
	case err == nil:
		a = &v
	case !errors.Is(err, errs.NotFound):
		return BreachRecord{}, err
	}
	tasks, err := s.d.Incidents.Tasks(ctx, inc.ID)
	if err != nil {
		return BreachRecord{}, err
	}
	var comms []communication.View
	if s.d.Communications != nil {
		if comms, err = s.d.Communications.List(ctx, inc.ID); err != nil {
			return BreachRecord{}, err
		}
	}
	v, err := s.d.Campaigns.Get(ctx, inc.CampaignID)
	if err != nil {
		return BreachRecord{}, err
	}
	if inc.LegalConfirmation == nil && inc.ResolvedAt != nil {
		// A legal user's resolve is the confirmation itself (Incident.Resolve):
		// only its audit entry says who and when.
		es, err := s.d.Incidents.Timeline(ctx, inc.ID)
		if err != nil {
			return BreachRecord{}, err
		}
		inc.LegalConfirmation = ConfirmedByResolve(es)
	}
	names := map[string]string{}
	ids := []string{}
	if inc.LegalConfirmation != nil {
		ids = append(ids, inc.LegalConfirmation.By)
	}
	for _, t := range tasks {
		ids = append(ids, t.CompletedBy)
	}
	if err := s.names(ctx, names, ids...); err != nil {
		return BreachRecord{}, err
	}
	return Breach(inc, a, tasks, comms, possiblyReceived(a, v), names), nil
}

// Breach builds one register line from what the services read; names maps
// user ids to addresses (an id missing from it is shown as is).
func Breach(inc incident.Incident, a *incident.AssessmentView, tasks []incident.Task, comms []communication.View,
	subjects int, names map[string]string) BreachRecord {
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	rec := BreachRecord{IncidentID: inc.ID, CampaignID: inc.CampaignID, DetectedAt: inc.DetectedAt.UTC(), Status: inc.Status,
		Summary: inc.Summary, DataCategories: []string{}, Subjects: subjects, ResolvedAt: utc(inc.ResolvedAt)}
	if a != nil {
		rec.DataCategories = append(rec.DataCategories, a.DataCategories...)
		rec.Effects = a.Notes
	}
	var done []string
	for _, t := range tasks {
		if t.Status != incident.TaskDone { // open, or cancelled: not remedial action taken
			continue
		}
		s := t.Title
		var how []string
		if t.CompletedBy != "" {
			how = append(how, "by "+name(t.CompletedBy))
		}
		if t.CompletedAt != nil {
			how = append(how, when(*t.CompletedAt))
		}
		if len(how) > 0 {
			s += " (done " + strings.Join(how, ", ") + ")"
		}
		done = append(done, s)
	}
	rec.RemedialAction = strings.Join(done, "; ")
	for _, c := range comms {
		if c.Kind == communication.BreachNotice && (c.SentAt != nil || c.Status == communication.Sent) {
			rec.Notified = true
		}
	}
	if lc := inc.LegalConfirmation; lc != nil {
		at := lc.At.UTC()
		rec.Decision, rec.DecidedAt, rec.DecidedBy = lc.Comment, &at, name(lc.By)
	}
	return rec
}

// ConfirmedByResolve is the legal sign-off an incident.resolve entry records
// (legal_confirmed_by, legal_confirmed_at; the latest such entry), nil when
// none does. A legal user who resolves a breach without a separate
// confirmation gives it this way, without a comment.
func ConfirmedByResolve(es []audit.Entry) *incident.LegalConfirmation {
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.Action != incident.ActionResolve {
			continue
		}
		by, _ := e.Data["legal_confirmed_by"].(string)
		if by == "" {
			continue
		}
		lc := &incident.LegalConfirmation{By: by, At: e.At}
		switch at := e.Data["legal_confirmed_at"].(type) {
		case time.Time:
			lc.At = at
		case string:
			if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
				lc.At = t
			}
		}
		return lc
	}
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
