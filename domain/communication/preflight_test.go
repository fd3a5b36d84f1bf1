package communication

import (
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
)

// The mails below are paraphrases of apology, correction and breach mails that
// brands really sent (retail, travel, software, banking newsletters, and
// breach notices filed with the California and other US state attorneys
// general), rewritten so no sentence is copied but the shape — what comes
// first, what the subject says, how they joke or hedge — is kept.

func goodBrand() campaign.Brand {
	return campaign.Brand{
		Name: "Acme Outdoor", FromEmail: "hello@acme.example", FromName: "Acme Outdoor", ReplyTo: "care@acme.example",
		LogoURL: "https://cdn.acme.example/logo.png", FooterHTML: "<p>Acme Outdoor · <a href=\"{{unsubscribe}}\">Unsubscribe</a></p>",
		PhysicalAddress: "12 Harbour Road, Portland, OR 97201",
	}
}

// codes is what a case asserts: every problem's code, and for missing_section
// "missing_section:<heading>" and for missing_protective_steps its missing
// steps, in Preflight's order.
func codes(ps []campaign.Problem) []string {
	out := []string{}
	for _, p := range ps {
		switch p.Code {
		case CodeMissingSection, CodeMissingProtectiveSteps:
			out = append(out, p.Code+":"+strings.Join(p.Examples, "+"))
		default:
			out = append(out, p.Code)
		}
	}
	return out
}

type mailCase struct {
	name  string
	in    PreflightInput
	brand func(*campaign.Brand)
	want  []string
}

func runCases(t *testing.T, cases []mailCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Brand = goodBrand()
			if tc.brand != nil {
				tc.brand(&in.Brand)
			}
			if in.Kind == "" {
				in.Kind = Apology
			}
			got := Preflight(in)
			if got == nil {
				t.Fatal("Preflight returned nil, want a list")
			}
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if g := codes(got); !slices.Equal(g, want) {
				t.Errorf("problems = %v, want %v\n%+v", g, want, got)
			}
			for _, p := range got {
				if p.Message == "" || p.Examples == nil || len(p.Examples) > campaign.MaxExamples {
					t.Errorf("problem %s: message %q, examples %v: want a message and 0–10 examples", p.Code, p.Message, p.Examples)
				}
			}
		})
	}
}

const wrongSegmentHTML = `<!DOCTYPE html><html><head><title>Oops</title><style>.oops{color:red}</style></head><body>
<!-- preheader: haha, nobody reads this -->
<table><tr><td><img src="https://cdn.acme.example/logo.png" alt="Acme Outdoor"></td></tr>
<tr><td><p>Hi {{first_name|there}},</p>
<p>We're sorry. Yesterday we sent you an email about our members-only trail club event, and it was meant
for a different group of customers. That was our mistake, not anything you signed up for.</p>
<p>You don't need to do anything. You won't get further mails about the event unless you join the club.</p>
<p>Thanks for bearing with us,<br>The Acme Outdoor team</p></td></tr></table></body></html>`

const correctionHTML = `<p>Dear {{first_name|customer}},</p>
<p>We apologise: the email we sent you this morning, "Spring Sale starts today", gave the wrong end date for the sale.</p>
<p>Please disregard that email, or delete it.</p>
<p><strong>The correct information:</strong> the Spring Sale runs until Sunday 14 April at midnight, not 7 April.
This email supersedes the previous one.</p>
<p>We are sorry again for the confusion, and thank you for your understanding.</p>
<p>The Acme Outdoor team</p>`

const correctionText = `Dear {{first_name|customer}},

We apologise: the email we sent you this morning, "Spring Sale starts today", gave the wrong end date for the sale.

Please disregard that email, or delete it.

The correct information: the Spring Sale runs until Sunday 14 April at midnight, not 7 April. This email supersedes the previous one.

We are sorry again for the confusion, and thank you for your understanding.
The Acme Outdoor team`

