package campaign_test

import (
	"context"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// The second pair of eyes' ports on the fake: nothing recorded, so every
// campaign the pause tests look at was sent without a review.

func (r *fakeRepo) ReviewStates(context.Context, []string) (map[string]campaign.ReviewState, error) {
	return map[string]campaign.ReviewState{}, nil
}
func (r *fakeRepo) UpdateBrand(context.Context, string, func(campaign.Brand) (campaign.Brand, audit.Entry, error)) (campaign.Brand, error) {
	panic("not used")
}
func (r *fakeRepo) ApproveReview(context.Context, string, func(campaign.Campaign, campaign.ReviewState) (campaign.ReviewApproval, audit.Entry, error)) error {
	panic("not used")
}

func (r *inDoubtRepo) ReviewStates(context.Context, []string) (map[string]campaign.ReviewState, error) {
	return nil, nil
}

func (r *pauseRepo) ReviewStates(context.Context, []string) (map[string]campaign.ReviewState, error) {
	return nil, nil
}
