package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/recipient"
	"github.com/firebreak/firebreak/domain/suppression"
	"github.com/firebreak/firebreak/internal/sgsim"
)

// composeFixture is the real server with the campaign use-cases sending
// through the real SendGrid client to the simulator, the webhook signed with
// the simulator's key, and an audience:
//
//	bo@x.io   segment a    first_name <b>Bo</b>, city Porto
//	cy@x.io   segments a,b no first name
//	di@x.io   segment b    bounced (suppressed for every campaign)
//	ed@x.io   segment b    unsubscribed from group 7
//	fa@x.io   segment a    unsubscribed from group 8
//	m@acme.example  segment a  the marketer, also in the audience
//	zz@x.io   segment z    outside a and b
type composeFixture struct {
	*hookFixture
	sim                    *sgsim.Sim
	clock                  *clock // the simulator's
	admin, marketer, legal string // API tokens
	brandID                string
}

func newComposeFixture(t *testing.T) *composeFixture {
	t.Helper()
	f := newFixture(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	clk := newClock()
	sim := sgsim.New(sgsim.Config{PrivateKey: key, Outcomes: sgsim.Outcomes{Open: 1}, Now: clk.now})
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	sg := sendgrid.New(sendgrid.Config{APIKey: "SG.test", BaseURL: simSrv.URL})
	campaigns := campaign.NewService(f.store, sg, sg, noJobs{}, campaign.Config{PublicURL: "http://firebreak.test",
		UnsubscribeKey: []byte("test key"), Log: discardLog()})
	f.echo = api.New(api.Config{}, api.Deps{Log: discardLog(), Users: f.users, Campaigns: campaigns,
		Recipients: recipient.NewService(f.store), Suppressions: suppression.NewService(f.store),
		Events: event.NewService(f.store, nil, nil), EventList: f.store, Quarantine: f.store,
		Webhook: sendgrid.Webhook{Key: &key.PublicKey}})
	f.srv = httptest.NewServer(f.echo)
	t.Cleanup(f.srv.Close)

	cf := &composeFixture{hookFixture: &hookFixture{fixture: f, key: key}, sim: sim, clock: clk}
	cf.admin = f.addUser("admin@acme.example", "admin")
	cf.marketer = f.addUser("m@acme.example", "marketer")
	cf.legal = f.addUser("legal@acme.example", "legal")
	r := f.importCSV(cf.admin, strings.NewReader("email,first_name,segments,city\n"+
		"bo@x.io,<b>Bo</b>,a,Porto\ncy@x.io,,a;b,\ndi@x.io,Di,b,\ned@x.io,Ed,b,\nfa@x.io,Fa,a,\n"+
		"m@acme.example,Me,a,\nzz@x.io,Zz,z,\n"))
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	for _, s := range []map[string]any{
		{"email": "di@x.io", "kind": "bounce"},
		{"email": "ed@x.io", "kind": "group_unsubscribe", "group_id": 7},
		{"email": "fa@x.io", "kind": "group_unsubscribe", "group_id": 8},
	} {
		if r := f.do(call{method: "POST", path: "/api/v1/suppressions", token: cf.admin, body: s}); r.status != 201 {
			t.Fatalf("suppress %v: %d %s", s, r.status, r.body)
		}
	}
	cf.brandID = f.brand(cf.admin)
	return cf
}

// draftHTML is the campaigns' HTML part: {{last_name}} has no fallback, so
// the preview renders it empty (and preflight refuses to send it).
const draftHTML = `<p>Dear {{first_name|Friend}},</p><p>{{attr.city|your city}} {{last_name}}</p>`

// draft creates a campaign of segments (default a and b) for ASM group 7
// and returns its id.
func (f *composeFixture) draft(segments ...string) string {
	f.t.Helper()
	return f.draftWith(draftHTML, segments...)
}

// sendable is a draft of segments a and b that preflight lets through.
func (f *composeFixture) sendable() string {
	f.t.Helper()
	return f.draftWith(strings.Replace(draftHTML, "{{last_name}}", "{{last_name|}}", 1))
}

func (f *composeFixture) draftWith(html string, segments ...string) string {
	f.t.Helper()
	if len(segments) == 0 {
		segments = []string{"a", "b"}
	}
	r := f.do(call{method: "POST", path: "/api/v1/campaigns", token: f.marketer, body: map[string]any{
		"name": "Spring", "brand_id": f.brandID, "subject": "Hi {{first_name|Friend}}, {{attr.city|your city}} deals",
		"html": html,
		"text": "Dear {{first_name|Friend}} from {{attr.city|your city}}", "segments": segments,
		"asm_group_id": 7, "send_buffer_seconds": 900}})
	if r.status != 201 {
		f.t.Fatalf("create campaign: %d %s", r.status, r.body)
	}
	var c struct{ ID string }
	r.json(f.t, &c)
	return c.ID
}

// rid is the id of the recipient with that address.
func (f *composeFixture) rid(email string) string {
	f.t.Helper()
	var id string
	if err := f.store.SQL().QueryRow(`SELECT id FROM recipients WHERE email = $1`, email).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

type campaignPreviewReply struct {
	RecipientID string `json:"recipient_id"`
	Email       string `json:"email"`
	Subject     string `json:"subject"`
	HTML        string `json:"html"`
	Text        string `json:"text"`
	Recipients  []struct {
		RecipientID string `json:"recipient_id"`
		Email       string `json:"email"`
	} `json:"recipients"`
}

func (f *composeFixture) preview(id, rid string) (reply, campaignPreviewReply) {
	f.t.Helper()
	path := "/api/v1/campaigns/" + id + "/preview"
	if rid != "" {
		path += "?recipient_id=" + rid
	}
	r := f.do(call{method: "GET", path: path, token: f.legal}) // every role may read
	var p campaignPreviewReply
	if r.status == 200 {
		r.json(f.t, &p)
	}
	return r, p
}

func (p campaignPreviewReply) emails() []string {
	var out []string
	for _, m := range p.Recipients {
		out = append(out, m.Email)
	}
	return out
}

func TestCampaignPreview(t *testing.T) {
	f := newComposeFixture(t)
	id := f.draft()
	live := []string{"bo@x.io", "cy@x.io", "fa@x.io", "m@acme.example"} // di bounced, ed left group 7, zz outside

	t.Run("preview200ResolvesEveryTagAndEscapesHTMLValues", func(t *testing.T) {
		r, p := f.preview(id, f.rid("bo@x.io"))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if p.RecipientID != f.rid("bo@x.io") || p.Email != "bo@x.io" || p.Subject != "Hi <b>Bo</b>, Porto deals" ||
			p.HTML != "<p>Dear &lt;b&gt;Bo&lt;/b&gt;,</p><p>Porto </p>" || p.Text != "Dear <b>Bo</b> from Porto" {
			t.Errorf("preview %+v", p)
		}
		if !slices.Equal(p.emails(), live) || p.Recipients[0].RecipientID != f.rid("bo@x.io") {
			t.Errorf("recipients %v, want the live audience by address %v", p.emails(), live)
		}
	})
	t.Run("preview200FallbacksForTheFirstByAddress", func(t *testing.T) {
		_, bo := f.preview(id, "")
		r, p := f.preview(id, f.rid("cy@x.io"))
		if r.status != 200 || bo.Email != "bo@x.io" {
			t.Fatalf("%d %s; without recipient_id %s", r.status, r.body, bo.Email)
		}
		if p.Subject != "Hi Friend, your city deals" || p.HTML != "<p>Dear Friend,</p><p>your city </p>" ||
			p.Text != "Dear Friend from your city" {
			t.Errorf("preview %+v", p)
		}
		for _, s := range []string{p.Subject, p.HTML, p.Text} {
			if strings.Contains(s, "{{") {
				t.Errorf("a raw merge tag is left: %s", s)
			}
		}
	})
	t.Run("preview404SuppressedOrOutsideTheAudience", func(t *testing.T) {
		for _, email := range []string{"di@x.io", "ed@x.io", "zz@x.io"} {
			r, _ := f.preview(id, f.rid(email))
			if r.status != 404 || r.errorBody(t).Code != "recipient_not_in_audience" {
				t.Errorf("%s: %d %s, want 404 recipient_not_in_audience", email, r.status, r.body)
			}
		}
		if r, _ := f.preview(id, "not-an-id"); r.status != 404 || r.errorBody(t).Code != "recipient_not_in_audience" {
			t.Errorf("not an id: %d %s", r.status, r.body)
		}
	})
	t.Run("preview404EmptyAudienceAndUnknownCampaign", func(t *testing.T) {
		if r, _ := f.preview(f.draft("nobody"), ""); r.status != 404 || r.errorBody(t).Code != "empty_audience" {
			t.Errorf("empty audience: %d %s", r.status, r.body)
		}
		if r, _ := f.preview("00000000-0000-0000-0000-000000000404", ""); r.status != 404 || r.errorBody(t).Code != "campaign_not_found" {
			t.Errorf("unknown campaign: %d %s", r.status, r.body)
		}
	})
	t.Run("preview401", func(t *testing.T) {
		if r := f.do(call{method: "GET", path: "/api/v1/campaigns/" + id + "/preview"}); r.status != 401 {
			t.Errorf("no token: %d", r.status)
		}
	})
	t.Run("preview200SentIsTheSnapshot", func(t *testing.T) {
		sent := f.sendable()
		if r := f.do(call{method: "POST", path: "/api/v1/campaigns/" + sent + "/send", token: f.marketer}); r.status != 202 {
			t.Fatalf("send: %d %s", r.status, r.body)
		}
		// After the snapshot bo unsubscribes and di's bounce is lifted: the
		// snapshot is what was sent, so neither changes who is previewable.
		if r := f.do(call{method: "POST", path: "/api/v1/suppressions", token: f.admin,
			body: map[string]any{"email": "bo@x.io", "kind": "unsubscribe"}}); r.status != 201 {
			t.Fatalf("suppress: %d %s", r.status, r.body)
		}
		r, p := f.preview(sent, f.rid("bo@x.io"))
		if r.status != 200 || p.Subject != "Hi <b>Bo</b>, Porto deals" || !slices.Equal(p.emails(), live) {
			t.Errorf("sent campaign: %d %s", r.status, r.body)
		}
		if r, _ := f.preview(id, f.rid("bo@x.io")); r.status != 404 {
			t.Errorf("the draft's live audience has lost bo: %d", r.status)
		}
	})
}

type testReply struct {
	To          string `json:"to"`
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

func TestCampaignTestSend(t *testing.T) {
	f := newComposeFixture(t)
	id := f.draft()
	path := "/api/v1/campaigns/" + id + "/test"

	t.Run("test202ToTheCallerOnly", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: f.marketer, body: map[string]string{"recipient_id": f.rid("bo@x.io")}})
		if r.status != 202 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var got testReply
		r.json(t, &got)
		if got.To != "m@acme.example" || got.RecipientID != f.rid("bo@x.io") || got.MessageID == "" {
			t.Errorf("answer %+v", got)
		}
		msgs := f.sim.Messages()
		if len(msgs) != 1 || f.sim.Stats().MailSendRequests != 1 {
			t.Fatalf("SendGrid got %d messages in %d requests, want one personalization in one", len(msgs), f.sim.Stats().MailSendRequests)
		}
		m := msgs[0]
		if m.To != "m@acme.example" || m.MessageID != got.MessageID {
			t.Errorf("to %s (message %s), want the caller's address", m.To, m.MessageID)
		}
		if m.BatchID != "" || !m.SendAt.IsZero() {
			t.Errorf("batch %q, send_at %v: a test is in no batch and goes now", m.BatchID, m.SendAt)
		}
		if m.Subject != "[TEST] Hi <b>Bo</b>, Porto deals" {
			t.Errorf("subject %q", m.Subject)
		}
		var html string
		for _, c := range m.Contents {
			if c.Type == "text/html" {
				html = c.Value
			}
		}
		if html != "<p>Dear &lt;b&gt;Bo&lt;/b&gt;,</p><p>Porto </p>" {
			t.Errorf("html %q", html)
		}
		if !slices.Equal(m.Categories, []string{"firebreak", "campaign-test"}) {
			t.Errorf("categories %v", m.Categories)
		}
		for k := range m.CustomArgs {
			if k == "firebreak_campaign_id" || k == "firebreak_recipient_id" {
				t.Errorf("custom args %v: its events would count on the campaign", m.CustomArgs)
			}
		}
		if m.From.Email != "news@acme.example" || m.ReplyTo.Email != "help@acme.example" || m.ASMGroupID != 7 ||
			m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
			!strings.HasPrefix(m.Headers["List-Unsubscribe"], "<http://firebreak.test/u/"+id+"/") {
			t.Errorf("from %+v, reply-to %+v, group %d, headers %v: the real message's", m.From, m.ReplyTo, m.ASMGroupID, m.Headers)
		}
		entries, err := f.store.ListAudit(context.Background(), "campaign", id)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(entries, func(e audit.Entry) bool { return e.Action == "campaign.test_sent" })
		if i < 0 || entries[i].Data["to"] != "m@acme.example" || entries[i].Data["recipient_id"] != f.rid("bo@x.io") ||
			entries[i].Actor.Name != "m@acme.example" {
			t.Errorf("audit %+v", entries)
		}
	})
	t.Run("test202WithoutABodyUsesTheFirst", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: f.marketer})
		var got testReply
		if r.status == 202 {
			r.json(t, &got)
		}
		if r.status != 202 || got.RecipientID != f.rid("bo@x.io") || got.To != "m@acme.example" {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	t.Run("test403", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: f.legal})
		if r.status != 403 || r.errorBody(t).Code != "forbidden" {
			t.Errorf("legal: %d %s", r.status, r.body)
		}
	})
	t.Run("test404NotInTheAudience", func(t *testing.T) {
		before := len(f.sim.Messages())
		r := f.do(call{method: "POST", path: path, token: f.marketer, body: map[string]string{"recipient_id": f.rid("di@x.io")}})
		if r.status != 404 || r.errorBody(t).Code != "recipient_not_in_audience" || len(f.sim.Messages()) != before {
			t.Errorf("suppressed member: %d %s, %d messages sent", r.status, r.body, len(f.sim.Messages())-before)
		}
	})
	t.Run("test400UnknownField", func(t *testing.T) {
		r := f.do(call{method: "POST", path: path, token: f.marketer, body: map[string]string{"to": "else@x.io"}})
		if r.status != 400 || r.errorBody(t).Code != "malformed_json" {
			t.Errorf("a to field: %d %s", r.status, r.body)
		}
	})
	t.Run("test503SendGridRefuses", func(t *testing.T) {
		before := len(f.sim.Messages())
		f.sim.FailNext("/v3/mail/send", 1, 403, nil)
		r := f.do(call{method: "POST", path: path, token: f.marketer})
		if r.status != 503 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if e := r.errorBody(t); e.Code != "esp_unavailable" || e.Details["esp_status"] != float64(403) {
			t.Errorf("error %+v", e)
		}
		if len(f.sim.Messages()) != before {
			t.Errorf("a refused test recorded a message")
		}
	})
}

