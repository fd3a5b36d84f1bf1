package campaign_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

func TestFindMentions(t *testing.T) {
	cases := []struct {
		name                string
		subject, html, text string
		prices, codes, att  []string
	}{
		{name: "dollars in the subject", subject: "Everything $19.99 this week", prices: []string{"$19.99"}},
		{name: "euros after the amount", text: "Nur 19,99 € pro Monat", prices: []string{"19,99 €"}},
		{name: "pounds", html: "<p>From <b>£5</b></p>", prices: []string{"£5"}},
		{name: "iso code before", text: "Tickets from USD 20", prices: []string{"USD 20"}},
		{name: "iso code after", text: "only 49 EUR", prices: []string{"49 EUR"}},
		{name: "percent off", subject: "20% off everything", prices: []string{"20% off"}},
		{name: "percent off spelled", text: "15 percent off shoes", prices: []string{"15 percent off"}},
		{name: "save a percentage", text: "Save 30% today", prices: []string{"Save 30%"}},
		{name: "an entity-encoded price", html: "<p>&euro;12 only</p>", prices: []string{"€12"}},
		{name: "use code", text: "Use code SAVE20 at checkout", codes: []string{"Use code SAVE20"}},
		{name: "promo code", html: "<p>Your promo code is inside</p>", codes: []string{"promo code"}},
		{name: "code with a colon", text: "Code: WELCOME", codes: []string{"Code: WELCOME"}},
		{name: "coupon and voucher", text: "a coupon, or a gift voucher", codes: []string{"coupon", "voucher"}},
		{name: "attached", text: "See the attached price list", att: []string{"attached"}},
		{name: "attachment", subject: "Attachment: your contract", att: []string{"Attachment"}},
		{name: "link to a pdf", html: `<a href="https://acme.example/files/Menu.PDF?v=2">menu</a>`,
			att: []string{"https://acme.example/files/Menu.PDF?v=2"}},
		{name: "link to a zip in single quotes", html: `<a href='/dl/pack.zip'>get it</a>`, att: []string{"/dl/pack.zip"}},
		{name: "a document named in the text", text: "Download terms.docx and rates.xlsx",
			att: []string{"terms.docx", "rates.xlsx"}},

		// what is not a price, a code or an attachment
		{name: "cotton and css", html: `<div style="width:100%">100% cotton, 24/7 support</div>`},
		{name: "zip code in a footer", html: `<footer>Acme, 1 Main St, zip code 90210. Postal code SW1A 1AA</footer>`},
		{name: "other codes", text: "Scan the QR code. Dress code: BLACK TIE. Our code of conduct. Source code on GitHub."},
		{name: "images and a docs site", html: `<img src="https://cdn.example/sale.png"><a href="https://docs.acme.example/guide">docs</a>`},
		{name: "unattached and official", text: "An unattached note, 100% official."},
		{name: "styles and scripts", html: `<style>.p{content:"$5 off"}</style><script>var code = "SAVE20"</script><p>Hi</p>`},
		{name: "a plain number", text: "Room 101, since 1999, 5 stars"},
		{name: "a currency sign alone", text: "We take € and $"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := campaign.FindMentions(tc.subject, tc.html, tc.text)
			check := func(m campaign.Mention, want []string) {
				if !slices.Equal(got[m], want) && !(len(got[m]) == 0 && len(want) == 0) {
					t.Errorf("%s: got %q, want %q", m, got[m], want)
				}
			}
			check(campaign.MentionPrices, tc.prices)
			check(campaign.MentionCodes, tc.codes)
			check(campaign.MentionAttachments, tc.att)
		})
	}
}

func draftFor(subject, html string, segments ...string) campaign.Campaign {
	if len(segments) == 0 {
		segments = []string{"all"}
	}
	return campaign.Campaign{ID: "c1", Subject: subject, HTML: html, Text: "", Segments: segments,
		Status: campaign.Draft, CreatedBy: "ann"}
}

