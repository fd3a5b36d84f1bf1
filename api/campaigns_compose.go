package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

// The compose endpoints: a campaign's preview as one audience member, a test
// of it to the caller's own address, and the audience estimate of a choice of
// segments (domain/campaign/compose.go has the rules).

type previewMemberResponse struct {
	RecipientID string `json:"recipient_id"`
	Email       string `json:"email"`
}

// campaignPreviewResponse is the CampaignPreview schema.
type campaignPreviewResponse struct {
	RecipientID string                  `json:"recipient_id"`
	Email       string                  `json:"email"`
	Subject     string                  `json:"subject"`
	HTML        string                  `json:"html"`
	Text        string                  `json:"text"`
	Recipients  []previewMemberResponse `json:"recipients"`
}

func toCampaignPreviewResponse(p campaign.Preview) campaignPreviewResponse {
	out := campaignPreviewResponse{RecipientID: p.RecipientID, Email: p.Email, Subject: p.Subject, HTML: p.HTML,
		Text: p.Text, Recipients: make([]previewMemberResponse, len(p.Recipients))}
	for i, m := range p.Recipients {
		out.Recipients[i] = previewMemberResponse{RecipientID: m.ID, Email: m.Email}
	}
	return out
}

// preview is GET /campaigns/{id}/preview?recipient_id=.
func (h campaignHandlers) preview(c echo.Context) error {
	p, err := h.campaigns.Preview(c.Request().Context(), c.Param("id"), c.QueryParam("recipient_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCampaignPreviewResponse(p))
}

type testSendRequest struct {
	RecipientID string `json:"recipient_id"`
}

type testSendResponse struct {
	To          string `json:"to"`
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// sendTest is POST /campaigns/{id}/test: 202 once SendGrid accepted the one
// test message (delivery is SendGrid's). The body is optional.
func (h campaignHandlers) sendTest(c echo.Context) error {
	var in testSendRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	res, err := h.campaigns.SendTest(c.Request().Context(), actorOf(c), c.Param("id"), in.RecipientID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, testSendResponse{To: res.To, RecipientID: res.RecipientID, MessageID: res.MessageID})
}

type segmentCountResponse struct {
	Name    string `json:"name"`
	Members int    `json:"members"`
}

// audienceEstimateResponse is the AudienceEstimate schema.
type audienceEstimateResponse struct {
	Segments   []segmentCountResponse `json:"segments"`
	Members    int                    `json:"members"`
	Suppressed int                    `json:"suppressed"`
	Audience   int                    `json:"audience"`
}

func toAudienceEstimateResponse(e campaign.AudienceEstimate) audienceEstimateResponse {
	out := audienceEstimateResponse{Segments: make([]segmentCountResponse, len(e.Segments)), Members: e.Members,
		Suppressed: e.Suppressed, Audience: e.Audience}
	for i, s := range e.Segments {
		out.Segments[i] = segmentCountResponse{Name: s.Name, Members: s.Members}
	}
	return out
}

// audience is GET /audience?segment=a&segment=b&asm_group_id=.
func (h campaignHandlers) audience(c echo.Context) error {
	group := 0
	if s := c.QueryParam("asm_group_id"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			var f errs.Fields
			f.Add("asm_group_id", "must be a SendGrid unsubscribe group id (a whole number), or 0 for none")
			return f.Err()
		}
		group = n
	}
	est, err := h.campaigns.Audience(c.Request().Context(), c.QueryParams()["segment"], group)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAudienceEstimateResponse(est))
}