func TestPreflightApologiesAndCorrections(t *testing.T) {
	runCases(t, []mailCase{
		{name: "the template's [EDIT: …] marker still in both parts", in: PreflightInput{Kind: Correction,
			Content: Content{Subject: "Correction: the price in yesterday's email was wrong",
				HTML: "<p>We are sorry: the price was wrong.</p><p>[EDIT: the correct price] and [EDIT: what we will honour]</p>",
				Text: "We are sorry: the price was wrong.\n\n[EDIT: the correct price]"}},
			want: []string{CodeUnfinishedDraft}},
		{name: "wrong-segment apology, branded template with head, comment and style", in: PreflightInput{
			Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML}}},
		{name: "correction in PLAYBOOK's structure, both parts", in: PreflightInput{Kind: Correction,
			Content: Content{Subject: "Urgent correction: please disregard the previous email – Spring Sale starts today",
				HTML: correctionHTML, Text: correctionText}}},
		{name: "broken merge tag apology with the tag shown as escaped text", in: PreflightInput{
			Content: Content{Subject: "Sorry about the greeting in our last email",
				HTML: `<p>Hello,</p><p>We&rsquo;re sorry that our last email greeted you with &ldquo;Dear &lt;FirstName&gt;&rdquo; instead of your name. A template error left the field empty.</p><p>We have fixed it. Thanks for your patience.</p>`}}},
		{name: "wrong price correction with what the company honours", in: PreflightInput{Kind: Correction,
			Content: Content{Subject: "Correction: the price in yesterday's email was wrong",
				Text: "Hi {{first_name|there}},\n\nWe made a mistake in yesterday's email: the Summit 2 tent was listed at $19 instead of $190. We're sorry for the confusion.\n\nOrders already placed at $19 will be honoured. From today the price is $190.\n\nThank you,\nAcme Outdoor"}}},
		{name: "duplicate sends apology, text only", in: PreflightInput{
			Content: Content{Subject: "Apologies for the duplicate emails",
				Text: "Apologies! A fault in our sending system delivered this week's newsletter to you four times. We have fixed it and you will only get one copy from now on.\n\nThe Acme team"}}},
		{name: "apology in the h1 before the first paragraph", in: PreflightInput{
			Content: Content{Subject: "We're sorry",
				HTML: `<h1>We’re sorry</h1><p>On Tuesday a link in our newsletter pointed to a page that did not exist yet, and many of you wrote to tell us.</p><p>Here is the right link: <a href="https://acme.example/trail">the trail guide</a>.</p>`}}},
		{name: "weak word with a topic, brand prefix", in: PreflightInput{
			Content: Content{Subject: "[Acme] An update on yesterday's order confirmation",
				Text: "Hi,\n\nWe owe you an apology: yesterday's order confirmation showed a delivery date of 2031. Your order arrives this Friday as planned.\n\nAcme"}}},
		{name: "'lol' inside a word is not humour", in: PreflightInput{
			Content: Content{Subject: "Sorry: wrong Halloween coupon",
				Text: "We're sorry, the coupon in our Halloween lollipop email was the wrong one and did not work at checkout. Use HALLOWEEN20 instead; it is valid until Sunday."}}},
		{name: "buried apology: news of the collection first, sorry in the third paragraph", in: PreflightInput{
			Content: Content{Subject: "About our last email",
				HTML: `<p>Hi Sam,</p><p>Our autumn collection is here, with new jackets, boots and the warmest sleeping bag we have ever made.</p><p>Take 20% off your first order this week.</p><p>By the way, sorry about the broken link in our last email.</p>`}},
			want: []string{CodeNoApology, CodeUnclearSubject}},
		{name: "jokey 'Oops!' subject with a hiding-monkey emoji", in: PreflightInput{
			Content: Content{Subject: "Oops! Wrong link 🙈",
				HTML: `<p>Oops, our bad! We are sorry: the link in this morning's email went to last year's sale. Here is the right one.</p>`}},
			want: []string{CodeHumour}},
		{name: "'Whoops, butterfingers' with tears of joy", in: PreflightInput{
			Content: Content{Subject: "Whoops, a little mistake",
				Text: "Sorry everyone, whoops! Butterfingers here sent the wrong coupon 😂 The right code is AUTUMN15."}},
			want: []string{CodeHumour}},
		{name: "haha and lol in the body", in: PreflightInput{
			Content: Content{Subject: "Sorry for the mix-up",
				Text: "We're sorry, hahaha, we really did send you the dog food newsletter instead of the cat one, lol. The right one is attached."}},
			want: []string{CodeHumour}},
		{name: "no-reply sender and no reply-to", brand: func(b *campaign.Brand) { b.FromEmail, b.ReplyTo = "noreply@acme.example", "" },
			in:   PreflightInput{Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML}},
			want: []string{CodeNoReplyAddress}},
		{name: "do-not-reply reply-to on the communication", in: PreflightInput{
			Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML, ReplyTo: "do-not-reply@mail.acme.example"}},
			want: []string{CodeNoReplyAddress}},
		{name: "No.Reply+tag brand reply-to", brand: func(b *campaign.Brand) { b.ReplyTo = "No.Reply+apology@acme.example" },
			in:   PreflightInput{Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML}},
			want: []string{CodeNoReplyAddress}},
		{name: "the communication's own reply-to replaces a no-reply brand reply-to",
			brand: func(b *campaign.Brand) { b.ReplyTo = "donotreply@acme.example" },
			in:    PreflightInput{Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML, ReplyTo: "care@acme.example"}}},
		{name: "vague subject 'An update'", in: PreflightInput{
			Content: Content{Subject: "An update", HTML: wrongSegmentHTML}},
			want: []string{CodeUnclearSubject}},
		{name: "vague subject 'An important update'", in: PreflightInput{
			Content: Content{Subject: "An important update", HTML: wrongSegmentHTML}},
			want: []string{CodeUnclearSubject}},
		{name: "empty subject", in: PreflightInput{
			Content: Content{Subject: "  ", HTML: wrongSegmentHTML}},
			want: []string{CodeUnclearSubject}},
		{name: "subject that says nothing: 'Hello from Acme'", in: PreflightInput{
			Content: Content{Subject: "Hello from Acme", HTML: wrongSegmentHTML}},
			want: []string{CodeUnclearSubject}},
		{name: "brand without logo, footer and address: a warning only",
			brand: func(b *campaign.Brand) { b.LogoURL, b.FooterHTML, b.PhysicalAddress = "", "", "" },
			in:    PreflightInput{Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML}},
			want:  []string{CodeNotBranded}},
		{name: "merge tag gaps over the audience pass through", in: PreflightInput{
			Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML},
			MergeGaps: []campaign.TagGap{{Tag: campaign.Tag{Raw: "{{city}}", Field: "city"}, Count: 3, Examples: []string{"a@x.example", "b@x.example", "c@x.example"}},
				{Tag: campaign.Tag{Raw: "{{zip}}", Field: "zip"}, Count: 0}}},
			want: []string{CodeUnresolvedMergeTag}},
		{name: "correction that asks to disregard but never says sorry", in: PreflightInput{Kind: Correction,
			Content: Content{Subject: "Correction: please disregard our previous email",
				Text: "Dear customer,\n\nPlease disregard our previous email about the store opening hours. The store opens at 9am, not 7am.\n\nThe Acme team"}},
			want: []string{CodeNoApology}},
		{name: "HTML apologises first, the text part does not", in: PreflightInput{
			Content: Content{Subject: "We made a mistake", HTML: wrongSegmentHTML,
				Text: "Hi there,\n\nYesterday you received an email about the trail club event that was meant for someone else.\n\nSorry about that."}},
			want: []string{CodeNoApology}},
		{name: "apology only in a comment and a script is no apology", in: PreflightInput{
			Content: Content{Subject: "Sorry: the trail club email",
				HTML: `<!-- we are sorry --><script>var sorry = "we apologise";</script><p>The trail club email you got yesterday was meant for club members only and you can ignore it.</p>`}},
			want: []string{CodeNoApology}},
		{name: "no body at all", in: PreflightInput{Content: Content{Subject: "We made a mistake", HTML: "<p> </p>"}},
			want: []string{CodeNoApology}},
		{name: "'sorry if you were offended' is a non-apology", in: PreflightInput{
			Content: Content{Subject: "About our Mother's Day email",
				Text: "We're sorry if you were offended by our Mother's Day email. It was not meant to hurt anyone.\n\nAcme"}},
			want: []string{CodeUnclearSubject, CodePlainLanguage}},
		{name: "everything wrong at once", brand: func(b *campaign.Brand) { b.FromEmail, b.ReplyTo, b.LogoURL = "no-reply@acme.example", "", "" },
			in:   PreflightInput{Content: Content{Subject: "Heads up 😅", Text: "Our new catalogue is out now with 200 new products for you.\n\nOur bad on the last email, sorry."}},
			want: []string{CodeNoApology, CodeUnclearSubject, CodeNoReplyAddress, CodeHumour, CodeNotBranded}},
	})
}

