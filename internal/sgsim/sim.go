// Package sgsim is an in-memory SendGrid v3 simulator for the demo and the
// tests: the subset of the API Firebreak uses (mail send, batches, scheduled
// sends, suppressions) with SendGrid's shapes and status codes, a scheduler
// that honours send_at, pause, cancel and the 10-minute rule, and a signed
// Event Webhook poster with SendGrid's batching, retry, duplicate and
// reordering behaviour. The contract it follows is shared/SENDGRID.md (§10
// is its checklist); docs/sendgrid-simulator.md says what it does not do.
//
// Everything is in memory and lost when the process ends. A *Sim is safe for
// concurrent use; time comes from Config.Now so tests drive it with Tick.
package sgsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Outcomes are the shares (0..1) with which the simulator picks what happens
// to a message. Bounce, Block, Dropped and Deferred are drawn once per
// recipient when the message goes out (their sum is capped at 1; the rest is
// delivered straight away; deferred mail is delivered after the deferral).
// Open, Click, SpamReport and Unsubscribe are drawn independently for each
// delivered recipient.
type Outcomes struct {
	Bounce, Block, Dropped, Deferred     float64
	Open, Click, SpamReport, Unsubscribe float64
}

// Config configures a Sim. The zero value is usable: any non-empty API key,
// no webhook, a fresh key pair, the wall clock, every message delivered.
type Config struct {
	// APIKey is the bearer key every /v3 request must carry; "" accepts any
	// non-empty key.
	APIKey string
	// WebhookURL is where signed event batches are POSTed; "" keeps events
	// only for inspection (Events, /_sim/events).
	WebhookURL string
	// PrivateKey signs webhook posts (ECDSA P-256); nil generates one.
	PrivateKey *ecdsa.PrivateKey
	// Now is the simulator's clock (nil = time.Now). It drives send_at, pause
	// timing, event timestamps, retry backoff and the signature timestamp.
	Now func() time.Time
	// Outcomes are the delivery and engagement shares.
	Outcomes Outcomes
	// EngagementSpeedup divides the delays that follow a delivery (deferral,
	// open, click, spam report, unsubscribe) so a demo sees in seconds what
	// SendGrid reports over minutes: 60 turns "spam report 5–30 min after
	// delivery" into 5–30 s. Values up to 1 (and the zero value) keep
	// SendGrid's timing. It does not touch send_at, the 10-minute pause
	// rule or the webhook's flush interval.
	EngagementSpeedup float64
	// Seed makes outcomes and the webhook knobs deterministic.
	Seed int64
	// FlushInterval is how often Run posts the pending events (default 1s;
	// SendGrid: 30 s or 768 KB, whichever comes first).
	FlushInterval time.Duration
	// MaxEventsPerPost caps one POST (default 1000); a post is also cut
	// before it exceeds 768 KB.
	MaxEventsPerPost int
	// DuplicateShare is the share of events posted a second time, in a later
	// post, with the same sg_event_id (SendGrid is at-least-once).
	DuplicateShare float64
	// Reorder shuffles pending events and splits them across posts of random
	// size, so open can arrive before delivered.
	Reorder bool
	// RetryWindow is how long after an event occurred a failing post of it is
	// retried, with backoff (default 24h, rolling per event).
	RetryWindow time.Duration
	// BatchLimit is how many batches may be paused or cancelled at once
	// (default 10).
	BatchLimit int
	// AllowUnknownBatch accepts mail/send and scheduled_sends with a batch_id
	// that POST /v3/mail/batch never created (or that expired after 10 days).
	// The default (false) answers 400, which is what Firebreak must expect
	// from SendGrid.
	AllowUnknownBatch bool
}

const (
	maxPostBytes   = 768 << 10
	batchLifetime  = 10 * 24 * time.Hour
	scheduleWindow = 72 * time.Hour
	pauseDeadline  = 10 * time.Minute
	rateLimitPerM  = 600
)