func TestContentHash(t *testing.T) {
	a := draftFor("Sale", "<p>Hi</p>", "a", "b")
	if campaign.ContentHash(a) != campaign.ContentHash(draftFor("Sale", "<p>Hi</p>", "b", "a")) {
		t.Error("the order of segments changed the hash")
	}
	b := a
	b.Name, b.SendBufferSeconds = "another name", 60
	if campaign.ContentHash(a) != campaign.ContentHash(b) {
		t.Error("the name or buffer changed the hash: they are not content")
	}
	for name, change := range map[string]func(*campaign.Campaign){
		"subject":  func(c *campaign.Campaign) { c.Subject = "Sale!" },
		"html":     func(c *campaign.Campaign) { c.HTML = "<p>Hi!</p>" },
		"text":     func(c *campaign.Campaign) { c.Text = "Hi" },
		"segments": func(c *campaign.Campaign) { c.Segments = []string{"a"} },
		// the boundary between fields is part of the encoding
		"shifted": func(c *campaign.Campaign) { c.Subject, c.HTML = "Sale<p>", "Hi</p>" },
	} {
		c := a
		change(&c)
		if campaign.ContentHash(a) == campaign.ContentHash(c) {
			t.Errorf("a change of %s kept the hash", name)
		}
	}
}

func TestActiveReview(t *testing.T) {
	custom := campaign.SecondReview{Enabled: true, AudienceOver: 500, Mentions: []campaign.Mention{"codes"}}
	cases := []struct {
		name    string
		b       campaign.Brand
		mode    campaign.ReviewMode
		over    int
		mention []campaign.Mention
	}{
		{"new brand", campaign.Brand{SecondReview: campaign.DefaultSecondReview()}, campaign.ReviewOff, 10000, campaign.Mentions},
		{"enabled", campaign.Brand{SecondReview: custom}, campaign.ReviewOn, 500, []campaign.Mention{"codes"}},
		{"watched, off", campaign.Brand{SecondReview: campaign.DefaultSecondReview(), Watched: true},
			campaign.ReviewWatchWindow, 10000, campaign.Mentions},
		{"watched, off with a lower threshold", campaign.Brand{Watched: true,
			SecondReview: campaign.SecondReview{AudienceOver: 5, Mentions: []campaign.Mention{}}},
			campaign.ReviewWatchWindow, 10000, campaign.Mentions},
		// the watch window never loosens what the brand asked for
		{"watched, enabled stricter", campaign.Brand{SecondReview: custom, Watched: true},
			campaign.ReviewWatchWindow, 500, campaign.Mentions},
	}
	for _, tc := range cases {
		mode, eff := tc.b.ActiveReview()
		if mode != tc.mode || eff.AudienceOver != tc.over || !slices.Equal(eff.Mentions, tc.mention) {
			t.Errorf("%s: %s %+v, want %s over %d %v", tc.name, mode, eff, tc.mode, tc.over, tc.mention)
		}
	}
}

