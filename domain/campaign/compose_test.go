package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/esp"
)

const (
	composeID = "00000000-0000-0000-0000-0000000000c1"
	brandID   = "00000000-0000-0000-0000-0000000000b1"
	userID    = "00000000-0000-0000-0000-0000000000a1"
)

func rcpt(n int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", n) }

// composeCampaign uses every kind of tag, with and without fallbacks, in all
// three parts.
func composeCampaign() campaign.Campaign {
	return campaign.Campaign{ID: composeID, Name: "Spring", BrandID: brandID, Status: campaign.Draft,
		Subject:  "Hi {{first_name|Friend}}, {{attr.city|your city}} deals",
		HTML:     `<p>Dear {{first_name|Friend}} {{last_name}}</p><p>{{attr.city|your city}} &middot; <a href="https://acme.example/?u={{email}}">you</a></p>`,
		Text:     "Dear {{first_name|Friend}} {{last_name}}, {{attr.city|your city}} ({{email}})",
		Segments: []string{"all"}, SendBufferSeconds: 900, ASMGroupID: 7, BatchID: "batch-real"}
}

var acme = campaign.Brand{ID: brandID, Name: "Acme", FromEmail: "news@acme.example", FromName: "Acme",
	ReplyTo: "help@acme.example"}

func TestPreviewResolvesEveryTagWithFallbacksAndEscapesHTMLValues(t *testing.T) {
	bold := campaign.Recipient{ID: rcpt(1), Values: campaign.Values{Email: "bo@x.io", FirstName: "<b>Bo</b>",
		Attributes: map[string]string{"city": `Tom & "Jerry's"`}}}
	blank := campaign.Recipient{ID: rcpt(2), Values: campaign.Values{Email: "anon@x.io", FirstName: "  "}}
	repo := newComposeRepo(composeCampaign(), acme, bold, blank)
	svc := newComposeService(repo, &mailbox{})
	ctx := context.Background()

	tests := []struct {
		name, recipient     string
		id, email           string
		subject, html, text string
	}{
		{"markup in a value, escaped in the HTML only", bold.ID, bold.ID, "bo@x.io",
			`Hi <b>Bo</b>, Tom & "Jerry's" deals`,
			`<p>Dear &lt;b&gt;Bo&lt;/b&gt; </p><p>Tom &amp; &#34;Jerry&#39;s&#34; &middot; <a href="https://acme.example/?u=bo@x.io">you</a></p>`,
			`Dear <b>Bo</b> , Tom & "Jerry's" (bo@x.io)`},
		{"empty values take the fallbacks; no fallback is empty", blank.ID, blank.ID, "anon@x.io",
			"Hi Friend, your city deals",
			`<p>Dear Friend </p><p>your city &middot; <a href="https://acme.example/?u=anon@x.io">you</a></p>`,
			"Dear Friend , your city (anon@x.io)"},
		{"no recipient_id is the first by address", "", blank.ID, "anon@x.io",
			"Hi Friend, your city deals", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := svc.Preview(ctx, composeID, tc.recipient)
			if err != nil {
				t.Fatal(err)
			}
			if p.RecipientID != tc.id || p.Email != tc.email || p.Subject != tc.subject {
				t.Errorf("preview for %q: %s %s %q, want %s %s %q", tc.recipient, p.RecipientID, p.Email, p.Subject, tc.id, tc.email, tc.subject)
			}
			if tc.html != "" && p.HTML != tc.html {
				t.Errorf("html\n got %s\nwant %s", p.HTML, tc.html)
			}
			if tc.text != "" && p.Text != tc.text {
				t.Errorf("text\n got %s\nwant %s", p.Text, tc.text)
			}
			for part, s := range map[string]string{"subject": p.Subject, "html": p.HTML, "text": p.Text} {
				if strings.Contains(s, "{{") || strings.Contains(s, "}}") {
					t.Errorf("%s keeps a raw merge tag: %s", part, s)
				}
			}
			if len(p.Recipients) != 2 || p.Recipients[0].Email != "anon@x.io" || p.Recipients[1].ID != bold.ID {
				t.Errorf("recipients %+v, want both, by address", p.Recipients)
			}
		})
	}
}

func TestPreviewListsTheFirst25(t *testing.T) {
	var audience []campaign.Recipient
	for i := range 30 {
		audience = append(audience, campaign.Recipient{ID: rcpt(i), Values: campaign.Values{Email: fmt.Sprintf("m%02d@x.io", i)}})
	}
	svc := newComposeService(newComposeRepo(composeCampaign(), acme, audience...), &mailbox{})
	p, err := svc.Preview(context.Background(), composeID, rcpt(29))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Recipients) != campaign.PreviewRecipients || p.Recipients[24].Email != "m24@x.io" || p.Email != "m29@x.io" {
		t.Errorf("%d recipients (last %+v), previewed as %s; want the first 25 and m29 previewable", len(p.Recipients),
			p.Recipients[len(p.Recipients)-1], p.Email)
	}
}

