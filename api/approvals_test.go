package api_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// A breach notice that passes its own linter (the five California headings).
const noticeText = `We are sorry to tell you about a data security incident that involved your information.

What Happened
On 1 December an export of our mailing list was left readable by an unauthorised party.

What Information Was Involved
Your email address and first name.

What We Are Doing
We closed the access the same day and asked an outside firm to review our systems.

What You Can Do
Be careful with emails that claim to come from us and ask for your details.

For More Information
Write to our data protection officer at privacy@acme.example.`

type approvalsFixture struct {
	*appFixture
	inc                                    string
	author, lee, sam, both, admin, authLeg string
	ids                                    map[string]string // token → user id
}

func newApprovalsFixture(t *testing.T) *approvalsFixture {
	f, tok, inc := commFixture(t)
	a := &approvalsFixture{appFixture: f, inc: inc, author: tok, ids: map[string]string{}}
	a.lee = f.addUser("lee@example.com", "legal")
	a.sam = f.addUser("sam@example.com", "security")
	a.both = f.addUser("bo@example.com", "legal", "security")
	a.admin = f.addUser("root@example.com", "admin")
	a.authLeg = f.addUser("al@example.com", "marketer", "legal")
	return a
}

func (a *approvalsFixture) notice(author string) commReply {
	a.t.Helper()
	var c commReply
	r := a.createComm(author, a.inc, map[string]any{"kind": "breach_notice", "subject": "Notice of Data Breach",
		"text": noticeText, "include_previous": true}) // each notice of the test addresses the affected again
	if r.status != 201 {
		a.t.Fatalf("draft notice: %d %s", r.status, r.body)
	}
	r.json(a.t, &c)
	return c
}

func (a *approvalsFixture) act(tok, verb, id string, body map[string]any) reply {
	a.t.Helper()
	return a.do(call{method: "POST", path: "/api/v1/communications/" + id + "/" + verb, token: tok, body: body})
}

func (a *approvalsFixture) get(id string) commReply {
	a.t.Helper()
	var c commReply
	a.do(call{method: "GET", path: "/api/v1/communications/" + id, token: a.author}).json(a.t, &c)
	return c
}

// snapshotted is how many recipients a send took: anything above 0 means the
// notice started going out.
func (a *approvalsFixture) snapshotted(id string) int {
	a.t.Helper()
	var n int
	if err := a.store.SQL().QueryRowContext(context.Background(),
		`SELECT count(*) FROM communication_recipients WHERE communication_id = $1`, id).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, what string, r reply, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: %d %s, want %d %s", what, r.status, r.body, status, code)
		return
	}
	if code != "" && r.errorBody(t).Code != code {
		t.Errorf("%s: code %q, want %q", what, r.errorBody(t).Code, code)
	}
}

