package campaign

import (
	"html"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

// What a second pair of eyes looks for (PLAYBOOK.md: "three checks before
// sending (recipients, attachments, key facts such as amounts and dates)").
// The patterns aim at what a marketer would call a price, a code or an
// attachment, and leave alone the look-alikes every footer has: "100 %
// cotton", a zip or postal code, a QR code, image links, "24/7".

var (
	// An HTML body is judged by what a reader sees (and its links): styles,
	// scripts, comments and tags are not content.
	reStyleScript = regexp.MustCompile(`(?is)<style\b.*?</style\s*>|<script\b.*?</script\s*>|<!--.*?-->`)
	reTag         = regexp.MustCompile(`(?s)<[^>]*>`)
	reLink        = regexp.MustCompile(`(?i)\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
	reSpace       = regexp.MustCompile(`\s+`)

	// amount: 5, 19.99, 19,99, 1,299.00, 1.299,00
	amount      = `\d+(?:[.,]\d+)*`
	isoCurrency = `(?:USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|CNY|INR|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|ZAR)`
	rePrices    = []*regexp.Regexp{
		regexp.MustCompile(`(?:US|CA|AU|NZ|HK|S|R)?[$€£¥₹₩₽₺₪]\s?` + amount),                          // $19.99, £5, € 20, US$20
		regexp.MustCompile(amount + `\s?[$€£¥₹₩₽₺₪]`),                                                 // 19,99 €, 5€
		regexp.MustCompile(`\b` + isoCurrency + `\s?` + amount),                                       // USD 20
		regexp.MustCompile(`\b` + amount + `\s?` + isoCurrency + `\b`),                                // 20 EUR
		regexp.MustCompile(`(?i)\b\d+(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b)\s*(?:off|discount)\b`), // 20% off
		regexp.MustCompile(`(?i)\b(?:save|up to)\s+\d+(?:[.,]\d+)?\s?(?:%|percent\b)`),                // save 20%
	}

	reCodeWords = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(?:promo(?:tional)?|discount|coupon|voucher|referral|gift|offer)[\s-]*codes?\b`),
		regexp.MustCompile(`(?i)\b(?:coupons?|vouchers?)\b`),
		regexp.MustCompile(`(?i)\b(?:use|enter|apply|redeem|quote)\s+(?:the\s+|our\s+|this\s+|your\s+)?code\b`),
	}
	// "code SAVE20", "Code: WELCOME": a code-looking token after the word,
	// unless the word before says which other kind of code it is.
	reCodeToken  = regexp.MustCompile(`(?:\b(\p{L}+)\s+)?\b[Cc][Oo][Dd][Ee]\s*[:\-–]?\s*["“'‘]?([A-Z0-9]{3,24})\b`)
	notPromoCode = []string{"zip", "postal", "post", "postcode", "area", "country", "source", "qr", "dress", "tax",
		"sort", "bar", "access", "verification", "confirmation", "security", "error", "status", "product", "colour", "color"}
	reHasLetter = regexp.MustCompile(`[A-Z]`)
	reHasDigit  = regexp.MustCompile(`\d`)

	reAttachWords = regexp.MustCompile(`(?i)\b(?:attached|attachments?|enclosed\s+(?:file|document|pdf|invoice|contract))\b`)
	fileExt       = `(?:pdf|zip|docx?|xlsx?|pptx?|odt|ods|rar|7z)`
	reFileName    = regexp.MustCompile(`(?i)\b[\w~%+-]+(?:[./][\w~%+-]+)*\.` + fileExt + `\b`)
	reFileExt     = regexp.MustCompile(`(?i)\.` + fileExt + `$`)
)

// FindMentions returns, per mention, what the subject and bodies say that
// calls for a second look (each snippet once, in order of appearance).
func FindMentions(subject, htmlBody, text string) map[Mention][]string {
	visible := subject + "\n" + visibleText(htmlBody) + "\n" + text
	out := map[Mention][]string{}
	add := func(m Mention, s string) {
		s = strings.TrimSpace(reSpace.ReplaceAllString(s, " "))
		if r := []rune(s); len(r) > 60 {
			s = string(r[:60]) + "…"
		}
		if s != "" && !slices.Contains(out[m], s) {
			out[m] = append(out[m], s)
		}
	}
	type hit struct{ at, end int }
	// inOrder adds the hits in order of appearance, overlapping ones merged
	// ("use code" and "code SAVE20" are one mention: "use code SAVE20").
	inOrder := func(m Mention, hits []hit) {
		slices.SortStableFunc(hits, func(a, b hit) int { return a.at - b.at })
		for i := 0; i < len(hits); {
			cur := hits[i]
			for i++; i < len(hits) && hits[i].at < cur.end; i++ {
				cur.end = max(cur.end, hits[i].end)
			}
			add(m, visible[cur.at:cur.end])
		}
	}
	all := func(res ...*regexp.Regexp) []hit {
		var out []hit
		for _, re := range res {
			for _, loc := range re.FindAllStringIndex(visible, -1) {
				out = append(out, hit{loc[0], loc[1]})
			}
		}
		return out
	}

	inOrder(MentionPrices, all(rePrices...))

	codes := all(reCodeWords...)
	for _, m := range reCodeToken.FindAllStringSubmatchIndex(visible, -1) {
		before, token := "", visible[m[4]:m[5]]
		if m[2] >= 0 {
			before = strings.ToLower(visible[m[2]:m[3]])
		}
		if slices.Contains(notPromoCode, before) {
			continue
		}
		letters, digits := reHasLetter.MatchString(token), reHasDigit.MatchString(token)
		if (letters && digits) || (letters && len(token) >= 4) {
			start := m[0]
			if m[2] >= 0 { // the snippet starts at "code", not at the word before
				start = m[3]
				for start < len(visible) && (visible[start] == ' ' || visible[start] == '\t' || visible[start] == '\n') {
					start++
				}
			}
			codes = append(codes, hit{start, m[1]})
		}
	}
	inOrder(MentionCodes, codes)

	inOrder(MentionAttachments, all(reAttachWords, reFileName))
	for _, l := range links(htmlBody) {
		if isFileLink(l) {
			add(MentionAttachments, l)
		}
	}
	return out
}

// visibleText is what a reader of an HTML body sees, entities decoded.
func visibleText(h string) string {
	h = reStyleScript.ReplaceAllString(h, " ")
	h = reTag.ReplaceAllString(h, " ")
	return html.UnescapeString(h)
}

// links are the href and src values of an HTML body.
func links(h string) []string {
	h = reStyleScript.ReplaceAllString(h, " ")
	var out []string
	for _, m := range reLink.FindAllStringSubmatch(h, -1) {
		out = append(out, html.UnescapeString(m[1]+m[2]+m[3]))
	}
	return out
}

// isFileLink reports whether a link points at a document or archive (its
// path, not its query, ends in one of the extensions).
func isFileLink(l string) bool {
	p := l
	if u, err := url.Parse(l); err == nil {
		p = u.Path
	}
	return reFileExt.MatchString(path.Base(p))
}
