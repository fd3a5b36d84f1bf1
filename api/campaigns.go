package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
)

type campaignHandlers struct {
	campaigns *campaign.Service
	incidents *incident.Service
}

type campaignRequest struct {
	Name              string   `json:"name"`
	BrandID           string   `json:"brand_id"`
	Subject           string   `json:"subject"`
	HTML              string   `json:"html"`
	Text              string   `json:"text"`
	Segments          []string `json:"segments"`
	SendBufferSeconds *int     `json:"send_buffer_seconds"`
	CanaryPercent     float64  `json:"canary_percent"`
	CanaryHoldSeconds int      `json:"canary_hold_seconds"`
	ASMGroupID        int      `json:"asm_group_id"`
}

type espPauseResponse struct {
	State string     `json:"state"`
	At    *time.Time `json:"at"`
	Error string     `json:"error"`
}

type campaignResponse struct {
	ID                string                `json:"id"`
	Name              string                `json:"name"`
	BrandID           string                `json:"brand_id"`
	Subject           string                `json:"subject"`
	HTML              *string               `json:"html,omitempty"` // nil in lists: only GET /campaigns/{id} and the changes carry bodies
	Text              *string               `json:"text,omitempty"`
	Segments          []string              `json:"segments"`
	SendBufferSeconds int                   `json:"send_buffer_seconds"`
	CanaryPercent     float64               `json:"canary_percent"`
	CanaryHoldSeconds int                   `json:"canary_hold_seconds"`
	ASMGroupID        *int                  `json:"asm_group_id"`
	Status            campaign.Status       `json:"status"`
	BatchID           string                `json:"batch_id"`
	ESPPause          espPauseResponse      `json:"esp_pause"`
	Counts            campaign.Counts       `json:"counts"`
	Stoppability      campaign.Stoppability `json:"stoppability"`
	Messages          campaign.Messages     `json:"messages"`
	FailedRequests    int                   `json:"failed_requests"`
	UncertainRequests int                   `json:"uncertain_requests"`
	LastError         string                `json:"last_error"`
	CanaryReleaseAt   *time.Time            `json:"canary_release_at"`
	SendStartedAt     *time.Time            `json:"send_started_at"`
	PausedAt          *time.Time            `json:"paused_at"`
	FinishedAt        *time.Time            `json:"finished_at"`
	ContentVersion    int                   `json:"content_version"`
	Fix               *campaign.Fix         `json:"fix"`
	Caution           *cautionResponse      `json:"caution"`    // campaign_caution.go
	Review            *campaign.Review      `json:"review"`     // campaign_review.go
	CreatedBy         string                `json:"created_by"` // campaign_review.go
	CreatedAt         time.Time             `json:"created_at"`
	UpdatedAt         time.Time             `json:"updated_at"`
}

func toCampaignResponse(v campaign.View) campaignResponse {
	c := v.Campaign
	r := campaignResponse{ID: c.ID, Name: c.Name, BrandID: c.BrandID, Subject: c.Subject, HTML: &c.HTML, Text: &c.Text,
		Segments: c.Segments, SendBufferSeconds: c.SendBufferSeconds, CanaryPercent: c.CanaryPercent,
		CanaryHoldSeconds: c.CanaryHoldSeconds, Status: c.Status, BatchID: c.BatchID,
		ESPPause: espPauseResponse{State: string(c.ESPState), At: c.ESPStateAt, Error: c.ESPError},
		Counts:   v.Counts, Stoppability: v.Stoppability, Messages: v.Messages, FailedRequests: c.FailedRequests,
		UncertainRequests: c.UncertainRequests, LastError: c.LastError, CanaryReleaseAt: c.CanaryReleaseAt,
		SendStartedAt: c.SendStartedAt, PausedAt: c.PausedAt, FinishedAt: c.FinishedAt,
		ContentVersion: c.ContentVersion, Fix: v.Fix, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	r.Caution = toCautionResponse(c.Caution)
	if r.Segments == nil {
		r.Segments = []string{}
	}
	if c.ASMGroupID > 0 {
		g := c.ASMGroupID
		r.ASMGroupID = &g
	}
	withReview(&r, v)
	return r
}

func (h campaignHandlers) create(c echo.Context) error {
	var in campaignRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	created, err := h.campaigns.CreateCampaign(c.Request().Context(), actorOf(c), campaign.NewCampaign{
		Campaign: campaign.Campaign{Name: in.Name, BrandID: in.BrandID, Subject: in.Subject, HTML: in.HTML, Text: in.Text,
			Segments: in.Segments, CanaryPercent: in.CanaryPercent, CanaryHoldSeconds: in.CanaryHoldSeconds,
			ASMGroupID: in.ASMGroupID},
		SendBufferSeconds: in.SendBufferSeconds,
	})
	if err != nil {
		return err
	}
	v := campaign.View{Campaign: created}
	if v.Review, err = h.campaigns.ReviewOf(c.Request().Context(), created); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCampaignResponse(v))
}

// list: one page of campaigns, newest first, without html and text (a list
// of full bodies could be gigabytes); the next page's cursor is in the headers.
func (h campaignHandlers) list(c echo.Context) error {
	p, err := pageOf(c)
	if err != nil {
		return err
	}
	vs, next, err := h.campaigns.List(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]campaignResponse, len(vs))
	for i, v := range vs {
		out[i] = toCampaignResponse(v)
		out[i].HTML, out[i].Text = nil, nil
	}
	setNext(c, p, next)
	return c.JSON(http.StatusOK, out)
}