// modelNotice follows California's model breach notice (Cal. Civ. Code
// § 1798.82(d)): the title, then the five headings in a two-column table.
const modelNotice = `<table>
<tr><td colspan="2"><h1>Notice of Data Breach</h1><p>Dear {{first_name|customer}},</p>
<p>We are writing to tell you about an incident that involved some of your information, and we sincerely apologise for it.</p></td></tr>
<tr><td><strong>What Happened?</strong></td><td>On 3 March an export of our newsletter list was sent by mistake to an outside agency, which has confirmed it deleted it.</td></tr>
<tr><td><strong>What Information Was Involved?</strong></td><td>Your name, your email address and the city you gave us. No payment card or password was in the export.</td></tr>
<tr><td><strong>What We Are Doing.</strong></td><td>We stopped the export, asked the agency to confirm deletion in writing, and now require a second person to approve every list export.</td></tr>
<tr><td><strong>What You Can Do.</strong></td><td>Be careful with emails that claim to come from us and ask for personal details; we never ask for your password by email.</td></tr>
<tr><td><strong>For More Information.</strong></td><td>Call 1-800-555-0199 (Mon–Fri, 9–5 PT) or write to our data protection officer at privacy@acme.example.</td></tr>
</table>`

// credentialsNotice is a text-only notice of a credential-stuffing breach,
// with "Heading:" lines, as many software companies send them.
const credentialsNotice = `Dear customer,

We are sorry to tell you that someone gained access to your Acme account using a password stolen elsewhere.

1. What happened: On 9 June we detected logins to 312 accounts from addresses we had never seen.

2. What information was involved: Your email address, your hashed password and your order history.

3. What we are doing: We reset the passwords of every affected account and blocked the addresses.

4. What you can do: Choose a new password for your Acme account, and change it on any other site where you used the same one. Turn on two-factor authentication in Settings > Security.

5. For more information: Reply to this email or call 1-800-555-0199.`

