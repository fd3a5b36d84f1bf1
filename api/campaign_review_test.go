package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// gatedBatches opens SendGrid batches and sends nothing; while hold is set,
// CreateBatch tells entered and waits for release: a test can land an edit
// between the send's first check and the transaction that starts it.
type gatedBatches struct {
	mu      sync.Mutex
	hold    bool
	entered chan struct{}
	release chan struct{}
}

func (g *gatedBatches) CreateBatch(context.Context) (string, error) {
	g.mu.Lock()
	hold := g.hold
	g.mu.Unlock()
	if hold {
		g.entered <- struct{}{}
		<-g.release
	}
	return "batch-review", nil
}

func (g *gatedBatches) Send(context.Context, esp.Message) (esp.SendResult, error) {
	panic("nothing is handed over in these tests")
}

// reviewFixture: the campaign service on real Postgres, three recipients in
// segment "all", a brand, and four people: an admin, two marketers (ann
// writes the drafts, bob reviews them) and a legal user.
type reviewFixture struct {
	*fixture
	batches                *gatedBatches
	admin, ann, bob, legal string // API tokens
	bobID                  string
	brand                  string
}

func newReviewFixture(t *testing.T) *reviewFixture {
	t.Helper()
	f := newFixture(t)
	g := &gatedBatches{entered: make(chan struct{}), release: make(chan struct{})}
	campaigns := campaign.NewService(f.store, g, nil, noJobs{}, campaign.Config{DefaultSendBuffer: 15 * time.Minute,
		PublicURL: "http://firebreak.test", UnsubscribeKey: []byte("k"), Log: discardLog()})
	f.echo = api.New(api.Config{}, api.Deps{Log: discardLog(), Users: f.users, Campaigns: campaigns})
	f.srv = httptest.NewServer(f.echo)
	t.Cleanup(f.srv.Close)
	rf := &reviewFixture{fixture: f, batches: g}
	rf.admin = f.addUser("admin@acme.example", "admin")
	rf.ann = f.addUser("ann@acme.example", "marketer")
	rf.bob = f.addUser("bob@acme.example", "marketer")
	rf.legal = f.addUser("legal@acme.example", "legal")
	if err := f.store.SQL().QueryRow(`SELECT id FROM users WHERE email = 'bob@acme.example'`).Scan(&rf.bobID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SQL().Exec(`INSERT INTO recipients (email, first_name, segments) VALUES
		('a@x.io', 'A', '{all}'), ('b@x.io', 'B', '{all}'), ('c@x.io', 'C', '{all}')`); err != nil {
		t.Fatal(err)
	}
	rf.brand = f.brand(rf.admin)
	return rf
}

type reviewWire struct {
	Reasons []struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	} `json:"reasons"`
	Mode        string `json:"mode"`
	ContentHash string `json:"content_hash"`
	Approval    *struct {
		UserID      string    `json:"user_id"`
		Name        string    `json:"name"`
		At          time.Time `json:"at"`
		Comment     string    `json:"comment"`
		ContentHash string    `json:"content_hash"`
	} `json:"approval"`
}

func (r *reviewWire) codes() string {
	if r == nil {
		return "<no review>"
	}
	var out []string
	for _, x := range r.Reasons {
		out = append(out, x.Code)
	}
	return strings.Join(out, ",")
}

type reviewedCampaign struct {
	ID        string      `json:"id"`
	Status    string      `json:"status"`
	CreatedBy string      `json:"created_by"`
	Review    *reviewWire `json:"review"`
}

type brandWire struct {
	ID           string `json:"id"`
	SecondReview struct {
		Enabled      bool     `json:"enabled"`
		AudienceOver int      `json:"audience_over"`
		Mentions     []string `json:"mentions"`
	} `json:"second_review"`
	SecondReviewActive string `json:"second_review_active"`
}

