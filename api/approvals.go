package api

import (
	"net/http"
	"strings"
	"time"

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

// versionResponse is one content a communication has had.
type versionResponse struct {
	ContentHash     string    `json:"content_hash"`
	Subject         string    `json:"subject"`
	HTML            string    `json:"html"`
	Text            string    `json:"text"`
	ReplyTo         string    `json:"reply_to"`
	Scope           string    `json:"scope"`
	Segments        []string  `json:"segments"`
	IncludePrevious bool      `json:"include_previous"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       *string   `json:"created_by"`
}

// decisionResponse is a decision with its withdrawal.
type decisionResponse struct {
	communication.Approval
	WithdrawnAt     *time.Time `json:"withdrawn_at"`
	WithdrawnReason string     `json:"withdrawn_reason"`
}

type historyResponse struct {
	Versions  []versionResponse  `json:"versions"`
	Decisions []decisionResponse `json:"decisions"`
}

// history is GET /communications/{cid}/history: every version of the content
// and every decision (withdrawn ones too), for the review page's "what
// changed since you last saw it".
func (h communicationHandlers) history(c echo.Context) error {
	hs, err := h.comms.History(c.Request().Context(), c.Param("cid"))
	if err != nil {
		return err
	}
	out := historyResponse{Versions: make([]versionResponse, len(hs.Versions)), Decisions: make([]decisionResponse, len(hs.Decisions))}
	for i, v := range hs.Versions {
		out.Versions[i] = versionResponse{ContentHash: v.ContentHash, Subject: v.Subject, HTML: v.HTML, Text: v.Text,
			ReplyTo: v.ReplyTo, Scope: string(v.Scope), Segments: v.Segments, IncludePrevious: v.IncludePrevious,
			CreatedAt: v.CreatedAt}
		if v.CreatedBy != "" {
			by := v.CreatedBy
			out.Versions[i].CreatedBy = &by
		}
	}
	for i, d := range hs.Decisions {
		out.Decisions[i] = decisionResponse{Approval: d.Approval, WithdrawnAt: d.WithdrawnAt, WithdrawnReason: d.WithdrawnReason}
	}
	return c.JSON(http.StatusOK, out)
}

type suppressedRecipientResponse struct {
	RecipientID string   `json:"recipient_id"`
	Email       string   `json:"email"`
	FirstName   string   `json:"first_name"`
	LastName    string   `json:"last_name"`
	Kinds       []string `json:"kinds"`
}

// suppressedHeader is the suppressed-affected CSV's first line.
var suppressedHeader = []string{"recipient_id", "email", "first_name", "last_name", "suppression_kinds"}

// suppressed is GET /communications/{cid}/suppressed: the affected people
// this communication will not email because they are suppressed now — for a
// breach notice, those who must be told another way. JSON, or CSV with
// ?format=csv / Accept: text/csv (streamed).
func (h communicationHandlers) suppressed(c echo.Context) error {
	asCSV, err := wantsCSV(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if !asCSV {
		out := []suppressedRecipientResponse{}
		err := h.comms.SuppressedAffected(ctx, c.Param("cid"), func(r communication.SuppressedRecipient) error {
			if r.Kinds == nil {
				r.Kinds = []string{}
			}
			out = append(out, suppressedRecipientResponse{RecipientID: r.RecipientID, Email: r.Email,
				FirstName: r.FirstName, LastName: r.LastName, Kinds: r.Kinds})
			return nil
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
	return csvDownload(c, "suppressed-affected-"+c.Param("cid")+".csv", suppressedHeader, nil,
		func(write func([]string) error, flush func() error) error {
			n := 0
			err := h.comms.SuppressedAffected(ctx, c.Param("cid"), func(r communication.SuppressedRecipient) error {
				if err := write([]string{csvCell(r.RecipientID), csvCell(r.Email), csvCell(r.FirstName),
					csvCell(r.LastName), strings.Join(r.Kinds, ";")}); err != nil {
					return err
				}
				if n++; n%1000 == 0 {
					return flush()
				}
				return nil
			})
			if err != nil {
				return err
			}
			return flush()
		})
}
