package incident

import (
	"context"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/campaign"
)

// AffectedBatch is how many rows EachAffected reads per store call: large
// enough that a million-row export is 200 keyset queries, small enough that
// one batch is a few megabytes.
const AffectedBatch = 5000

// ListAffected answers one page of "who received it": the incident's
// campaign audience in recipient_id order, each with its state (the blast
// radius's rules, so the rows per state agree with the assessment), filtered
// by q. next is the recipient_id to pass as After for the following page, ""
// when this page is the last. An unknown incident is ErrNotFound.
func (s *Service) ListAffected(ctx context.Context, id string, q assess.AffectedQuery) ([]assess.Affected, string, error) {
	campaignID, pausedAt, err := s.affectedScope(ctx, id)
	if err != nil {
		return nil, "", err
	}
	n := q.Limit
	if n <= 0 {
		n = assess.DefaultAffectedLimit
	}
	q.Limit = n + 1
	rows, err := s.repo.ListAffected(ctx, campaignID, pausedAt, q)
	if err != nil {
		return nil, "", err
	}
	if len(rows) <= n {
		return rows, "", nil
	}
	rows = rows[:n]
	return rows, rows[n-1].RecipientID, nil
}

// EachAffected hands fn every row matching q's filters (q's After and Limit
// are ignored: all of them), AffectedBatch at a time in recipient_id order, so
// an export of any size holds one batch in memory. The incident is checked
// before fn is first called: an unknown one is ErrNotFound and fn never runs;
// fn is not called for an empty result. An error from fn stops the walk and
// is returned. Each batch is its own keyset query: a recipient whose state
// changes during the walk is reported as it was when its batch was read.
func (s *Service) EachAffected(ctx context.Context, id string, q assess.AffectedQuery, fn func([]assess.Affected) error) error {
	campaignID, pausedAt, err := s.affectedScope(ctx, id)
	if err != nil {
		return err
	}
	q.After, q.Limit = "", AffectedBatch
	for {
		rows, err := s.repo.ListAffected(ctx, campaignID, pausedAt, q)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		if err := fn(rows); err != nil {
			return err
		}
		if len(rows) < AffectedBatch {
			return nil
		}
		q.After = rows[len(rows)-1].RecipientID
	}
}

// affectedScope is the incident's campaign and when SendGrid accepted its
// pause (nil when it has not), the two inputs of the held rule.
func (s *Service) affectedScope(ctx context.Context, id string) (string, *time.Time, error) {
	inc, err := s.repo.GetIncident(ctx, id)
	if err != nil {
		return "", nil, err
	}
	v, err := s.campaigns.Get(ctx, inc.CampaignID)
	if err != nil {
		return "", nil, err
	}
	return inc.CampaignID, espPausedAt(v.Campaign), nil
}

// espPausedAt is when SendGrid accepted c's pause (paused or cancelled at
// SendGrid), nil otherwise: what the held rule measures send_at against.
func espPausedAt(c campaign.Campaign) *time.Time {
	if c.ESPState == campaign.ESPPaused || c.ESPState == campaign.ESPCancelled {
		return c.ESPStateAt
	}
	return nil
}