// TestApprovalMatrix is invariants 4 and 7 through the API, one row per case
// of the matrix: the status code of each step and whether the notice
// started going out.
func TestApprovalMatrix(t *testing.T) {
	a := newApprovalsFixture(t)

	t.Run("a send before any review is refused", func(t *testing.T) {
		n := a.notice(a.author)
		wantCode(t, "send a draft", a.act(a.author, "send", n.ID, nil), 409, "approval_required")
		if a.snapshotted(n.ID) != 0 {
			t.Error("a draft notice started sending")
		}
	})

	t.Run("legal then security, then the send goes out", func(t *testing.T) {
		n := a.notice(a.author)
		wantCode(t, "submit", a.act(a.author, "submit", n.ID, nil), 200, "")
		if got := a.get(n.ID); got.Status != "in_review" {
			t.Fatalf("after submit: %s", got.Status)
		}
		var sub struct {
			SubmittedAt *time.Time `json:"submitted_at"`
		}
		a.do(call{method: "GET", path: "/api/v1/communications/" + n.ID, token: a.lee}).json(t, &sub)
		if sub.SubmittedAt == nil || time.Since(*sub.SubmittedAt) > time.Minute {
			t.Errorf("submitted_at after submit: %v", sub.SubmittedAt)
		}
		wantCode(t, "legal approves", a.act(a.lee, "approve", n.ID, map[string]any{"comment": "ok", "content_hash": n.ContentHash}), 200, "")
		wantCode(t, "send with one approval", a.act(a.author, "send", n.ID, nil), 409, "approval_required")
		wantCode(t, "legal approves again", a.act(a.lee, "approve", n.ID, nil), 409, "already_approved")
		wantCode(t, "security approves", a.act(a.sam, "approve", n.ID, map[string]any{"content_hash": n.ContentHash}), 200, "")
		got := a.get(n.ID)
		if got.Status != "approved" || len(got.Approvals) != 2 {
			t.Fatalf("after both: %s with %d approvals", got.Status, len(got.Approvals))
		}
		wantCode(t, "send", a.act(a.author, "send", n.ID, nil), 202, "")
		if a.snapshotted(n.ID) == 0 {
			t.Error("the approved notice did not start sending")
		}
	})

	t.Run("the author holding legal cannot approve their own notice", func(t *testing.T) {
		n := a.notice(a.authLeg)
		wantCode(t, "submit", a.act(a.authLeg, "submit", n.ID, nil), 200, "")
		wantCode(t, "author approves", a.act(a.authLeg, "approve", n.ID, nil), 403, "author_cannot_approve")
		wantCode(t, "author rejects", a.act(a.authLeg, "reject", n.ID, map[string]any{"reason": "no"}), 403, "author_cannot_approve")
	})

	t.Run("admin alone and a marketer do not count", func(t *testing.T) {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		wantCode(t, "admin approves", a.act(a.admin, "approve", n.ID, nil), 403, "review_role_required")
		marketer := a.addUser("mo@example.com", "marketer")
		wantCode(t, "marketer approves", a.act(marketer, "approve", n.ID, nil), 403, "")
		if got := a.get(n.ID); len(got.Approvals) != 0 || got.Status != "in_review" {
			t.Errorf("after refused approvals: %s, %d approvals", got.Status, len(got.Approvals))
		}
	})

	t.Run("one person with both roles counts once", func(t *testing.T) {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		wantCode(t, "first approval", a.act(a.both, "approve", n.ID, nil), 200, "")
		wantCode(t, "second approval by the same person", a.act(a.both, "approve", n.ID, nil), 409, "already_approved")
		wantCode(t, "send", a.act(a.author, "send", n.ID, nil), 409, "approval_required")
		wantCode(t, "security completes it", a.act(a.sam, "approve", n.ID, nil), 200, "")
		if got := a.get(n.ID); got.Status != "approved" {
			t.Errorf("after a second person: %s", got.Status)
		}
	})

	t.Run("an edit after approval withdraws it, even back to the approved text", func(t *testing.T) {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		a.act(a.lee, "approve", n.ID, nil)
		a.act(a.sam, "approve", n.ID, nil)
		edit := a.do(call{method: "PATCH", path: "/api/v1/communications/" + n.ID, token: a.author,
			body: map[string]any{"text": noticeText + "\nThank you."}})
		wantCode(t, "edit", edit, 200, "")
		got := a.get(n.ID)
		if got.Status != "draft" || len(got.Approvals) != 0 {
			t.Fatalf("after the edit: %s with %d approvals", got.Status, len(got.Approvals))
		}
		wantCode(t, "send after the edit", a.act(a.author, "send", n.ID, nil), 409, "approval_required")
		a.do(call{method: "PATCH", path: "/api/v1/communications/" + n.ID, token: a.author, body: map[string]any{"text": noticeText}})
		if got := a.get(n.ID); got.ContentHash != n.ContentHash || len(got.Approvals) != 0 {
			t.Errorf("the text is back (hash %v) but approvals came back too: %d", got.ContentHash == n.ContentHash, len(got.Approvals))
		}
		wantCode(t, "send of the restored text", a.act(a.author, "send", n.ID, nil), 409, "approval_required")
		if a.snapshotted(n.ID) != 0 {
			t.Error("an edited notice started sending")
		}
		var withdrawn int
		_ = a.store.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log WHERE subject_id = $1
			AND action = 'communication.approvals_withdrawn'`, a.inc).Scan(&withdrawn)
		if withdrawn == 0 {
			t.Error("the timeline does not say the approvals were withdrawn")
		}
	})

	t.Run("reject needs a reason, then resubmit and approve", func(t *testing.T) {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		wantCode(t, "reject without a reason", a.act(a.lee, "reject", n.ID, map[string]any{}), 422, "")
		if got := a.get(n.ID); got.Status != "in_review" {
			t.Errorf("a refused rejection changed the status to %s", got.Status)
		}
		wantCode(t, "reject", a.act(a.lee, "reject", n.ID, map[string]any{"reason": "Say which data"}), 200, "")
		if got := a.get(n.ID); got.Status != "draft" {
			t.Errorf("after a rejection: %s", got.Status)
		}
		wantCode(t, "approve a draft", a.act(a.sam, "approve", n.ID, nil), 409, "not_in_review")
		a.do(call{method: "PATCH", path: "/api/v1/communications/" + n.ID, token: a.author,
			body: map[string]any{"text": noticeText + "\nThe data was your email address and first name only."}})
		wantCode(t, "resubmit", a.act(a.author, "submit", n.ID, nil), 200, "")
		wantCode(t, "legal", a.act(a.lee, "approve", n.ID, nil), 200, "")
		wantCode(t, "security", a.act(a.sam, "approve", n.ID, nil), 200, "")
		wantCode(t, "send", a.act(a.author, "send", n.ID, nil), 202, "")
	})

	t.Run("a stale hash is refused", func(t *testing.T) {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		wantCode(t, "approve with a stale hash", a.act(a.lee, "approve", n.ID,
			map[string]any{"content_hash": strings.Repeat("0", 64)}), 409, "content_changed")
		if got := a.get(n.ID); len(got.Approvals) != 0 {
			t.Error("a stale approval was recorded")
		}
	})

	t.Run("the reviewer's queue", func(t *testing.T) {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		queue := func(tok string) []commReply {
			var out []commReply
			a.do(call{method: "GET", path: "/api/v1/approvals?status=pending", token: tok}).json(t, &out)
			return out
		}
		has := func(q []commReply) bool {
			for _, c := range q {
				if c.ID == n.ID {
					return true
				}
			}
			return false
		}
		if !has(queue(a.lee)) || !has(queue(a.sam)) {
			t.Error("the notice is not in legal's and security's queues")
		}
		a.act(a.lee, "approve", n.ID, nil)
		if has(queue(a.lee)) || !has(queue(a.sam)) {
			t.Error("after legal approved: legal still sees it, or security does not")
		}
		if has(queue(a.author)) {
			t.Error("the author sees their own notice in a review queue")
		}
		wantCode(t, "unknown status", a.do(call{method: "GET", path: "/api/v1/approvals?status=bogus", token: a.lee}), 422, "")
		sent := false
		for _, m := range a.notified.list() {
			if strings.Contains(m.Text, "/reviews/"+n.ID) && len(m.Emails) >= 2 {
				sent = true
			}
		}
		if !sent {
			t.Errorf("legal and security were not notified with a link: %+v", a.notified.list())
		}
	})
}

// TestApprovalEditRacesSend races an edit against the send of an approved
// notice, many times: either the edit lands first (the send is refused and
// nothing is snapshotted) or the send does (the edit is refused); never an
// edited text sent under the old approvals.
func TestApprovalEditRacesSend(t *testing.T) {
	a := newApprovalsFixture(t)
	for i := range 8 {
		n := a.notice(a.author)
		a.act(a.author, "submit", n.ID, nil)
		a.act(a.lee, "approve", n.ID, nil)
		a.act(a.sam, "approve", n.ID, nil)
		var wg sync.WaitGroup
		var send, edit reply
		wg.Add(2)
		go func() {
			defer wg.Done()
			send = a.act(a.author, "send", n.ID, nil)
		}()
		go func() {
			defer wg.Done()
			edit = a.do(call{method: "PATCH", path: "/api/v1/communications/" + n.ID, token: a.author,
				body: map[string]any{"subject": "Notice of Data Breach", "text": noticeText + "\nEdited."}})
		}()
		wg.Wait()
		got := a.get(n.ID)
		switch {
		case send.status == 202 && edit.status == 409:
			var sentHash string
			_ = a.store.SQL().QueryRowContext(context.Background(), `SELECT sent_content_hash FROM communications WHERE id = $1`, n.ID).Scan(&sentHash)
			if sentHash != n.ContentHash || got.Text != noticeText {
				t.Errorf("run %d: sent, but the text or hash changed", i)
			}
		case send.status == 409 && edit.status == 200:
			if a.snapshotted(n.ID) != 0 || got.Status != "draft" {
				t.Errorf("run %d: the edit won but %d recipients were snapshotted (status %s)", i, a.snapshotted(n.ID), got.Status)
			}
		default:
			t.Errorf("run %d: send %d %s, edit %d %s", i, send.status, send.body, edit.status, edit.body)
		}
	}
}

// TestApprovalBySessionNeedsCSRFAndAnAdminMintedTokenIsNotOwnAct: a
// reviewer's dashboard session approves only with its CSRF header, and a
// token an admin minted for legal acts in legal's name but is not legal's
// own act, so it cannot approve.
func TestApprovalBySessionNeedsCSRFAndAnAdminMintedTokenIsNotOwnAct(t *testing.T) {
	a := newApprovalsFixture(t)
	n := a.notice(a.author)
	a.act(a.author, "submit", n.ID, nil)
	b := a.browser()
	csrf := a.signIn(b, "lee@example.com")
	path := "/api/v1/communications/" + n.ID + "/approve"
	wantCode(t, "session without CSRF", a.do(call{method: "POST", path: path, client: b, body: map[string]any{}}), 403, "")
	if got := a.get(n.ID); len(got.Approvals) != 0 {
		t.Fatal("an approval without CSRF was recorded")
	}
	var minted struct {
		Token string `json:"token"`
	}
	r := a.do(call{method: "POST", path: "/api/v1/tokens", token: a.admin, body: map[string]any{"email": "lee@example.com", "name": "for lee"}})
	if r.status != 201 {
		t.Fatalf("admin mints a token for lee: %d %s", r.status, r.body)
	}
	r.json(t, &minted)
	wantCode(t, "admin-minted token", a.act(minted.Token, "approve", n.ID, nil), 403, "approval_not_own_act")
	wantCode(t, "session with CSRF", a.do(call{method: "POST", path: path, client: b, body: map[string]any{},
		headers: map[string]string{"X-CSRF-Token": csrf}}), 200, "")
}

// TestReviewHistoryAndSuppressedAffected: the review page's diff source (every
// version and decision, withdrawn ones included) and the suppressed affected
// people a notice must reach another way, as JSON and CSV.
func TestReviewHistoryAndSuppressedAffected(t *testing.T) {
	a := newApprovalsFixture(t)
	n := a.notice(a.author)
	a.act(a.author, "submit", n.ID, nil)
	a.act(a.lee, "approve", n.ID, map[string]any{"comment": "fine"})
	a.do(call{method: "PATCH", path: "/api/v1/communications/" + n.ID, token: a.author, body: map[string]any{"text": noticeText + "\nP.S."}})
	var h struct {
		Versions []struct {
			ContentHash string `json:"content_hash"`
			Text        string `json:"text"`
		} `json:"versions"`
		Decisions []struct {
			Role            string  `json:"role"`
			Decision        string  `json:"decision"`
			ContentHash     string  `json:"content_hash"`
			WithdrawnAt     *string `json:"withdrawn_at"`
			WithdrawnReason string  `json:"withdrawn_reason"`
		} `json:"decisions"`
	}
	r := a.do(call{method: "GET", path: "/api/v1/communications/" + n.ID + "/history", token: a.lee})
	wantCode(t, "history", r, 200, "")
	r.json(t, &h)
	if len(h.Versions) != 2 || h.Versions[0].ContentHash != n.ContentHash || !strings.HasSuffix(h.Versions[1].Text, "P.S.") {
		t.Errorf("versions: %+v", h.Versions)
	}
	if len(h.Decisions) != 1 || h.Decisions[0].Decision != "approved" || h.Decisions[0].WithdrawnAt == nil ||
		h.Decisions[0].WithdrawnReason != "edited" || h.Decisions[0].ContentHash != n.ContentHash {
		t.Errorf("decisions: %+v", h.Decisions)
	}
	var sup []struct {
		Email string   `json:"email"`
		Kinds []string `json:"kinds"`
	}
	r = a.do(call{method: "GET", path: "/api/v1/communications/" + n.ID + "/suppressed", token: a.lee})
	wantCode(t, "suppressed", r, 200, "")
	r.json(t, &sup)
	if len(sup) != 1 || sup[0].Email != "r2@x.io" || len(sup[0].Kinds) != 1 || sup[0].Kinds[0] != "bounce" {
		t.Errorf("suppressed affected: %+v", sup)
	}
	r = a.do(call{method: "GET", path: "/api/v1/communications/" + n.ID + "/suppressed?format=csv", token: a.lee})
	if r.status != 200 || !strings.HasPrefix(string(r.body), "recipient_id,email,first_name,last_name,suppression_kinds\n") ||
		!strings.Contains(string(r.body), ",r2@x.io,") {
		t.Errorf("CSV: %d %q", r.status, r.body)
	}
	wantCode(t, "history of nothing", a.do(call{method: "GET", path: "/api/v1/communications/00000000-0000-0000-0000-000000000000/history", token: a.lee}), 404, "")
}
