package communication

import (
	"html"
	"strings"
	"unicode"
)

// How the preflight reads a message: as blocks of text (paragraphs, cells,
// list items, headings) in reading order and the headings among them. The
// HTML part is read by a small tokenizer, not a parser: it drops tags,
// comments, doctype and processing instructions, and the content of script,
// style, title and head; it decodes entities; block elements end a block; the
// text of h1–h4, strong and b elements is a heading. That is enough to find
// words and headings in a mail body, and it never fails: broken markup is
// read as text.

// body is one part of a message as the checks read it.
type body struct {
	name     string   // "HTML part" or "text part", for messages
	blocks   []string // non-empty text blocks, whitespace collapsed
	headings []string // text of heading elements (HTML) or of every line (text)
}

// bodyParts reads the non-empty parts of c.
func bodyParts(c Content) []body {
	var out []body
	if strings.TrimSpace(c.HTML) != "" {
		b := htmlBody(c.HTML)
		if len(b.blocks) > 0 {
			out = append(out, b)
		}
	}
	if strings.TrimSpace(c.Text) != "" {
		out = append(out, textBody(c.Text))
	}
	return out
}

// all is the whole text, one block a line.
func (b body) all() string { return strings.Join(b.blocks, "\n") }

// openingMinWords is how many words the first real paragraph has: shorter
// blocks (a greeting, a heading, a "view in browser" line) are read with it.
const openingMinWords = 6

// opening is what a reader takes the news from: every block up to and with
// the first that is not a greeting and has openingMinWords words.
func (b body) opening() string {
	var out []string
	for _, bl := range b.blocks {
		out = append(out, bl)
		ws := words(bl)
		if len(ws) >= openingMinWords && !isGreeting(ws) {
			break
		}
	}
	return strings.Join(out, "\n")
}

// isGreeting reports whether a block is only a salutation ("Dear Sam,").
func isGreeting(ws []string) bool {
	if len(ws) > openingMinWords {
		return false
	}
	for _, g := range greetingWords {
		if hasPhraseAt(ws, 0, strings.Fields(g)) {
			return true
		}
	}
	return false
}

// hasHeading reports whether the part has the heading h: a heading element or
// a line whose words are h's (numbering and punctuation aside), or a line
// that starts with h and a colon ("What Happened: …").
func (b body) hasHeading(h string) bool {
	hw := strings.Fields(strings.ToLower(h))
	same := func(s string) bool {
		ws := words(s)
		for len(ws) > 0 && strings.IndexFunc(ws[0], func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
			ws = ws[1:] // "1. What Happened"
		}
		return len(ws) == len(hw) && hasPhraseAt(ws, 0, hw)
	}
	is := func(line string) bool {
		head, _, ok := strings.Cut(line, ":")
		return same(line) || ok && same(head)
	}
	for _, l := range b.headings {
		if is(l) {
			return true
		}
	}
	for _, bl := range b.blocks {
		for _, l := range strings.Split(bl, "\n") {
			if is(l) {
				return true
			}
		}
	}
	return false
}

// textBody reads a text/plain part: blocks are separated by blank lines,
// every line may be a heading.
func textBody(s string) body {
	b := body{name: "text part"}
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.blocks = append(b.blocks, strings.Join(para, "\n"))
			para = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			flush()
			continue
		}
		para = append(para, line)
		b.headings = append(b.headings, line)
	}
	flush()
	return b
}

// blockTags end a text block where they open or close.
var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "hr": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "table": true, "tbody": true, "thead": true,
	"tfoot": true, "tr": true, "td": true, "th": true, "blockquote": true, "section": true, "article": true,
	"header": true, "footer": true, "main": true, "aside": true, "nav": true, "center": true, "pre": true, "body": true, "html": true,
}

// headingTags hold heading text.
var headingTags = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "strong": true, "b": true}

// skipTags have content that is not read as text.
var skipTags = map[string]bool{"script": true, "style": true, "title": true, "head": true, "noscript": true, "template": true}

// htmlBody reads a text/html part (see the comment at the top of this file).
func htmlBody(s string) body {
	b := body{name: "HTML part"}
	var cur, head strings.Builder
	depth := 0
	flush := func() {
		if t := collapse(cur.String()); t != "" {
			b.blocks = append(b.blocks, t)
		}
		cur.Reset()
	}
	text := func(t string) {
		t = html.UnescapeString(t)
		cur.WriteString(t)
		if depth > 0 {
			head.WriteString(t)
		}
	}
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			text(s[i:])
			break
		}
		text(s[i : i+lt])
		i += lt
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			i = skipPast(s, i+4, "-->")
			continue
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			i = skipPast(s, i+2, ">")
			continue
		}
		name, closing, end := readTag(s, i)
		if name == "" { // "a < b": text
			text("<")
			i++
			continue
		}
		i = end
		switch {
		case skipTags[name] && !closing:
			if j := indexFold(s[i:], "</"+name); j >= 0 {
				i = skipPast(s, i+j, ">")
			} else if name != "head" {
				i = len(s)
			}
		case blockTags[name]:
			flush()
		}
		if headingTags[name] {
			if !closing {
				if depth == 0 {
					head.Reset()
				}
				depth++
			} else if depth > 0 {
				depth--
				if depth == 0 {
					if t := collapse(head.String()); t != "" {
						b.headings = append(b.headings, t)
					}
				}
			}
		}
	}
	flush()
	return b
}

// readTag reads the tag at s[i] == '<': its lowercase name, whether it is a
// closing tag, and the index after its '>' (quoted attribute values may hold
// '>'). name is empty when '<' does not start a tag.
func readTag(s string, i int) (name string, closing bool, end int) {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	k := j
	for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || k > j && s[k] >= '0' && s[k] <= '9') {
		k++
	}
	if k == j {
		return "", false, i + 1
	}
	name = strings.ToLower(s[j:k])
	var quote byte
	for ; k < len(s); k++ {
		switch c := s[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, closing, k + 1
		}
	}
	return name, closing, len(s)
}

// skipPast returns the index after the first sep at or after i, or len(s).
func skipPast(s string, i int, sep string) int {
	if i > len(s) {
		return len(s)
	}
	if j := strings.Index(s[i:], sep); j >= 0 {
		return i + j + len(sep)
	}
	return len(s)
}

// indexFold is strings.Index ignoring ASCII case.
func indexFold(s, sub string) int { return strings.Index(strings.ToLower(s), strings.ToLower(sub)) }

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// words cuts s into lowercase words as words.go describes.
func words(s string) []string {
	s = strings.ToLower(strings.ReplaceAll(s, "’", "'"))
	ws := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
	out := ws[:0]
	for _, w := range ws {
		if w = strings.Trim(w, "'"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// containsAny reports whether one of the phrases (words.go's notation) is in ws.
func containsAny(ws []string, phrases []string) bool {
	for _, p := range phrases {
		pw := strings.Fields(p)
		for i := range ws {
			if hasPhraseAt(ws, i, pw) {
				return true
			}
		}
	}
	return false
}

// hasPhraseAt reports whether the phrase words pw start at ws[i].
func hasPhraseAt(ws []string, i int, pw []string) bool {
	if len(pw) == 0 || i+len(pw) > len(ws) {
		return false
	}
	for k, p := range pw {
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if !strings.HasPrefix(ws[i+k], pre) {
				return false
			}
		} else if ws[i+k] != p {
			return false
		}
	}
	return true
}
