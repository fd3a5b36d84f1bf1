package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// userID returns the id of the user with that email, through the admin API.
func (f *fixture) userID(email string) string {
	f.t.Helper()
	us, err := f.users.ListUsers(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, u := range us {
		if u.Email == email {
			return u.ID
		}
	}
	f.t.Fatalf("no user %s", email)
	return ""
}

// actions lists the audit actions recorded on a subject.
func (f *fixture) actions(typ, id string) []string {
	f.t.Helper()
	es, err := f.store.ListAudit(context.Background(), typ, id)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Action + " by " + e.Actor.Name
	}
	return out
}

func TestDisableUserRevokesSessionsAndTokensAndRefusesSignIn(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	vicTok := f.addUser("vic@example.com", "marketer")
	b := f.browser()
	f.signIn(b, "vic@example.com")
	id := f.userID("vic@example.com")

	r := f.do(call{method: "PATCH", path: "/api/v1/users/" + id, token: admin, body: `{"disabled":true}`})
	if r.status != 200 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	var got struct {
		Disabled   bool    `json:"disabled"`
		DisabledAt *string `json:"disabled_at"`
	}
	r.json(t, &got)
	if !got.Disabled || got.DisabledAt == nil {
		t.Fatalf("disable answered %s", r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: vicTok}); r.status != 401 {
		t.Fatalf("disabled user's token: %d, want 401", r.status)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", client: b}); r.status != 401 {
		t.Fatalf("disabled user's session: %d, want 401", r.status)
	}
	r = f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("vic@example.com", "correct horse battery")})
	if r.status != 401 || r.errorBody(t).Code != "account_disabled" {
		t.Fatalf("disabled user's sign-in: %d %s, want 401 account_disabled", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/tokens", token: admin, body: `{"email":"vic@example.com","name":"again"}`}); r.status != 409 || r.errorBody(t).Code != "user_disabled" {
		t.Fatalf("minting for a disabled user: %d %s, want 409 user_disabled", r.status, r.body)
	}
	// What is stored: every token revoked, no session left.
	var live, sessions int
	_ = f.store.SQL().QueryRow(`SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL`, id).Scan(&live)
	_ = f.store.SQL().QueryRow(`SELECT count(*) FROM sessions WHERE user_id = $1`, id).Scan(&sessions)
	if live != 0 || sessions != 0 {
		t.Fatalf("after disable: %d live tokens, %d sessions", live, sessions)
	}
	if acts := strings.Join(f.actions("user", id), "; "); !strings.Contains(acts, "user.disable by ada@example.com") {
		t.Fatalf("audit of the user: %s", acts)
	}

	// Enabling lets the user sign in again; the old token stays revoked.
	if r := f.do(call{method: "PATCH", path: "/api/v1/users/" + id, token: admin, body: `{"disabled":false}`}); r.status != 200 {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	f.signIn(f.browser(), "vic@example.com")
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: vicTok}); r.status != 401 {
		t.Fatalf("a token revoked by the disable came back: %d", r.status)
	}
}

