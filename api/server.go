// Package api is Firebreak's HTTP layer (echo): the JSON API under /api/v1, health
// and metrics, the OpenAPI description and the embedded dashboard. Handlers bind,
// call one domain service and convert; they hold no SQL and no business rules.
// This file is the one route table.
package api

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/user"
)

// Config is the HTTP layer's own settings.
type Config struct {
	// BodyLimit caps request bodies under /api (echo size syntax, e.g. "10M").
	BodyLimit string
	// SecureCookies forces the Secure flag (behind a TLS-terminating proxy);
	// it is set anyway when the request came over TLS.
	SecureCookies bool
}

// Deps are the services the handlers call.
type Deps struct {
	Log     *slog.Logger
	Users   *user.Service
	Ready   []Check
	Metrics *Metrics
	// Dashboard is the built frontend (frontend.Dist); Built false serves a note.
	Dashboard fs.FS
	Built     bool
}

// New builds the echo server with every route and middleware.
func New(cfg Config, d Deps) *echo.Echo {
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "10M"
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect() // never trust X-Forwarded-For for the sign-in limit
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.Use(withRequestID(), accessLog(d.Log), recoverPanics(d.Log), measure(d.Metrics))

	e.GET("/healthz", healthz)
	e.GET("/readyz", readyz(d.Ready))
	e.GET("/metrics", metricsHandler(d.Metrics))
	e.GET("/api/openapi.json", openAPI)

	// Middleware is attached per route, not per group: echo's Group(prefix, m…)
	// registers catch-all routes that would answer unknown paths with 401 or 413
	// instead of 404, and unknown methods with 404 instead of 405.
	limit := middleware.BodyLimit(cfg.BodyLimit)
	authn := authenticate(d.Users)
	guard := func(perm auth.Permission) []echo.MiddlewareFunc {
		return []echo.MiddlewareFunc{limit, authn, require(perm)}
	}
	sessions := sessionHandlers{users: d.Users, secureCookie: cfg.SecureCookies}
	e.POST("/api/v1/session", sessions.create, limit)
	e.DELETE("/api/v1/session", sessions.delete, limit, authn)
	e.GET("/api/v1/me", sessions.me, authn)

	users := userHandlers{users: d.Users}
	e.GET("/api/v1/users", users.list, guard(auth.UserManage)...)
	e.POST("/api/v1/users", users.create, guard(auth.UserManage)...)
	e.POST("/api/v1/tokens", users.createToken, guard(auth.TokenManage)...)
	e.DELETE("/api/v1/tokens/:id", users.revokeToken, guard(auth.TokenManage)...)

	dash := spa(e, d.Dashboard, d.Built)
	e.RouteNotFound("/*", dash)
	e.GET("/", dash)
	return e
}

// Server returns an http.Server for h with timeouts suited to an API whose
// slowest requests are bulk uploads; WriteTimeout bounds a stuck client.
func Server(addr string, h http.Handler) *http.Server {
	const secs = time.Second
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * secs,
		ReadTimeout:       5 * 60 * secs,
		WriteTimeout:      5 * 60 * secs,
		IdleTimeout:       120 * secs,
		MaxHeaderBytes:    1 << 20,
	}
}
