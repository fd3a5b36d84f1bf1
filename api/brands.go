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
}

type brandResponse struct {
	brandRequest
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

func toBrandResponse(b campaign.Brand) brandResponse {
	return brandResponse{ID: b.ID, CreatedAt: b.CreatedAt, brandRequest: brandRequest{Name: b.Name, FromEmail: b.FromEmail,
		FromName: b.FromName, ReplyTo: b.ReplyTo, LogoURL: b.LogoURL, PrimaryColor: b.PrimaryColor,
		FooterHTML: b.FooterHTML, PhysicalAddress: b.PhysicalAddress}}
}

func (h campaignHandlers) createBrand(c echo.Context) error {
	var in brandRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	b, err := h.campaigns.CreateBrand(c.Request().Context(), actorOf(c), campaign.Brand{Name: in.Name,
		FromEmail: in.FromEmail, FromName: in.FromName, ReplyTo: in.ReplyTo, LogoURL: in.LogoURL,
		PrimaryColor: in.PrimaryColor, FooterHTML: in.FooterHTML, PhysicalAddress: in.PhysicalAddress})
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