func without(s, heading string) string {
	out := strings.Replace(s, "<strong>"+heading, "<strong>", 1)
	if out == s {
		panic("heading not found: " + heading)
	}
	return out
}

func TestPreflightBreachNotices(t *testing.T) {
	breach := func(subject, html, text string, ca int, cats ...string) PreflightInput {
		return PreflightInput{Kind: BreachNotice, Content: Content{Subject: subject, HTML: html, Text: text},
			CaliforniaRecipients: ca, DataCategories: cats}
	}
	runCases(t, []mailCase{
		{name: "California model notice to Californians", in: breach("Notice of Data Breach", modelNotice, "", 40, "email_address", "name")},
		{name: "text notice with numbered 'Heading:' lines, credentials with password and 2FA advice",
			in: breach("Notice of Data Breach", "", credentialsNotice, 0, "email_address", "credentials")},
		{name: "HTML notice with h2 headings, credentials, reset password and two-step verification",
			in: breach("Important: Notice of Data Breach", `<p>We're sorry to let you know that your account details were exposed.</p>
<h2>What happened</h2><p>An attacker used a flaw in our login page.</p>
<h2>What information was involved</h2><p>Usernames and passwords.</p>
<h2>What we are doing</h2><p>We fixed the flaw and forced a password reset.</p>
<h2>What you can do</h2><p>Reset your password at acme.example/reset. Turn on 2-step verification with an authenticator app.</p>
<h2>For more information</h2><p>Email security@acme.example.</p>`, "", 0, "credentials")},
		{name: "missing What Happened", in: breach("Notice of Data Breach", without(modelNotice, "What Happened?"), "", 0),
			want: []string{"missing_section:What Happened"}},
		{name: "missing What Information Was Involved", in: breach("Notice of Data Breach", without(modelNotice, "What Information Was Involved?"), "", 0),
			want: []string{"missing_section:What Information Was Involved"}},
		{name: "missing What We Are Doing", in: breach("Notice of Data Breach", without(modelNotice, "What We Are Doing."), "", 0),
			want: []string{"missing_section:What We Are Doing"}},
		{name: "missing What You Can Do", in: breach("Notice of Data Breach", without(modelNotice, "What You Can Do."), "", 0),
			want: []string{"missing_section:What You Can Do"}},
		{name: "missing For More Information", in: breach("Notice of Data Breach", without(modelNotice, "For More Information."), "", 0),
			want: []string{"missing_section:For More Information"}},
		{name: "narrative notice without any heading: the words in prose are not headings",
			in: breach("Notice of Data Breach", `<p>We regret to inform you of a security incident. We want to explain what happened, what information was involved,
what we are doing and what you can do. For more information, read on.</p><p>Last week our email provider was breached and your address was copied.</p>`, "", 0),
			want: []string{"missing_section:What Happened", "missing_section:What Information Was Involved", "missing_section:What We Are Doing",
				"missing_section:What You Can Do", "missing_section:For More Information"}},
		{name: "wrong title with a Californian in the audience", in: breach("Important security notice from Acme", modelNotice, "", 12),
			want: []string{CodeTitle}},
		{name: "the same title is fine with nobody from California", in: breach("Important security notice from Acme", modelNotice, "", 0)},
		{name: "brand prefix before the title", in: breach("Acme Outdoor: notice of data breach", modelNotice, "", 3)},
		{name: "credentials exposed, no password or 2FA advice", in: breach("Notice of Data Breach", modelNotice, "", 0, "credentials"),
			want: []string{"missing_protective_steps:change password+two-factor authentication"}},
		{name: "credentials exposed, password advice but no second factor",
			in:   breach("Notice of Data Breach", strings.Replace(modelNotice, "we never ask for your password by email.", "please change your password now.", 1), "", 0, "credentials"),
			want: []string{"missing_protective_steps:two-factor authentication"}},
		{name: "HTML part complete, text part lacks a heading",
			in:   breach("Notice of Data Breach", modelNotice, strings.Replace(credentialsNotice, "3. What we are doing: ", "", 1), 0),
			want: []string{"missing_section:What We Are Doing"}},
		{name: "hedging clichés are a plain-language warning", in: breach("Notice of Data Breach",
			strings.Replace(modelNotice, "and we sincerely apologise for it.", "and we sincerely apologise for any inconvenience this may have caused. We take your privacy seriously, and out of an abundance of caution we are writing to you.", 1), "", 0),
			want: []string{CodePlainLanguage}},
		{name: "a breach notice is an apology too: not buried, no jokes", in: breach("Notice of Data Breach",
			strings.Replace(modelNotice, "and we sincerely apologise for it.", "and honestly, whoops.", 1), "", 0),
			want: []string{CodeNoApology, CodeHumour}},
	})
}