func TestPreviewOfSomeoneNotInTheAudienceIsNotFound(t *testing.T) {
	member := campaign.Recipient{ID: rcpt(1), Values: campaign.Values{Email: "a@x.io"}}
	ctx := context.Background()
	svc := newComposeService(newComposeRepo(composeCampaign(), acme, member), &mailbox{})
	empty := newComposeService(newComposeRepo(composeCampaign(), acme), &mailbox{})
	tests := []struct {
		name     string
		svc      *campaign.Service
		id, rcpt string
		want     error
	}{
		{"an id outside the audience", svc, composeID, rcpt(2), campaign.ErrRecipientNotInAudience},
		{"something that is no id", svc, composeID, "'; DROP TABLE recipients; --", campaign.ErrRecipientNotInAudience},
		{"an empty audience", empty, composeID, "", campaign.ErrEmptyAudience},
		{"an empty audience, with an id", empty, composeID, rcpt(1), campaign.ErrEmptyAudience},
		{"an unknown campaign", svc, "00000000-0000-0000-0000-000000000404", "", campaign.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.svc.Preview(ctx, tc.id, tc.rcpt)
			if !errors.Is(err, tc.want) || !errors.Is(err, errs.NotFound) {
				t.Errorf("got %v, want %v (not found)", err, tc.want)
			}
		})
	}
}

