package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/errs"
)

// driverError is what pgx says when Postgres is down: user, host and port.
var driverError = errors.New("failed to connect to `user=firebreak database=prod`: 10.1.2.3:5432 (db.internal): dial error: dial tcp 10.1.2.3:5432: connect: connection refused")

func TestReadyz503SaysWhichIsDownWithoutDriverErrors(t *testing.T) {
	var logs bytes.Buffer
	e := api.New(api.Config{}, api.Deps{Log: slog.New(slog.NewJSONHandler(&logs, nil)), Ready: []api.Check{
		{Name: "postgres", Ping: func(context.Context) error { return fmt.Errorf("%w: %w", errs.Unavailable, driverError) }},
		{Name: "redis", Ping: func(context.Context) error { return nil }},
	}})
	req := httptest.NewRequest("GET", "/readyz", nil)
	req.Header.Set("X-Request-Id", "probe-1")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	r := reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if r.status != 503 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	body := string(r.body)
	for _, leak := range []string{"10.1.2.3", "5432", "firebreak", "db.internal", "dial", "connect"} {
		if strings.Contains(body, leak) {
			t.Errorf("the 503 body leaks %q: %s", leak, body)
		}
	}
	e2 := r.errorBody(t)
	down, _ := e2.Details["down"].([]any)
	if e2.Code != "not_ready" || e2.Details["postgres"] != "down" || e2.Details["redis"] != "ok" || len(down) != 1 || down[0] != "postgres" {
		t.Fatalf("503 must say postgres down, redis ok: %s", body)
	}
	if !strings.Contains(logs.String(), "10.1.2.3:5432") || !strings.Contains(logs.String(), `"request_id":"probe-1"`) {
		t.Fatalf("the driver error must be logged with the request id: %s", logs.String())
	}
}

func TestReadyzRedisDownBodyHasNoAddress(t *testing.T) {
	f := newFixture(t)
	addr := f.redis.Addr()
	if err := f.redis.Stop(); err != nil {
		t.Fatal(err)
	}
	r := f.do(call{method: "GET", path: "/readyz"})
	if r.status != 503 {
		t.Fatalf("redis down: %d %s", r.status, r.body)
	}
	_, port, _ := strings.Cut(addr, ":")
	if strings.Contains(string(r.body), port) || strings.Contains(string(r.body), "dial") {
		t.Fatalf("503 leaks the redis address %s: %s", addr, r.body)
	}
	if e := r.errorBody(t); e.Details["redis"] != "down" || e.Details["postgres"] != "ok" {
		t.Fatalf("checks: %s", r.body)
	}
}

// Any 503 (a store or SendGrid call that found its dependency down) answers in
// words, without the driver's error text, and logs that text once.
func TestUnavailable503HidesTheDriverErrorAndLogsIt(t *testing.T) {
	var logs bytes.Buffer
	e := api.New(api.Config{}, api.Deps{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	e.GET("/test-unavailable", func(c echo.Context) error {
		return fmt.Errorf("create campaign: %w: %w", errs.Unavailable, driverError)
	})
	rec := serve(e, "GET", "/test-unavailable")
	r := reply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if r.status != 503 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if e := r.errorBody(t); e.Code != "unavailable" || e.Message == "" {
		t.Fatalf("body: %s", r.body)
	}
	for _, leak := range []string{"10.1.2.3", "5432", "user=", "dial"} {
		if strings.Contains(string(r.body), leak) {
			t.Errorf("the 503 body leaks %q: %s", leak, r.body)
		}
	}
	if !strings.Contains(logs.String(), "10.1.2.3:5432") || !strings.Contains(logs.String(), rec.Header().Get("X-Request-Id")) {
		t.Fatalf("the driver error must be logged with the request id: %s", logs.String())
	}
}

func TestMetricsTokenWhenSet(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	e := api.New(api.Config{MetricsToken: token}, api.Deps{Log: discardLog()})
	srv := httptest.NewServer(e)
	defer srv.Close()
	f := &fixture{t: t, srv: srv, echo: e}
	for name, c := range map[string]struct {
		auth   string
		status int
	}{
		"no token":        {"", 401},
		"wrong token":     {"Bearer nope", 401},
		"token prefix":    {"Bearer " + token[:10], 401},
		"not bearer":      {"Basic " + token, 401},
		"right token":     {"Bearer " + token, 200},
		"bearer any case": {"bearer " + token, 200},
	} {
		t.Run(name, func(t *testing.T) {
			h := map[string]string{}
			if c.auth != "" {
				h["Authorization"] = c.auth
			}
			r := f.do(call{method: "GET", path: "/metrics", headers: h})
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.200s", r.status, c.status, r.body)
			}
			if c.status == 401 {
				if e := r.errorBody(t); e.Code != "unauthenticated" || strings.Contains(string(r.body), "go_goroutines") {
					t.Fatalf("401 body: %s", r.body)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
				}
			} else if !strings.Contains(string(r.body), "go_goroutines") {
				t.Fatalf("metrics body: %.200s", r.body)
			}
		})
	}
}

func TestMetricsOpenWhenNoTokenIsSet(t *testing.T) {
	rec := serve(api.New(api.Config{}, api.Deps{Log: discardLog()}), "GET", "/metrics")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("metrics without a token configured: %d", rec.Code)
	}
}