func TestSeverityAndBlocking(t *testing.T) {
	in := PreflightInput{Kind: Apology, Brand: goodBrand(), Content: Content{Subject: "An update", HTML: wrongSegmentHTML}}
	in.Brand.LogoURL = ""
	ps := Preflight(in)
	if g := codes(ps); !slices.Equal(g, []string{CodeUnclearSubject, CodeNotBranded}) {
		t.Fatalf("problems = %v", g)
	}
	if g := codes(Blocking(ps)); !slices.Equal(g, []string{CodeUnclearSubject}) {
		t.Errorf("blocking = %v, want only unclear_subject (not_branded is a warning)", g)
	}
	if Severity(CodeNotBranded) != SeverityWarning || Severity(CodePlainLanguage) != SeverityWarning || Severity(CodeNoApology) != SeverityBlocking {
		t.Errorf("severities: not_branded %s, no_apology %s", Severity(CodeNotBranded), Severity(CodeNoApology))
	}
	in.Content.Subject = "We made a mistake"
	if b := Blocking(Preflight(in)); b == nil || len(b) != 0 {
		t.Errorf("blocking of a warning-only preflight = %#v, want an empty list", b)
	}
}

func TestHTMLReading(t *testing.T) {
	b := htmlBody(`<div title="a > b">First &amp; <b>bold</b> line</div><!-- hidden --><STYLE>p{}</STYLE><script>x</script>
<p>2 &lt; 3 < 4</p><br/>tail <h3>Head <i>ing</i></h3><p>unclosed <a href='x>y'>link`)
	wantBlocks := []string{"First & bold line", "2 < 3 < 4", "tail", "Head ing", "unclosed link"}
	if !slices.Equal(b.blocks, wantBlocks) {
		t.Errorf("blocks = %q, want %q", b.blocks, wantBlocks)
	}
	if !slices.Equal(b.headings, []string{"bold", "Head ing"}) {
		t.Errorf("headings = %q", b.headings)
	}
	if got := htmlBody(`<p>a</p><script>never closed`).blocks; !slices.Equal(got, []string{"a"}) {
		t.Errorf("unclosed script: blocks = %q", got)
	}
}
