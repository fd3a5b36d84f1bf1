// Package sendgrid is Firebreak's SendGrid adapter: it implements the esp
// ports (esp.Sender, esp.Scheduler) on top of sendgrid-go.
//
// Contract, shared by every call (SENDGRID.md §0, §9):
//   - every request is a fresh rest.Request sent through the Client's own
//     *rest.Client, never sendgrid-go's shared *sendgrid.Client or its
//     DefaultClient (no timeout, not goroutine-safe), so a Client is safe for
//     concurrent use;
//   - every request has a deadline: the caller's ctx plus Config.Timeout;
//   - a non-2xx answer is an *esp.Error with SendGrid's status, its error
//     envelope as "field: message" strings and RetryAt from X-RateLimit-Reset;
//   - a transport error is Unreachable when the request never got a
//     connection to the server (dial, DNS, refused), Uncertain otherwise;
//   - Send is one request and is never retried here; the management calls
//     (CreateBatch, SetBatchStatus, ClearBatchStatus) retry 429, 5xx and
//     transport errors up to Config.MaxAttempts.
package sendgrid

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sendgrid/rest"
	sg "github.com/sendgrid/sendgrid-go"

	"github.com/firebreak/firebreak/domain/esp"
)

// DefaultBaseURL is SendGrid's global API host, used when Config.BaseURL is empty.
const DefaultBaseURL = "https://api.sendgrid.com"

// Config configures a Client. The zero value of every field but APIKey has a
// usable default, so tests build it directly.
type Config struct {
	// APIKey is sent as "Authorization: Bearer <APIKey>".
	APIKey string
	// BaseURL is SENDGRID_API_URL without a path, e.g. https://api.sendgrid.com
	// or http://127.0.0.1:3030 (the simulator). Default DefaultBaseURL.
	BaseURL string
	// Timeout bounds each HTTP request (connect, send, read the answer);
	// the caller's ctx bounds the whole call. Default 10s.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of a management call (Send always makes
	// exactly one). Default 5.
	MaxAttempts int
	// Now is the clock used to turn X-RateLimit-Reset into a wait. Default time.Now.
	Now func() time.Time
	// Sleep waits between management attempts and must return early with an
	// error when ctx ends. Default a ctx-aware timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is the SendGrid adapter. It holds no per-request state and is safe
// for concurrent use by many goroutines.
type Client struct {
	cfg    Config
	http   *rest.Client
	cfgErr error // a BaseURL that can never work: every call fails with it
}

var (
	_ esp.Sender    = (*Client)(nil)
	_ esp.Scheduler = (*Client)(nil)
)

// New returns a Client for cfg, filling in defaults. A malformed BaseURL is
// not reported here but by every call, as a Permanent *esp.Error.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	// Parallel handoffs each hold a connection: keep enough idle ones per host
	// that they are reused rather than re-handshaken (the default keeps 2).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	c := &Client{cfg: cfg, http: &rest.Client{HTTPClient: &http.Client{Timeout: cfg.Timeout, Transport: tr}}}
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.cfgErr = fmt.Errorf("invalid SendGrid base URL %q", cfg.BaseURL)
	}
	return c
}

// sleep waits d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// do makes exactly one request and returns the response of a 2xx answer, or
// an *esp.Error (always that type) for anything else.
func (c *Client) do(ctx context.Context, op string, method rest.Method, path string, body []byte) (*rest.Response, error) {
	if c.cfgErr != nil {
		return nil, &esp.Error{Op: op, Kind: esp.Permanent, Err: c.cfgErr}
	}
	req := sg.GetRequest(c.cfg.APIKey, path, c.cfg.BaseURL)
	req.Method = method // the zero value would silently become GET
	req.Body = body

	// gotConn tells "never reached SendGrid" from "sent, answer lost": the
	// http.Client's own timeout error drops the *net.OpError it wraps.
	var gotConn atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	resp, err := c.http.SendWithContext(ctx, req)
	if resp == nil {
		if err == nil {
			err = errors.New("no response")
		}
		return nil, &esp.Error{Op: op, Kind: transportKind(err, gotConn.Load()), Err: err}
	}
	// A response with err is a body cut short: the status still holds.
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	return nil, responseError(op, resp, c.cfg.Now)
}

// transportKind classifies a request that got no HTTP answer.
func transportKind(err error, gotConn bool) esp.Kind {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return esp.Unreachable
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || !gotConn {
		return esp.Unreachable
	}
	return esp.Uncertain
}

// responseError turns a non-2xx answer into an *esp.Error.
func responseError(op string, resp *rest.Response, now func() time.Time) *esp.Error {
	e := &esp.Error{Op: op, Status: resp.StatusCode, Messages: envelopeMessages(resp.Body)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = esp.RateLimited
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		e.Kind = esp.Permanent
	default: // 5xx, and the odd 1xx/3xx: SendGrid may have acted on it
		e.Kind = esp.Uncertain
	}
	if v := http.Header(resp.Headers).Get("X-RateLimit-Reset"); v != "" {
		if sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && sec > 0 {
			e.RetryAt = time.Unix(sec, 0)
		}
	}
	return e
}

// envelope is SendGrid's error body (SENDGRID.md §0).
type envelope struct {
	Errors []struct {
		Field   any    `json:"field"` // string or null
		Message string `json:"message"`
	} `json:"errors"`
}

// envelopeMessages renders the error envelope as "field: message" (just the
// message when field is null); a body that is not an envelope is kept,
// trimmed, so the operator still sees what came back.
func envelopeMessages(body string) []string {
	var env envelope
	if err := json.Unmarshal([]byte(body), &env); err == nil && len(env.Errors) > 0 {
		out := make([]string, 0, len(env.Errors))
		for _, e := range env.Errors {
			field, _ := e.Field.(string)
			switch {
			case field != "" && e.Message != "":
				out = append(out, field+": "+e.Message)
			case e.Message != "":
				out = append(out, e.Message)
			case field != "":
				out = append(out, field)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return nil
	}
	if len(body) > 200 {
		body = strings.ToValidUTF8(body[:200], "") + "…"
	}
	return []string{body}
}
