package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/api"
)

func TestMalformedJSON400(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	for name, body := range map[string]string{
		"truncated":     `{"email":`,
		"not json":      `email=a@b.c`,
		"unknown field": `{"email":"x@example.com","name":"X","roles":["legal"],"admin":true}`,
		"wrong type":    `{"email":"x@example.com","name":"X","roles":"legal"}`,
		"two values":    `{"email":"x@example.com","name":"X","roles":["legal"]} {}`,
		"empty":         ``,
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(call{method: "POST", path: "/api/v1/users", token: admin, body: body})
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if e := r.errorBody(t); e.Code != "malformed_json" {
				t.Fatalf("code %q", e.Code)
			}
		})
	}
	us, _ := f.users.ListUsers(t.Context())
	if len(us) != 1 {
		t.Fatalf("bad input stored users: %d users", len(us))
	}
}

func TestValidationErrors422NameTheFields(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	r := f.do(call{method: "POST", path: "/api/v1/users", token: admin,
		body: `{"email":"not an email","name":"","roles":["root"],"password":"short"}`})
	if r.status != 422 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	e := r.errorBody(t)
	fields, _ := e.Details["fields"].(map[string]any)
	for _, k := range []string{"email", "name", "roles", "password"} {
		if fields[k] == nil {
			t.Errorf("details.fields lacks %s: %s", k, r.body)
		}
	}
	// Same address in another case is a conflict, not a second user.
	if r := f.do(call{method: "POST", path: "/api/v1/users", token: admin,
		body: `{"email":"ADA@example.COM","name":"Twin","roles":["legal"]}`}); r.status != 409 || r.errorBody(t).Code != "email_taken" {
		t.Fatalf("duplicate email: %d %s", r.status, r.body)
	}
}

func TestBody64MiB413AndServerStaysHealthy(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	big := bytes.Repeat([]byte("a"), 64<<20)
	r := f.do(call{method: "POST", path: "/api/v1/users", token: admin, body: bytes.NewReader(big)})
	if r.status != 413 || r.errorBody(t).Code != "body_too_large" {
		t.Fatalf("64 MiB with length: %d %s", r.status, r.body)
	}
	// Chunked (no Content-Length): the limit trips while reading.
	chunked := io.MultiReader(strings.NewReader(`{"email":"`), bytes.NewReader(big))
	r = f.do(call{method: "POST", path: "/api/v1/users", token: admin, body: chunked})
	if r.status != 413 {
		t.Fatalf("64 MiB chunked: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/healthz"}); r.status != 200 {
		t.Fatalf("healthz after 413: %d", r.status)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: admin}); r.status != 200 {
		t.Fatalf("API after 413: %d", r.status)
	}
}

func TestUnknownPathsAndMethodsUseTheErrorShape(t *testing.T) {
	f := newFixture(t)
	tok := f.addUser("mara@example.com", "marketer")
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nope", 404, "not_found"},
		{"POST", "/api/v1/nope", 404, "not_found"},
		{"GET", "/api/nope", 404, "not_found"},
		{"DELETE", "/some/page", 404, "not_found"},
		{"GET", "/webhooks/nope", 404, "not_found"},
		{"PUT", "/api/v1/me", 405, "method_not_allowed"},
	} {
		r := f.do(call{method: c.method, path: c.path, token: tok})
		if r.status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.status, c.status, r.body)
			continue
		}
		if e := r.errorBody(t); e.Code != c.code {
			t.Errorf("%s %s: code %q, want %q", c.method, c.path, e.Code, c.code)
		}
	}
}

func TestPanicIs500InTheErrorShapeAndServerSurvives(t *testing.T) {
	f := newFixture(t)
	f.echo.GET("/test-panic", func(c echo.Context) error { panic("boom") })
	r := f.do(call{method: "GET", path: "/test-panic"})
	if r.status != 500 {
		t.Fatalf("status %d", r.status)
	}
	if e := r.errorBody(t); e.Code != "internal" || strings.Contains(e.Message, "boom") {
		t.Fatalf("500 body leaks or lacks shape: %+v", e)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id on the answer")
	}
	if r := f.do(call{method: "GET", path: "/healthz"}); r.status != 200 {
		t.Fatalf("healthz after panic: %d", r.status)
	}
}

