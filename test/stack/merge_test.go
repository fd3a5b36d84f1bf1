package stack_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/sgsim"
)

// TestMergeValuesCannotInjectHTML imports a recipient whose first name is a
// link, sends a campaign that greets by first name, and reads the message the
// simulator (rendering like SendGrid: exact-text substitution in subject, text
// and HTML) would deliver: the HTML part shows the value as text, escaped; the
// text part and the subject carry it as written.
func TestMergeValuesCannotInjectHTML(t *testing.T) {
	s := startStack(t, stackOpts{})
	const evil = `<a href="https://evil.example">Claim your refund</a>`
	imp := s.importCSV("email,first_name,last_name,segments,city\n" +
		`eve@example.com,"<a href=""https://evil.example"">Claim your refund</a>",,m,Tom & Jerry's` + "\n" +
		"ana@example.com,Ana,,m,Porto\n")
	if imp.Imported != 2 || len(imp.Rejected) != 0 {
		t.Fatalf("import %+v", imp)
	}
	id := s.campaign(map[string]any{"name": "m", "brand_id": s.brand("help@acme.example"),
		"subject": "Hi {{first_name|there}}",
		"html":    `<p>Dear {{first_name|friend}} from {{attr.city|here}}</p><p><a href="https://acme.example/account?u={{email}}">Your account</a></p>`,
		"text":    "Dear {{first_name|friend}} from {{attr.city|here}}", "segments": []string{"m"}})
	if code := s.postJSON("/api/v1/campaigns/"+id+"/send", nil, nil); code != 202 {
		t.Fatalf("send: %d", code)
	}
	s.waitFor("campaign sent", 30*time.Second, func() bool { return s.get(id).Status == "sent" })

	byTo := map[string]sgsim.Message{}
	for _, m := range s.sim.Messages() {
		byTo[m.To] = m
	}
	part := func(m sgsim.Message, typ string) string {
		for _, c := range m.Contents {
			if c.Type == typ {
				return c.Value
			}
		}
		t.Fatalf("%s: no %s part in %+v", m.To, typ, m.Contents)
		return ""
	}
	eve, ok := byTo["eve@example.com"]
	if !ok {
		t.Fatalf("eve was not handed over: %v", handedTo(s.sim))
	}
	html := part(eve, "text/html")
	if strings.Contains(html, `<a href="https://evil.example"`) {
		t.Errorf("the merge value arrives as a live link:\n%s", html)
	}
	if want := "<p>Dear &lt;a href=&#34;https://evil.example&#34;&gt;Claim your refund&lt;/a&gt; from Tom &amp; Jerry&#39;s</p>" +
		`<p><a href="https://acme.example/account?u=eve@example.com">Your account</a></p>`; html != want {
		t.Errorf("html part\n %s\nwant\n %s", html, want)
	}
	if text, want := part(eve, "text/plain"), "Dear "+evil+" from Tom & Jerry's"; text != want {
		t.Errorf("text part %q, want %q", text, want)
	}
	if want := "Hi " + evil; eve.Subject != want {
		t.Errorf("subject %q, want %q", eve.Subject, want)
	}
	ana := byTo["ana@example.com"]
	if got := part(ana, "text/html"); got != `<p>Dear Ana from Porto</p><p><a href="https://acme.example/account?u=ana@example.com">Your account</a></p>` {
		t.Errorf("a plain recipient's html part: %s", got)
	}
	if ana.Subject != "Hi Ana" || part(ana, "text/plain") != "Dear Ana from Porto" {
		t.Errorf("a plain recipient: %q %q", ana.Subject, part(ana, "text/plain"))
	}
}
