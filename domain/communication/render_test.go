package communication_test

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/runbook"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const unsubURL = "https://firebreak.example/u/c1/r1/sig?x=1&y=2"

func brand() campaign.Brand {
	return campaign.Brand{
		ID: "b1", Name: "Northwind Outfitters", FromEmail: "news@northwind.example", FromName: "Northwind",
		ReplyTo: "care@northwind.example", LogoURL: "https://cdn.northwind.example/logo.png", PrimaryColor: "#0a7d4f",
		FooterHTML:      `<p>You receive our news because you joined <a href="https://northwind.example">Northwind</a> &amp; friends.</p>`,
		PhysicalAddress: "12 Harbour Road, Portland, ME 04101",
	}
}

func recipient() campaign.Values {
	return campaign.Values{Email: "ana@example.com", FirstName: "Ana", Attributes: map[string]string{"plan": "gold"}}
}

func tagsOf(c communication.Content) []campaign.Tag {
	tags, _ := campaign.ParseTags(c.Subject, c.HTML, c.Text)
	return tags
}

func TestRenderForRecipientGolden(t *testing.T) {
	rb, _ := shipped(t).Get(runbook.WrongSegment)
	c, err := communication.FromTemplate(rb, communication.Apology, sampleFacts())
	if err != nil {
		t.Fatal(err)
	}
	subject, html, text := communication.RenderForRecipient(brand(), c, tagsOf(c), recipient(), unsubURL)
	got := "Subject: " + subject + "\n\n" + html + "\n----- text/plain -----\n" + text
	golden := filepath.Join("testdata", "wrong-segment-apology.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("the rendered apology differs from %s (go test -update rewrites it after a deliberate change):\n%s", golden, got)
	}
}

func TestRenderForRecipientIsABrandedEmail(t *testing.T) {
	c := communication.Content{Subject: "Sorry, {{first_name|there}}", HTML: "<p>Dear {{first_name|there}}, sorry.</p>", Text: "Dear {{first_name|there}}, sorry."}
	subject, html, text := communication.RenderForRecipient(brand(), c, tagsOf(c), recipient(), unsubURL)
	if subject != "Sorry, Ana" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{
		`<meta name="viewport" content="width=device-width, initial-scale=1">`, "max-width:600px", "@media only screen and (max-width: 620px)",
		`<img src="https://cdn.northwind.example/logo.png" alt="Northwind"`, "border-top:4px solid #0a7d4f",
		"<p>Dear Ana, sorry.</p>", brand().FooterHTML, "Northwind · 12 Harbour Road, Portland, ME 04101",
		`<a href="mailto:care@northwind.example"`, `<a href="https://firebreak.example/u/c1/r1/sig?x=1&amp;y=2"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML has no %q:\n%s", want, html)
		}
	}
	for _, want := range []string{
		"Dear Ana, sorry.", "You receive our news because you joined Northwind & friends.", "Northwind · 12 Harbour Road, Portland, ME 04101",
		"care@northwind.example", "Unsubscribe from Northwind emails: " + unsubURL,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text has no %q:\n%s", want, text)
		}
	}
	if strings.Contains(html+text, "%firebreak_unsubscribe") {
		t.Error("an unsubscribe placeholder is left")
	}
}

func TestWrapEscapesBrandFields(t *testing.T) {
	b := brand()
	b.Name, b.FromName = "<script>alert('name')</script>", ""
	b.PhysicalAddress = `1 Road <img src=x onerror=alert(1)>`
	b.ReplyTo = `care@x.example"><script>alert(2)</script>`
	w := communication.Wrap(b, communication.Content{Subject: "<b>Sorry</b>", HTML: "<p>Sorry</p>", Text: "Sorry"})
	if strings.Contains(w.HTML, "<script>") || strings.Contains(w.HTML, "<img src=x") || strings.Contains(w.HTML, "<b>Sorry</b>") {
		t.Errorf("a brand field reached the HTML as markup:\n%s", w.HTML)
	}
	for _, want := range []string{"&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;", "1 Road &lt;img src=x onerror=alert(1)&gt;", "<title>&lt;b&gt;Sorry&lt;/b&gt;</title>"} {
		if !strings.Contains(w.HTML, want) {
			t.Errorf("the HTML has no %q:\n%s", want, w.HTML)
		}
	}
}

func TestWrapColourAndLogo(t *testing.T) {
	for _, tc := range []struct{ color, want string }{
		{"#0a7d4f", "#0a7d4f"}, {"#abc", "#abc"}, {"", communication.DefaultColor}, {"red", communication.DefaultColor},
		{"#12345", communication.DefaultColor}, {"#0a7d4f;background:url(https://evil.example/x)", communication.DefaultColor},
		{"expression(alert(1))", communication.DefaultColor},
	} {
		b := brand()
		b.PrimaryColor = tc.color
		w := communication.Wrap(b, communication.Content{HTML: "<p>Sorry</p>"})
		if !strings.Contains(w.HTML, "border-top:4px solid "+tc.want+";") || strings.Contains(w.HTML, "evil") || strings.Contains(w.HTML, "expression") {
			t.Errorf("colour %q: want %s in:\n%s", tc.color, tc.want, w.HTML)
		}
	}
	for _, logo := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "data:image/png;base64,AAAA", "/logo.png", "https://", " vbscript:x"} {
		b := brand()
		b.LogoURL = logo
		w := communication.Wrap(b, communication.Content{HTML: "<p>Sorry</p>"})
		if strings.Contains(w.HTML, "<img") || strings.Contains(strings.ToLower(w.HTML), "script:") || strings.Contains(w.HTML, "data:") {
			t.Errorf("logo %q was kept:\n%s", logo, w.HTML)
		}
		if !strings.Contains(w.HTML, ">Northwind</span>") {
			t.Errorf("logo %q: the brand's name does not stand in for it", logo)
		}
	}
}