func TestSendTestGoesToTheCallerOnlyAsATest(t *testing.T) {
	first := campaign.Recipient{ID: rcpt(1), Values: campaign.Values{Email: "ana@x.io", FirstName: "Ana"}}
	chosen := campaign.Recipient{ID: rcpt(2), Values: campaign.Values{Email: "bo@x.io", FirstName: "<b>Bo</b>",
		Attributes: map[string]string{"city": "Porto"}}}
	repo := newComposeRepo(composeCampaign(), acme, first, chosen)
	repo.users[userID] = "marketer@acme.example"
	mail := &mailbox{}
	svc := newComposeService(repo, mail)
	actor := audit.Actor{UserID: userID, Name: "marketer@acme.example"}

	res, err := svc.SendTest(context.Background(), actor, composeID, chosen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res != (campaign.TestSend{To: "marketer@acme.example", RecipientID: chosen.ID, MessageID: "msg-1"}) {
		t.Errorf("result %+v", res)
	}
	sent := mail.got()
	if len(sent) != 1 || len(sent[0].Personalizations) != 1 {
		t.Fatalf("SendGrid got %d requests (%+v), want one with one personalization", len(sent), sent)
	}
	m, p := sent[0], sent[0].Personalizations[0]
	if p.To != (esp.Address{Email: "marketer@acme.example"}) {
		t.Errorf("to %+v, want the caller's address only", p.To)
	}
	if m.BatchID != "" || !m.SendAt.IsZero() {
		t.Errorf("batch %q, send_at %v: a test is in no batch and goes now", m.BatchID, m.SendAt)
	}
	if subject := substitute(m.Subject, p.Substitutions); subject != "[TEST] Hi <b>Bo</b>, Porto deals" {
		t.Errorf("subject as delivered %q", subject)
	}
	if html := substitute(m.HTML, p.Substitutions); !strings.Contains(html, "Dear &lt;b&gt;Bo&lt;/b&gt;") ||
		!strings.Contains(html, "?u=bo@x.io") {
		t.Errorf("html as delivered, with the chosen member's values escaped: %s", html)
	}
	if strings.Join(m.Categories, ",") != "firebreak,campaign-test" {
		t.Errorf("categories %v", m.Categories)
	}
	for k, v := range p.CustomArgs {
		if k == "firebreak_campaign_id" || k == "firebreak_recipient_id" || k == "firebreak_communication_id" || v == chosen.ID {
			t.Errorf("custom arg %s=%s would join the test's events to a campaign or recipient", k, v)
		}
	}
	if m.From != (esp.Address{Email: "news@acme.example", Name: "Acme"}) || m.ReplyTo.Email != "help@acme.example" ||
		m.ASMGroupID != 7 {
		t.Errorf("from %+v, reply-to %+v, group %d: the real message's", m.From, m.ReplyTo, m.ASMGroupID)
	}
	unsub := p.Headers["List-Unsubscribe"]
	if p.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
		!strings.HasPrefix(unsub, "<https://fb.example/u/"+composeID+"/") || strings.Contains(unsub, chosen.ID) {
		t.Errorf("unsubscribe headers %v: the real message's, never the member's link", p.Headers)
	}
	if got := repo.actions(); len(got) != 1 || got[0] != "campaign.test_sent" {
		t.Fatalf("audit %v", got)
	}
	if e := repo.audit[0]; e.Actor != actor || e.SubjectID != composeID || e.Data["to"] != "marketer@acme.example" ||
		e.Data["recipient_id"] != chosen.ID {
		t.Errorf("audit entry %+v", e)
	}

	if _, err := svc.SendTest(context.Background(), actor, composeID, ""); err != nil {
		t.Fatal(err)
	}
	if p := mail.got()[1].Personalizations[0]; substitute(mail.got()[1].Subject, p.Substitutions) != "[TEST] Hi Ana, your city deals" {
		t.Errorf("without recipient_id the first member's values: %q", substitute(mail.got()[1].Subject, p.Substitutions))
	}
}

func TestSendTestRefusals(t *testing.T) {
	member := campaign.Recipient{ID: rcpt(1), Values: campaign.Values{Email: "a@x.io"}}
	ctx := context.Background()
	actor := audit.Actor{UserID: userID, Name: "m@x.io"}

	t.Run("SendGrid refuses: esp_unavailable with what it said, nothing audited", func(t *testing.T) {
		repo := newComposeRepo(composeCampaign(), acme, member)
		repo.users[userID] = "m@x.io"
		mail := &mailbox{refuse: &esp.Error{Op: "mail/send", Kind: esp.Permanent, Status: 403,
			Messages: []string{"from: The from address does not match a verified Sender Identity"}}}
		_, err := newComposeService(repo, mail).SendTest(ctx, actor, composeID, "")
		var e *campaign.TestSendError
		if !errors.Is(err, errs.Unavailable) || !errors.As(err, &e) || e.Code() != "esp_unavailable" {
			t.Fatalf("got %v, want an unavailable esp_unavailable", err)
		}
		if d := e.Details(); d["esp_status"] != 403 || len(d["esp_messages"].([]string)) != 1 {
			t.Errorf("details %v", d)
		}
		if len(repo.actions()) != 0 {
			t.Errorf("audited %v for a test that was not sent", repo.actions())
		}
	})
	t.Run("SendGrid unreachable", func(t *testing.T) {
		repo := newComposeRepo(composeCampaign(), acme, member)
		repo.users[userID] = "m@x.io"
		_, err := newComposeService(repo, &mailbox{refuse: errors.New("dial tcp: refused")}).SendTest(ctx, actor, composeID, "")
		var e *campaign.TestSendError
		if !errors.Is(err, errs.Unavailable) || !errors.As(err, &e) {
			t.Fatalf("got %v", err)
		}
	})
	for _, tc := range []struct {
		name  string
		actor audit.Actor
		rcpt  string
		want  error
	}{
		{"a system actor has no address", audit.System, "", campaign.ErrNoTestAddress},
		{"an unknown user has no address", audit.Actor{UserID: rcpt(99), Name: "x"}, "", campaign.ErrNoTestAddress},
		{"someone not in the audience", actor, rcpt(2), campaign.ErrRecipientNotInAudience},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := newComposeRepo(composeCampaign(), acme, member)
			repo.users[userID] = "m@x.io"
			mail := &mailbox{}
			_, err := newComposeService(repo, mail).SendTest(ctx, tc.actor, composeID, tc.rcpt)
			if !errors.Is(err, tc.want) || len(mail.got()) != 0 {
				t.Errorf("got %v and %d sends, want %v and none", err, len(mail.got()), tc.want)
			}
		})
	}
}

func TestAudienceValidatesItsQuery(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		segments []string
		group    int
		field    string   // the field error, or "" when valid
		asked    []string // what the store is asked
	}{
		{"no segment", nil, 0, "segment", nil},
		{"an empty name", []string{"vip", " "}, 0, "segment", nil},
		{"a negative group", []string{"vip"}, -1, "asm_group_id", nil},
		{"a group above int32", []string{"vip"}, campaign.MaxASMGroupID + 1, "asm_group_id", nil},
		{"a name twice counts once", []string{"vip", "all", "vip"}, 5, "", []string{"vip", "all"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := newComposeRepo(composeCampaign(), acme)
			repo.estimate = campaign.AudienceEstimate{Members: 3, Suppressed: 1, Audience: 2}
			est, err := newComposeService(repo, &mailbox{}).Audience(ctx, tc.segments, tc.group)
			var fe *errs.FieldError
			if tc.field != "" {
				if !errors.As(err, &fe) || fe.Fields[tc.field] == "" || len(repo.estimated) != 0 {
					t.Errorf("got %v (store asked %v), want a field error on %s", err, repo.estimated, tc.field)
				}
				return
			}
			if err != nil || est.Audience != 2 || len(repo.estimated) != 1 || strings.Join(repo.estimated[0], ",") != strings.Join(tc.asked, ",") {
				t.Errorf("got %+v %v, store asked %v; want %v", est, err, repo.estimated, tc.asked)
			}
		})
	}
}
