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
	want := []string{"breach.register", "incident.assess_legal", "incident.plan", "notice.approve", "read"}
	if r.status != 200 || !slices.Equal(me.Permissions, want) {
		t.Fatalf("POST /api/v1/session %d permissions %v, want %v: %s", r.status, me.Permissions, want, r.body)
	}
}
