package communication

import (
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"github.com/firebreak/firebreak/domain/campaign"
)

// The footer's unsubscribe link in Wrap's output, one key per part because
// the link is HTML-escaped in the HTML part only. They are SendGrid
// substitution keys, not merge tags: the sender adds UnsubscribeSubstitutions
// of each recipient's one-click URL to that recipient's substitutions, and
// RenderForRecipient replaces them the same way.
const (
	UnsubscribeHTMLKey = "%firebreak_unsubscribe_url_html%"
	UnsubscribeTextKey = "%firebreak_unsubscribe_url_text%"
)

// DefaultColor is the accent used when a brand has no valid primary colour.
const DefaultColor = "#1f2937"

// UnsubscribeSubstitutions is one recipient's values for the unsubscribe keys
// of Wrap's output: the URL escaped for HTML, and as is for the text part.
func UnsubscribeSubstitutions(unsubscribeURL string) map[string]string {
	return map[string]string{UnsubscribeHTMLKey: campaign.EscapeHTML(unsubscribeURL), UnsubscribeTextKey: unsubscribeURL}
}

// Wrap puts c inside brand b's email template: a 600-pixel table layout that
// narrows on a phone, the logo (or the brand's name) in its primary colour,
// the body, then a footer with footer_html, the physical address, an
// invitation to reply and the one-click unsubscribe link (the
// UnsubscribeHTMLKey/UnsubscribeTextKey placeholders). Merge tags stay
// unresolved, ready for campaign.NewMergeContent and per-recipient
// substitutions; ReplyTo is c's, else the brand's.
//
// What is trusted: c.HTML is the author's HTML and is inserted as is (merge
// values in it are escaped when they are resolved, by campaign.RenderHTML or
// SendGrid's substitutions from NewMergeContent). b.FooterHTML is HTML by
// design, set by an admin, and is inserted as is too. Every other brand field
// is text and escaped; PrimaryColor must be #rgb or #rrggbb (else
// DefaultColor) and LogoURL an http(s) URL (else no logo). Brand fields are
// not merge templates: "{{" in them is written so it can never become a tag.
// The template has no functions: it cannot read files or call out.
func Wrap(b campaign.Brand, c Content) Content {
	replyTo := strings.TrimSpace(c.ReplyTo)
	if replyTo == "" {
		replyTo = strings.TrimSpace(b.ReplyTo)
	}
	showReply := replyTo
	if campaign.IsNoReply(showReply) {
		showReply = ""
	}
	name := strings.TrimSpace(b.FromName)
	if name == "" {
		name = strings.TrimSpace(b.Name)
	}
	d := wrapData{
		Subject: c.Subject,
		Name:    noTags(name),
		Color:   template.CSS(color(b.PrimaryColor)),
		Logo:    logoURL(b.LogoURL),
		Body:    template.HTML(c.HTML),
		Footer:  template.HTML(strings.ReplaceAll(b.FooterHTML, "{{", "{&#123;")),
		Address: noTags(strings.TrimSpace(b.PhysicalAddress)),
		ReplyTo: noTags(showReply),
	}
	var h strings.Builder
	if err := wrapHTML.Execute(&h, d); err != nil {
		// The template is fixed and its data are strings: this cannot
		// happen short of a bug, which a test would show.
		panic("communication: brand template: " + err.Error())
	}
	return Content{Subject: c.Subject, HTML: h.String(), Text: wrapText(c.Text, d, b.FooterHTML), ReplyTo: replyTo}
}

// RenderForRecipient is exactly what one recipient receives of c sent for
// brand b: Wrap's output with the merge tags resolved for v (escaped in the
// HTML, as is in the subject and text: campaign.RenderHTML/RenderText) and the
// footer's unsubscribe link set to unsubscribeURL. tags are the merge tags
// of c (campaign.ParseTags over its subject, HTML and text); the brand's
// template adds none. It is what the preview shows and what SendGrid renders
// from Wrap, NewMergeContent and the substitutions.
func RenderForRecipient(b campaign.Brand, c Content, tags []campaign.Tag, v campaign.Values, unsubscribeURL string) (subject, htmlPart, text string) {
	w := Wrap(b, c)
	// The link first: a merge value spelling a key is then left as written.
	h := strings.ReplaceAll(w.HTML, UnsubscribeHTMLKey, campaign.EscapeHTML(unsubscribeURL))
	t := strings.ReplaceAll(w.Text, UnsubscribeTextKey, unsubscribeURL)
	return campaign.RenderText(w.Subject, tags, v), campaign.RenderHTML(h, tags, v), campaign.RenderText(t, tags, v)
}