func TestReviewReasons(t *testing.T) {
	s := campaign.DefaultSecondReview()
	c := draftFor("Spring: 20% off", `<p>Use code SPRING26 — terms in <a href="/t.pdf">the PDF</a></p>`)
	got := campaign.ReviewReasons(c, 12400, s)
	want := []campaign.ReviewReason{
		{Code: "audience_over", Detail: "12,400 recipients (over 10,000)"},
		{Code: "mentions_prices", Detail: "mentions a price: “20% off”"},
		{Code: "mentions_codes", Detail: "mentions a code: “Use code SPRING26”"},
		{Code: "mentions_attachments", Detail: "mentions an attachment: “/t.pdf”"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("reasons\n got %q\nwant %q", got, want)
	}
	if r := campaign.ReviewReasons(c, 10000, campaign.SecondReview{AudienceOver: 10000, Mentions: []campaign.Mention{}}); len(r) != 0 {
		t.Errorf("exactly at the threshold, no mentions asked: %q", r)
	}
	if r := campaign.ReviewReasons(draftFor("Hello", "<p>$5 and $7</p>"), 1, s); len(r) != 1 ||
		r[0].Detail != "mentions a price: “$5” and 1 more" {
		t.Errorf("two prices: %q", r)
	}
	if r := campaign.ReviewReasons(draftFor("Hello", "<p>hi</p>"), 1, campaign.SecondReview{AudienceOver: 0}); len(r) != 1 ||
		r[0].Code != "audience_over" {
		t.Errorf("audience_over 0 reviews every draft: %q", r)
	}
}

func TestCheckReview(t *testing.T) {
	on := campaign.Brand{SecondReview: campaign.SecondReview{Enabled: true, AudienceOver: 10000, Mentions: campaign.Mentions}}
	c := draftFor("Now $19.99", "<p>Hi</p>")
	hash := campaign.ContentHash(c)
	t1 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	by := func(user, h string, at time.Time) campaign.ReviewApproval {
		return campaign.ReviewApproval{UserID: user, Name: user, ContentHash: h, At: at}
	}
	cases := []struct {
		name     string
		b        campaign.Brand
		c        campaign.Campaign
		st       campaign.ReviewState
		audience int
		need     bool   // a review applies
		ok       bool   // the send may go
		approver string // whose approval counts
	}{
		{name: "off: sends as today", b: campaign.Brand{SecondReview: campaign.DefaultSecondReview()}, c: c, audience: 50000, ok: true},
		{name: "on, nothing to review", b: on, c: draftFor("Hello", "<p>Hi</p>"), audience: 10, ok: true},
		{name: "on, a price, no approval", b: on, c: c, audience: 10, need: true},
		{name: "the creator's own approval", b: on, c: c, audience: 10, need: true,
			st: campaign.ReviewState{Approvals: []campaign.ReviewApproval{by("ann", hash, t1)}}},
		{name: "an editor's approval", b: on, c: c, audience: 10, need: true,
			st: campaign.ReviewState{Editors: []string{"bob"}, Approvals: []campaign.ReviewApproval{by("bob", hash, t1)}}},
		{name: "an approval without a user", b: on, c: c, audience: 10, need: true,
			st: campaign.ReviewState{Approvals: []campaign.ReviewApproval{by("", hash, t1)}}},
		{name: "an approval of other content", b: on, c: c, audience: 10, need: true,
			st: campaign.ReviewState{Approvals: []campaign.ReviewApproval{by("bob", "stale", t1)}}},
		{name: "another marketer's approval", b: on, c: c, audience: 10, need: true, ok: true, approver: "bob",
			st: campaign.ReviewState{Approvals: []campaign.ReviewApproval{by("bob", hash, t1)}}},
		{name: "the earliest that counts", b: on, c: c, audience: 10, need: true, ok: true, approver: "cy",
			st: campaign.ReviewState{Approvals: []campaign.ReviewApproval{by("bob", hash, t1.Add(time.Hour)),
				by("ann", hash, t1.Add(-time.Hour)), by("cy", hash, t1)}}},
		{name: "a watch window, brand off", b: campaign.Brand{SecondReview: campaign.DefaultSecondReview(), Watched: true},
			c: draftFor("Hello", "<p>Hi</p>"), audience: 10001, need: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := campaign.CheckReview(tc.c, tc.audience, tc.b, tc.st)
			if (r != nil) != tc.need {
				t.Fatalf("review %+v, want needed %v", r, tc.need)
			}
			var rr *campaign.ReviewRequiredError
			if tc.ok != (err == nil) || (err != nil && (!errors.As(err, &rr) || !errors.Is(err, errs.Conflict))) {
				t.Fatalf("err %v, want ok %v", err, tc.ok)
			}
			if rr != nil && (rr.Code() != "review_required" || rr.Details()["review"].(campaign.Review).ContentHash != campaign.ContentHash(tc.c)) {
				t.Errorf("error %s %+v", rr.Code(), rr.Details())
			}
			if tc.approver != "" && (r.Approval == nil || r.Approval.UserID != tc.approver) {
				t.Errorf("approval %+v, want %s's", r.Approval, tc.approver)
			}
		})
	}
}

func TestSecondReviewValidate(t *testing.T) {
	if err := campaign.DefaultSecondReview().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []campaign.SecondReview{
		{AudienceOver: -1, Mentions: []campaign.Mention{}},
		{Mentions: nil},
		{Mentions: []campaign.Mention{"prices", "emoji"}},
	} {
		var fe *errs.FieldError
		if err := bad.Validate(); !errors.As(err, &fe) || len(fe.Fields) != 1 {
			t.Errorf("%+v: %v", bad, err)
		} else {
			for k := range fe.Fields {
				if !strings.HasPrefix(k, "second_review.") {
					t.Errorf("field %s", k)
				}
			}
		}
	}
	n := campaign.SecondReview{Mentions: []campaign.Mention{"attachments", "prices", "attachments"}}.Normalized()
	if !slices.Equal(n.Mentions, []campaign.Mention{"prices", "attachments"}) {
		t.Errorf("normalized %v", n.Mentions)
	}
}
