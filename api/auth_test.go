package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/auth"
)

func TestMe401WithoutOrWithWrongCredentials(t *testing.T) {
	f := newFixture(t)
	f.addUser("mara@example.com", "marketer")
	for name, c := range map[string]call{
		"no credentials":   {method: "GET", path: "/api/v1/me"},
		"wrong token":      {method: "GET", path: "/api/v1/me", token: "fbk_not-a-real-token"},
		"not bearer":       {method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Basic bWFyYTpwdw=="}},
		"empty bearer":     {method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer "}},
		"unknown cookie":   {method: "GET", path: "/api/v1/me", headers: map[string]string{"Cookie": "firebreak_session=fbs_forged"}},
		"write no creds":   {method: "POST", path: "/api/v1/users", body: `{}`},
		"sign out no auth": {method: "DELETE", path: "/api/v1/session"},
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(c)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", r.status, r.body)
			}
			if e := r.errorBody(t); e.Code != "unauthenticated" {
				t.Fatalf("code %q, want unauthenticated", e.Code)
			}
		})
	}
}

func TestMe200WithTokenShowsUserAndRoles(t *testing.T) {
	f := newFixture(t)
	tok := f.addUser("Lena@Example.com", "legal", "security")
	r := f.do(call{method: "GET", path: "/api/v1/me", token: tok})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var me struct {
		User struct {
			Email string   `json:"email"`
			Roles []string `json:"roles"`
		} `json:"user"`
		CSRF string `json:"csrf_token"`
	}
	r.json(t, &me)
	if me.User.Email != "lena@example.com" || strings.Join(me.User.Roles, ",") != "legal,security" {
		t.Fatalf("me = %+v", me)
	}
	if me.CSRF != "" {
		t.Fatal("a token caller must not be handed a CSRF token")
	}
}

func TestRevokedToken401(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	victim := f.addUser("vic@example.com", "marketer")
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: victim}); r.status != 200 {
		t.Fatalf("before revoke: %d", r.status)
	}
	toks, err := f.users.ListTokens(t.Context(), "vic@example.com")
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens: %v %v", toks, err)
	}
	if r := f.do(call{method: "DELETE", path: "/api/v1/tokens/" + toks[0].ID, token: admin}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: victim}); r.status != 401 {
		t.Fatalf("after revoke: %d, want 401", r.status)
	}
	if r := f.do(call{method: "DELETE", path: "/api/v1/tokens/not-a-uuid", token: admin}); r.status != 404 {
		t.Fatalf("revoke unknown id: %d, want 404: %s", r.status, r.body)
	}
}

// routes names the permission each protected route requires; the test checks
// every role against auth.Can, so an unguarded route or a wrong guard fails.
var routes = []struct {
	method, path string
	perm         auth.Permission
	body         string
}{
	{"GET", "/api/v1/users", auth.UserManage, ""},
	{"POST", "/api/v1/users", auth.UserManage, `{"email":"new-%s@example.com","name":"New","roles":["legal"]}`},
	{"POST", "/api/v1/tokens", auth.TokenManage, `{"email":"target@example.com","name":"x"}`},
}

func TestEveryRoleOnEveryGuardedRoute(t *testing.T) {
	f := newFixture(t)
	f.addUser("target@example.com", "marketer")
	for _, role := range auth.Roles {
		tok := f.addUser(string(role)+"@example.com", string(role))
		for _, rt := range routes {
			body := rt.body
			if strings.Contains(body, "%s") {
				body = fmt.Sprintf(body, role)
			}
			var b any
			if body != "" {
				b = body
			}
			r := f.do(call{method: rt.method, path: rt.path, token: tok, body: b})
			allowed := auth.Can([]auth.Role{role}, rt.perm)
			if allowed && (r.status == 403 || r.status >= 400) {
				t.Errorf("%s %s as %s: %d, want success: %s", rt.method, rt.path, role, r.status, r.body)
			}
			if !allowed {
				if r.status != 403 {
					t.Errorf("%s %s as %s: %d, want 403", rt.method, rt.path, role, r.status)
					continue
				}
				if e := r.errorBody(t); e.Code != "forbidden" || e.Details["permission"] != string(rt.perm) {
					t.Errorf("403 body %+v", e)
				}
			}
		}
	}
	// Nothing a refused caller sent was stored: only the admin created a user.
	us, _ := f.users.ListUsers(t.Context())
	for _, u := range us {
		if strings.HasPrefix(u.Email, "new-") && u.Email != "new-admin@example.com" {
			t.Errorf("a refused request created user %s", u.Email)
		}
	}
}