func TestPatchUserRolesAndName(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	mara := f.addUser("mara@example.com", "marketer")
	id := f.userID("mara@example.com")
	r := f.do(call{method: "PATCH", path: "/api/v1/users/" + id, token: admin, body: `{"roles":["legal","security"],"name":"Mara Legal"}`})
	if r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	// The change applies to the next request: the token now has the new roles.
	r = f.do(call{method: "GET", path: "/api/v1/me", token: mara})
	var me struct {
		User struct {
			Name  string   `json:"name"`
			Roles []string `json:"roles"`
		} `json:"user"`
	}
	r.json(t, &me)
	if me.User.Name != "Mara Legal" || strings.Join(me.User.Roles, ",") != "legal,security" {
		t.Fatalf("me after patch: %s", r.body)
	}
	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"no roles":      {`{"roles":[]}`, 422, "validation_failed"},
		"unknown role":  {`{"roles":["root"]}`, 422, "validation_failed"},
		"empty name":    {`{"name":"  "}`, 422, "validation_failed"},
		"unknown field": {`{"email":"x@example.com"}`, 400, "malformed_json"},
	} {
		r := f.do(call{method: "PATCH", path: "/api/v1/users/" + id, token: admin, body: tc.body})
		if r.status != tc.status || r.errorBody(t).Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", name, r.status, r.body, tc.status, tc.code)
		}
	}
	for _, path := range []string{"/api/v1/users/00000000-0000-0000-0000-000000000000", "/api/v1/users/not-a-uuid"} {
		if r := f.do(call{method: "PATCH", path: path, token: admin, body: `{"name":"X"}`}); r.status != 404 || r.errorBody(t).Code != "user_not_found" {
			t.Errorf("PATCH %s: %d %s, want 404 user_not_found", path, r.status, r.body)
		}
	}
	if r := f.do(call{method: "PATCH", path: "/api/v1/users/" + id, token: mara, body: `{"roles":["admin"]}`}); r.status != 403 {
		t.Fatalf("a non-admin changed roles: %d %s", r.status, r.body)
	}
	if acts := strings.Join(f.actions("user", id), "; "); !strings.Contains(acts, "user.update by ada@example.com") {
		t.Fatalf("audit of the user: %s", acts)
	}
}

