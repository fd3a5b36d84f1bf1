package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/suppression"
)

type suppressionHandlers struct {
	suppressions *suppression.Service
	campaigns    *campaign.Service
}

type suppressionResponse struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Kind      string    `json:"kind"`
	GroupID   *int      `json:"group_id"`
	Source    string    `json:"source"`
	Reason    string    `json:"reason"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

func toSuppressionResponse(e suppression.Entry) suppressionResponse {
	r := suppressionResponse{ID: e.ID, Email: e.Email, Kind: string(e.Kind), Source: string(e.Source),
		Reason: e.Reason, FirstSeen: e.FirstSeen, LastSeen: e.LastSeen}
	if e.GroupID > 0 {
		g := e.GroupID
		r.GroupID = &g
	}
	return r
}

func (h suppressionHandlers) list(c echo.Context) error {
	es, err := h.suppressions.List(c.Request().Context(), suppression.Filter{Email: c.QueryParam("email"),
		Kind: suppression.Kind(c.QueryParam("kind"))})
	if err != nil {
		return err
	}
	out := make([]suppressionResponse, len(es))
	for i, e := range es {
		out[i] = toSuppressionResponse(e)
	}
	return c.JSON(http.StatusOK, out)
}

type suppressionRequest struct {
	Email   string `json:"email"`
	Kind    string `json:"kind"`
	GroupID int    `json:"group_id"`
	Reason  string `json:"reason"`
}

// add: POST /api/v1/suppressions (admin); kind defaults to manual.
func (h suppressionHandlers) add(c echo.Context) error {
	var in suppressionRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = string(suppression.Manual)
	}
	e, err := h.suppressions.Add(c.Request().Context(), actorOf(c), suppression.Entry{Email: in.Email,
		Kind: suppression.Kind(in.Kind), GroupID: in.GroupID, Source: suppression.FromAPI, Reason: in.Reason})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toSuppressionResponse(e))
}

func (h suppressionHandlers) delete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return suppression.ErrNotFound
	}
	e, err := h.suppressions.Delete(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSuppressionResponse(e))
}

const unsubscribedPage = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribed</title>` + pageStyleTag + `<body>
<h1>You are unsubscribed</h1><p>We will not email <strong>%s</strong> again from this list.</p></body>`

const confirmPage = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Unsubscribe</title>` + pageStyleTag + `<body>
<h1>Unsubscribe?</h1><form method="post"><button type="submit">Unsubscribe me</button></form></body>`

// unsubscribe is the RFC 8058 one-click endpoint: mail clients POST
// "List-Unsubscribe=One-Click"; a person following the link gets a confirm
// page first (GET never changes state, so link scanners cannot unsubscribe).
func (h suppressionHandlers) unsubscribe(c echo.Context) error {
	if c.Request().Method == http.MethodGet {
		if !h.campaigns.VerifyUnsubscribe(c.Param("campaign"), c.Param("recipient"), c.Param("sig")) {
			return campaign.ErrBadUnsubscribeLink
		}
		return c.HTML(http.StatusOK, confirmPage)
	}
	email, err := h.campaigns.Unsubscribe(c.Request().Context(), h.suppressions,
		c.Param("campaign"), c.Param("recipient"), c.Param("sig"))
	if err != nil {
		return err
	}
	return c.HTML(http.StatusOK, sprintfHTML(unsubscribedPage, email))
}
