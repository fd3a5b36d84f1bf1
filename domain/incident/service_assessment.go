package incident

import (
	"context"

	"github.com/firebreak/firebreak/domain/audit"
)

// AssessmentView is an assessment with what follows from it.
type AssessmentView struct {
	Assessment
	PIIExposed       bool
	LegalRequired    bool
	SecurityRequired bool
	// Why says why each flag is what it is (WhyFlags).
	Why FlagReasons
}

func (s *Service) viewAssessment(inc Incident, a Assessment) AssessmentView {
	rb, _ := s.runbooks.Get(inc.Runbook)
	return AssessmentView{Assessment: a, PIIExposed: PIIExposed(a.DataCategories),
		LegalRequired: LegalRequired(rb, a.DataCategories), SecurityRequired: SecurityRequired(rb, a.DataCategories),
		Why: WhyFlags(rb, a.DataCategories)}
}

// ComputeAssessment computes the blast radius now, exactly, from the handoff
// ledger and the events, and stores it.
func (s *Service) ComputeAssessment(ctx context.Context, actor audit.Actor, id string) (AssessmentView, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	if err := notResolved(inc); err != nil {
		return AssessmentView{}, err
	}
	v, err := s.campaigns.Get(ctx, inc.CampaignID)
	if err != nil {
		return AssessmentView{}, err
	}
	br, err := s.repo.BlastRadius(ctx, inc.CampaignID, espPausedAt(v.Campaign))
	if err != nil {
		return AssessmentView{}, err
	}
	a, err := s.repo.GetAssessment(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	a.Computed = &br
	if err := s.repo.SaveAssessment(ctx, a, audit.Entry{Actor: actor, Action: "incident.assess", SubjectType: SubjectType,
		Data: map[string]any{"targeted": br.Totals.Targeted, "handed_to_esp": br.Totals.HandedToESP, "held": br.Totals.Held,
			"delivered": br.Totals.Delivered, "complained": br.Totals.Complained}}); err != nil {
		return AssessmentView{}, err
	}
	return s.viewAssessment(inc, a), nil
}

// GetAssessment reads the stored assessment.
func (s *Service) GetAssessment(ctx context.Context, id string) (AssessmentView, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	a, err := s.repo.GetAssessment(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	return s.viewAssessment(inc, a), nil
}

// PatchAssessment edits the human fields (cause, data categories exposed,
// cost, notes).
func (s *Service) PatchAssessment(ctx context.Context, actor audit.Actor, id string, p AssessmentPatch) (AssessmentView, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	if err := notResolved(inc); err != nil {
		return AssessmentView{}, err
	}
	a, err := s.repo.GetAssessment(ctx, id)
	if err != nil {
		return AssessmentView{}, err
	}
	if a, err = p.Apply(a); err != nil {
		return AssessmentView{}, err
	}
	data := map[string]any{"cause": a.Cause, "data_categories_exposed": a.DataCategories, "cost_estimate_cents": a.CostEstimateCents}
	if err := s.repo.SaveAssessment(ctx, a, audit.Entry{Actor: actor, Action: "incident.assessment_edit",
		SubjectType: SubjectType, Data: data}); err != nil {
		return AssessmentView{}, err
	}
	return s.viewAssessment(inc, a), nil
}