type wrapData struct {
	Subject, Name, Address, ReplyTo string
	Color                           template.CSS
	Logo                            string
	Body, Footer                    template.HTML
}

var colorPattern = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

func color(c string) string {
	if c = strings.TrimSpace(c); colorPattern.MatchString(c) {
		return c
	}
	return DefaultColor
}

// logoURL keeps an absolute http(s) URL with a host and drops anything else
// (javascript:, data:, relative paths a mail client cannot resolve).
func logoURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return noTags(s)
}

// noTags breaks "{{" in a brand text field so it can never become a merge tag
// in either part (it still reads as two braces).
func noTags(s string) string { return strings.ReplaceAll(s, "{{", "{\u200b{") }

var wrapHTML = template.Must(template.New("brand").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>{{.Subject}}</title>
<style>
@media only screen and (max-width: 620px) {
  .fb-container { width: 100% !important; }
  .fb-pad { padding-left: 16px !important; padding-right: 16px !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;">
<tr><td align="center" style="padding:24px 8px;">
<table role="presentation" class="fb-container" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border-top:4px solid {{.Color}};">
<tr><td class="fb-pad" style="padding:24px 32px 8px 32px;font-family:Arial,Helvetica,sans-serif;">
{{- if .Logo}}
<img src="{{.Logo}}" alt="{{.Name}}" height="40" style="display:block;border:0;height:40px;max-width:200px;">
{{- else}}
<span style="font-size:20px;font-weight:bold;color:{{.Color}};">{{.Name}}</span>
{{- end}}
</td></tr>
<tr><td class="fb-pad" style="padding:16px 32px 24px 32px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;">
{{.Body}}
</td></tr>
<tr><td class="fb-pad" style="padding:16px 32px 24px 32px;border-top:1px solid #e5e7eb;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:1.5;color:#6b7280;">
{{- if .Footer}}
<div>{{.Footer}}</div>
{{- end}}
{{- if .Address}}
<p style="margin:8px 0 0 0;">{{.Name}} · {{.Address}}</p>
{{- end}}
{{- if .ReplyTo}}
<p style="margin:8px 0 0 0;">Questions? Reply to this email or write to <a href="mailto:{{.ReplyTo}}" style="color:{{.Color}};">{{.ReplyTo}}</a>.</p>
{{- end}}
<p style="margin:8px 0 0 0;"><a href="` + UnsubscribeHTMLKey + `" style="color:{{.Color}};">Unsubscribe</a> from {{.Name}} emails with one click.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`))

// wrapText is Wrap's text part: the body, then the same footer in words.
func wrapText(body string, d wrapData, footerHTML string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(body, " \t\r\n"))
	b.WriteString("\n\n--\n")
	if f := noTags(htmlToText(footerHTML)); f != "" {
		b.WriteString(f + "\n")
	}
	if d.Address != "" {
		b.WriteString(d.Name + " · " + d.Address + "\n")
	}
	if d.ReplyTo != "" {
		b.WriteString("Questions? Reply to this email or write to " + d.ReplyTo + ".\n")
	}
	b.WriteString("Unsubscribe from " + d.Name + " emails: " + UnsubscribeTextKey + "\n")
	return b.String()
}

var (
	dropElements = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(?:script|style|head|title)\s*>`)
	breakTags    = regexp.MustCompile(`(?i)<(?:br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>`)
	anyTag       = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	blankRuns    = regexp.MustCompile(`[ \t]+`)
)

// htmlToText reads trusted footer HTML as text for the text part: elements
// that are not text dropped, block ends as line breaks, tags removed,
// entities decoded, blank lines and runs of spaces collapsed.
func htmlToText(s string) string {
	s = dropElements.ReplaceAllString(s, "")
	s = breakTags.ReplaceAllString(s, "\n")
	s = html.UnescapeString(anyTag.ReplaceAllString(s, ""))
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(blankRuns.ReplaceAllString(l, " ")); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
