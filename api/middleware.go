package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/firebreak/firebreak/domain/audit"
)

// requestID returns the request's id (set by the RequestID middleware).
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// requestIDPattern is what a client's (or proxy's) X-Request-Id must look
// like to be kept: short and made of characters that are safe in a log line,
// an audit row and a response header.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an id, echoes it back, and puts it in the
// context for audit entries. An X-Request-Id sent by a proxy is kept when it
// matches requestIDPattern; anything else (60 KB, spaces, quotes that forge a
// log line) is replaced by a fresh id, also in the request's header, which the
// access log reads.
func withRequestID() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			id := req.Header.Get(echo.HeaderXRequestID)
			if !requestIDPattern.MatchString(id) {
				id = newRequestID()
				req.Header.Set(echo.HeaderXRequestID, id)
			}
			c.Response().Header().Set(echo.HeaderXRequestID, id)
			c.SetRequest(req.WithContext(audit.WithRequestID(req.Context(), id)))
			return next(c)
		}
	}
}

// newRequestID is 128 random bits in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// contentSecurityPolicy allows the dashboard exactly what Vite's build uses:
// scripts and styles from our own origin only (no inline script, no eval),
// brand logos from any https URL, API calls to our origin; nobody may frame
// it. The one hash is the style of the server-rendered pages (pageStyle).
var contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' " + styleHash(pageStyle) +
	"; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; " +
	"base-uri 'none'; form-action 'self'; object-src 'none'"

// styleHash is the CSP source that allows one inline <style> element.
func styleHash(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// securityHeaders sets the browser protections on every answer (dashboard,
// API, errors). Strict-Transport-Security only when the request came over TLS,
// or tlsProxy says a TLS-terminating proxy is in front (FIREBREAK_SECURE_COOKIES):
// over plain HTTP it would be ignored, or lock a test host to https.
func securityHeaders(tlsProxy bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			if tlsProxy || c.Request().TLS != nil {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			return next(c)
		}
	}
}

// cleanParams refuses a request whose path parameters or query values hold a
// NUL or are not UTF-8: Postgres text cannot hold either, so they would fail as
// 500s deep in the store; here they are a 400 naming the parameter. It runs
// after routing (e.Use), when the path parameters are known.
func cleanParams(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		values := c.ParamValues()
		for i, name := range c.ParamNames() {
			if i < len(values) && !cleanText(values[i]) {
				return invalidParameter(name)
			}
		}
		for name, vs := range c.Request().URL.Query() {
			if !cleanText(name) {
				return invalidParameter(strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", "\\0"), "?"))
			}
			for _, v := range vs {
				if !cleanText(v) {
					return invalidParameter(name)
				}
			}
		}
		return next(c)
	}
}

// cleanText: valid UTF-8 without NUL, also once percent-decoded (echo leaves
// path parameters escaped when the path held an escaped slash).
func cleanText(s string) bool {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return false
	}
	if u, err := url.PathUnescape(s); err == nil && u != s {
		return utf8.ValidString(u) && strings.IndexByte(u, 0) < 0
	}
	return true
}

func invalidParameter(name string) error {
	e := newError(http.StatusBadRequest, "invalid_parameter",
		fmt.Sprintf("The parameter %q holds a NUL character or bytes that are not UTF-8.", name))
	e.details = map[string]any{"parameter": name}
	return e
}

// accessLog writes one structured line per request after the error handler has
// chosen the status, so errors are logged with the status the client saw.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURIPath: true, LogRoutePath: true, LogStatus: true,
		LogLatency: true, LogRemoteIP: true, LogRequestID: true, LogResponseSize: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []any{
				"request_id", v.RequestID, "method", v.Method, "path", v.URIPath,
				"route", v.RoutePath, "status", v.Status,
				"latency_ms", float64(v.Latency.Microseconds()) / 1000,
				"bytes_out", v.ResponseSize, "remote_ip", v.RemoteIP,
			}
			if p, ok := principalOf(c); ok {
				attrs = append(attrs, "user_id", p.UserID, "auth", string(p.Method))
			}
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			log.Log(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// recoverPanics turns a panic in a handler into an error (a 500 in the error
// shape) and logs the stack once, with the request id.
func recoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler { // a streamed response cut short on purpose (already logged)
						panic(r)
					}
					log.Error("panic in handler", "request_id", requestID(c),
						"path", c.Request().URL.Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return next(c)
		}
	}
}

// measure records request counts and latency per route template and status.
// Unmatched paths share one label so scanners cannot blow up cardinality.
func measure(m *Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status, _, _ = toErrorBody(err)
			}
			route := c.Path()
			if route == "" || strings.HasSuffix(route, "/*") {
				route = "unmatched"
			}
			labels := []string{c.Request().Method, route, strconv.Itoa(status)}
			m.requests.WithLabelValues(labels...).Inc()
			m.latency.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
			return err
		}
	}
}
