package api

import (
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
)

// Step 6's cautious sends on the wire: Campaign.caution, and the admin's
// override_caution_reason on POST /campaigns/{id}/send.

// cautionResponse is CampaignCaution.
type cautionResponse struct {
	IncidentID        string     `json:"incident_id"`
	Runbook           string     `json:"runbook"`
	WindowEnd         time.Time  `json:"window_end"`
	Reason            string     `json:"reason"`
	CanaryPercent     float64    `json:"canary_percent"`
	CanaryHoldSeconds int        `json:"canary_hold_seconds"`
	Overridden        bool       `json:"overridden"`
	OverrideReason    string     `json:"override_reason"`
	OverriddenBy      string     `json:"overridden_by"`
	OverriddenAt      *time.Time `json:"overridden_at"`
}

// toCautionResponse: nil (JSON null) when no watch window applies.
func toCautionResponse(c *campaign.Caution) *cautionResponse {
	if c == nil {
		return nil
	}
	return &cautionResponse{IncidentID: c.IncidentID, Runbook: c.Runbook, WindowEnd: c.WindowEnd, Reason: c.Reason,
		CanaryPercent: c.CanaryPercent, CanaryHoldSeconds: c.CanaryHoldSeconds, Overridden: c.Overridden,
		OverrideReason: c.OverrideReason, OverriddenBy: c.OverriddenBy, OverriddenAt: c.OverriddenAt}
}

// sendRequest is POST /campaigns/{id}/send's optional body.
type sendRequest struct {
	// OverrideCautionReason: absent, no override; present (even empty, which
	// the domain refuses), the caller asks to send without the watch's canary.
	OverrideCautionReason *string `json:"override_caution_reason"`
}

// bindSend reads the optional body and turns an override into the domain's
// input, with whether the caller is an admin (the domain decides the rule).
func bindSend(c echo.Context) ([]campaign.CautionOverride, error) {
	var in sendRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return nil, err
		}
	}
	if in.OverrideCautionReason == nil {
		return nil, nil
	}
	p, _ := principalOf(c)
	return []campaign.CautionOverride{{Reason: *in.OverrideCautionReason, Admin: slices.Contains(p.Roles, auth.Admin)}}, nil
}
