package campaign_test

import (
	"context"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// FixRepo of the fake: no service unit test reaches it (Fix, then resume is
// tested on real Postgres with the simulator, test/stack/fix_test.go).

func (r *fakeRepo) UpdateCampaign(context.Context, string, func(campaign.Campaign) (campaign.Campaign, *audit.Entry, error)) (campaign.Campaign, error) {
	panic("not used")
}
func (r *fakeRepo) HandedContent(context.Context, string, int) (campaign.Content, error) {
	panic("not used")
}
func (r *fakeRepo) SnapshotFacts(context.Context, string, []campaign.Tag) (campaign.AudienceFacts, error) {
	panic("not used")
}
func (r *fakeRepo) LatestSendAt(context.Context, string, string) (time.Time, error) {
	panic("not used")
}
func (r *fakeRepo) ReleaseESP(context.Context, string, audit.Entry) error { panic("not used") }
func (r *fakeRepo) ResumeFixed(context.Context, campaign.FixResume) (campaign.Campaign, error) {
	panic("not used")
}
func (r *fakeRepo) CancelledBatchesDue(context.Context, time.Time) ([]campaign.CancelledBatch, error) {
	panic("not used")
}
func (r *fakeRepo) MarkBatchReleased(context.Context, campaign.CancelledBatch, time.Time, string) error {
	panic("not used")
}
