package campaign

import "fmt"

// Problem is one reason a campaign may not be sent, with how many recipients
// it touches and up to 10 examples (recipient emails, or the offending text).
type Problem struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
}

// Preflight is the check `send` runs first; OK false refuses the send.
type Preflight struct {
	OK       bool      `json:"ok"`
	Audience int       `json:"audience"`
	Problems []Problem `json:"problems"`
}

// MaxExamples is how many example recipients a problem lists.
const MaxExamples = 10

// TagGap is a merge tag and the audience members for whom it renders to nothing.
type TagGap struct {
	Tag      Tag
	Count    int
	Examples []string
}

// AudienceFacts is what preflight needs to know about the audience; the store
// computes it with one query per tag, never by loading recipients.
type AudienceFacts struct {
	Size int
	Gaps []TagGap // one per tag without a fallback that some recipients cannot fill
}

// CheckPreflight decides whether c may be sent to the audience described by
// facts: every merge tag resolves for every recipient or has a fallback (the
// "Dear <FirstName>" mistake is impossible), the subject is set, the brand has
// a reply-to that is not a no-reply address, and the audience is not empty.
func CheckPreflight(c Campaign, b Brand, facts AudienceFacts) Preflight {
	p := Preflight{Audience: facts.Size, Problems: []Problem{}}
	add := func(code, msg string, count int, examples []string) {
		if examples == nil {
			examples = []string{}
		}
		p.Problems = append(p.Problems, Problem{Code: code, Message: msg, Count: count, Examples: examples})
	}
	if len([]rune(c.Subject)) == 0 || isBlank(c.Subject) {
		add("empty_subject", "The subject is empty.", 1, nil)
	}
	switch {
	case b.ReplyTo == "":
		add("missing_reply_to", fmt.Sprintf("Brand %q has no reply-to address: people answer a mistake by replying.", b.Name), 1, nil)
	case IsNoReply(b.ReplyTo):
		add("noreply_reply_to", fmt.Sprintf("Brand %q replies go to %s, a no-reply address.", b.Name, b.ReplyTo), 1, []string{b.ReplyTo})
	}
	_, tagProblems := c.Tags()
	for _, tp := range tagProblems {
		add("invalid_merge_tag", fmt.Sprintf("Merge tag %s %s.", tp.Raw, tp.Problem), facts.Size, []string{tp.Raw})
	}
	for _, g := range facts.Gaps {
		if g.Count == 0 {
			continue
		}
		add("unresolved_merge_tag", UnresolvedTagMessage(g), g.Count, g.Examples)
	}
	if facts.Size == 0 {
		add("empty_audience", "No recipient is in the campaign's segments (after removing suppressed addresses).", 0, nil)
	}
	p.OK = len(p.Problems) == 0
	return p
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// UnresolvedTagMessage says that a tag without a fallback is empty for some
// recipients, and how to write the fallback (campaigns and communications).
func UnresolvedTagMessage(g TagGap) string {
	who := fmt.Sprintf("%d recipients", g.Count)
	if g.Count == 1 {
		who = "1 recipient"
	}
	return fmt.Sprintf("%s is empty for %s and has no fallback (write it as {{%s|fallback}}).", g.Tag.Raw, who, g.Tag.Field)
}
