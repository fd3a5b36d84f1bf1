package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/auth"
)

// mePermissions is the part of the /me (and sign-in) answer the dashboard
// decides its buttons from.
type mePermissions struct {
	Permissions []string `json:"permissions"`
}

// TestMeListsTheCallersPermissions: the dashboard shows a button only when
// /me says the caller holds its permission, so /me must answer exactly what
// the server enforces (domain/auth's table), sorted, for every role.
func TestMeListsTheCallersPermissions(t *testing.T) {
	f := newFixture(t)
	var every []string
	for _, p := range auth.Permissions() {
		every = append(every, string(p))
	}
	slices.Sort(every)
	for _, c := range []struct {
		email string
		roles []string
		want  []string
	}{
		{"lee@example.com", []string{"legal"},
			[]string{"breach.register", "incident.assess_legal", "incident.note", "incident.plan", "notice.approve", "read"}},
		{"sam@example.com", []string{"security"},
			[]string{"campaign.pause", "incident.assess", "incident.assess_legal", "incident.note", "incident.plan", "notice.approve", "read"}},
		{"mara@example.com", []string{"marketer"},
			[]string{"campaign.cancel", "campaign.create", "campaign.pause", "campaign.resume", "campaign.send",
				"communication.draft", "incident.acknowledge", "incident.assess", "incident.declare", "incident.note",
				"incident.plan", "incident.resolve", "read", "recipients.import"}},
		{"ada@example.com", []string{"admin"}, every},
	} {
		tok := f.addUser(c.email, c.roles...)
		r := f.do(call{method: "GET", path: "/api/v1/me", token: tok})
		var me mePermissions
		r.json(t, &me)
		if r.status != 200 || !slices.Equal(me.Permissions, c.want) {
			t.Errorf("%s: GET /api/v1/me %d permissions\n got %v\nwant %v", strings.Join(c.roles, ","), r.status, me.Permissions, c.want)
		}
	}
}

// TestSignInAnswersThePermissionsToo: the dashboard keeps the sign-in answer
// as its session, so it must carry the same permissions as /me.
func TestSignInAnswersThePermissionsToo(t *testing.T) {
	f := newFixture(t)
	f.addUser("lee@example.com", "legal")
	r := f.do(call{method: "POST", path: "/api/v1/session",
		body: `{"email":"lee@example.com","password":"correct horse battery"}`})
	var me mePermissions
	r.json(t, &me)
	want := []string{"breach.register", "incident.assess_legal", "incident.note", "incident.plan", "notice.approve", "read"}
	if r.status != 200 || !slices.Equal(me.Permissions, want) {
		t.Fatalf("POST /api/v1/session %d permissions %v, want %v: %s", r.status, me.Permissions, want, r.body)
	}
}

// TestSessionProbeAnswersNobodyWithout401: the dashboard's first request is
// GET /api/v1/session; a signed-out visitor (no cookie, a cookie that no
// longer works, a stale token) gets 204 with no body, so the sign-in page
// logs no 401, while a live session gets /me's answer with its CSRF token and
// /me itself keeps its 401.
func TestSessionProbeAnswersNobodyWithout401(t *testing.T) {
	f := newFixture(t)
	tok := f.addUser("ada@example.com", "admin")
	for name, c := range map[string]call{
		"no credentials": {method: "GET", path: "/api/v1/session"},
		"unknown cookie": {method: "GET", path: "/api/v1/session", headers: map[string]string{"Cookie": "firebreak_session=fbs_nope"}},
		"unknown token":  {method: "GET", path: "/api/v1/session", token: "fbt_nope"},
	} {
		if r := f.do(c); r.status != 204 || len(r.body) != 0 {
			t.Errorf("%s: %d %q, want 204 and no body", name, r.status, r.body)
		}
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me"}); r.status != 401 {
		t.Errorf("GET /api/v1/me without credentials: %d, want its 401", r.status)
	}

	b := f.browser()
	csrf := f.signIn(b, "ada@example.com")
	var me struct {
		User struct{ Email string } `json:"user"`
		CSRF string                 `json:"csrf_token"`
	}
	r := f.do(call{method: "GET", path: "/api/v1/session", client: b})
	r.json(t, &me)
	if r.status != 200 || me.User.Email != "ada@example.com" || me.CSRF != csrf {
		t.Fatalf("signed in: %d %s, want 200 with the user and the CSRF token", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/session", token: tok}); r.status != 200 {
		t.Fatalf("with a token: %d %s, want 200", r.status, r.body)
	}
	f.do(call{method: "DELETE", path: "/api/v1/session", client: b, headers: map[string]string{"X-CSRF-Token": csrf}})
	if r := f.do(call{method: "GET", path: "/api/v1/session", client: b}); r.status != 204 {
		t.Fatalf("after signing out: %d %s, want 204", r.status, r.body)
	}
}
