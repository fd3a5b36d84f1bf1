package campaign

import (
	"fmt"
	"strings"
)

// Tag is one merge tag as written in a campaign, e.g. "{{first_name|there}}".
// Raw is the exact text (SendGrid substitutes by exact text); Field names what
// fills it; Fallback is used when the recipient's value is empty.
type Tag struct {
	Raw         string
	Field       string // "first_name", "last_name", "email", or "attr.NAME"
	Fallback    string
	HasFallback bool
}

// Attr returns NAME for an "attr.NAME" tag, else "".
func (t Tag) Attr() string {
	name, ok := strings.CutPrefix(t.Field, "attr.")
	if !ok {
		return ""
	}
	return name
}

// TagProblem is a merge tag that can never resolve: an unknown field, or
// unbalanced braces (the "Dear {{FirstName}" typo).
type TagProblem struct {
	Raw     string
	Problem string
}

// ParseTags finds every merge tag in the texts, each distinct Raw once, in the
// order of first appearance, and reports tags that are malformed or unknown.
func ParseTags(texts ...string) ([]Tag, []TagProblem) {
	var tags []Tag
	var problems []TagProblem
	seen := map[string]bool{}
	for _, s := range texts {
		for {
			i := strings.Index(s, "{{")
			if i < 0 {
				break
			}
			j := strings.Index(s[i+2:], "}}")
			next := strings.Index(s[i+2:], "{{")
			if j < 0 || (next >= 0 && next < j) {
				end := i + 2 + next // up to the next tag
				if next < 0 {
					end = min(len(s), i+30) // up to 30 characters, for the message
				}
				raw := s[i:end]
				problems = appendProblem(problems, seen, raw, "has no closing }}")
				s = s[i+2:]
				continue
			}
			raw := s[i : i+2+j+2]
			s = s[i+2+j+2:]
			if seen[raw] {
				continue
			}
			tag, problem := parseTag(raw)
			if problem != "" {
				problems = appendProblem(problems, seen, raw, problem)
				continue
			}
			seen[raw] = true
			tags = append(tags, tag)
		}
	}
	return tags, problems
}

func appendProblem(ps []TagProblem, seen map[string]bool, raw, problem string) []TagProblem {
	if seen[raw] {
		return ps
	}
	seen[raw] = true
	return append(ps, TagProblem{Raw: raw, Problem: problem})
}

func parseTag(raw string) (Tag, string) {
	inner := strings.TrimSpace(raw[2 : len(raw)-2])
	field, fallback, hasFallback := strings.Cut(inner, "|")
	field = strings.TrimSpace(field)
	t := Tag{Raw: raw, Field: field, Fallback: strings.TrimSpace(fallback), HasFallback: hasFallback}
	switch {
	case field == "first_name", field == "last_name", field == "email":
		return t, ""
	case strings.HasPrefix(field, "attr.") && len(field) > len("attr."):
		return t, ""
	case field == "":
		return t, "is empty"
	}
	return t, fmt.Sprintf("is not a known merge tag (use first_name, last_name, email or attr.NAME%s)", suggest(field))
}

// suggest names the tag a typo probably meant ("FirstName" -> first_name).
func suggest(field string) string {
	norm := strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(field))
	for _, known := range []string{"first_name", "last_name", "email"} {
		if strings.ReplaceAll(known, "_", "") == norm {
			return "; did you mean {{" + known + "}}?"
		}
	}
	return ""
}

// Values are one recipient's merge values.
type Values struct {
	Email      string
	FirstName  string
	LastName   string
	Attributes map[string]string
}

// Value returns the recipient's value for a tag's field, trimmed.
func (v Values) Value(t Tag) string {
	switch t.Field {
	case "first_name":
		return strings.TrimSpace(v.FirstName)
	case "last_name":
		return strings.TrimSpace(v.LastName)
	case "email":
		return strings.TrimSpace(v.Email)
	}
	return strings.TrimSpace(v.Attributes[t.Attr()])
}

// Resolve returns what the tag renders to for v, and false when it renders to
// nothing (an empty value and no fallback): the broken "Dear ," greeting.
func Resolve(t Tag, v Values) (string, bool) {
	if s := v.Value(t); s != "" {
		return s, true
	}
	return t.Fallback, t.HasFallback
}
