// Package api is Firebreak's HTTP layer (echo): the JSON API under /api/v1, health
// and metrics, the OpenAPI description and the embedded dashboard. Handlers bind,
// call one domain service and convert; they hold no SQL and no business rules.
// This file is the one route table.
package api

import (
	"crypto/ecdsa"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/recipient"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/domain/suppression"
	"github.com/firebreak/firebreak/domain/user"
)

// Config is the HTTP layer's own settings.
type Config struct {
	// BodyLimit caps request bodies under /api (echo size syntax, e.g. "10M").
	BodyLimit string
	// ImportLimit caps a recipients CSV upload (streamed, never held in memory).
	ImportLimit string
	// SecureCookies forces the Secure flag (behind a TLS-terminating proxy);
	// it is set anyway when the request came over TLS.
	SecureCookies bool
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For names the client (FIREBREAK_TRUSTED_PROXIES); none by
	// default, and then the connection's address is the client.
	TrustedProxies []*net.IPNet
}

// Deps are the services the handlers call.
type Deps struct {
	Log   *slog.Logger
	Users *user.Service
	// Campaigns, Recipients and Suppressions are nil in tests that do not need them.
	Campaigns    *campaign.Service
	Recipients   *recipient.Service
	Suppressions *suppression.Service
	Incidents    *incident.Service
	Runbooks     *runbook.Set
	// Events stores webhook batches; WebhookKey verifies their signatures.
	Events     *event.Service
	EventList  event.Lister
	WebhookKey *ecdsa.PublicKey
	Ready      []Check
	Metrics    *Metrics
	// Dashboard is the built frontend (frontend.Dist); Built false serves a note.
	Dashboard fs.FS
	Built     bool
}

// New builds the echo server with every route and middleware.
func New(cfg Config, d Deps) *echo.Echo {
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "10M"
	}
	if cfg.ImportLimit == "" {
		cfg.ImportLimit = "2G"
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = clientIP(cfg.TrustedProxies) // X-Forwarded-For only from a trusted proxy (sign-in throttle)
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
	e.GET("/api/v1/people", users.people, guard(auth.Read)...)
	e.POST("/api/v1/users", users.create, guard(auth.UserManage)...)
	e.POST("/api/v1/tokens", users.createToken, guard(auth.TokenManage)...)
	e.DELETE("/api/v1/tokens/:id", users.revokeToken, guard(auth.Read)...) // own token, or any with token.manage: checked in the domain
	e.PATCH("/api/v1/users/:id", users.patch, guard(auth.UserManage)...)
	e.DELETE("/api/v1/users/:id/sessions", users.revokeSessions, guard(auth.UserManage)...)
	e.GET("/api/v1/users/:id/tokens", users.listTokens, guard(auth.TokenManage)...)

	camp := campaignHandlers{campaigns: d.Campaigns, incidents: d.Incidents}
	e.POST("/api/v1/brands", camp.createBrand, guard(auth.BrandManage)...)
	e.GET("/api/v1/brands", camp.listBrands, guard(auth.Read)...)
	e.POST("/api/v1/campaigns", camp.create, guard(auth.CampaignCreate)...)
	e.GET("/api/v1/campaigns", camp.list, guard(auth.Read)...)
	e.GET("/api/v1/campaigns/:id", camp.get, guard(auth.Read)...)
	e.POST("/api/v1/campaigns/:id/preflight", camp.preflight, guard(auth.CampaignCreate)...)
	e.POST("/api/v1/campaigns/:id/send", camp.send, guard(auth.CampaignSend)...)
	e.POST("/api/v1/campaigns/:id/pause", camp.pause, guard(auth.CampaignPause)...)
	e.POST("/api/v1/campaigns/:id/resume", camp.resume, guard(auth.CampaignResume)...)
	e.POST("/api/v1/campaigns/:id/cancel", camp.cancel, guard(auth.CampaignCancel)...)

	rec := recipientHandlers{recipients: d.Recipients}
	// The import streams: its body may be far larger than a JSON request's.
	e.POST("/api/v1/recipients/import", rec.importCSV, middleware.BodyLimit(cfg.ImportLimit), authn, require(auth.RecipientsImport))
	e.GET("/api/v1/segments", rec.segments, guard(auth.Read)...)

	sup := suppressionHandlers{suppressions: d.Suppressions, campaigns: d.Campaigns}
	e.GET("/api/v1/suppressions", sup.list, guard(auth.Read)...)
	e.POST("/api/v1/suppressions", sup.add, guard(auth.SuppressionManage)...)
	e.DELETE("/api/v1/suppressions/:id", sup.delete, guard(auth.SuppressionManage)...)
	// RFC 8058 one-click unsubscribe: no user auth, the link's signature is the auth.
	e.GET("/u/:campaign/:recipient/:sig", sup.unsubscribe)
	e.POST("/u/:campaign/:recipient/:sig", sup.unsubscribe, middleware.BodyLimit("4K"))

	wh := webhookHandlers{events: d.Events, key: d.WebhookKey, metrics: d.Metrics, log: d.Log, now: time.Now}
	// The signature is the auth; the limit is the webhook's own (SendGrid posts ≤ 768 KB).
	e.POST("/webhooks/sendgrid", wh.receive)
	e.GET("/api/v1/events", eventLister{d.EventList}.list, guard(auth.Read)...)

	rbs := runbookHandlers{set: d.Runbooks}
	e.GET("/api/v1/runbooks", rbs.list, guard(auth.Read)...)
	e.GET("/api/v1/runbooks/:id", rbs.get, guard(auth.Read)...)

	inc := incidentHandlers{incidents: d.Incidents}
	e.POST("/api/v1/incidents", inc.declare, guard(auth.IncidentDeclare)...)
	e.GET("/api/v1/incidents", inc.list, guard(auth.Read)...)
	e.GET("/api/v1/incidents/:id", inc.get, guard(auth.Read)...)
	e.POST("/api/v1/incidents/:id/acknowledge", inc.acknowledge, guard(auth.IncidentAck)...)
	e.POST("/api/v1/incidents/:id/pause", inc.pause, guard(auth.CampaignPause)...)
	e.POST("/api/v1/incidents/:id/runbook", inc.reclassify, guard(auth.IncidentDeclare)...)
	e.POST("/api/v1/incidents/:id/assessment", inc.computeAssessment, guard(auth.IncidentAssess)...)
	e.GET("/api/v1/incidents/:id/assessment", inc.getAssessment, guard(auth.Read)...)
	e.PATCH("/api/v1/incidents/:id/assessment", inc.patchAssessment, limit, authn) // per-field permissions in the handler
	e.GET("/api/v1/incidents/:id/tasks", inc.tasks, guard(auth.Read)...)
	e.POST("/api/v1/incidents/:id/tasks", inc.addTask, guard(auth.IncidentPlan)...)
	e.PATCH("/api/v1/incidents/:id/tasks/:task_id", inc.patchTask, guard(auth.IncidentPlan)...)
	e.GET("/api/v1/incidents/:id/timeline", inc.timeline, guard(auth.Read)...)
	e.POST("/api/v1/incidents/:id/steps/:step/complete", inc.step(false), guard(auth.IncidentPlan)...)
	e.POST("/api/v1/incidents/:id/steps/:step/skip", inc.step(true), guard(auth.IncidentPlan)...)
	// Resolve: the incident's owner (whatever their role) or an admin; the
	// domain checks who, so the route only needs a known user.
	e.POST("/api/v1/incidents/:id/resolve", inc.resolve, guard(auth.Read)...)

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
