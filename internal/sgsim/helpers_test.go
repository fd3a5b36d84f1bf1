package sgsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

const apiKey = "SG.test-key"

// clock is an injectable clock that only moves when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a simulator behind an httptest server with an injected clock.
type env struct {
	t   *testing.T
	sim *sgsim.Sim
	srv *httptest.Server
	clk *clock
}

func newEnv(t *testing.T, cfg sgsim.Config) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	cfg.APIKey = apiKey
	cfg.Now = clk.Now
	sim := sgsim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: sim, srv: srv, clk: clk}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// errorsOf decodes the error envelope.
func (r reply) errorsOf(t *testing.T) []map[string]any {
	t.Helper()
	var env struct {
		Errors []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("error envelope: %v in %s", err, r.body)
	}
	return env.Errors
}

// hasField reports whether the envelope names field.
func (r reply) hasField(t *testing.T, field string) bool {
	for _, e := range r.errorsOf(t) {
		if e["field"] == field {
			return true
		}
	}
	return false
}

// do sends an authorized request; body is JSON-encoded unless it is []byte.
func (e *env) do(method, path string, body any) reply {
	e.t.Helper()
	return e.doAuth(method, path, body, "Bearer "+apiKey)
}

func (e *env) doAuth(method, path string, body any, auth string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				e.t.Fatal(err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func (e *env) decode(r reply, v any) {
	e.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		e.t.Fatalf("decode %s: %v", r.body, err)
	}
}

// batch creates a batch id.
func (e *env) batch() string {
	e.t.Helper()
	r := e.do("POST", "/v3/mail/batch", nil)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create batch: %d %s", r.status, r.body)
	}
	var out struct {
		BatchID string `json:"batch_id"`
	}
	e.decode(r, &out)
	return out.BatchID
}

// mail is a valid mail/send body to the given addresses, one personalization
// each; opts edit it.
func mail(to []string, opts ...func(map[string]any)) map[string]any {
	ps := make([]any, len(to))
	for i, a := range to {
		ps[i] = map[string]any{"to": []any{map[string]any{"email": a}}}
	}
	m := map[string]any{
		"personalizations": ps,
		"from":             map[string]any{"email": "news@shop.example", "name": "Shop"},
		"subject":          "Spring sale",
		"content": []any{
			map[string]any{"type": "text/plain", "value": "Hello https://shop.example/sale"},
			map[string]any{"type": "text/html", "value": `<a href="https://shop.example/sale">Hello</a>`},
		},
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func with(k string, v any) func(map[string]any) { return func(m map[string]any) { m[k] = v } }

// send posts a mail/send and insists on 202.
func (e *env) send(body map[string]any) string {
	e.t.Helper()
	r := e.do("POST", "/v3/mail/send", body)
	if r.status != http.StatusAccepted {
		e.t.Fatalf("mail/send: %d %s", r.status, r.body)
	}
	return r.header.Get("X-Message-Id")
}

// states maps each message's To to its state.
func (e *env) states() map[string]sgsim.State {
	out := map[string]sgsim.State{}
	for _, m := range e.sim.Messages() {
		out[m.To] = m.State
	}
	return out
}

// eventsOf returns the types of the events generated for email, in order.
func (e *env) eventsOf(email string) []string {
	var out []string
	for _, ev := range e.sim.Events() {
		if ev["email"] == email {
			out = append(out, ev["event"].(string))
		}
	}
	return out
}

// receiver is a webhook endpoint that records posts and answers the queued
// statuses (then 200).
type receiver struct {
	mu       sync.Mutex
	posts    []post
	statuses []int
	srv      *httptest.Server
}

type post struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.posts = append(rc.posts, post{r.Header.Clone(), b})
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) failNext(statuses ...int) {
	rc.mu.Lock()
	rc.statuses = append(rc.statuses, statuses...)
	rc.mu.Unlock()
}

func (rc *receiver) all() []post {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]post(nil), rc.posts...)
}

// events decodes every event of every post, in order received.
func (rc *receiver) events(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range rc.all() {
		var evs []map[string]any
		if err := json.Unmarshal(p.body, &evs); err != nil {
			t.Fatalf("webhook body: %v", err)
		}
		out = append(out, evs...)
	}
	return out
}
