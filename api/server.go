// Package api is Firebreak's HTTP layer (echo): the JSON API under /api/v1, health
// and metrics, the OpenAPI description and the embedded dashboard. Handlers bind,
// call one domain service and convert; they hold no SQL and no business rules.
// This file is the one route table.
package api

import (
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/monitoring"
	"github.com/firebreak/firebreak/domain/postmortem"
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
	// MetricsToken, when set, is the bearer token /metrics requires
	// (FIREBREAK_METRICS_TOKEN); empty leaves /metrics open to the network.
	MetricsToken string
	// WebhookMaxConcurrent caps the Event Webhook bodies read at once before
	// their signature is checked (FIREBREAK_WEBHOOK_MAX_CONCURRENT; 0: 16).
	WebhookMaxConcurrent int
	// WebhookSlotWait is how long a post waits for one of those slots before
	// it is refused with 503 webhook_busy (0: 1 s).
	WebhookSlotWait time.Duration
	// WebhookReadTimeout bounds reading one webhook body, so a stalled
	// connection holds its slot only that long (0: 30 s).
	WebhookReadTimeout time.Duration
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
	// Communications is step 5 (nil in tests that do not need it).
	Communications *communication.Service
	// Monitoring is step 6 (nil in tests that do not need it).
	Monitoring *monitoring.Service
	// Reports answers the postmortem and the breach register (nil in tests
	// that do not need them).
	Reports *postmortem.Service
	// Events stores webhook batches; Webhook verifies and decodes SendGrid's
	// posts (adapter/sendgrid.Webhook; nil refuses every post as unsigned).
	Events     *event.Service
	EventList  event.Lister
	Quarantine event.QuarantineLister
	Webhook    event.Webhook
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
		cfg.ImportLimit = "512Mi" // 512 MiB (FIREBREAK_IMPORT_LIMIT); a larger file is split
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = clientIP(cfg.TrustedProxies) // X-Forwarded-For only from a trusted proxy (sign-in throttle)
	e.HTTPErrorHandler = errorHandler(d.Log)
	e.Use(withRequestID(), securityHeaders(cfg.SecureCookies), accessLog(d.Log), recoverPanics(d.Log), measure(d.Metrics), cleanParams)

	e.GET("/healthz", healthz)
	e.GET("/readyz", readyz(d.Ready, d.Log))
	e.GET("/metrics", metricsHandler(d.Metrics, cfg.MetricsToken))
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
	e.GET("/api/v1/session", sessions.probe(authn))
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
	e.PATCH("/api/v1/brands/:id", camp.patchBrand, guard(auth.BrandManage)...)
	e.POST("/api/v1/campaigns", camp.create, guard(auth.CampaignCreate)...)
	e.GET("/api/v1/campaigns", camp.list, guard(auth.Read)...)
	e.GET("/api/v1/campaigns/:id", camp.get, guard(auth.Read)...)
	e.PATCH("/api/v1/campaigns/:id", camp.patch, guard(auth.CampaignCreate)...)
	e.POST("/api/v1/campaigns/:id/preflight", camp.preflight, guard(auth.CampaignCreate)...)
	e.POST("/api/v1/campaigns/:id/send", camp.send, guard(auth.CampaignSend)...)
	// The second pair of eyes: marketers (and admins) who did not write the draft.
	e.POST("/api/v1/campaigns/:id/approve", camp.approve, guard(auth.CampaignSend)...)
	e.POST("/api/v1/campaigns/:id/pause", camp.pause, guard(auth.CampaignPause)...)
	e.POST("/api/v1/campaigns/:id/resume", camp.resume, guard(auth.CampaignResume)...)
	e.POST("/api/v1/campaigns/:id/cancel", camp.cancel, guard(auth.CampaignCancel)...)
	e.POST("/api/v1/campaigns/:id/send-in-doubt", camp.sendInDoubt, guard(auth.CampaignSend)...)
	e.GET("/api/v1/campaigns/:id/preview", camp.preview, guard(auth.Read)...)
	e.GET("/api/v1/campaigns/:id/event-series", camp.eventSeries, guard(auth.Read)...)
	e.POST("/api/v1/campaigns/:id/test", camp.sendTest, guard(auth.CampaignCreate)...)
	e.GET("/api/v1/audience", camp.audience, guard(auth.Read)...)

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

	wh := newWebhookHandlers(cfg, d)
	// The signature is the auth; the limits are the webhook's own (SendGrid posts ≤ 768 KB).
	e.POST("/webhooks/sendgrid", wh.receive)
	e.GET("/api/v1/events", eventLister{d.EventList}.list, guard(auth.Read)...)
	// Quarantined events are mostly bounces and unsubscribes that did not become
	// suppressions: the admins who keep the suppression list review them.
	e.GET("/api/v1/webhook/quarantine", quarantineLister{d.Quarantine}.list, guard(auth.SuppressionManage)...)

	rbs := runbookHandlers{set: d.Runbooks}
	e.GET("/api/v1/runbooks", rbs.list, guard(auth.Read)...)
	e.GET("/api/v1/runbooks/:id", rbs.get, guard(auth.Read)...)

	inc := incidentHandlers{incidents: d.Incidents, log: d.Log}
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
	e.POST("/api/v1/incidents/:id/notes", inc.addNote, guard(auth.IncidentNote)...)
	e.GET("/api/v1/incidents/:id/affected", inc.affected, guard(auth.Read)...)
	e.GET("/api/v1/incidents/:id/monitoring", monitoringHandlers{d.Monitoring}.get, guard(auth.Read)...)
	e.POST("/api/v1/incidents/:id/steps/:step/complete", inc.step(false), guard(auth.IncidentPlan)...)
	e.POST("/api/v1/incidents/:id/steps/:step/skip", inc.step(true), guard(auth.IncidentPlan)...)
	// Resolve: the incident's owner (whatever their role) or an admin; the
	// domain checks who, so the route only needs a known user.
	e.POST("/api/v1/incidents/:id/resolve", inc.resolve, guard(auth.Read)...)
	// Reassign: the owner, incident.acknowledge holders or admins; legal
	// confirmation: legal holders. The domain checks who, as for resolve.
	e.POST("/api/v1/incidents/:id/owner", inc.reassign, guard(auth.Read)...)
	e.POST("/api/v1/incidents/:id/legal-confirmation", inc.confirmLegal, guard(auth.Read)...)
	e.GET("/api/v1/response-metrics", inc.responseMetrics, guard(auth.Read)...)

	reps := reportHandlers{reports: d.Reports, log: d.Log}
	e.GET("/api/v1/incidents/:id/report", reps.report, guard(auth.Read)...)
	e.GET("/api/v1/breach-register", reps.breachRegister, guard(auth.BreachRegister)...)

	comms := communicationHandlers{comms: d.Communications}
	e.POST("/api/v1/incidents/:id/communications", comms.create, guard(auth.CommunicationDraft)...)
	e.GET("/api/v1/incidents/:id/communications", comms.list, guard(auth.Read)...)
	e.GET("/api/v1/communications/:cid", comms.get, guard(auth.Read)...)
	e.PATCH("/api/v1/communications/:cid", comms.patch, guard(auth.CommunicationDraft)...)
	e.POST("/api/v1/communications/:cid/send", comms.send, guard(auth.CampaignSend)...)
	e.POST("/api/v1/communications/:cid/pause", comms.pause, guard(auth.CampaignPause)...)
	e.POST("/api/v1/communications/:cid/resume", comms.resume, guard(auth.CampaignResume)...)
	e.POST("/api/v1/communications/:cid/cancel", comms.cancel, guard(auth.CampaignCancel)...)
	e.POST("/api/v1/communications/:cid/preflight", comms.preflight, guard(auth.Read)...)
	e.GET("/api/v1/communications/:cid/preview", comms.preview, guard(auth.Read)...)
	e.POST("/api/v1/communications/:cid/submit", comms.submit, guard(auth.CommunicationDraft)...)
	e.POST("/api/v1/communications/:cid/approve", comms.approve, guard(auth.NoticeApprove)...)
	e.POST("/api/v1/communications/:cid/reject", comms.reject, guard(auth.NoticeApprove)...)
	e.GET("/api/v1/approvals", comms.approvals, guard(auth.Read)...)
	e.GET("/api/v1/communications/:cid/history", comms.history, guard(auth.Read)...)
	e.GET("/api/v1/communications/:cid/suppressed", comms.suppressed, guard(auth.Read)...)

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
