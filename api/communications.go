package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/communication"
)

type communicationHandlers struct {
	comms *communication.Service
}

// communicationResponse is DESIGN.md's communication.
type communicationResponse struct {
	ID                string                   `json:"id"`
	IncidentID        string                   `json:"incident_id"`
	Kind              communication.Kind       `json:"kind"`
	Status            communication.Status     `json:"status"`
	Subject           string                   `json:"subject"`
	HTML              string                   `json:"html"`
	Text              string                   `json:"text"`
	ReplyTo           string                   `json:"reply_to"`
	Scope             communication.Scope      `json:"scope"`
	Segments          []string                 `json:"segments"`
	IncludePrevious   bool                     `json:"include_previous"`
	AuthorID          *string                  `json:"author_id"`
	ContentHash       string                   `json:"content_hash"`
	Audience          communication.Audience   `json:"audience"`
	RequiredApprovals []string                 `json:"required_approvals"`
	Approvals         []communication.Approval `json:"approvals"`
	// StillNeeded are the required roles no active approval covers yet.
	StillNeeded []string             `json:"still_needed"`
	Counts      communication.Counts `json:"counts"`
	BatchID     string               `json:"batch_id"`
	CreatedAt   time.Time            `json:"created_at"`
	UpdatedAt   time.Time            `json:"updated_at"`
	SentAt      *time.Time           `json:"sent_at"`
	// SendGrid's plane of a pause, resume or cancel (as a campaign's).
	ESPState   string     `json:"esp_state"`
	ESPStateAt *time.Time `json:"esp_state_at"`
	ESPError   string     `json:"esp_error"`
	PausedAt   *time.Time `json:"paused_at"`
	// HaltedAt and HaltReason: a deliverability spike (complaints, hard
	// bounces) paused it by itself; a person resumes it.
	HaltedAt   *time.Time `json:"halted_at"`
	HaltReason string     `json:"halt_reason"`
	// SubmittedAt: when it was last submitted for review (the queue's age).
	SubmittedAt *time.Time `json:"submitted_at"`
}

func toCommunicationResponse(v communication.View) communicationResponse {
	r := communicationResponse{ID: v.ID, IncidentID: v.IncidentID, Kind: v.Kind, Status: v.Status, Subject: v.Subject,
		HTML: v.HTML, Text: v.Text, ReplyTo: v.ReplyTo, Scope: v.Scope, Segments: v.Segments,
		IncludePrevious: v.IncludePrevious, ContentHash: v.ContentHash, Audience: v.Audience,
		RequiredApprovals: v.RequiredApprovals, Approvals: v.Approvals, StillNeeded: v.StillNeeded, Counts: v.Counts, BatchID: v.BatchID,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, SentAt: v.SentAt,
		ESPState: string(v.ESPState), ESPStateAt: v.ESPStateAt, ESPError: v.ESPError, PausedAt: v.PausedAt,
		HaltedAt: v.HaltedAt, HaltReason: v.HaltReason, SubmittedAt: v.SubmittedAt}
	if r.ESPState == "" {
		r.ESPState = "none"
	}
	if r.Segments == nil {
		r.Segments = []string{}
	}
	if r.RequiredApprovals == nil {
		r.RequiredApprovals = []string{}
	}
	if r.Approvals == nil {
		r.Approvals = []communication.Approval{}
	}
	if r.StillNeeded == nil {
		r.StillNeeded = []string{}
	}
	if v.AuthorID != "" {
		a := v.AuthorID
		r.AuthorID = &a
	}
	return r
}

type createCommunicationRequest struct {
	Kind            string   `json:"kind"`
	Subject         string   `json:"subject"`
	HTML            string   `json:"html"`
	Text            string   `json:"text"`
	ReplyTo         string   `json:"reply_to"`
	Scope           string   `json:"scope"`
	Segments        []string `json:"segments"`
	IncludePrevious bool     `json:"include_previous"`
}

