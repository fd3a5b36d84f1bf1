package campaign

import (
	"strings"
	"unicode/utf8"
)

// DiffLine is one line of a content diff: "-" removed, "+" added.
type DiffLine struct {
	Op   string `json:"op"`
	Line string `json:"line"`
}

// FieldDiff is what changed in one content field.
type FieldDiff struct {
	Field string     `json:"field"`
	Lines []DiffLine `json:"lines"`
	// Truncated: more lines changed than the timeline keeps.
	Truncated bool `json:"truncated"`
}

// Limits of a diff kept on the timeline (the full versions are kept in the
// campaign's content history).
const (
	maxDiffLines   = 60
	maxDiffLineLen = 300 // characters
)

// ContentDiff is the line diff of each changed content field, for the
// timeline: only removed and added lines, at most maxDiffLines per field.
func ContentDiff(from, to Content) []FieldDiff {
	out := []FieldDiff{}
	for _, f := range ChangedContent(from, to) {
		var a, b string
		switch f {
		case "subject":
			a, b = from.Subject, to.Subject
		case "html":
			a, b = from.HTML, to.HTML
		case "text":
			a, b = from.Text, to.Text
		}
		out = append(out, lineDiff(f, strings.Split(a, "\n"), strings.Split(b, "\n")))
	}
	return out
}

// lineDiff diffs two line lists: the common prefix and suffix are dropped,
// the middle is diffed by longest common subsequence when small enough, else
// shown as removed then added.
func lineDiff(field string, a, b []string) FieldDiff {
	d := FieldDiff{Field: field, Lines: []DiffLine{}}
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	add := func(op, line string) {
		if len(d.Lines) >= maxDiffLines {
			d.Truncated = true
			return
		}
		if utf8.RuneCountInString(line) > maxDiffLineLen {
			line = string([]rune(line)[:maxDiffLineLen]) + "…"
		}
		d.Lines = append(d.Lines, DiffLine{Op: op, Line: line})
	}
	if len(a)*len(b) > 250_000 {
		for _, l := range a {
			add("-", l)
		}
		for _, l := range b {
			add("+", l)
		}
		return d
	}
	// lcs[i][j]: the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			add("-", a[i])
			i++
		default:
			add("+", b[j])
			j++
		}
	}
	return d
}
