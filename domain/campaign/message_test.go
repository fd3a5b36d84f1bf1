package campaign

// An internal test: it drives the dispatcher's message builder directly, so it
// needs no fake of the Repo port, and it reads the request the way SendGrid
// does (exact-text substitution in subject, text and HTML).

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/esp"
)

const evilLink = `<a href="https://evil.example">Claim your refund</a>`

// delivered is what a recipient of personalization i would receive: SendGrid
// replaces each substitution key by its exact text, in the subject and in every
// content part alike (longer keys first where two start at the same place).
func delivered(m esp.Message, i int) (subject, text, html string) {
	subs := m.Personalizations[i].Substitutions
	keys := slices.Collect(maps.Keys(subs))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, subs[k])
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace(m.Subject), r.Replace(m.Text), r.Replace(m.HTML)
}

func TestMessageEscapesMergeValuesInHTMLOnly(t *testing.T) {
	s := &Service{cfg: Config{PublicURL: "https://fb.example", UnsubscribeKey: []byte("k"), Now: time.Now}}
	cl := &Claim{
		Campaign: Campaign{ID: "c1", Subject: "Hi {{first_name|there}}",
			HTML: `<p>Dear {{first_name|friend}}</p><p><a href="https://acme.example/?u={{email}}">Account</a> {{attr.city}}</p>`,
			Text: "Dear {{first_name|friend}}, {{attr.city}}"},
		Brand: Brand{FromEmail: "news@acme.example", ReplyTo: "help@acme.example"},
		Recipients: []Recipient{
			{ID: "r1", Values: Values{Email: "eve@example.com", FirstName: evilLink, Attributes: map[string]string{"city": "Tom & Jerry's"}}},
			{ID: "r2", Values: Values{Email: "ana@example.com", FirstName: "Ana"}},
		},
	}
	m := s.message(cl)

	subject, text, html := delivered(m, 0)
	if strings.Contains(html, "evil.example\"") || strings.Contains(html, "<a href=\"https://evil") {
		t.Errorf("the merge value arrives as live HTML:\n%s", html)
	}
	if want := "Dear &lt;a href=&#34;https://evil.example&#34;&gt;Claim your refund&lt;/a&gt;"; !strings.Contains(html, want) {
		t.Errorf("html part lacks the escaped value %q:\n%s", want, html)
	}
	if !strings.Contains(html, "Tom &amp; Jerry&#39;s") || !strings.Contains(html, `href="https://acme.example/?u=eve@example.com"`) {
		t.Errorf("html part:\n%s", html)
	}
	if want := "Dear " + evilLink + ", Tom & Jerry's"; text != want {
		t.Errorf("text part %q, want the plain value %q", text, want)
	}
	if want := "Hi " + evilLink; subject != want {
		t.Errorf("subject %q, want the plain value %q", subject, want)
	}

	subject, text, html = delivered(m, 1)
	if subject != "Hi Ana" || text != "Dear Ana, " ||
		html != `<p>Dear Ana</p><p><a href="https://acme.example/?u=ana@example.com">Account</a> </p>` {
		t.Errorf("a plain recipient: %q %q %q", subject, text, html)
	}
}