func (h communicationHandlers) create(c echo.Context) error {
	var in createCommunicationRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	v, err := h.comms.Create(c.Request().Context(), actorOf(c), c.Param("id"), communication.NewDraft{
		Kind:    communication.Kind(in.Kind),
		Content: communication.Content{Subject: in.Subject, HTML: in.HTML, Text: in.Text, ReplyTo: in.ReplyTo},
		Scope:   communication.Scope(in.Scope), Segments: in.Segments, IncludePrevious: in.IncludePrevious})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCommunicationResponse(v))
}

func (h communicationHandlers) list(c echo.Context) error {
	vs, err := h.comms.List(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]communicationResponse, len(vs))
	for i, v := range vs {
		out[i] = toCommunicationResponse(v)
	}
	return c.JSON(http.StatusOK, out)
}

func (h communicationHandlers) get(c echo.Context) error {
	v, err := h.comms.Get(c.Request().Context(), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCommunicationResponse(v))
}

type patchCommunicationRequest struct {
	Subject         *string   `json:"subject"`
	HTML            *string   `json:"html"`
	Text            *string   `json:"text"`
	ReplyTo         *string   `json:"reply_to"`
	Scope           *string   `json:"scope"`
	Segments        *[]string `json:"segments"`
	IncludePrevious *bool     `json:"include_previous"`
}

func (h communicationHandlers) patch(c echo.Context) error {
	var in patchCommunicationRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ch := communication.Changes{Subject: in.Subject, HTML: in.HTML, Text: in.Text, ReplyTo: in.ReplyTo,
		Segments: in.Segments, IncludePrevious: in.IncludePrevious}
	if in.Scope != nil {
		s := communication.Scope(*in.Scope)
		ch.Scope = &s
	}
	v, err := h.comms.Update(c.Request().Context(), actorOf(c), c.Param("cid"), ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCommunicationResponse(v))
}

// sendCommunicationResponse is the 202 of a send: DESIGN.md's {status,
// audience} (the snapshot's size, as for a campaign) and the communication.
type sendCommunicationResponse struct {
	Status        communication.Status  `json:"status"`
	Audience      int                   `json:"audience"`
	Communication communicationResponse `json:"communication"`
}

func (h communicationHandlers) send(c echo.Context) error {
	v, err := h.comms.Send(c.Request().Context(), actorOf(c), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, sendCommunicationResponse{Status: v.Status, Audience: v.Counts.Audience,
		Communication: toCommunicationResponse(v)})
}

// pause, resume and cancel answer 200 with the communication: the same
// two-plane semantics as a campaign's (communication.Service.Pause).
func (h communicationHandlers) pause(c echo.Context) error {
	return h.statusChange(c, h.comms.Pause)
}

func (h communicationHandlers) resume(c echo.Context) error {
	return h.statusChange(c, h.comms.Resume)
}

func (h communicationHandlers) cancel(c echo.Context) error {
	return h.statusChange(c, h.comms.Cancel)
}

func (h communicationHandlers) statusChange(c echo.Context,
	change func(context.Context, audit.Actor, string) (communication.View, error)) error {
	v, err := change(c.Request().Context(), actorOf(c), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCommunicationResponse(v))
}

// preflight is POST /communications/{cid}/preflight: 200 {ok, problems}, each
// problem with its severity (blocking or warning).
func (h communicationHandlers) preflight(c echo.Context) error {
	pf, err := h.comms.Preflight(c.Request().Context(), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pf.JSON())
}

// previewResponse is exactly what one affected recipient would receive.
type previewResponse struct {
	RecipientID string `json:"recipient_id"`
	Subject     string `json:"subject"`
	HTML        string `json:"html"`
	Text        string `json:"text"`
}

// preview is GET /communications/{cid}/preview?recipient_id=: the branded
// message rendered for that affected recipient (the first one without
// recipient_id); 404 recipient_not_affected for anyone else.
func (h communicationHandlers) preview(c echo.Context) error {
	p, err := h.comms.Preview(c.Request().Context(), c.Param("cid"), c.QueryParam("recipient_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, previewResponse{RecipientID: p.RecipientID, Subject: p.Subject, HTML: p.HTML, Text: p.Text})
}
