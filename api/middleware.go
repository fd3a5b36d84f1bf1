package api

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/firebreak/firebreak/domain/audit"
)

// requestID returns the request's id (set by the RequestID middleware).
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// withRequestID gives every request an id (kept from X-Request-Id when a proxy
// sent one), echoes it back, and puts it in the context for audit entries.
func withRequestID() echo.MiddlewareFunc {
	return middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(audit.WithRequestID(c.Request().Context(), id)))
		},
	})
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