// TestCampaignTestSendEventsAreNeverCountedOnTheCampaign: SendGrid posts the
// test's events (processed, delivered, open) like any other, with its
// sg_message_id and custom args. They are stored, unattributed, the post is
// 200, and no campaign counts them — also when the caller is a member of a
// sent campaign whose message to them was handed over.
func TestCampaignTestSendEventsAreNeverCountedOnTheCampaign(t *testing.T) {
	f := newComposeFixture(t)
	id := f.sendable()
	if r := f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/send", token: f.marketer}); r.status != 202 {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	if _, err := f.store.SQL().Exec(`UPDATE campaign_recipients SET state = 'handed', handed_at = now(), message_id = 'real-msg'
		WHERE campaign_id = $1 AND email = 'm@acme.example'`, id); err != nil {
		t.Fatal(err)
	}
	r := f.do(call{method: "POST", path: "/api/v1/campaigns/" + id + "/test", token: f.marketer})
	if r.status != 202 {
		t.Fatalf("test: %d %s", r.status, r.body)
	}
	if msgs := f.sim.Messages(); len(msgs) != 1 || msgs[0].BatchID != "" || !msgs[0].SendAt.IsZero() {
		t.Fatalf("a test of a sent campaign: %+v, want one message in no batch, sent now", msgs)
	}
	f.sim.Tick()
	f.clock.advance(2 * time.Hour) // engagement comes later
	f.sim.Tick()
	var events []map[string]any
	for _, e := range f.sim.Events() {
		events = append(events, e)
	}
	if len(events) < 3 {
		t.Fatalf("the simulator made %d events of the test, want processed, delivered and open", len(events))
	}
	r = f.post(events...)
	var a hookAnswer
	if r.status == 200 {
		r.json(t, &a)
	}
	if r.status != 200 || a.Stored != len(events) || a.Unattributed != len(events) || a.Quarantined != 0 {
		t.Fatalf("webhook: %d %s, want 200 with all %d events stored unattributed", r.status, r.body, len(events))
	}
	if n := f.count(`SELECT delivered + opened FROM campaigns WHERE id = $1`, id); n != 0 {
		t.Errorf("the campaign counts %d of the test's deliveries and opens", n)
	}
	if n := f.count(`SELECT count(*) FROM recipient_outcomes`); n != 0 {
		t.Errorf("%d recipient outcomes from a test's events", n)
	}
	if n := f.count(`SELECT count(*) FROM events WHERE campaign_id IS NULL AND email = 'm@acme.example'`); n != len(events) {
		t.Errorf("%d of %d events stored unattributed", n, len(events))
	}
}

type estimateReply struct {
	Segments []struct {
		Name    string `json:"name"`
		Members int    `json:"members"`
	} `json:"segments"`
	Members    int `json:"members"`
	Suppressed int `json:"suppressed"`
	Audience   int `json:"audience"`
}

func TestAudienceEstimate(t *testing.T) {
	f := newComposeFixture(t)
	for _, tc := range []struct {
		name, query                    string
		a, b, members, suppressed, aud int
	}{
		// a: bo cy fa m; b: cy di ed — cy in both, counted once.
		{"audience200Group7", "segment=a&segment=b&asm_group_id=7", 4, 3, 6, 2, 4},      // di bounced, ed left group 7
		{"audience200Group8", "segment=a&segment=b&asm_group_id=8", 4, 3, 6, 2, 4},      // di bounced, fa left group 8
		{"audience200NoGroup", "segment=a&segment=b", 4, 3, 6, 1, 5},                    // di bounced; group unsubscribes do not count
		{"audience200SameSegmentTwice", "segment=a&segment=b&segment=a", 4, 3, 6, 1, 5}, // a listed once
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(call{method: "GET", path: "/api/v1/audience?" + tc.query, token: f.legal})
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var e estimateReply
			r.json(t, &e)
			if len(e.Segments) != 2 || e.Segments[0].Name != "a" || e.Segments[0].Members != tc.a ||
				e.Segments[1].Name != "b" || e.Segments[1].Members != tc.b ||
				e.Members != tc.members || e.Suppressed != tc.suppressed || e.Audience != tc.aud {
				t.Errorf("%s: %s", tc.query, r.body)
			}
		})
	}
	t.Run("audience200UnknownSegment", func(t *testing.T) {
		r := f.do(call{method: "GET", path: "/api/v1/audience?segment=nobody", token: f.legal})
		if r.status != 200 || !strings.Contains(string(r.body), `"segments":[{"name":"nobody","members":0}]`) ||
			!strings.Contains(string(r.body), `"audience":0`) {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	for _, tc := range []struct{ name, query, field string }{
		{"audience422NoSegment", "", "segment"},
		{"audience422EmptySegment", "segment=", "segment"},
		{"audience422GroupNotANumber", "segment=a&asm_group_id=seven", "asm_group_id"},
		{"audience422NegativeGroup", "segment=a&asm_group_id=-1", "asm_group_id"},
		{"audience422GroupAboveInt32", "segment=a&asm_group_id=2147483648", "asm_group_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(call{method: "GET", path: "/api/v1/audience?" + tc.query, token: f.legal})
			if r.status != 422 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			e := r.errorBody(t)
			if fields, _ := e.Details["fields"].(map[string]any); e.Code != "validation_failed" || fields[tc.field] == nil {
				t.Errorf("%+v, want validation_failed on %s", e, tc.field)
			}
		})
	}
}
