package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/event"
)

// WebhookBodyLimit is the largest Event Webhook post accepted: SendGrid posts
// at most 768 KB, and the body is read before its signature is checked, by
// anyone who can reach the endpoint.
const WebhookBodyLimit = 2 << 20

// Defaults of Config's webhook settings.
const (
	// DefaultWebhookMaxConcurrent caps the bodies read at once before their
	// signature is checked: 16 × 2 MiB is all the memory unsigned posts can
	// take, where 100 posts of 16 MB took half a gigabyte.
	DefaultWebhookMaxConcurrent = 16
	defaultWebhookSlotWait      = time.Second
	defaultWebhookReadTimeout   = 30 * time.Second
	// webhookRetryAfter is the Retry-After of a 503 webhook_busy, in seconds.
	// SendGrid retries every non-2xx on its own schedule; the header is for
	// other clients and proxies.
	webhookRetryAfter = "5"
)

type webhookHandlers struct {
	events  *event.Service
	webhook event.Webhook // the signature check and decoder (adapter/sendgrid)
	metrics *Metrics
	log     *slog.Logger
	now     func() time.Time
	// slots holds a token per body being read and verified (the semaphore).
	slots       chan struct{}
	slotWait    time.Duration
	readTimeout time.Duration
}

// newWebhookHandlers applies cfg's webhook settings, or their defaults.
func newWebhookHandlers(cfg Config, d Deps) webhookHandlers {
	h := webhookHandlers{events: d.Events, webhook: d.Webhook, metrics: d.Metrics, log: d.Log, now: time.Now,
		slotWait: cfg.WebhookSlotWait, readTimeout: cfg.WebhookReadTimeout}
	n := cfg.WebhookMaxConcurrent
	if n <= 0 {
		n = DefaultWebhookMaxConcurrent
	}
	h.slots = make(chan struct{}, n)
	if h.slotWait <= 0 {
		h.slotWait = defaultWebhookSlotWait
	}
	if h.readTimeout <= 0 {
		h.readTimeout = defaultWebhookReadTimeout
	}
	return h
}

var (
	errBadSignature = newError(http.StatusUnauthorized, "invalid_signature",
		"The Event Webhook signature is missing or does not match this body and timestamp.")
	errNotStored = newError(http.StatusServiceUnavailable, "not_stored",
		"The events could not be stored right now; SendGrid will retry.")
	errWebhookTooLarge = &apiError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
		message: "The Event Webhook body is larger than 2 MiB (SendGrid posts at most 768 KB); nothing was stored.",
		details: map[string]any{"limit_bytes": WebhookBodyLimit}}
	errWebhookBusy = newError(http.StatusServiceUnavailable, "webhook_busy",
		"Too many Event Webhook posts are being read at once; nothing was stored, retry later.")
)

// receive is POST /webhooks/sendgrid. The signature over the raw bytes is
// checked before anything is parsed; the batch is committed to Postgres before
// the 2xx, so an answered event is never lost and SendGrid's retries of it
// change nothing. No narrow replay window: a replay is harmless (stored once),
// and SendGrid retries for 24 h, so old timestamps are only counted and logged.
func (h webhookHandlers) receive(c echo.Context) error {
	req := c.Request()
	body, err := h.readSigned(c)
	if err != nil {
		return err
	}
	now := h.now()
	if at, ok := h.webhook.SignedAt(req.Header.Get); ok && now.Sub(at) > 25*time.Hour {
		h.metrics.webhook.WithLabelValues("old_timestamp").Inc()
		h.log.Warn("webhook post signed more than 25 h ago (past SendGrid's retry window); stored once as usual",
			"request_id", requestID(c), "age", now.Sub(at).String())
	}
	evs, err := h.webhook.Decode(body, now)
	if err != nil {
		h.metrics.webhook.WithLabelValues("malformed").Inc()
		return &apiError{status: http.StatusBadRequest, code: "malformed_events",
			message: "The body is not a JSON array of event objects; nothing was stored.",
			details: map[string]any{"problem": err.Error()}}
	}
	res, err := h.events.Ingest(req.Context(), evs)
	if err != nil {
		if errors.Is(err, errs.Invalid) {
			return err
		}
		h.metrics.webhook.WithLabelValues("not_stored").Inc()
		h.log.Error("webhook batch not stored; answering 503 so SendGrid retries", "request_id", requestID(c),
			"events", len(evs), "err", err.Error())
		return errNotStored // never a 2xx for events that are not durable
	}
	if res.DetectionErr != nil { // durable all the same: answered 2xx, the reconciler runs the detection
		h.metrics.webhook.WithLabelValues("detection_unscheduled").Inc()
		h.log.Warn("webhook batch stored but its incident detection not queued; the reconciler will run it from Postgres",
			"request_id", requestID(c), "campaigns", len(res.Campaigns), "err", res.DetectionErr.Error())
	}
	h.metrics.events.WithLabelValues("stored").Add(float64(res.Stored))
	h.metrics.events.WithLabelValues("duplicate").Add(float64(res.Duplicates))
	h.metrics.events.WithLabelValues("unattributed").Add(float64(res.Unattributed))
	if res.Quarantined > 0 {
		h.metrics.events.WithLabelValues("quarantined").Add(float64(res.Quarantined))
		h.log.Warn("webhook events quarantined: Postgres refused them even alone; the rest of the post is stored "+
			"(GET /api/v1/webhook/quarantine)", "request_id", requestID(c), "events", len(evs), "quarantined", res.Quarantined)
	}
	return c.JSON(http.StatusOK, res)
}