// setReview PATCHes the brand's second pair of eyes as the admin.
func (f *reviewFixture) setReview(enabled bool, over int, mentions ...string) brandWire {
	f.t.Helper()
	if mentions == nil {
		mentions = []string{}
	}
	r := f.do(call{method: "PATCH", path: "/api/v1/brands/" + f.brand, token: f.admin, body: map[string]any{
		"second_review": map[string]any{"enabled": enabled, "audience_over": over, "mentions": mentions}}})
	if r.status != 200 {
		f.t.Fatalf("PATCH brand: %d %s", r.status, r.body)
	}
	var b brandWire
	r.json(f.t, &b)
	return b
}

// draftOf creates ann's draft with that subject and html.
func (f *reviewFixture) draftOf(subject, html string) reviewedCampaign {
	f.t.Helper()
	r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: f.ann, body: map[string]any{
		"name": "Winter", "brand_id": f.brand, "subject": subject, "html": html, "segments": []string{"all"}}})
	if r.status != 201 {
		f.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var c reviewedCampaign
	r.json(f.t, &c)
	return c
}

func (f *reviewFixture) get(id string) reviewedCampaign {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/campaigns/" + id, token: f.bob})
	if r.status != 200 {
		f.t.Fatalf("GET: %d %s", r.status, r.body)
	}
	var c reviewedCampaign
	r.json(f.t, &c)
	return c
}

func (f *reviewFixture) approve(token, id, hash string) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/approve", token: token,
		body: map[string]any{"content_hash": hash, "comment": "prices checked against the sheet"}})
}

func (f *reviewFixture) send(token, id string) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/send", token: token})
}

func (f *reviewFixture) edit(token, id, html string) reply {
	f.t.Helper()
	return f.do(call{method: "PATCH", path: "/api/v1/campaigns/" + id, token: token, body: map[string]any{"html": html}})
}

// audits lists the actions on a subject, oldest first, with their data.
func (f *reviewFixture) audits(subject, prefix string) []auditRow {
	f.t.Helper()
	rows, err := f.store.SQL().Query(`SELECT action, actor, data::text FROM audit_log WHERE subject_id = $1
		AND action LIKE $2 || '%' ORDER BY id`, subject, prefix)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var a auditRow
		var raw string
		if err := rows.Scan(&a.action, &a.actor, &raw); err != nil {
			f.t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(raw), &a.data)
		out = append(out, a)
	}
	return out
}

type auditRow struct {
	action, actor string
	data          map[string]any
}

func expectError(t *testing.T, r reply, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, code)
	}
	e := r.errorBody(t)
	if e.Code != code {
		t.Fatalf("got code %s (%s), want %s", e.Code, e.Message, code)
	}
	return e.Details
}

func TestSecondReviewIsOffByDefault(t *testing.T) {
	f := newReviewFixture(t)
	r := f.do(call{method: "GET", path: "/api/v1/brands", token: f.ann})
	var brands []brandWire
	r.json(t, &brands)
	if len(brands) != 1 || brands[0].SecondReviewActive != "off" || brands[0].SecondReview.Enabled ||
		brands[0].SecondReview.AudienceOver != 10000 || strings.Join(brands[0].SecondReview.Mentions, ",") != "prices,codes,attachments" {
		t.Fatalf("a new brand: %s", r.body)
	}
	c := f.draftOf("Everything $19.99", "<p>Use code SAVE20, see the attached PDF</p>")
	if c.Review != nil || c.CreatedBy == "" {
		t.Fatalf("the draft of a brand with the second pair of eyes off: review %+v, created_by %q", c.Review, c.CreatedBy)
	}
	if r := f.send(f.ann, c.ID); r.status != 202 {
		t.Fatalf("send: %d %s, want 202 as today", r.status, r.body)
	}
	if got := f.get(c.ID); got.Status != "sending" || got.Review != nil {
		t.Fatalf("after send: %+v", got)
	}
}