// campaignPatchRequest: every field optional (absent = unchanged).
type campaignPatchRequest struct {
	Name              *string   `json:"name"`
	Subject           *string   `json:"subject"`
	HTML              *string   `json:"html"`
	Text              *string   `json:"text"`
	Segments          *[]string `json:"segments"`
	SendBufferSeconds *int      `json:"send_buffer_seconds"`
	CanaryPercent     *float64  `json:"canary_percent"`
	CanaryHoldSeconds *int      `json:"canary_hold_seconds"`
	ASMGroupID        *int      `json:"asm_group_id"`
}

// patch edits a draft or corrects a paused campaign (Fix, then resume).
func (h campaignHandlers) patch(c echo.Context) error {
	var in campaignPatchRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	v, err := h.campaigns.Update(c.Request().Context(), actorOf(c), c.Param("id"), campaign.Patch{
		Name: in.Name, Subject: in.Subject, HTML: in.HTML, Text: in.Text, Segments: in.Segments,
		SendBufferSeconds: in.SendBufferSeconds, CanaryPercent: in.CanaryPercent,
		CanaryHoldSeconds: in.CanaryHoldSeconds, ASMGroupID: in.ASMGroupID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCampaignResponse(v))
}

func (h campaignHandlers) get(c echo.Context) error {
	v, err := h.campaigns.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCampaignResponse(v))
}

func (h campaignHandlers) preflight(c echo.Context) error {
	p, err := h.campaigns.Preflight(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// send: 202 once the audience is snapshotted; the handoff runs in the background.
func (h campaignHandlers) send(c echo.Context) error {
	override, err := bindSend(c)
	if err != nil {
		return err
	}
	sent, err := h.campaigns.Send(c.Request().Context(), actorOf(c), c.Param("id"), override...)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"id": sent.ID, "status": sent.Status,
		"audience": sent.Audience, "batch_id": sent.BatchID})
}

type pauseRequest struct {
	Reason string `json:"reason"`
}

type pauseResponse struct {
	Campaign   campaignResponse `json:"campaign"`
	IncidentID *string          `json:"incident_id"`
}

// pause answers once Firebreak's plane is stopped (nothing more leaves) and
// SendGrid's plane has been asked; esp_pause says what SendGrid answered.
func (h campaignHandlers) pause(c echo.Context) error {
	var in pauseRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
	}
	if err := campaign.ValidateReason(in.Reason); err != nil {
		return err
	}
	// The pause opens (or joins) the campaign's incident, runbook triage, with
	// the caller as its acknowledged owner.
	v, inc, err := h.incidents.PauseCampaign(c.Request().Context(), actorOf(c), c.Param("id"), in.Reason, source(c))
	if err != nil {
		return err
	}
	out := pauseResponse{Campaign: toCampaignResponse(v)}
	if inc.ID != "" {
		out.IncidentID = &inc.ID
	}
	return c.JSON(http.StatusOK, out)
}

func (h campaignHandlers) resume(c echo.Context) error {
	v, err := h.campaigns.Resume(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCampaignResponse(v))
}

func (h campaignHandlers) cancel(c echo.Context) error {
	v, err := h.campaigns.Cancel(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCampaignResponse(v))
}

type sendInDoubtResponse struct {
	Campaign campaignResponse `json:"campaign"`
	Released int              `json:"released"`
}

// sendInDoubt: POST /api/v1/campaigns/{id}/send-in-doubt. The marketer's
// explicit, audited decision to send the recipients that stayed in doubt past
// FIREBREAK_IN_DOUBT_WAIT with no SendGrid event to settle them (they may
// receive the campaign twice). 202 once they are pending again: the handoff
// sends them in the background, like /send. 409 campaign_not_sending when
// paused or cancelled, 409 nothing_in_doubt when nothing has waited long enough.
func (h campaignHandlers) sendInDoubt(c echo.Context) error {
	v, n, err := h.campaigns.SendInDoubt(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, sendInDoubtResponse{Campaign: toCampaignResponse(v), Released: n})
}

// eventSeriesBucket is one bucket of a campaign's outcomes over time.
type eventSeriesBucket struct {
	At time.Time `json:"at"`
	campaign.SeriesCounts
}

type eventSeriesResponse struct {
	Bucket        string                `json:"bucket"`
	BucketSeconds int                   `json:"bucket_seconds"`
	Totals        campaign.SeriesCounts `json:"totals"`
	Buckets       []eventSeriesBucket   `json:"buckets"`
}

func toEventSeriesResponse(s campaign.EventSeries) eventSeriesResponse {
	out := eventSeriesResponse{BucketSeconds: int(s.Bucket / time.Second), Totals: s.Totals,
		Buckets: make([]eventSeriesBucket, len(s.Buckets))}
	for _, b := range campaign.SeriesBucketSizes {
		if b.Size == s.Bucket {
			out.Bucket = b.Name
		}
	}
	for i, b := range s.Buckets {
		out.Buckets[i] = eventSeriesBucket{At: b.At, SeriesCounts: b.SeriesCounts}
	}
	return out
}

// eventSeries: GET /api/v1/campaigns/{id}/event-series?bucket= — the
// campaign's outcomes per time bucket over its whole life, counted in SQL;
// the totals are its counters.
func (h campaignHandlers) eventSeries(c echo.Context) error {
	bucket, err := campaign.ParseSeriesBucket(c.QueryParam("bucket"))
	if err != nil {
		return err
	}
	s, err := h.campaigns.EventSeries(c.Request().Context(), c.Param("id"), bucket)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toEventSeriesResponse(s))
}