func TestReadyz200Then503NamingRedisWhenItStops(t *testing.T) {
	f := newFixture(t)
	r := f.do(call{method: "GET", path: "/readyz"})
	if r.status != 200 || !strings.Contains(string(r.body), `"redis":"ok"`) || !strings.Contains(string(r.body), `"postgres":"ok"`) {
		t.Fatalf("ready: %d %s", r.status, r.body)
	}
	if err := f.redis.Stop(); err != nil {
		t.Fatal(err)
	}
	r = f.do(call{method: "GET", path: "/readyz"})
	if r.status != 503 {
		t.Fatalf("redis down: %d %s", r.status, r.body)
	}
	e := r.errorBody(t)
	down, _ := e.Details["down"].([]any)
	if e.Code != "not_ready" || len(down) != 1 || down[0] != "redis" || e.Details["postgres"] != "ok" ||
		!strings.Contains(e.Message, "redis") {
		t.Fatalf("503 must name redis only: %s", r.body)
	}
	if r := f.do(call{method: "GET", path: "/healthz"}); r.status != 200 {
		t.Fatalf("healthz must not depend on redis: %d", r.status)
	}
}

func TestMetricsIsPrometheusTextWithRoutes(t *testing.T) {
	f := newFixture(t)
	f.do(call{method: "GET", path: "/healthz"})
	f.do(call{method: "GET", path: "/api/v1/me"})
	f.do(call{method: "GET", path: "/api/v1/no/such/thing/123"})
	r := f.do(call{method: "GET", path: "/metrics"})
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", r.status, r.header.Get("Content-Type"))
	}
	body := string(r.body)
	for _, want := range []string{
		`firebreak_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`firebreak_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`,
		`firebreak_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="0.005"}`,
		`route="unmatched",status="404"`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/no/such/thing") {
		t.Error("an unmatched path became a label")
	}
}

// TestOpenAPIDescribesExactlyTheRoutes keeps the OpenAPI description true: a
// route added without documenting it (or documented and removed) fails here.
func TestOpenAPIDescribesExactlyTheRoutes(t *testing.T) {
	f := newFixture(t)
	r := f.do(call{method: "GET", path: "/api/openapi.json"})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if r.status != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi: %d %q", r.status, doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range f.echo.Routes() {
		if rt.Path == "/*" || rt.Path == "/" || rt.Path == "/test-panic" || rt.Method == echo.RouteNotFound {
			continue // the dashboard, not the API
		}
		parts := strings.Split(rt.Path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		served[rt.Method+" "+strings.Join(parts, "/")] = true
	}
	var missing, stale []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing)+len(stale) > 0 {
		t.Fatalf("openapi.json out of date:\n served but not documented: %v\n documented but not served: %v", missing, stale)
	}
}

func TestDashboardFallsBackToIndexForClientRoutes(t *testing.T) {
	dist := fstest.MapFS{
		"index.html":      {Data: []byte("<div id=root>firebreak-dashboard</div>")},
		"assets/app-1.js": {Data: []byte("console.log(1)")},
	}
	e := api.New(api.Config{}, api.Deps{Log: discardLog(), Dashboard: dist, Built: true})
	for path, want := range map[string]string{
		"/":                "firebreak-dashboard",
		"/incidents/123":   "firebreak-dashboard",
		"/login":           "firebreak-dashboard",
		"/assets/app-1.js": "console.log(1)",
	} {
		rec := serve(e, "GET", path)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d %q", path, rec.Code, rec.Body.String())
		}
	}
	if rec := serve(e, "GET", "/api/v1/unknown"); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"not_found"`) {
		t.Errorf("API 404 must not fall back to the dashboard: %d %s", rec.Code, rec.Body.String())
	}
}

func TestWrongMethodOnAKnownPath405(t *testing.T) {
	f := newFixture(t)
	for _, c := range [][2]string{{"PUT", "/api/v1/session"}, {"POST", "/healthz"}, {"PATCH", "/api/v1/tokens/abc"}} {
		r := f.do(call{method: c[0], path: c[1]})
		if r.status != 405 || r.errorBody(t).Code != "method_not_allowed" || r.header.Get("Allow") == "" {
			t.Errorf("%s %s: %d %s (Allow %q)", c[0], c[1], r.status, r.body, r.header.Get("Allow"))
		}
	}
}