func TestRenderForRecipientEscapesMergeValuesInHTMLOnly(t *testing.T) {
	v := recipient()
	v.FirstName = `<a href="https://evil.example">win</a>`
	c := communication.Content{Subject: "Sorry, {{first_name}}", HTML: "<p>Dear {{first_name}},</p>", Text: "Dear {{first_name}},"}
	subject, html, text := communication.RenderForRecipient(brand(), c, tagsOf(c), v, unsubURL)
	if strings.Contains(html, `<a href="https://evil.example">`) || !strings.Contains(html, "<p>Dear &lt;a href=&#34;https://evil.example&#34;&gt;win&lt;/a&gt;,</p>") {
		t.Errorf("the merge value is not escaped in the HTML:\n%s", html)
	}
	if !strings.Contains(text, "Dear "+v.FirstName+",") || subject != "Sorry, "+v.FirstName {
		t.Errorf("the merge value is not plain in the subject and text: %q\n%s", subject, text)
	}
}

func TestWrapBrandFieldsAreNotMergeTags(t *testing.T) {
	b := brand()
	b.FromName = "{{email}}"
	b.PhysicalAddress = "{{first_name}} Street"
	b.FooterHTML = "<p>Footer {{email}}</p>"
	c := communication.Content{HTML: "<p>Sorry</p>", Text: "Sorry"}
	_, html, text := communication.RenderForRecipient(b, c, tagsOf(c), recipient(), unsubURL)
	if strings.Contains(html+text, "ana@example.com") || strings.Contains(html+text, "Ana Street") {
		t.Errorf("a brand field was merged:\n%s\n%s", html, text)
	}
	w := communication.Wrap(b, c)
	if tags, problems := campaign.ParseTags(w.Subject, w.HTML, w.Text); len(tags)+len(problems) != 0 {
		t.Errorf("the brand template put merge tags in the mail: %v %v", tags, problems)
	}
}

func TestWrapReplyTo(t *testing.T) {
	c := communication.Content{HTML: "<p>Sorry</p>", Text: "Sorry"}
	if w := communication.Wrap(brand(), c); w.ReplyTo != "care@northwind.example" {
		t.Errorf("reply-to %q; want the brand's", w.ReplyTo)
	}
	c.ReplyTo = "incident-42@northwind.example"
	if w := communication.Wrap(brand(), c); w.ReplyTo != c.ReplyTo || !strings.Contains(w.HTML, "mailto:incident-42@northwind.example") {
		t.Errorf("reply-to %q; want the communication's", w.ReplyTo)
	}
	c.ReplyTo = "no-reply@northwind.example"
	if w := communication.Wrap(brand(), c); strings.Contains(w.HTML+w.Text, "no-reply@") {
		t.Error("the footer invites replies to a no-reply address")
	}
}

// TestWrapThenSubstituteIsTheRecipientsView sends what Wrap makes the way the
// sender does (NewMergeContent plus substitutions, replaced like SendGrid) and
// compares it with RenderForRecipient: the preview is what is delivered.
func TestWrapThenSubstituteIsTheRecipientsView(t *testing.T) {
	rb, _ := shipped(t).Get(runbook.BrokenPersonalization)
	c, err := communication.FromTemplate(rb, communication.Apology, sampleFacts())
	if err != nil {
		t.Fatal(err)
	}
	c.Subject += " {{attr.plan|member}}"
	v := recipient()
	v.FirstName = `Ann & "Bo" {{email}}`
	w := communication.Wrap(brand(), c)
	m := campaign.NewMergeContent(w.Subject, w.Text, w.HTML)
	subs := m.PersonalizationSubstitutions(v)
	for k, val := range communication.UnsubscribeSubstitutions(unsubURL) {
		subs[k] = val
	}
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, subs[k])
	}
	sg := strings.NewReplacer(pairs...)
	subject, html, text := communication.RenderForRecipient(brand(), c, tagsOf(c), v, unsubURL)
	if got := sg.Replace(m.Subject); got != subject {
		t.Errorf("subject: delivered %q, preview %q", got, subject)
	}
	if got := sg.Replace(m.HTML); got != html {
		t.Errorf("html: delivered\n%s\npreview\n%s", got, html)
	}
	if got := sg.Replace(m.Text); got != text {
		t.Errorf("text: delivered\n%s\npreview\n%s", got, text)
	}
}
