package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openapiJSON is the OpenAPI 3 description of this API. A test checks that it
// describes exactly the routes the server registers, so it stays true.
//
//go:embed openapi.json
var openapiJSON []byte

func openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openapiJSON)
}
