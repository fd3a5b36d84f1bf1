package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
)

// bindJSON decodes the request body into v strictly: the body must be JSON, one
// value, with no unknown fields (a typo in a field name is an error, not a
// silently ignored setting). Problems are 400s in the error shape.
func bindJSON(c echo.Context, v any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != echo.MIMEApplicationJSON {
			return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
				"Send JSON with Content-Type: application/json.")
		}
	}
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var he *echo.HTTPError // the body limit's reader fails mid-decode with 413
		if errors.As(err, &tooBig) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		msg := "The body is not valid JSON: " + err.Error() + "."
		if errors.Is(err, io.EOF) {
			msg = "The body is empty; send a JSON object."
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			msg = fmt.Sprintf("Field %q must be %s.", typeErr.Field, typeErr.Type)
		}
		return newError(http.StatusBadRequest, "malformed_json", msg)
	}
	if dec.More() {
		return newError(http.StatusBadRequest, "malformed_json", "The body must hold one JSON value.")
	}
	return nil
}