func TestTheLastActiveAdminCannotBeDemotedOrDisabled(t *testing.T) {
	f := newFixture(t)
	ada := f.addUser("ada@example.com", "admin")
	adaID := f.userID("ada@example.com")
	for _, body := range []string{`{"roles":["marketer"]}`, `{"disabled":true}`} {
		r := f.do(call{method: "PATCH", path: "/api/v1/users/" + adaID, token: ada, body: body})
		if r.status != 409 || r.errorBody(t).Code != "last_admin" {
			t.Fatalf("%s on the last admin: %d %s, want 409 last_admin", body, r.status, r.body)
		}
	}
	// With a second admin, either may step down — but not both.
	bob := f.addUser("bob@example.com", "admin")
	bobID := f.userID("bob@example.com")
	if r := f.do(call{method: "PATCH", path: "/api/v1/users/" + adaID, token: ada, body: `{"roles":["marketer"]}`}); r.status != 200 {
		t.Fatalf("demote one of two admins: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "PATCH", path: "/api/v1/users/" + bobID, token: bob, body: `{"disabled":true}`}); r.status != 409 {
		t.Fatalf("disable the remaining admin: %d %s", r.status, r.body)
	}
	var admins int
	_ = f.store.SQL().QueryRow(`SELECT count(*) FROM users WHERE 'admin' = ANY(roles) AND disabled_at IS NULL`).Scan(&admins)
	if admins != 1 {
		t.Fatalf("%d active admins, want 1", admins)
	}
}

// TestTwoAdminsDemotingEachOtherAtOnceLeaveOne: the last-admin rule holds
// under concurrency (each change sees the other's).
func TestTwoAdminsDemotingEachOtherAtOnceLeaveOne(t *testing.T) {
	f := newFixture(t)
	ada := f.addUser("ada@example.com", "admin")
	bob := f.addUser("bob@example.com", "admin")
	adaID, bobID := f.userID("ada@example.com"), f.userID("bob@example.com")
	for round := 0; round < 5; round++ {
		res := make(chan int, 2)
		go func() {
			res <- f.do(call{method: "PATCH", path: "/api/v1/users/" + bobID, token: ada, body: `{"roles":["legal"]}`}).status
		}()
		go func() {
			res <- f.do(call{method: "PATCH", path: "/api/v1/users/" + adaID, token: bob, body: `{"roles":["legal"]}`}).status
		}()
		a, b := <-res, <-res
		if !(a == 200 && b == 409 || a == 409 && b == 200 || a == 403 || b == 403) {
			t.Fatalf("round %d: answers %d and %d", round, a, b)
		}
		var admins int
		_ = f.store.SQL().QueryRow(`SELECT count(*) FROM users WHERE 'admin' = ANY(roles)`).Scan(&admins)
		if admins != 1 {
			t.Fatalf("round %d: %d admins left, want 1", round, admins)
		}
		if _, err := f.store.SQL().Exec(`UPDATE users SET roles = '{admin}'`); err != nil { // both admins again
			t.Fatal(err)
		}
	}
}

func TestRevokeAllSessionsOfAUser(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	f.addUser("vic@example.com", "marketer")
	id := f.userID("vic@example.com")
	b1, b2 := f.browser(), f.browser()
	f.signIn(b1, "vic@example.com")
	f.signIn(b2, "vic@example.com")
	r := f.do(call{method: "DELETE", path: "/api/v1/users/" + id + "/sessions", token: admin})
	if r.status != 200 {
		t.Fatalf("revoke sessions: %d %s", r.status, r.body)
	}
	var out struct {
		Revoked int `json:"sessions_revoked"`
	}
	r.json(t, &out)
	if out.Revoked != 2 {
		t.Fatalf("sessions_revoked %d, want 2", out.Revoked)
	}
	for _, b := range []*http.Client{b1, b2} {
		if r := f.do(call{method: "GET", path: "/api/v1/me", client: b}); r.status != 401 {
			t.Fatalf("revoked session still answers %d", r.status)
		}
	}
	if acts := strings.Join(f.actions("user", id), "; "); !strings.Contains(acts, "user.sessions_revoke by ada@example.com") {
		t.Fatalf("audit: %s", acts)
	}
	if r := f.do(call{method: "DELETE", path: "/api/v1/users/00000000-0000-0000-0000-000000000000/sessions", token: admin}); r.status != 404 {
		t.Fatalf("unknown user: %d", r.status)
	}
}

func TestTokensRecordTheirMinterAndOnlyAdminsRevokeOthers(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin") // minted by the CLI (the fixture's actor)
	mara := f.addUser("mara@example.com", "marketer")
	lena := f.addUser("lena@example.com", "legal")
	maraID, adaID := f.userID("mara@example.com"), f.userID("ada@example.com")

	// An admin mints a second token for mara through the API.
	r := f.do(call{method: "POST", path: "/api/v1/tokens", token: admin, body: `{"email":"mara@example.com","name":"by ada"}`})
	if r.status != 201 {
		t.Fatalf("mint: %d %s", r.status, r.body)
	}
	r = f.do(call{method: "GET", path: "/api/v1/users/" + maraID + "/tokens", token: admin})
	if r.status != 200 {
		t.Fatalf("list tokens: %d %s", r.status, r.body)
	}
	var toks []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		CreatedBy string `json:"created_by"`
	}
	r.json(t, &toks)
	minters := map[string]string{}
	for _, tk := range toks {
		minters[tk.Name] = tk.CreatedBy
	}
	if len(toks) != 2 || minters["test"] != "cli" || minters["by ada"] != adaID {
		t.Fatalf("tokens and minters: %s", r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/users/" + maraID + "/tokens", token: lena}); r.status != 403 {
		t.Fatalf("a legal user listed someone's tokens: %d", r.status)
	}

	var maraCLI string
	for _, tk := range toks {
		if tk.Name == "test" {
			maraCLI = tk.ID
		}
	}
	// lena (not an admin) may not revoke mara's token…
	r = f.do(call{method: "DELETE", path: "/api/v1/tokens/" + maraCLI, token: lena})
	if r.status != 403 || r.errorBody(t).Code != "not_your_token" {
		t.Fatalf("non-admin revoking another's token: %d %s, want 403 not_your_token", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: mara}); r.status != 200 {
		t.Fatalf("the refused revoke revoked it: %d", r.status)
	}
	// …but mara may revoke her own, and an admin anyone's.
	if r := f.do(call{method: "DELETE", path: "/api/v1/tokens/" + maraCLI, token: mara}); r.status != 200 {
		t.Fatalf("revoking one's own token: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: mara}); r.status != 401 {
		t.Fatalf("own revoked token still works: %d", r.status)
	}
	lenaToks, _ := f.users.ListTokens(t.Context(), "lena@example.com")
	if r := f.do(call{method: "DELETE", path: "/api/v1/tokens/" + lenaToks[0].ID, token: admin}); r.status != 200 {
		t.Fatalf("admin revoking another's token: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/me", token: lena}); r.status != 401 {
		t.Fatalf("revoked by admin, still works: %d", r.status)
	}
}
