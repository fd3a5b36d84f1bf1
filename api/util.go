package api

import (
	"fmt"
	"html"
)

// sprintfHTML formats a page with every argument HTML-escaped.
func sprintfHTML(format string, args ...string) string {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = html.EscapeString(a)
	}
	return fmt.Sprintf(format, esc...)
}
