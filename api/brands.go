package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/campaign"
)

type brandRequest struct {
	Name            string `json:"name"`
	FromEmail       string `json:"from_email"`
	FromName        string `json:"from_name"`
	ReplyTo         string `json:"reply_to"`
	LogoURL         string `json:"logo_url"`
	PrimaryColor    string `json:"primary_color"`
	FooterHTML      string `json:"footer_html"`
	PhysicalAddress string `json:"physical_address"`
	// SecondReview is optional: absent, the brand starts with the defaults (off).
	SecondReview *secondReviewRequest `json:"second_review"`
}

type brandResponse struct {
	Name               string                `json:"name"`
	FromEmail          string                `json:"from_email"`
	FromName           string                `json:"from_name"`
	ReplyTo            string                `json:"reply_to"`
	LogoURL            string                `json:"logo_url"`
	PrimaryColor       string                `json:"primary_color"`
	FooterHTML         string                `json:"footer_html"`
	PhysicalAddress    string                `json:"physical_address"`
	ID                 string                `json:"id"`
	CreatedAt          time.Time             `json:"created_at"`
	SecondReview       campaign.SecondReview `json:"second_review"`
	SecondReviewActive campaign.ReviewMode   `json:"second_review_active"`
}

func toBrandResponse(b campaign.Brand) brandResponse {
	mode, _ := b.ActiveReview()
	return brandResponse{ID: b.ID, CreatedAt: b.CreatedAt, Name: b.Name, FromEmail: b.FromEmail,
		FromName: b.FromName, ReplyTo: b.ReplyTo, LogoURL: b.LogoURL, PrimaryColor: b.PrimaryColor,
		FooterHTML: b.FooterHTML, PhysicalAddress: b.PhysicalAddress, SecondReview: b.SecondReview.Normalized(),
		SecondReviewActive: mode}
}

func (h campaignHandlers) createBrand(c echo.Context) error {
	var in brandRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	sr := campaign.DefaultSecondReview()
	if in.SecondReview != nil {
		var err error
		if sr, err = in.SecondReview.toSecondReview(); err != nil {
			return err
		}
	}
	b, err := h.campaigns.CreateBrand(c.Request().Context(), actorOf(c), campaign.Brand{Name: in.Name,
		FromEmail: in.FromEmail, FromName: in.FromName, ReplyTo: in.ReplyTo, LogoURL: in.LogoURL,
		PrimaryColor: in.PrimaryColor, FooterHTML: in.FooterHTML, PhysicalAddress: in.PhysicalAddress,
		SecondReview: sr})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toBrandResponse(b))
}

func (h campaignHandlers) listBrands(c echo.Context) error {
	bs, err := h.campaigns.ListBrands(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]brandResponse, len(bs))
	for i, b := range bs {
		out[i] = toBrandResponse(b)
	}
	return c.JSON(http.StatusOK, out)
}
