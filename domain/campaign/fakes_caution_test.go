package campaign_test

import (
	"context"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
)

// OpenWatches: no brand of the fake is watched (caution_test.go tests the
// rule itself; the store's side is tested against Postgres).
func (r *fakeRepo) OpenWatches(context.Context, []string, time.Time) ([]campaign.Watch, error) {
	return nil, nil
}