func TestSecondReviewApprovalBoundToTheContent(t *testing.T) {
	f := newReviewFixture(t)
	b := f.setReview(true, 10000, "prices", "codes", "attachments")
	if b.SecondReviewActive != "on" || !b.SecondReview.Enabled {
		t.Fatalf("after PATCH: %+v", b)
	}
	entries := f.audits(f.brand, "brand.second_review")
	if len(entries) != 1 || entries[0].actor != "admin@acme.example" ||
		entries[0].data["before"].(map[string]any)["enabled"] != false || entries[0].data["after"].(map[string]any)["enabled"] != true {
		t.Fatalf("brand.second_review entries: %+v", entries)
	}

	c := f.draftOf("Winter sale", "<p>Boots now $19.99</p>")
	if c.Review == nil || c.Review.codes() != "mentions_prices" || c.Review.Mode != "on" || c.Review.Approval != nil ||
		c.Review.Reasons[0].Detail != "mentions a price: “$19.99”" || len(c.Review.ContentHash) != 64 {
		t.Fatalf("create answered review %+v", c.Review)
	}
	hash := c.Review.ContentHash

	t.Run("send409", func(t *testing.T) {
		d := expectError(t, f.send(f.ann, c.ID), 409, "review_required")
		rv, _ := d["review"].(map[string]any)
		if rv == nil || rv["content_hash"] != hash || rv["mode"] != "on" || len(rv["reasons"].([]any)) != 1 {
			t.Fatalf("details: %v", d)
		}
		if f.get(c.ID).Status != "draft" {
			t.Fatal("a refused send moved the draft")
		}
	})
	t.Run("creator403", func(t *testing.T) {
		expectError(t, f.approve(f.ann, c.ID, hash), 403, "own_campaign")
	})
	t.Run("legal403", func(t *testing.T) {
		expectError(t, f.approve(f.legal, c.ID, hash), 403, "forbidden")
	})
	t.Run("staleHash409", func(t *testing.T) {
		d := expectError(t, f.approve(f.bob, c.ID, strings.Repeat("0", 64)), 409, "content_changed")
		if d["content_hash"] != hash {
			t.Fatalf("details %v, want the current hash", d)
		}
	})
	t.Run("noHash422", func(t *testing.T) {
		expectError(t, f.do(call{method: "POST", path: "/api/v1/campaigns/" + c.ID + "/approve", token: f.bob,
			body: map[string]any{}}), 422, "validation_failed")
	})
	if got := f.get(c.ID); got.Review.Approval != nil {
		t.Fatalf("a refused approval counted: %+v", got.Review.Approval)
	}

	r := f.approve(f.bob, c.ID, hash)
	if r.status != 200 {
		t.Fatalf("bob approves: %d %s", r.status, r.body)
	}
	var approved reviewedCampaign
	r.json(t, &approved)
	if a := approved.Review.Approval; a == nil || a.UserID != f.bobID || a.Name != "Test bob@acme.example" ||
		a.ContentHash != hash || a.Comment != "prices checked against the sheet" {
		t.Fatalf("approval %+v", approved.Review.Approval)
	}
	if e := f.audits(c.ID, "campaign.review_"); len(e) != 1 || e[0].action != "campaign.review_approved" ||
		e[0].actor != "bob@acme.example" || e[0].data["content_hash"] != hash || e[0].data["comment"] != "prices checked against the sheet" {
		t.Fatalf("audit after approve: %+v", e)
	}
	// approving the same content again changes nothing
	if r := f.approve(f.bob, c.ID, hash); r.status != 200 || len(f.audits(c.ID, "campaign.review_approved")) != 1 {
		t.Fatalf("second approval: %d, %d entries", r.status, len(f.audits(c.ID, "campaign.review_approved")))
	}

	// ann corrects the price: bob's approval was for the old content
	if r := f.edit(f.ann, c.ID, "<p>Boots now $17.99</p>"); r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	edited := f.get(c.ID)
	if edited.Review == nil || edited.Review.Approval != nil || edited.Review.ContentHash == hash {
		t.Fatalf("after the edit: %+v", edited.Review)
	}
	if e := f.audits(c.ID, "campaign.review_withdrawn"); len(e) != 1 || e[0].actor != "ann@acme.example" {
		t.Fatalf("withdrawal entries: %+v", e)
	}
	expectError(t, f.send(f.ann, c.ID), 409, "review_required")
	// changing it back does not bring the withdrawn approval back
	if r := f.edit(f.ann, c.ID, "<p>Boots now $19.99</p>"); r.status != 200 {
		t.Fatalf("edit back: %d", r.status)
	}
	if got := f.get(c.ID); got.Review.ContentHash != hash || got.Review.Approval != nil {
		t.Fatalf("after editing back: %+v", got.Review)
	}
	expectError(t, f.send(f.ann, c.ID), 409, "review_required")

	if r := f.approve(f.bob, c.ID, hash); r.status != 200 {
		t.Fatalf("bob approves again: %d %s", r.status, r.body)
	}
	if r := f.send(f.ann, c.ID); r.status != 202 {
		t.Fatalf("send after approval: %d %s", r.status, r.body)
	}
	sent := f.get(c.ID)
	if sent.Status != "sending" || sent.Review == nil || sent.Review.Approval == nil || sent.Review.Approval.UserID != f.bobID ||
		sent.Review.ContentHash != hash {
		t.Fatalf("after send: %+v %+v", sent, sent.Review)
	}
	if e := f.audits(c.ID, "campaign.send"); len(e) != 1 || e[0].data["review_approved_by"] != f.bobID {
		t.Fatalf("send entry: %+v", e)
	}
	expectError(t, f.approve(f.bob, c.ID, hash), 409, "not_draft")
}

