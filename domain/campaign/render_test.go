package campaign_test

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/campaign"
)

const evil = `<a href="https://evil.example">Claim your refund</a>`

// substitute is SendGrid's legacy substitution: every key replaced by its
// exact text in one pass, the longer key first where two start at one place.
func substitute(s string, subs map[string]string) string {
	keys := slices.Collect(maps.Keys(subs))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a, b)) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, subs[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// substituteAgain is a provider that substitutes key by key, each over the
// output of the one before (in the given key order): a value containing
// another key's text would then be substituted too.
func substituteAgain(s string, subs map[string]string, keys []string) string {
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, subs[k])
	}
	return s
}

func TestRender(t *testing.T) {
	tags, _ := campaign.ParseTags("Dear {{first_name|friend}} from {{attr.city}} <{{email}}>")
	tests := []struct {
		name       string
		v          campaign.Values
		text, html string
	}{
		{"plain", campaign.Values{Email: "ana@x.io", FirstName: "Ana", Attributes: map[string]string{"city": "Porto"}},
			"Dear Ana from Porto <ana@x.io>", "Dear Ana from Porto <ana@x.io>"},
		{"markup in a value", campaign.Values{Email: "e@x.io", FirstName: evil, Attributes: map[string]string{"city": `Tom & "Jerry's"`}},
			"Dear " + evil + ` from Tom & "Jerry's" <e@x.io>`,
			"Dear &lt;a href=&#34;https://evil.example&#34;&gt;Claim your refund&lt;/a&gt; from Tom &amp; &#34;Jerry&#39;s&#34; <e@x.io>"},
		{"a value that spells a tag", campaign.Values{Email: "e@x.io", FirstName: "{{email}}"},
			"Dear {{email}} from  <e@x.io>", "Dear &#123;&#123;email}} from  <e@x.io>"},
		{"fallback", campaign.Values{Email: "e@x.io"}, "Dear friend from  <e@x.io>", "Dear friend from  <e@x.io>"},
	}
	s := "Dear {{first_name|friend}} from {{attr.city}} <{{email}}>"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := campaign.RenderText(s, tags, tc.v); got != tc.text {
				t.Errorf("RenderText = %q, want %q", got, tc.text)
			}
			if got := campaign.RenderHTML(s, tags, tc.v); got != tc.html {
				t.Errorf("RenderHTML = %q, want %q", got, tc.html)
			}
		})
	}
}

func TestPersonalizationSubstitutionsEscapeForHTMLOnly(t *testing.T) {
	subject, text := "Hi {{first_name|there}}", "Dear {{first_name|there}}, see {{attr.link}}"
	html := `<p>Dear {{first_name|there}}</p><a href="https://acme.example/?u={{email}}">account</a>`
	m := campaign.NewMergeContent(subject, text, html)
	if m.Subject != subject || m.Text != text {
		t.Fatalf("subject and text must keep their tags as written: %q %q", m.Subject, m.Text)
	}
	if strings.Contains(m.HTML, "{{first_name") || strings.Contains(m.HTML, "{{email}}") {
		t.Fatalf("the HTML part still has the plain keys: %s", m.HTML)
	}
	v := campaign.Values{Email: "eve@x.io", FirstName: evil, Attributes: map[string]string{"link": "<b>x</b>"}}
	subs := m.PersonalizationSubstitutions(v)
	if subs["{{first_name|there}}"] != evil || subs["{{attr.link}}"] != "<b>x</b>" {
		t.Fatalf("plain keys carry the values as is: %v", subs)
	}
	if _, ok := subs["{{email}}"]; ok {
		t.Errorf("{{email}} is only in the HTML part; it needs no plain key: %v", subs)
	}
	if len(subs) != 4 { // first_name and attr.link plain; first_name and email for HTML
		t.Errorf("substitutions %v", subs)
	}
	if got, want := substitute(m.HTML, subs), `<p>Dear &lt;a href=&#34;https://evil.example&#34;&gt;Claim your refund&lt;/a&gt;</p>`+
		`<a href="https://acme.example/?u=eve@x.io">account</a>`; got != want {
		t.Errorf("html delivered\n %s\nwant\n %s", got, want)
	}
	if got := substitute(m.Subject, subs); got != "Hi "+evil {
		t.Errorf("subject delivered %q", got)
	}
	if got := substitute(m.Text, subs); got != "Dear "+evil+", see <b>x</b>" {
		t.Errorf("text delivered %q", got)
	}
	if other := campaign.NewMergeContent(subject, text, html); other.HTML == m.HTML {
		t.Errorf("the HTML keys must differ per message (unguessable): %s", m.HTML)
	}
	if campaign.NewMergeContent("Hello", "", "<p>Hi</p>").PersonalizationSubstitutions(v) != nil {
		t.Error("no tags, no substitutions")
	}
}

// FuzzMergeValuesNeverMarkup checks, for any HTML part and any merge values,
// that a "<" in what the recipient gets comes from the campaign's own text,
// never from a value or a fallback: with RenderHTML (previews), with SendGrid's
// one-pass substitution of NewMergeContent's keys (the mail), and with a
// provider that substitutes key by key over its own output. The mail also
// renders exactly what the preview shows.
func FuzzMergeValuesNeverMarkup(f *testing.F) {
	f.Add(`<p>Dear {{first_name|there}}</p><a href="https://x/?u={{email}}">{{attr.city}}</a>`, "Hi {{last_name}}", evil, "<i>", "{{first_name}}")
	f.Add(`{{{first_name}}`, "{{first_name}}", "<b>", "", "")
	f.Add(`{{first_name|<b>x</b>}} {{last_name}}`, "", "", "<{{first_name}}", "{{h:")
	f.Fuzz(func(t *testing.T, html, subject, first, last, city string) {
		tags, _ := campaign.ParseTags(subject, html)
		v := campaign.Values{Email: "e@x.io", FirstName: first, LastName: last, Attributes: map[string]string{"city": city}}
		pairs := []string{}
		for _, tg := range tags {
			pairs = append(pairs, tg.Raw, "")
		}
		own := strings.Count(strings.NewReplacer(pairs...).Replace(html), "<")

		preview := campaign.RenderHTML(html, tags, v)
		if n := strings.Count(preview, "<"); n != own {
			t.Fatalf("RenderHTML has %d '<', the template's own text %d:\n%s", n, own, preview)
		}
		m := campaign.NewMergeContent(subject, "", html)
		subs := m.PersonalizationSubstitutions(v)
		mail := substitute(m.HTML, subs)
		if mail != preview {
			t.Fatalf("mail\n %q\npreview\n %q", mail, preview)
		}
		keys := slices.Sorted(maps.Keys(subs))
		reversed := slices.Clone(keys)
		slices.Reverse(reversed)
		for _, order := range [][]string{keys, reversed} {
			if n := strings.Count(substituteAgain(m.HTML, subs, order), "<"); n != own {
				t.Fatalf("substituting key by key gives %d '<', want %d", n, own)
			}
		}
		if got, want := substitute(m.Subject, subs), campaign.RenderText(subject, tags, v); got != want {
			t.Fatalf("subject %q, want %q", got, want)
		}
	})
}
