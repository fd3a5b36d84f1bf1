package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
)

// approveRequest is the body of approve: the content_hash the reviewer saw,
// optional for API clients, is checked against the current one (409
// content_changed on a mismatch).
type approveRequest struct {
	Comment     string `json:"comment"`
	ContentHash string `json:"content_hash"`
}

// rejectRequest is the body of reject: the reason is required (422 without).
type rejectRequest struct {
	Reason      string `json:"reason"`
	ContentHash string `json:"content_hash"`
}

// submit is POST /communications/{cid}/submit: in_review when approvals are
// required (the reviewers are notified), else approved.
func (h communicationHandlers) submit(c echo.Context) error {
	v, err := h.comms.Submit(c.Request().Context(), actorOf(c), c.Param("cid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCommunicationResponse(v))
}

func (h communicationHandlers) approve(c echo.Context) error {
	var in approveRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return h.decide(c, communication.ReviewInput{Decision: communication.Approve, Comment: in.Comment, ContentHash: in.ContentHash})
}

func (h communicationHandlers) reject(c echo.Context) error {
	var in rejectRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return h.decide(c, communication.ReviewInput{Decision: communication.Reject, Comment: in.Reason, ContentHash: in.ContentHash})
}

func (h communicationHandlers) decide(c echo.Context, in communication.ReviewInput) error {
	p, _ := principalOf(c)
	v, err := h.comms.Decide(c.Request().Context(), communication.Reviewer{Actor: actorOf(c), Roles: p.Roles,
		OwnAct: p.ActsForSelf()}, c.Param("cid"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCommunicationResponse(v))
}

// approvals is GET /api/v1/approvals?status=pending: the communications
// waiting for a role the caller holds (not written nor already approved by them).
func (h communicationHandlers) approvals(c echo.Context) error {
	if s := c.QueryParam("status"); s != "" && s != "pending" {
		return errs.Invalidf("status: must be pending (the reviewer's queue)")
	}
	p, _ := principalOf(c)
	vs, err := h.comms.PendingReviews(c.Request().Context(), p.UserID, p.Roles)
	if err != nil {
		return err
	}
	out := make([]communicationResponse, len(vs))
	for i, v := range vs {
		out[i] = toCommunicationResponse(v)
	}
	return c.JSON(http.StatusOK, out)
}