func TestSessionSignInCookieAndCSRF(t *testing.T) {
	f := newFixture(t)
	f.addUser("ada@example.com", "admin")
	b := f.browser()
	csrf := f.signIn(b, "ADA@example.com")

	// The cookie is HttpOnly and SameSite=Lax (not Secure over plain http).
	r := f.do(call{method: "POST", path: "/api/v1/session", body: `{"email":"ada@example.com","password":"correct horse battery"}`})
	ck := r.header.Get("Set-Cookie")
	for _, want := range []string{"firebreak_session=fbs_", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("Set-Cookie %q lacks %q", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("Set-Cookie %q is Secure over plain http", ck)
	}

	// Reads need no CSRF token; /me hands it back for a reloaded page.
	r = f.do(call{method: "GET", path: "/api/v1/me", client: b})
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	r.json(t, &me)
	if r.status != 200 || me.CSRF != csrf {
		t.Fatalf("me: %d csrf %q want %q", r.status, me.CSRF, csrf)
	}

	create := `{"email":"csrf-victim@example.com","name":"Victim","roles":["marketer"]}`
	for name, hdr := range map[string]map[string]string{
		"missing": nil,
		"wrong":   {"X-CSRF-Token": csrf + "x"},
	} {
		r := f.do(call{method: "POST", path: "/api/v1/users", client: b, body: create, headers: hdr})
		if r.status != 403 || r.errorBody(t).Code != "csrf_failed" {
			t.Fatalf("%s CSRF token: %d %s, want 403 csrf_failed", name, r.status, r.body)
		}
	}
	us, _ := f.users.ListUsers(t.Context())
	for _, u := range us {
		if u.Email == "csrf-victim@example.com" {
			t.Fatal("a session request without the CSRF token changed state")
		}
	}
	// Sign-out without the token is refused too, and the session survives it.
	if r := f.do(call{method: "DELETE", path: "/api/v1/session", client: b}); r.status != 403 {
		t.Fatalf("sign-out without CSRF: %d", r.status)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/users", client: b, body: create,
		headers: map[string]string{"X-CSRF-Token": csrf}}); r.status != 201 {
		t.Fatalf("with CSRF token: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "DELETE", path: "/api/v1/session", client: b,
		headers: map[string]string{"X-CSRF-Token": csrf}}); r.status != 204 {
		t.Fatalf("sign-out: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", client: b}); r.status != 401 {
		t.Fatalf("after sign-out: %d, want 401", r.status)
	}
}

func TestSignInWrongPassword401ThenRateLimited429(t *testing.T) {
	f := newFixture(t)
	f.addUser("mara@example.com", "marketer")
	wrong := `{"email":"mara@example.com","password":"nope nope nope"}`
	for i := 0; i < 5; i++ { // the fixture allows 5 failures per address
		r := f.do(call{method: "POST", path: "/api/v1/session", body: wrong})
		if r.status != 401 || r.errorBody(t).Code != "invalid_credentials" {
			t.Fatalf("attempt %d: %d %s", i+1, r.status, r.body)
		}
	}
	// Now even the right password is refused for this address…
	r := f.do(call{method: "POST", path: "/api/v1/session", body: `{"email":"MARA@example.com","password":"correct horse battery"}`})
	if r.status != 429 || r.errorBody(t).Code != "rate_limited" || r.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %s, want 429 rate_limited with Retry-After", r.status, r.body)
	}
	// …and after 8 failures from this IP, other addresses are refused too.
	f.addUser("other@example.com", "marketer")
	for i := 0; i < 3; i++ {
		f.do(call{method: "POST", path: "/api/v1/session", body: `{"email":"nobody@example.com","password":"x"}`})
	}
	r = f.do(call{method: "POST", path: "/api/v1/session", body: `{"email":"other@example.com","password":"correct horse battery"}`})
	if r.status != 429 {
		t.Fatalf("per-IP limit: %d, want 429", r.status)
	}
}

func TestUnknownEmailAnswersLikeWrongPassword(t *testing.T) {
	f := newFixture(t)
	r := f.do(call{method: "POST", path: "/api/v1/session", body: `{"email":"ghost@example.com","password":"whatever whatever"}`})
	if r.status != 401 || r.errorBody(t).Code != "invalid_credentials" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}
