package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

// The second pair of eyes (domain/campaign/review.go): a brand's setting
// (PATCH /brands/{id}), the review every Campaign answer carries, and a
// second marketer's approval (POST /campaigns/{id}/approve).

// secondReviewRequest is a SecondReview as an admin sends it: every field is
// required (a missing one is 422, never a silent default).
type secondReviewRequest struct {
	Enabled      *bool     `json:"enabled"`
	AudienceOver *int      `json:"audience_over"`
	Mentions     *[]string `json:"mentions"`
}

func (r secondReviewRequest) toSecondReview() (campaign.SecondReview, error) {
	var f errs.Fields
	if r.Enabled == nil {
		f.Add("second_review.enabled", "is required")
	}
	if r.AudienceOver == nil {
		f.Add("second_review.audience_over", "is required")
	}
	if r.Mentions == nil {
		f.Add("second_review.mentions", "is required: a list of prices, codes, attachments (may be empty)")
	}
	if err := f.Err(); err != nil {
		return campaign.SecondReview{}, err
	}
	out := campaign.SecondReview{Enabled: *r.Enabled, AudienceOver: *r.AudienceOver, Mentions: []campaign.Mention{}}
	for _, m := range *r.Mentions {
		out.Mentions = append(out.Mentions, campaign.Mention(m))
	}
	return out, out.Validate()
}

// brandPatchRequest is BrandPatch: today only the second pair of eyes.
type brandPatchRequest struct {
	SecondReview *secondReviewRequest `json:"second_review"`
}

// patchBrand is PATCH /api/v1/brands/{id} (admin): audited brand.second_review.
func (h campaignHandlers) patchBrand(c echo.Context) error {
	var in brandPatchRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	var p campaign.BrandPatch
	if in.SecondReview != nil {
		sr, err := in.SecondReview.toSecondReview()
		if err != nil {
			return err
		}
		p.SecondReview = &sr
	}
	b, err := h.campaigns.PatchBrand(c.Request().Context(), actorOf(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toBrandResponse(b))
}

// campaignApproveRequest: the content_hash the reviewer saw (required: an
// approval is bound to it) and an optional comment.
type campaignApproveRequest struct {
	ContentHash string `json:"content_hash"`
	Comment     string `json:"comment"`
}

// approve is POST /api/v1/campaigns/{id}/approve: a second marketer's
// approval of the draft's current content (not its creator's or editor's;
// the reviewer's own act, as for notices).
func (h campaignHandlers) approve(c echo.Context) error {
	var in campaignApproveRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	p, _ := principalOf(c)
	v, err := h.campaigns.Approve(c.Request().Context(), campaign.Reviewer{Actor: actorOf(c), OwnAct: p.ActsForSelf()},
		c.Param("id"), in.ContentHash, in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCampaignResponse(v))
}

// withReview sets the second pair of eyes on a Campaign answer: the review
// (nil when none applies) and who created the draft.
func withReview(r *campaignResponse, v campaign.View) {
	r.Review, r.CreatedBy = v.Review, v.Campaign.CreatedBy
}
