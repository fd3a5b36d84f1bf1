package campaign

import (
	"cmp"
	"crypto/rand"
	"html"
	"slices"
	"strconv"
	"strings"
)

// A merge value is plain text wherever it lands. In the subject and the
// text/plain part it is written as is; in the text/html part it is escaped, so
// a first name of `<a href="https://evil.example">` shows as those characters
// and never becomes markup. SendGrid's legacy substitutions replace one key by
// one value in the subject and in every content part alike, so the HTML part
// cannot share keys with the others: MergeContent rewrites each tag of the
// HTML part to a key of its own, and a recipient's substitutions carry both
// key sets.
//
// Escaping makes a value safe as element text and inside a quoted attribute
// value (`href="https://x/?u={{email}}"`; an unquoted one is not safe: a space
// in the value would start a new attribute). It does not vet URLs: a tag that
// starts a URL attribute (`href="{{attr.link}}"`) lets the value choose the
// scheme, `javascript:` included. Write the scheme and host in the campaign
// and merge only the path or query.

// RenderText replaces every tag in s with its value for v, as is: for the
// subject and the text/plain part (and their previews). tags come from
// ParseTags; a tag not in tags is left as written.
func RenderText(s string, tags []Tag, v Values) string {
	return render(s, tags, v, func(val string) string { return val })
}

// RenderHTML replaces every tag in s with its value for v escaped for HTML
// (EscapeHTML): for the text/html part and its preview. With the campaign's
// tags (Campaign.Tags) it renders exactly what SendGrid delivers from
// MergeContent's HTML and substitutions, as RenderText does for the subject
// and text.
func RenderHTML(s string, tags []Tag, v Values) string {
	return render(s, tags, v, EscapeHTML)
}

func render(s string, tags []Tag, v Values, esc func(string) string) string {
	pairs := make([]string, 0, 2*len(tags))
	for _, t := range longestFirst(tags) {
		val, _ := Resolve(t, v)
		pairs = append(pairs, t.Raw, esc(val))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// EscapeHTML is how a merge value (or a fallback: both are text) is written
// into HTML: html.EscapeString (< > & ' "), and "{" as &#123; so that no
// escaped value can spell a merge tag or a substitution key, should the
// provider ever substitute again inside a value it has inserted.
func EscapeHTML(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "{", "&#123;")
}

// MergeContent is a message's subject and bodies made ready for SendGrid's
// per-recipient substitutions. Subject and Text are the campaign's, with its
// tags as written (their keys are the tags' exact text); HTML has every tag
// rewritten to a key that is used in the HTML part only. Build it once per
// mail-send request and take each recipient's map from
// PersonalizationSubstitutions.
type MergeContent struct {
	Subject string
	Text    string
	HTML    string

	plain []Tag     // the tags of Subject and Text, keyed by Raw
	html  []htmlKey // the tags of the HTML part, each with its key
}

type htmlKey struct {
	key string
	tag Tag
}

// NewMergeContent parses the tags of all three parts (as Campaign.Tags does)
// and rewrites each one found in the HTML part to its HTML key.
// The HTML keys look like "{{h:NONCE:N}}": NONCE is random per call, so a
// recipient or an author cannot write another tag's key into a value or the
// content, and the call makes sure no part already contains it. After the
// rewrite the HTML part contains no tag's text, a key never contains one
// either, and an escaped value contains no "{": so neither key set can match
// in the other's part or inside an HTML value. Malformed and unknown tags are
// left as written (preflight refuses to send them).
func NewMergeContent(subject, text, htmlPart string) MergeContent {
	tags, _ := ParseTags(subject, htmlPart, text)
	m := MergeContent{Subject: subject, Text: text, HTML: htmlPart}
	var prefix string
	for _, t := range tags {
		if strings.Contains(subject, t.Raw) || strings.Contains(text, t.Raw) {
			m.plain = append(m.plain, t)
		}
		if strings.Contains(htmlPart, t.Raw) {
			if prefix == "" {
				prefix = keyPrefix(subject, text, htmlPart)
			}
			m.html = append(m.html, htmlKey{key: prefix + strconv.Itoa(len(m.html)) + "}}", tag: t})
		}
	}
	if len(m.html) == 0 {
		return m
	}
	pairs := make([]string, 0, 2*len(m.html))
	for _, k := range longestKeyFirst(m.html) {
		pairs = append(pairs, k.tag.Raw, k.key)
	}
	m.HTML = strings.NewReplacer(pairs...).Replace(htmlPart)
	return m
}

// keyPrefix returns "{{h:NONCE:" with a random NONCE that none of the texts
// contains.
func keyPrefix(texts ...string) string {
	for {
		p := "{{h:" + rand.Text()[:12] + ":"
		if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, p) }) {
			return p
		}
	}
}

// PersonalizationSubstitutions is recipient v's substitutions for m: each tag
// of the subject and text part by its exact text to its value as is, and each
// HTML key to the value escaped (EscapeHTML). With m's Subject, Text and HTML
// they render what RenderText and RenderHTML render from the campaign.
//
// SendGrid allows 10,000 bytes of substitutions per personalization; a tag
// used in both the HTML and the other parts counts twice, and escaping can
// lengthen a value (a personalization over the limit fails its whole request).
func (m MergeContent) PersonalizationSubstitutions(v Values) map[string]string {
	if len(m.plain) == 0 && len(m.html) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.plain)+len(m.html))
	for _, t := range m.plain {
		out[t.Raw], _ = Resolve(t, v)
	}
	for _, k := range m.html {
		val, _ := Resolve(k.tag, v)
		out[k.key] = EscapeHTML(val)
	}
	return out
}

// longestFirst orders tags as SendGrid matches keys: where two start at the
// same place, the longer one wins.
func longestFirst(tags []Tag) []Tag {
	out := slices.Clone(tags)
	slices.SortStableFunc(out, func(a, b Tag) int { return cmp.Compare(len(b.Raw), len(a.Raw)) })
	return out
}

func longestKeyFirst(keys []htmlKey) []htmlKey {
	out := slices.Clone(keys)
	slices.SortStableFunc(out, func(a, b htmlKey) int { return cmp.Compare(len(b.tag.Raw), len(a.tag.Raw)) })
	return out
}