func TestSecondReviewEditorCannotApprove(t *testing.T) {
	f := newReviewFixture(t)
	f.setReview(true, 10000, "codes")
	c := f.draftOf("Hello", "<p>Hi</p>")
	if c.Review != nil {
		t.Fatalf("nothing to review yet: %+v", c.Review)
	}
	expectError(t, f.approve(f.bob, c.ID, "x"), 409, "content_changed")
	// bob adds a code to ann's draft: he wrote that part, so he is no second pair of eyes for it
	if r := f.edit(f.bob, c.ID, "<p>Use code WINTER25</p>"); r.status != 200 {
		t.Fatalf("edit: %d", r.status)
	}
	got := f.get(c.ID)
	if got.Review.codes() != "mentions_codes" {
		t.Fatalf("review %+v", got.Review)
	}
	expectError(t, f.approve(f.bob, c.ID, got.Review.ContentHash), 403, "own_campaign")
	expectError(t, f.approve(f.ann, c.ID, got.Review.ContentHash), 403, "own_campaign")
	if r := f.approve(f.admin, c.ID, got.Review.ContentHash); r.status != 200 {
		t.Fatalf("the admin, who wrote nothing of it: %d %s", r.status, r.body)
	}
}

func TestSecondReviewAudienceOver(t *testing.T) {
	f := newReviewFixture(t)
	f.setReview(true, 2)
	c := f.draftOf("Hello", "<p>Hi, $5 off</p>") // mentions are not asked for
	if c.Review.codes() != "audience_over" || c.Review.Reasons[0].Detail != "3 recipients (over 2)" {
		t.Fatalf("review %+v", c.Review)
	}
	expectError(t, f.send(f.ann, c.ID), 409, "review_required")
	f.setReview(true, 3)
	if got := f.get(c.ID); got.Review != nil {
		t.Fatalf("exactly at the threshold: %+v", got.Review)
	}
	expectError(t, f.approve(f.bob, c.ID, contentHashOf(t, f, c.ID)), 409, "review_not_required")
	r := f.do(call{method: "GET", path: "/api/v1/campaigns", token: f.bob})
	var list []reviewedCampaign
	r.json(t, &list)
	if len(list) != 1 || list[0].Review != nil {
		t.Fatalf("list: %s", r.body)
	}
	f.setReview(true, 0)
	r = f.do(call{method: "GET", path: "/api/v1/campaigns", token: f.bob})
	r.json(t, &list)
	if len(list) != 1 || list[0].Review.codes() != "audience_over" {
		t.Fatalf("list with audience_over 0: %s", r.body)
	}
	if list[0].Review.ContentHash != f.get(c.ID).Review.ContentHash {
		t.Fatal("the list's content hash is not the campaign's (a list row has no bodies)")
	}
	if r := f.send(f.ann, c.ID); r.status != 409 {
		t.Fatalf("send: %d", r.status)
	}
	f.setReview(false, 0)
	if r := f.send(f.ann, c.ID); r.status != 202 {
		t.Fatalf("send once turned off: %d %s", r.status, r.body)
	}
}

