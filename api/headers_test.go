package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/frontend"
)

// cspDirectives splits a Content-Security-Policy into directive -> sources.
func cspDirectives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = strings.TrimSpace(value)
		}
	}
	return out
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := cspDirectives(h.Get("Content-Security-Policy"))
	for dir, want := range map[string]string{
		"default-src":     "'self'",
		"script-src":      "'self'",
		"frame-ancestors": "'none'",
		"base-uri":        "'none'",
		"form-action":     "'self'",
		"object-src":      "'none'",
		"img-src":         "'self' data: https:",
	} {
		if csp[dir] != want {
			t.Errorf("%s: CSP %s = %q, want %q (CSP %q)", what, dir, csp[dir], want, h.Get("Content-Security-Policy"))
		}
	}
	for dir, v := range csp {
		if strings.Contains(v, "unsafe-inline") || strings.Contains(v, "unsafe-eval") {
			t.Errorf("%s: CSP %s allows %q", what, dir, v)
		}
	}
	if !strings.HasPrefix(csp["style-src"], "'self'") {
		t.Errorf("%s: CSP style-src = %q", what, csp["style-src"])
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", what, name, got, want)
		}
	}
}

func TestSecurityHeadersOnDashboardAPIAndErrors(t *testing.T) {
	f := newFixture(t)
	tok := f.addUser("mara@example.com", "marketer")
	for _, c := range []call{
		{method: "GET", path: "/"},
		{method: "GET", path: "/incidents/123"},
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/api/v1/me", token: tok},
		{method: "GET", path: "/api/v1/me"},        // 401
		{method: "GET", path: "/api/v1/nope"},      // 404
		{method: "PUT", path: "/api/v1/me"},        // 405
		{method: "GET", path: "/api/openapi.json"}, // the API description
	} {
		r := f.do(c)
		checkSecurityHeaders(t, c.method+" "+c.path, r.header)
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS over plain HTTP without FIREBREAK_SECURE_COOKIES", c.method, c.path)
		}
	}
}

func TestSecurityHeadersOnTheBuiltDashboard(t *testing.T) {
	dist := fstest.MapFS{
		"index.html":      {Data: []byte(`<div id=root></div><script type="module" src="/assets/app-1.js"></script>`)},
		"assets/app-1.js": {Data: []byte("console.log(1)")},
	}
	e := api.New(api.Config{}, api.Deps{Log: discardLog(), Dashboard: dist, Built: true})
	for _, p := range []string{"/", "/login", "/assets/app-1.js"} {
		rec := serve(e, "GET", p)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
		checkSecurityHeaders(t, "GET "+p, rec.Header())
	}
}

func TestHSTSOnlyOverTLSOrBehindATLSProxy(t *testing.T) {
	// Behind a TLS-terminating proxy (FIREBREAK_SECURE_COOKIES=true).
	e := api.New(api.Config{SecureCookies: true}, api.Deps{Log: discardLog()})
	rec := serve(e, "GET", "/healthz")
	if hsts := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Fatalf("behind a TLS proxy: HSTS %q", hsts)
	}
	// Served over TLS directly.
	srv := httptest.NewTLSServer(api.New(api.Config{}, api.Deps{Log: discardLog()}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS == nil || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("over TLS: HSTS %q", resp.Header.Get("Strict-Transport-Security"))
	}
	checkSecurityHeaders(t, "TLS GET /healthz", resp.Header)
}

func TestClientRequestIDIsKeptOnlyWhenShortAndSafe(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	for name, c := range map[string]struct {
		id   string
		keep bool
	}{
		"uuid":         {"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		"proxy style":  {"edge.req_42-A", true},
		"64 chars":     {strings.Repeat("a", 64), true},
		"65 chars":     {strings.Repeat("a", 65), false},
		"60 KB":        {strings.Repeat("x", 60<<10), false},
		"spaces":       {"hello world", false},
		"log injector": {`a" level=ERROR msg="forged`, false},
		"non-ascii":    {"идентификатор", false},
	} {
		t.Run(name, func(t *testing.T) {
			email := strings.ReplaceAll(strings.ToLower(name), " ", "-") + "@example.com"
			r := f.do(call{method: "POST", path: "/api/v1/users", token: admin, headers: map[string]string{"X-Request-Id": c.id},
				body: map[string]any{"email": email, "name": "N", "roles": []string{"legal"}}})
			if r.status != 201 {
				t.Fatalf("create user: %d %s", r.status, r.body)
			}
			got := r.header.Get("X-Request-Id")
			if c.keep && got != c.id {
				t.Fatalf("a safe id must be echoed: got %q, want %q", got, c.id)
			}
			if !c.keep && (got == c.id || !safe.MatchString(got)) {
				t.Fatalf("an unsafe id must be replaced by a fresh one: got %.80q", got)
			}
			var u struct{ ID string }
			r.json(t, &u)
			entries, err := f.store.ListAudit(context.Background(), "user", u.ID)
			if err != nil || len(entries) == 0 {
				t.Fatalf("audit of the new user: %v (%d entries)", err, len(entries))
			}
			if entries[0].RequestID != got {
				t.Fatalf("audit request_id %.80q, want the answered id %q", entries[0].RequestID, got)
			}
		})
	}
}

// TestUnsubscribePageNeedsNoInlineStyleTheCSPBlocks: the page people reach from
// an email renders under the same CSP, so it may carry only styles the policy
// allows by hash (no style attributes, which no hash can allow).
func TestUnsubscribePageNeedsNoInlineStyleTheCSPBlocks(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	link := f.campaigns.UnsubscribeURL("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222")
	path := strings.TrimPrefix(link, "http://firebreak.test")
	r := f.do(call{method: "GET", path: path})
	if r.status != 200 || !strings.Contains(string(r.body), "<form") {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	page := string(r.body)
	if strings.Contains(page, "style=") {
		t.Fatalf("the CSP blocks style attributes: %s", page)
	}
	csp := cspDirectives(r.header.Get("Content-Security-Policy"))
	for _, m := range regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page, -1) {
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp["style-src"], h) {
			t.Fatalf("style %q is not allowed by style-src %q", m[1], csp["style-src"])
		}
	}
}

// TestBuiltDashboardHasNoInlineScriptOrStyle checks the real Vite build (when
// this checkout has one: `make build`) against the CSP: every script and style
// sheet comes from a file, none is inline, and no element has a style or
// event-handler attribute.
func TestBuiltDashboardHasNoInlineScriptOrStyle(t *testing.T) {
	dist, built := frontend.Dist()
	if !built {
		if os.Getenv("CI") != "" {
			t.Fatal("frontend/dist is not built: make test-go builds it first, so CI checks the real build")
		}
		t.Skip("frontend/dist is not built (make build); nothing to check")
	}
	pages, err := fs.Glob(dist, "*.html")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no html in dist: %v", err)
	}
	bad := []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>`), // checked below: must have src
		regexp.MustCompile(`(?i)<style`),
		regexp.MustCompile(`(?i)\sstyle\s*=`),
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),
	}
	for _, p := range pages {
		raw, err := fs.ReadFile(dist, p)
		if err != nil {
			t.Fatal(err)
		}
		html := string(raw)
		for _, tag := range bad[0].FindAllString(html, -1) {
			if !strings.Contains(tag, " src=") {
				t.Errorf("%s: inline script %q", p, tag)
			}
		}
		for _, re := range bad[1:] {
			if m := re.FindString(html); m != "" {
				t.Errorf("%s: %q is blocked by the CSP", p, m)
			}
		}
	}
}
