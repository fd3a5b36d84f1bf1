package campaign

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
)

// ReviewRepo is the storage of the second pair of eyes (adapter/postgres).
type ReviewRepo interface {
	// UpdateBrand changes a brand under its row lock: change gets the current
	// brand and returns the next one and its audit entry.
	UpdateBrand(ctx context.Context, id string, change func(Brand) (Brand, audit.Entry, error)) (Brand, error)
	// ReviewStates reads the review state of campaigns; a campaign with none
	// recorded may be missing from the map.
	ReviewStates(ctx context.Context, campaignIDs []string) (map[string]ReviewState, error)
	// ApproveReview records an approval under the campaign's row lock: decide
	// gets the locked campaign and its review state and returns the approval
	// and its audit entry, or an error and nothing is written. Approving the
	// same content twice records nothing new.
	ApproveReview(ctx context.Context, campaignID string, decide func(Campaign, ReviewState) (ReviewApproval, audit.Entry, error)) error
}

// BrandPatch is a change of a brand's settings; nil fields stay as they are.
type BrandPatch struct {
	SecondReview *SecondReview
}

// PatchBrand changes a brand's settings (admin), audited as
// brand.second_review with the setting before and after.
func (s *Service) PatchBrand(ctx context.Context, actor audit.Actor, id string, p BrandPatch) (Brand, error) {
	if p.SecondReview == nil {
		var f errs.Fields
		f.Add("second_review", "is required: the only setting a brand's PATCH changes today")
		return Brand{}, f.Err()
	}
	if err := p.SecondReview.Validate(); err != nil {
		return Brand{}, err
	}
	next := p.SecondReview.Normalized()
	return s.repo.UpdateBrand(ctx, id, func(cur Brand) (Brand, audit.Entry, error) {
		before := cur.SecondReview
		cur.SecondReview = next
		return cur, audit.Entry{Actor: actor, Action: "brand.second_review", SubjectType: "brand", SubjectID: id,
			Data: map[string]any{"before": before, "after": next}}, nil
	})
}

// Reviewer is who approves a draft: their audit actor, and whether the
// request is their own act (not a token somebody else minted in their name:
// auth.Principal.ActsForSelf), as for notices.
type Reviewer struct {
	Actor  audit.Actor
	OwnAct bool
}

// Approve records a second marketer's approval of a draft's content, bound
// to contentHash, the hash the reviewer saw (409 content_changed when the
// draft has changed since). Nobody who wrote the draft may approve it. The
// checks run again under the campaign's row lock, so an edit committed
// between the reviewer's read and the approval is never approved.
func (s *Service) Approve(ctx context.Context, r Reviewer, id, contentHash, comment string) (View, error) {
	var f errs.Fields
	if strings.TrimSpace(contentHash) == "" {
		f.Add("content_hash", "is required: the content_hash of the draft you reviewed")
	}
	if utf8.RuneCountInString(comment) > MaxReviewComment {
		f.Add("comment", fmt.Sprintf("must be at most %d characters", MaxReviewComment))
	}
	if err := f.Err(); err != nil {
		return View{}, err
	}
	c, err := s.repo.GetCampaign(ctx, id)
	if err != nil {
		return View{}, err
	}
	if c.Status != Draft {
		return View{}, ErrReviewNotDraft
	}
	b, err := s.repo.GetBrand(ctx, c.BrandID)
	if err != nil {
		return View{}, err
	}
	facts, err := s.repo.AudienceFacts(ctx, c.Segments, c.ASMGroupID, nil)
	if err != nil {
		return View{}, err
	}
	now := s.cfg.Now().UTC()
	err = s.repo.ApproveReview(ctx, id, func(cur Campaign, st ReviewState) (ReviewApproval, audit.Entry, error) {
		if cur.Status != Draft {
			return ReviewApproval{}, audit.Entry{}, ErrReviewNotDraft
		}
		if IsAuthor(cur, st, r.Actor.UserID) {
			return ReviewApproval{}, audit.Entry{}, ErrOwnCampaign
		}
		if !r.OwnAct {
			return ReviewApproval{}, audit.Entry{}, ErrReviewNotOwnAct
		}
		hash := ContentHash(cur)
		if contentHash != hash {
			return ReviewApproval{}, audit.Entry{}, &ContentChangedError{ContentHash: hash}
		}
		// The audience was measured before the lock; the hash covers the
		// segments, so it is the audience of this content.
		rv := EvaluateReview(cur, facts.Size, b, st)
		if rv == nil {
			return ReviewApproval{}, audit.Entry{}, ErrReviewNotRequired
		}
		a := ReviewApproval{UserID: r.Actor.UserID, Name: r.Actor.Name, At: now,
			Comment: strings.TrimSpace(comment), ContentHash: hash}
		codes := make([]string, len(rv.Reasons))
		for i, x := range rv.Reasons {
			codes[i] = x.Code
		}
		return a, audit.Entry{Actor: r.Actor, Action: "campaign.review_approved", SubjectType: "campaign", SubjectID: id,
			Data: map[string]any{"content_hash": hash, "comment": a.Comment, "mode": string(rv.Mode), "reasons": codes}}, nil
	})
	if err != nil {
		return View{}, err
	}
	return s.Get(ctx, id)
}

// ReviewOf is the review of one campaign as its answer shows it: for a
// draft, the one it needs now (nil when none); once sent, the one it was
// sent with.
func (s *Service) ReviewOf(ctx context.Context, c Campaign) (*Review, error) {
	m, err := s.reviewsOf(ctx, []Campaign{c})
	if err != nil {
		return nil, err
	}
	return m[c.ID], nil
}

// reviewsOf is ReviewOf of many campaigns (a list page, whose campaigns come
// without bodies): a draft of a brand whose mode is off costs nothing more; the
// others their full row and a count of their live audience.
func (s *Service) reviewsOf(ctx context.Context, cs []Campaign) (map[string]*Review, error) {
	out := map[string]*Review{}
	if len(cs) == 0 {
		return out, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	states, err := s.repo.ReviewStates(ctx, ids)
	if err != nil {
		return nil, err
	}
	brands := map[string]Brand{}
	for _, c := range cs {
		if c.Status != Draft {
			out[c.ID] = states[c.ID].Sent
			continue
		}
		b, ok := brands[c.BrandID]
		if !ok {
			if b, err = s.repo.GetBrand(ctx, c.BrandID); err != nil {
				return nil, err
			}
			brands[c.BrandID] = b
		}
		if mode, _ := b.ActiveReview(); mode == ReviewOff {
			continue
		}
		if c.HTML == "" && c.Text == "" { // a list's row: read the bodies
			if c, err = s.repo.GetCampaign(ctx, c.ID); err != nil {
				return nil, err
			}
		}
		facts, err := s.repo.AudienceFacts(ctx, c.Segments, c.ASMGroupID, nil)
		if err != nil {
			return nil, err
		}
		out[c.ID] = EvaluateReview(c, facts.Size, b, states[c.ID])
	}
	return out, nil
}

// checkReview is Send's early answer (before a SendGrid batch is opened):
// review_required when the draft needs an approval it does not have. The
// store decides again when the send starts (CheckReview under the lock).
func (s *Service) checkReview(ctx context.Context, c Campaign, audience int) error {
	b, err := s.repo.GetBrand(ctx, c.BrandID)
	if err != nil {
		return err
	}
	if mode, _ := b.ActiveReview(); mode == ReviewOff {
		return nil
	}
	states, err := s.repo.ReviewStates(ctx, []string{c.ID})
	if err != nil {
		return err
	}
	_, err = CheckReview(c, audience, b, states[c.ID])
	return err
}