func TestPatchBrandRefusesBadBodies(t *testing.T) {
	f := newReviewFixture(t)
	before := f.setReview(true, 500, "codes")
	path := "/api/v1/brands/" + f.brand
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"empty object", map[string]any{}, 422, "validation_failed"},
		{"fields missing", map[string]any{"second_review": map[string]any{"enabled": true}}, 422, "validation_failed"},
		{"negative threshold", map[string]any{"second_review": map[string]any{"enabled": true, "audience_over": -1,
			"mentions": []string{}}}, 422, "validation_failed"},
		{"unknown mention", map[string]any{"second_review": map[string]any{"enabled": true, "audience_over": 1,
			"mentions": []string{"prices", "emoji"}}}, 422, "validation_failed"},
		{"null mentions", `{"second_review": {"enabled": true, "audience_over": 1, "mentions": null}}`, 422, "validation_failed"},
		{"unknown field", map[string]any{"name": "Other"}, 400, "malformed_json"},
		{"wrong type", `{"second_review": {"enabled": "yes", "audience_over": 1, "mentions": []}}`, 400, "malformed_json"},
		{"not json", `{"second_review":`, 400, "malformed_json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectError(t, f.do(call{method: "PATCH", path: path, token: f.admin, body: tc.body}), tc.status, tc.code)
		})
	}
	ok := map[string]any{"second_review": map[string]any{"enabled": true, "audience_over": 1, "mentions": []string{}}}
	expectError(t, f.do(call{method: "PATCH", path: "/api/v1/brands/00000000-0000-4000-8000-000000000000", token: f.admin,
		body: ok}), 404, "brand_not_found")
	expectError(t, f.do(call{method: "PATCH", path: "/api/v1/brands/nope", token: f.admin, body: ok}), 404, "brand_not_found")
	expectError(t, f.do(call{method: "PATCH", path: path, token: f.ann, body: ok}), 403, "forbidden")
	r := f.do(call{method: "GET", path: "/api/v1/brands", token: f.ann})
	var brands []brandWire
	r.json(t, &brands)
	if len(brands) != 1 || brands[0].SecondReview.AudienceOver != before.SecondReview.AudienceOver ||
		strings.Join(brands[0].SecondReview.Mentions, ",") != "codes" || !brands[0].SecondReview.Enabled {
		t.Fatalf("a refused PATCH changed the brand: %s", r.body)
	}
	if n := len(f.audits(f.brand, "brand.second_review")); n != 1 {
		t.Fatalf("%d brand.second_review entries, want the one good PATCH", n)
	}
	// duplicates are folded, the order is the canonical one
	b := f.setReview(true, 7, "attachments", "prices", "attachments")
	if strings.Join(b.SecondReview.Mentions, ",") != "prices,attachments" {
		t.Fatalf("mentions %v", b.SecondReview.Mentions)
	}
	// a brand created with its own setting
	r = f.do(call{method: "POST", path: "/api/v1/brands", token: f.admin, body: map[string]any{"name": "B2",
		"from_email": "b2@acme.example", "second_review": map[string]any{"enabled": true, "audience_over": 5, "mentions": []string{"prices"}}}})
	var b2 brandWire
	r.json(t, &b2)
	if r.status != 201 || b2.SecondReviewActive != "on" || b2.SecondReview.AudienceOver != 5 {
		t.Fatalf("create with second_review: %d %s", r.status, r.body)
	}
	expectError(t, f.do(call{method: "POST", path: "/api/v1/brands", token: f.admin, body: map[string]any{"name": "B3",
		"from_email": "b3@acme.example", "second_review": map[string]any{"enabled": true}}}), 422, "validation_failed")
}

