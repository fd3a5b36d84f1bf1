package api

import (
	"fmt"
	"html"
)

// pageStyle is the one style of the pages the server renders itself (the
// unsubscribe pages): put pageStyleTag in their <head>. The CSP allows exactly
// this text by its hash, so no style attribute or other inline style is needed.
const pageStyle = "body{font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem}"

// pageStyleTag is pageStyle as an element.
const pageStyleTag = "<style>" + pageStyle + "</style>"

// sprintfHTML formats a page with every argument HTML-escaped.
func sprintfHTML(format string, args ...string) string {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = html.EscapeString(a)
	}
	return fmt.Sprintf(format, esc...)
}