// Sim is the simulator: an http.Handler serving /v3 and /_sim, plus the
// scheduler and webhook poster driven by Run or Tick.
type Sim struct {
	cfg     Config
	now     func() time.Time
	key     *ecdsa.PrivateKey
	pubB64  string
	client  *http.Client
	api     *http.ServeMux
	inspect *http.ServeMux

	mu        sync.Mutex
	rng       *rand.Rand
	batches   map[string]*batch
	msgs      []*message
	active    []*message // scheduled, held or deferred
	perEmail  map[string]uint64
	sendReqs  int
	reqs      map[string]int
	rate      map[string]*rateWindow
	faults    []fault
	hold      chan struct{}
	fx        faultState
	supp      map[string]map[string]suppression // list -> email -> entry
	groups    map[int]*group
	future    []futureEvent
	outbox    []outEvent
	dupes     []outEvent
	retries   []retryPost
	events    []Event
	wh        WebhookStats
	lastFlush time.Time

	postMu sync.Mutex
}

// New builds a Sim from cfg, filling in the defaults documented on Config.
// It panics only if the system's random source fails while generating a key.
func New(cfg Config) *Sim {
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = time.Second
	}
	if cfg.MaxEventsPerPost <= 0 {
		cfg.MaxEventsPerPost = 1000
	}
	if cfg.RetryWindow <= 0 {
		cfg.RetryWindow = 24 * time.Hour
	}
	if cfg.BatchLimit <= 0 {
		cfg.BatchLimit = 10
	}
	s := &Sim{
		cfg:      cfg,
		now:      cfg.Now,
		key:      cfg.PrivateKey,
		client:   &http.Client{Timeout: 10 * time.Second, CheckRedirect: noRedirects},
		rng:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5e9d6a11)),
		batches:  map[string]*batch{},
		perEmail: map[string]uint64{},
		reqs:     map[string]int{},
		rate:     map[string]*rateWindow{},
		supp:     map[string]map[string]suppression{},
		groups:   map[int]*group{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
		if err != nil {
			panic("sgsim: generate key: " + err.Error())
		}
		s.key = k
	}
	der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	if err != nil {
		panic("sgsim: marshal public key: " + err.Error())
	}
	s.pubB64 = base64.StdEncoding.EncodeToString(der)
	s.routes()
	return s
}

// noRedirects: SendGrid does not follow redirects from the webhook receiver.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// PublicKey returns the webhook verification key as SendGrid shows it: base64
// (standard, padded) of the DER SubjectPublicKeyInfo. Configure Firebreak's
// SENDGRID_WEBHOOK_PUBLIC_KEY with it.
func (s *Sim) PublicKey() string { return s.pubB64 }

func (s *Sim) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /v3/mail/send", s.handleMailSend)
	m.HandleFunc("POST /v3/mail/batch", s.handleCreateBatch)
	m.HandleFunc("GET /v3/mail/batch/{id}", s.handleGetBatch)
	m.HandleFunc("POST /v3/user/scheduled_sends", s.handleScheduleCreate)
	m.HandleFunc("GET /v3/user/scheduled_sends", s.handleScheduleList)
	m.HandleFunc("GET /v3/user/scheduled_sends/{id}", s.handleScheduleGet)
	m.HandleFunc("PATCH /v3/user/scheduled_sends/{id}", s.handleSchedulePatch)
	m.HandleFunc("DELETE /v3/user/scheduled_sends/{id}", s.handleScheduleDelete)
	m.HandleFunc("GET /v3/user/webhooks/event/settings/signed", s.handleSignedSettings)
	m.HandleFunc("PATCH /v3/user/webhooks/event/settings/signed", s.handleSignedSettings)
	m.HandleFunc("GET /v3/user/webhooks/event/settings/signed/{id}", s.handleSignedSettings)
	m.HandleFunc("PATCH /v3/user/webhooks/event/settings/signed/{id}", s.handleSignedSettings)
	s.suppressionRoutes(m)
	s.api = m

	in := http.NewServeMux()
	in.HandleFunc("GET /_sim/messages", s.handleSimMessages)
	in.HandleFunc("GET /_sim/events", s.handleSimEvents)
	in.HandleFunc("GET /_sim/stats", s.handleSimStats)
	in.HandleFunc("GET /_sim/public-key", s.handleSimPublicKey)
	in.HandleFunc("POST /_sim/faults", s.handleSimFaults)
	in.HandleFunc("POST /_sim/tick", s.handleSimTick)
	s.inspect = in
}

