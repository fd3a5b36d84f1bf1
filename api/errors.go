package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/errs"
)

// ErrorBody is DESIGN.md's one error shape: {"error": {"code","message","details"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

// apiError is an error raised by the HTTP layer itself (bad JSON, CSRF) with its
// status and code; domain errors are mapped by kind instead.
type apiError struct {
	status  int
	code    string
	message string
	details map[string]any
}

func (e *apiError) Error() string { return e.message }

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// statusClientClosed is nginx's 499: the client closed the request first.
const statusClientClosed = 499

// kinds maps domain error kinds to statuses and default codes.
var kinds = []struct {
	kind   error
	status int
	code   string
}{
	{errs.NotFound, http.StatusNotFound, "not_found"},
	{errs.Conflict, http.StatusConflict, "conflict"},
	{errs.Invalid, http.StatusUnprocessableEntity, "invalid"},
	{errs.Unauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{errs.Forbidden, http.StatusForbidden, "forbidden"},
	{errs.RateLimited, http.StatusTooManyRequests, "rate_limited"},
	{errs.Unavailable, http.StatusServiceUnavailable, "unavailable"},
}

// statusCodes names echo's own HTTP errors (404, 405, 413, …) in snake_case.
var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "unauthenticated",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "body_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
}

// unavailableMessage answers a 503 whose error carries no message written for
// users: the error itself is logged with the request id.
const unavailableMessage = "A service Firebreak depends on (Postgres, Redis or SendGrid) did not answer. " +
	"Try again shortly; the details are logged under this request's X-Request-Id."

// toErrorBody maps any error to a status and the error shape. The second result
// is false for errors nobody anticipated: those are logged and answered as a bare 500.
func toErrorBody(err error) (int, ErrorBody, bool) {
	body := ErrorBody{Error: ErrorDetail{Details: map[string]any{}}}
	if errors.Is(err, context.Canceled) { // the client went away: nothing went wrong here
		body.Error.Code, body.Error.Message = "client_closed_request", "The client closed the request."
		return statusClientClosed, body, true
	}
	var ae *apiError
	if errors.As(err, &ae) {
		body.Error.Code, body.Error.Message = ae.code, ae.message
		if ae.details != nil {
			body.Error.Details = ae.details
		}
		return ae.status, body, true
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code, ok := statusCodes[he.Code]
		if !ok {
			code = strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_"))
		}
		body.Error.Code = code
		body.Error.Message = sentence(http.StatusText(he.Code))
		if he.Code == http.StatusRequestEntityTooLarge {
			body.Error.Message = "The request body is larger than this endpoint accepts."
		}
		if he.Code == http.StatusNotFound {
			body.Error.Message = "No such endpoint."
		}
		return he.Code, body, he.Code < 500
	}
	for _, k := range kinds {
		if !errors.Is(err, k.kind) {
			continue
		}
		body.Error.Code, body.Error.Message = k.code, sentence(err.Error())
		if k.kind == errs.Unavailable { // the driver's text names users, hosts and ports: it goes to the log only
			body.Error.Message = unavailableMessage
		}
		var coded *errs.E
		if errors.As(err, &coded) {
			body.Error.Code, body.Error.Message = coded.Code, coded.Message
		}
		var rich interface {
			Code() string
			Details() map[string]any
		}
		if errors.As(err, &rich) {
			body.Error.Code, body.Error.Details = rich.Code(), rich.Details()
		}
		var fe *errs.FieldError
		if errors.As(err, &fe) {
			body.Error.Code = "validation_failed"
			body.Error.Message = "Some fields are not valid; see details.fields."
			body.Error.Details["fields"] = map[string]string(fe.Fields)
		}
		return k.status, body, true
	}
	body.Error.Code, body.Error.Message = "internal", "Something went wrong on our side; it has been logged."
	return http.StatusInternalServerError, body, false
}

// sentence capitalises s and ends it with a period.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// errorHandler is echo's HTTPErrorHandler: every error, including echo's own
// 404/405/413 and recovered panics, leaves in the one error shape.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body, known := toErrorBody(err)
		if !known || errors.Is(err, errs.Unavailable) {
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", requestID(c), "method", c.Request().Method,
				"path", c.Request().URL.Path, "err", err.Error())
		}
		if status == http.StatusTooManyRequests {
			retry := "60"
			if secs, ok := body.Error.Details["retry_after_seconds"].(int); ok { // the error knows its wait
				retry = strconv.Itoa(secs)
			}
			c.Response().Header().Set("Retry-After", retry)
		}
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, body)
		}
		if err != nil {
			log.Warn("write error response", "request_id", requestID(c), "err", err.Error())
		}
	}
}
