package delivery

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// hint is what the free text of a reply says when no specific status code
// does. The phrases are the common English wordings of mailbox providers;
// they are a fallback only, never preferred to a code or a classification.
type hint struct {
	level Level
	text  string
	words []string
}

// hints are tried in order. Mailbox-full comes before throttling because
// "mailbox full, try again later" is about the mailbox.
var hints = []hint{
	{Address, "mailbox full", []string{"mailbox full", "mailbox is full", "inbox is full",
		"out of storage", "over quota", "quota exceeded", "exceeded storage", "insufficient storage",
		"mailbox quota"}},
	{Sender, "throttled", []string{"rate limit", "rate-limit", "ratelimit", "try again later",
		"too many", "throttl"}},
	{Address, "mailbox unavailable", []string{"mailbox unavailable", "user unknown", "unknown user",
		"no such user", "unknown recipient", "recipient unknown", "does not exist", "mailbox not found",
		"invalid recipient", "no mailbox", "account disabled"}},
}

// textHint returns the first hint whose words occur in reason.
func textHint(reason string) (hint, bool) {
	lower := strings.ToLower(reason)
	for _, h := range hints {
		for _, w := range h.words {
			if strings.Contains(lower, w) {
				return h, true
			}
		}
	}
	return hint{}, false
}

// normalize lower-cases s, trims it and collapses runs of white space (and
// underscores) to one space, so "Frequency  or_Volume too high" matches.
func normalize(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '_'
	}), " ")
}

// maxEcho is how many runes of a provider's free text a Reason may repeat.
const maxEcho = 80

// echo makes untrusted text safe to show in a Reason: valid UTF-8, no control
// or format characters (such as bidi overrides), single spaces, at most maxEcho runes.
func echo(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	}), " ")
	if utf8.RuneCountInString(s) <= maxEcho {
		return s
	}
	return string([]rune(s)[:maxEcho-1]) + "…"
}