type quarantineResponse struct {
	ID             int64     `json:"id"`
	SGEventID      string    `json:"sg_event_id"`
	Event          string    `json:"event"`
	Email          string    `json:"email"`
	Error          string    `json:"error"`
	Raw            string    `json:"raw"` // a string: it is what the store could not read as JSON
	ReceivedAt     time.Time `json:"received_at"`
	LastReceivedAt time.Time `json:"last_received_at"`
	Attempts       int       `json:"attempts"`
}

type quarantineLister struct{ lister event.QuarantineLister }

// list is GET /api/v1/webhook/quarantine?limit=: the webhook events Postgres
// refused even alone, newest first, for an admin to act on by hand.
func (h quarantineLister) list(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	qs, err := event.ListQuarantine(c.Request().Context(), h.lister, limit)
	if err != nil {
		return err
	}
	out := make([]quarantineResponse, len(qs))
	for i, q := range qs {
		out[i] = quarantineResponse{ID: q.ID, SGEventID: q.SGEventID, Event: q.Event, Email: q.Email, Error: q.Error,
			Raw: string(q.Raw), ReceivedAt: q.ReceivedAt, LastReceivedAt: q.LastReceivedAt, Attempts: q.Attempts}
	}
	return c.JSON(http.StatusOK, out)
}

// readSigned reads the body and checks its signature, holding one of the
// slots meanwhile: until the signature is checked the body is anyone's, so at
// most len(slots) bodies of at most WebhookBodyLimit are in memory at once,
// each read within readTimeout. A post that finds no slot free within
// slotWait is refused with 503 webhook_busy and Retry-After (SendGrid retries
// it); a body known to be too large is refused before taking a slot.
func (h webhookHandlers) readSigned(c echo.Context) ([]byte, error) {
	req := c.Request()
	if req.ContentLength > WebhookBodyLimit {
		h.metrics.webhook.WithLabelValues("too_large").Inc()
		return nil, errWebhookTooLarge
	}
	wait := time.NewTimer(h.slotWait)
	defer wait.Stop()
	select {
	case h.slots <- struct{}{}:
	case <-wait.C:
		h.metrics.webhook.WithLabelValues("busy").Inc()
		c.Response().Header().Set("Retry-After", webhookRetryAfter)
		return nil, errWebhookBusy
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	defer func() { <-h.slots }()
	// The server's own read timeout is minutes long, for bulk uploads.
	if err := http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(h.readTimeout)); err != nil {
		h.log.Warn("webhook: cannot bound the body's read time", "request_id", requestID(c), "err", err.Error())
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(req.ContentLength, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(http.MaxBytesReader(c.Response(), req.Body, WebhookBodyLimit)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.metrics.webhook.WithLabelValues("too_large").Inc()
			return nil, errWebhookTooLarge
		}
		return nil, newError(http.StatusBadRequest, "unreadable_body", "The body could not be read.")
	}
	body := buf.Bytes()
	if h.webhook == nil || !h.webhook.Verify(body, req.Header.Get) {
		h.metrics.webhook.WithLabelValues("bad_signature").Inc()
		return nil, errBadSignature
	}
	return body, nil
}

type eventResponse struct {
	ID          int64           `json:"id"`
	SGEventID   string          `json:"sg_event_id"`
	Event       string          `json:"event"`
	Email       string          `json:"email"`
	OccurredAt  time.Time       `json:"occurred_at"`
	ReceivedAt  time.Time       `json:"received_at"`
	CampaignID  *string         `json:"campaign_id"`
	RecipientID *string         `json:"recipient_id"`
	BounceKind  string          `json:"bounce_kind"`
	BounceLevel string          `json:"bounce_level"`
	Raw         json.RawMessage `json:"raw"`
}

type eventLister struct{ lister event.Lister }

// list is GET /api/v1/events?campaign_id=&unattributed=true&limit=.
func (h eventLister) list(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	evs, err := event.List(c.Request().Context(), h.lister, event.Filter{CampaignID: c.QueryParam("campaign_id"),
		Unattributed: c.QueryParam("unattributed") == "true", Limit: limit})
	if err != nil {
		return err
	}
	out := make([]eventResponse, len(evs))
	for i, e := range evs {
		out[i] = eventResponse{ID: e.ID, SGEventID: e.SGEventID, Event: e.Event, Email: e.Email, OccurredAt: e.OccurredAt,
			ReceivedAt: e.ReceivedAt, BounceKind: e.BounceKind, BounceLevel: e.BounceLevel, Raw: e.Raw}
		if e.CampaignID != "" {
			cid, rid := e.CampaignID, e.RecipientID
			out[i].CampaignID, out[i].RecipientID = &cid, &rid
		}
	}
	return c.JSON(http.StatusOK, out)
}