// ServeHTTP serves the v3 API (bearer auth, SendGrid's error envelope,
// rate-limit headers on management endpoints, injected faults) and the
// unauthenticated /_sim/ inspection endpoints.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveMux(s.inspect, w, r)
		return
	}
	_, pattern := s.api.Handler(r)
	s.mu.Lock()
	key := r.Method + " " + r.URL.Path
	if pattern != "" {
		key = pattern
	}
	s.reqs[key]++
	if pattern == "POST /v3/mail/send" {
		s.sendReqs++
	}
	s.mu.Unlock()

	if !s.authorized(r) {
		msg := "authorization required"
		if r.Header.Get("Authorization") != "" {
			msg = "The provided authorization grant is invalid, expired, or revoked"
		}
		writeErrors(w, http.StatusUnauthorized, apiError{Message: msg})
		return
	}
	if f, ok := s.takeFault(r.URL.Path); ok {
		for k, vs := range f.header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		msg := http.StatusText(f.status)
		if f.status == http.StatusTooManyRequests {
			msg = "too many requests"
		}
		writeErrors(w, f.status, apiError{Message: msg})
		return
	}
	if pattern != "" && pattern != "POST /v3/mail/send" {
		s.rateHeaders(w, pattern)
	}
	s.serveMux(s.api, w, r)
}

// serveMux answers unrouted requests with the error envelope, keeping the
// mux's own 404/405 decision.
func (s *Sim) serveMux(m *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	if _, pattern := m.Handler(r); pattern != "" {
		m.ServeHTTP(w, r)
		return
	}
	probe := &statusRecorder{header: http.Header{}}
	m.ServeHTTP(probe, r)
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	code := probe.code
	if code == 0 || code == http.StatusOK {
		code = http.StatusNotFound
	}
	writeErrors(w, code, apiError{Message: http.StatusText(code)})
}

type statusRecorder struct {
	header http.Header
	code   int
}

func (p *statusRecorder) Header() http.Header         { return p.header }
func (p *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusRecorder) WriteHeader(code int)        { p.code = code }

func (s *Sim) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || h[:len(prefix)] != prefix {
		return false
	}
	return s.cfg.APIKey == "" || h[len(prefix):] == s.cfg.APIKey
}

type rateWindow struct {
	start time.Time
	n     int
}

// rateHeaders emits SendGrid's per-endpoint rate-limit headers (a fixed
// minute window of 600 requests). The simulator never enforces the limit by
// itself: tests get a 429 through FailNext.
func (s *Sim) rateHeaders(w http.ResponseWriter, pattern string) {
	now := s.now()
	s.mu.Lock()
	win := s.rate[pattern]
	minute := now.Truncate(time.Minute)
	if win == nil || !win.start.Equal(minute) {
		win = &rateWindow{start: minute}
		s.rate[pattern] = win
	}
	win.n++
	remaining := max(rateLimitPerM-win.n, 0)
	s.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", itoa(rateLimitPerM))
	w.Header().Set("X-RateLimit-Remaining", itoa(remaining))
	w.Header().Set("X-RateLimit-Reset", itoa64(minute.Add(time.Minute).Unix()))
}

type fault struct {
	path   string
	left   int
	status int
	header http.Header
}

// FailNext makes the next n requests whose path is path, or lies under it
// (path + "/…"), answer status with the error envelope and header, without
// doing anything else. A 429 carries only the headers given here, so a test
// can exercise both "429 with X-RateLimit-Reset" and the header-less 429 of
// mail/send. Faults for different paths are independent; a later call for the
// same path queues behind the earlier one.
func (s *Sim) FailNext(path string, n int, status int, header http.Header) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{path: path, left: n, status: status, header: header.Clone()})
}

func (s *Sim) takeFault(path string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		f := &s.faults[i]
		if path == f.path || strings.HasPrefix(path, strings.TrimSuffix(f.path, "/")+"/") {
			out := *f
			if f.left--; f.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return out, true
		}
	}
	return fault{}, false
}

// HoldSends makes mail/send requests block after they are counted by
// SendRequests and their body is read, until release is called. A held
// request is processed after release even if its client has gone, which is
// how a test produces "SendGrid accepted it but the worker never heard".
// release is idempotent; call it (e.g. in t.Cleanup) or the handlers block
// forever.
func (s *Sim) HoldSends() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.hold = gate
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.hold == gate {
				s.hold = nil
			}
			s.mu.Unlock()
			close(gate)
		})
	}
}

// SendRequests returns how many mail/send requests arrived, accepted or not
// (including unauthorized, faulted and invalid ones).
func (s *Sim) SendRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendReqs
}