func TestApproveRefusals(t *testing.T) {
	f := newReviewFixture(t)
	f.setReview(true, 10000, "prices")
	plain := f.draftOf("Hello", "<p>Hi</p>") // no review: its hash is not shown, so compute it as the domain does
	expectError(t, f.approve(f.bob, plain.ID, contentHashOf(t, f, plain.ID)), 409, "review_not_required")
	expectError(t, f.approve(f.bob, "00000000-0000-4000-8000-000000000000", "x"), 404, "campaign_not_found")
	long := strings.Repeat("x", campaign.MaxReviewComment+1)
	expectError(t, f.do(call{method: "POST", path: "/api/v1/campaigns/" + plain.ID + "/approve", token: f.bob,
		body: map[string]any{"content_hash": "x", "comment": long}}), 422, "validation_failed")
	expectError(t, f.do(call{method: "POST", path: "/api/v1/campaigns/" + plain.ID + "/approve", token: f.bob,
		body: map[string]any{"content_hash": "x", "extra": 1}}), 400, "malformed_json")
}

// contentHashOf is the hash of the campaign's current content, computed by
// the domain from the stored row.
func contentHashOf(t *testing.T, f *reviewFixture, id string) string {
	t.Helper()
	c, err := f.store.GetCampaign(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return campaign.ContentHash(c)
}

// TestSecondReviewEditBetweenCheckAndSend: bob approved; ann's send passes
// the first check and, while it opens its SendGrid batch, ann edits the
// price. The send must see the edit under the campaign's lock and refuse:
// never sent with content nobody approved.
func TestSecondReviewEditBetweenCheckAndSend(t *testing.T) {
	f := newReviewFixture(t)
	f.setReview(true, 10000, "prices")
	c := f.draftOf("Winter sale", "<p>Boots now $19.99</p>")
	if r := f.approve(f.bob, c.ID, c.Review.ContentHash); r.status != 200 {
		t.Fatalf("approve: %d", r.status)
	}
	f.batches.mu.Lock()
	f.batches.hold = true
	f.batches.mu.Unlock()
	done := make(chan reply)
	go func() { done <- f.send(f.ann, c.ID) }()
	select {
	case <-f.batches.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the send never reached SendGrid's batch")
	}
	if r := f.edit(f.ann, c.ID, "<p>Boots now $1.99</p>"); r.status != 200 {
		t.Fatalf("edit while the send opens its batch: %d %s", r.status, r.body)
	}
	close(f.batches.release)
	r := <-done
	expectError(t, r, 409, "review_required")
	got := f.get(c.ID)
	if got.Status != "draft" || got.Review.Approval != nil {
		t.Fatalf("after the raced send: %+v %+v", got, got.Review)
	}
	var n int
	_ = f.store.SQL().QueryRow(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1`, c.ID).Scan(&n)
	if n != 0 {
		t.Fatalf("%d recipients snapshotted for a refused send", n)
	}
}

// TestSecondReviewEditsRacingSends: many rounds of an approved draft edited
// and sent at the same moment. Whichever wins, a campaign that went out
// carries exactly the content that was approved.
func TestSecondReviewEditsRacingSends(t *testing.T) {
	f := newReviewFixture(t)
	f.setReview(true, 10000, "prices")
	sentN, refusedN := 0, 0
	for i := 0; i < 8; i++ {
		c := f.draftOf("Winter sale", "<p>Boots now $19.99</p>")
		approvedHash := c.Review.ContentHash
		if r := f.approve(f.bob, c.ID, approvedHash); r.status != 200 {
			t.Fatalf("approve: %d", r.status)
		}
		var wg sync.WaitGroup
		var send, edit reply
		wg.Add(2)
		go func() { defer wg.Done(); send = f.send(f.ann, c.ID) }()
		go func() { defer wg.Done(); edit = f.edit(f.ann, c.ID, "<p>Boots now $1.99</p>") }()
		wg.Wait()
		stored, err := f.store.GetCampaign(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case send.status == 202:
			sentN++
			if edit.status != 409 || stored.Status == campaign.Draft || campaign.ContentHash(stored) != approvedHash {
				t.Fatalf("round %d: sent, edit %d, stored %s with hash %s, approved %s", i, edit.status,
					stored.Status, campaign.ContentHash(stored), approvedHash)
			}
		case send.status == 409:
			refusedN++
			if edit.status != 200 || stored.Status != campaign.Draft {
				t.Fatalf("round %d: send refused (%s), edit %d, stored %s", i, send.body, edit.status, stored.Status)
			}
		default:
			t.Fatalf("round %d: send %d %s", i, send.status, send.body)
		}
	}
	t.Logf("%d sent with the approved content, %d refused after the edit", sentN, refusedN)
}

// TestSecondReviewAppliesInAWatchWindow: the brand has the second pair of
// eyes off; once an incident on it is resolved, its watch window makes the
// review apply with the defaults, and the brand says so.
func TestSecondReviewAppliesInAWatchWindow(t *testing.T) {
	f := newMonFixture(t)
	if _, err := f.store.SQL().Exec(`INSERT INTO recipients (email, first_name, segments) VALUES ('a@x.io', 'A', '{all}')`); err != nil {
		t.Fatal(err)
	}
	r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: f.token, body: map[string]any{"name": "After",
		"brand_id": f.brand, "subject": "We are back", "html": "<p>Everything 20% off</p>", "segments": []string{"all"}}})
	var c reviewedCampaign
	r.json(t, &c)
	if r.status != 201 || c.Review != nil {
		t.Fatalf("before the window: %d %s", r.status, r.body)
	}
	brandActive := func() string {
		var bs []brandWire
		f.do(call{method: "GET", path: "/api/v1/brands", token: f.token}).json(t, &bs)
		for _, b := range bs {
			if b.ID == f.brand {
				if b.SecondReview.Enabled {
					t.Fatalf("the window changed the brand's own setting: %+v", b)
				}
				return b.SecondReviewActive
			}
		}
		t.Fatal("brand not listed")
		return ""
	}
	if got := brandActive(); got != "off" {
		t.Fatalf("before the window the brand's review is %s", got)
	}

	f.resolve(monT0.Add(2 * time.Hour))
	if got := brandActive(); got != "watch_window" {
		t.Fatalf("in the window the brand's review is %s, want watch_window", got)
	}
	r = f.do(call{method: "GET", path: "/api/v1/campaigns/" + c.ID, token: f.token})
	r.json(t, &c)
	if c.Review == nil || c.Review.Mode != "watch_window" || c.Review.codes() != "mentions_prices" {
		t.Fatalf("in the window: %s", r.body)
	}
	d := expectError(t, f.do(call{method: "POST", path: "/api/v1/campaigns/" + c.ID + "/send", token: f.token}), 409, "review_required")
	if rv, _ := d["review"].(map[string]any); rv["mode"] != "watch_window" {
		t.Fatalf("details %v", d)
	}
}

// TestSecondReviewStaysWhileAnAlertHasReopenedTheIncident: a spike in the
// window reopens the incident (the window is in alert); the brand is in more
// trouble than while watching, so the review still applies.
func TestSecondReviewStaysWhileAnAlertHasReopenedTheIncident(t *testing.T) {
	f := newMonFixture(t)
	if _, err := f.store.SQL().Exec(`INSERT INTO recipients (email, first_name, segments) VALUES ('a@x.io', 'A', '{all}')`); err != nil {
		t.Fatal(err)
	}
	inc := f.resolve(monT0.Add(time.Hour))
	next := f.send("Next", monT0.Add(2*time.Hour), "sending", 1000, 0, 0, 0, 0)
	f.counters(next, 1000, 0, 5, 0) // 0.5 % complaints
	f.tick(monT0.Add(3 * time.Hour))
	if m := f.monitoring(inc); m.Status != "alert" {
		t.Fatalf("window %s after the spike, want alert", m.Status)
	}
	r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: f.token, body: map[string]any{"name": "After",
		"brand_id": f.brand, "subject": "We are back", "html": "<p>Everything 20% off</p>", "segments": []string{"all"}}})
	var c reviewedCampaign
	r.json(t, &c)
	if r.status != 201 || c.Review == nil || c.Review.Mode != "watch_window" {
		t.Fatalf("a draft while the incident is reopened by an alert: %d %s", r.status, r.body)
	}
	expectError(t, f.do(call{method: "POST", path: "/api/v1/campaigns/" + c.ID + "/send", token: f.token}), 409, "review_required")
}
