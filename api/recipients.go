package api

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/recipient"
)

type recipientHandlers struct {
	recipients *recipient.Service
}

// importCSV streams the request body (text/csv) into the import: the file is
// never held in memory, whatever its size.
func (h recipientHandlers) importCSV(c echo.Context) error {
	if mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); err != nil ||
		(mt != "text/csv" && mt != "application/csv") {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Send the recipients as CSV with Content-Type: text/csv.")
	}
	res, err := h.recipients.Import(c.Request().Context(), actorOf(c), c.Request().Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (h recipientHandlers) segments(c echo.Context) error {
	segs, err := h.recipients.Segments(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, segs)
}
