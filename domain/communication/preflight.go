package communication

import (
	"fmt"
	"slices"
	"strings"

	"github.com/firebreak/firebreak/domain/campaign"
)

// The preflight problem codes of a communication (DESIGN.md "Communicate
// (step 5)"). Two are additions to DESIGN.md's list: CodeMissingProtectiveSteps,
// a breach notice of exposed credentials that does not tell people to change
// their password and turn on two-factor authentication (issue 13), and
// CodePlainLanguage, a warning for the stock phrases that hedge instead of
// saying it plainly ("out of an abundance of caution", "any inconvenience
// this may have caused"); and CodeUnfinishedDraft, an [EDIT: …] marker a
// runbook template left where a fact was missing (the author must write it).
const (
	CodeNoApology              = "no_apology"
	CodeUnclearSubject         = "unclear_subject"
	CodeNoReplyAddress         = "no_reply_address"
	CodeHumour                 = "humour"
	CodeUnresolvedMergeTag     = "unresolved_merge_tag"
	CodeNotBranded             = "not_branded"
	CodeMissingSection         = "missing_section"
	CodeTitle                  = "title"
	CodeMissingProtectiveSteps = "missing_protective_steps"
	CodePlainLanguage          = "plain_language"
	CodeUnfinishedDraft        = "unfinished_draft"
)

// Severities of a problem. A blocking problem refuses the send (422
// preflight_failed); a warning is shown and does not.
const (
	SeverityBlocking = "blocking"
	SeverityWarning  = "warning"
)

// Severity says whether a problem code blocks a send. It is a property of the
// code, not of one problem (DESIGN.md: "blocking unless marked warning"; only
// not_branded is a warning, and so is the added plain_language), so campaign.Problem and its JSON stay as they
// are: the API adds `severity` to a communication's problems from this, and
// send refuses when Blocking is not empty.
func Severity(code string) string {
	if code == CodeNotBranded || code == CodePlainLanguage {
		return SeverityWarning
	}
	return SeverityBlocking
}

// Blocking returns the problems that refuse a send (all but the warnings),
// never nil.
func Blocking(problems []campaign.Problem) []campaign.Problem {
	out := []campaign.Problem{}
	for _, p := range problems {
		if Severity(p.Code) == SeverityBlocking {
			out = append(out, p)
		}
	}
	return out
}

// PreflightInput is everything Preflight reads: the message, the brand it is
// sent as, and the facts about its audience that the caller computed with
// set-based queries (Preflight does no I/O and never sees recipients).
type PreflightInput struct {
	Kind    Kind
	Content Content // Content.ReplyTo empty means the brand's reply-to
	Brand   campaign.Brand
	// MergeGaps are the merge tags without a fallback that some audience
	// members cannot fill, with their counts and examples, as the campaign
	// preflight gets them (campaign.AudienceFacts.Gaps).
	MergeGaps []campaign.TagGap
	// CaliforniaRecipients is how many audience members have a California
	// address (the caller reads the recipient attribute state/region = CA);
	// above zero a breach notice must be titled "Notice of Data Breach".
	CaliforniaRecipients int
	// DataCategories are the incident assessment's data_categories_exposed
	// (incident.DataCategories); "credentials" asks a breach notice for
	// protective steps.
	DataCategories []string
}

// Preflight lists what is wrong with a communication before it may be sent,
// in a fixed order, never nil; an empty list means it may go (see Blocking
// for the warnings that do not stop it). Content problems count 1 (the one
// message) and give the offending text as examples; unresolved_merge_tag
// counts recipients. The checks read the subject, the text of the HTML part
// (tags, comments, scripts and styles removed) and the text part; a body
// problem found in either part is reported once.
func Preflight(in PreflightInput) []campaign.Problem {
	var ps []campaign.Problem
	add := func(code, msg string, count int, examples ...string) {
		if examples == nil {
			examples = []string{}
		}
		if len(examples) > campaign.MaxExamples {
			examples = examples[:campaign.MaxExamples]
		}
		ps = append(ps, campaign.Problem{Code: code, Message: msg, Count: count, Examples: examples})
	}
	c := in.Content
	parts := bodyParts(c)

	// no_apology: the news first. Every part's opening must say sorry.
	for _, p := range parts {
		if !containsAny(words(p.opening()), apologyPhrases) {
			add(CodeNoApology, fmt.Sprintf("The first paragraph of the %s does not apologise: say sorry first, don't bury the news.", p.name),
				1, clip(p.opening(), 120))
			break
		}
	}
	if len(parts) == 0 {
		add(CodeNoApology, "The message has no body, so no apology.", 1)
	}

	if !clearSubject(c.Subject) {
		add(CodeUnclearSubject, "The subject does not say what this is (for example \"We made a mistake\", \"Correction: …\", \"Notice of Data Breach\").",
			1, c.Subject)
	}

	if marks := placeholders(c); len(marks) > 0 {
		add(CodeUnfinishedDraft, "The draft still has a part for you to write: replace each [EDIT: …] with the fact it asks for.",
			1, marks...)
	}

	replyTo := c.ReplyTo
	if strings.TrimSpace(replyTo) == "" {
		replyTo = in.Brand.ReplyTo
	}
	var noReply []string
	if isNoReply(in.Brand.FromEmail) {
		noReply = append(noReply, strings.TrimSpace(in.Brand.FromEmail))
	}
	if isNoReply(replyTo) && !slices.Contains(noReply, strings.TrimSpace(replyTo)) {
		noReply = append(noReply, strings.TrimSpace(replyTo))
	}
	switch {
	case len(noReply) > 0:
		add(CodeNoReplyAddress, "The message is sent from or answered to a no-reply address: people answer an apology, so use one somebody reads.", 1, noReply...)
	case strings.TrimSpace(replyTo) == "" && strings.TrimSpace(in.Brand.FromEmail) == "":
		add(CodeNoReplyAddress, "The message has no reply-to address: people answer an apology.", 1)
	}

	jokes := humour(c.Subject)
	for _, p := range parts {
		for _, j := range humour(p.all()) {
			if !slices.Contains(jokes, j) {
				jokes = append(jokes, j)
			}
		}
	}
	if len(jokes) > 0 {
		add(CodeHumour, "The message jokes about the mistake: no humour in an apology.", 1, jokes...)
	}

	for _, g := range in.MergeGaps {
		if g.Count == 0 {
			continue
		}
		add(CodeUnresolvedMergeTag, campaign.UnresolvedTagMessage(g), g.Count, g.Examples...)
	}

	var unbranded []string
	if strings.TrimSpace(in.Brand.LogoURL) == "" {
		unbranded = append(unbranded, "logo_url")
	}
	if strings.TrimSpace(in.Brand.FooterHTML) == "" {
		unbranded = append(unbranded, "footer_html")
	}
	if strings.TrimSpace(in.Brand.PhysicalAddress) == "" {
		unbranded = append(unbranded, "physical_address")
	}
	if len(unbranded) > 0 {
		add(CodeNotBranded, fmt.Sprintf("Brand %q lacks %s: an unbranded apology looks like phishing.", in.Brand.Name, strings.Join(unbranded, ", ")),
			1, unbranded...)
	}

	var hedges []string
	for _, p := range parts {
		ws := words(p.all())
		for _, h := range hedgingPhrases {
			if containsAny(ws, []string{h}) && !slices.Contains(hedges, h) {
				hedges = append(hedges, h)
			}
		}
	}
	if len(hedges) > 0 {
		add(CodePlainLanguage, "Say it plainly: these stock phrases play the mistake down.", 1, hedges...)
	}

	if in.Kind == BreachNotice {
		ps = append(ps, breachProblems(in, parts)...)
	}
	if ps == nil {
		ps = []campaign.Problem{}
	}
	return ps
}

// breachProblems are the checks of a breach notice: California's five
// headings, its title when Californians are told, and the protective steps
// when credentials were exposed.
func breachProblems(in PreflightInput, parts []body) []campaign.Problem {
	var ps []campaign.Problem
	for _, h := range breachHeadings {
		var lacking []string
		for _, p := range parts {
			if !p.hasHeading(h) {
				lacking = append(lacking, p.name)
			}
		}
		if len(parts) == 0 {
			lacking = []string{"message"}
		}
		if len(lacking) > 0 {
			ps = append(ps, campaign.Problem{Code: CodeMissingSection,
				Message: fmt.Sprintf("The %s has no %q section (a heading of California's model notice).", strings.Join(lacking, " and the "), h),
				Count:   1, Examples: []string{h}})
		}
	}
	if in.CaliforniaRecipients > 0 && !containsAny(words(in.Content.Subject), []string{breachTitle}) {
		ps = append(ps, campaign.Problem{Code: CodeTitle,
			Message: fmt.Sprintf("%d recipients have a California address: the subject must be \"Notice of Data Breach\".", in.CaliforniaRecipients),
			Count:   in.CaliforniaRecipients, Examples: []string{in.Content.Subject}})
	}
	if slices.Contains(in.DataCategories, credentialsCategory) {
		var missing []string
		pw, tf := len(parts) > 0, len(parts) > 0
		for _, p := range parts {
			pw = pw && tellsToChangePassword(p.all())
			tf = tf && containsAny(words(p.all()), twoFactorPhrases)
		}
		if !pw {
			missing = append(missing, "change password")
		}
		if !tf {
			missing = append(missing, "two-factor authentication")
		}
		if len(missing) > 0 {
			ps = append(ps, campaign.Problem{Code: CodeMissingProtectiveSteps,
				Message: fmt.Sprintf("Credentials were exposed: tell people to %s.", strings.Join(missing, " and turn on ")),
				Count:   1, Examples: missing})
		}
	}
	return ps
}

// clearSubject reports whether a subject says what the message is: a clear
// word, or a weak one ("update") with enough other words to say about what.
func clearSubject(subject string) bool {
	ws := words(subject)
	if containsAny(ws, clearSubjectWords) {
		return true
	}
	if !containsAny(ws, weakSubjectWords) {
		return false
	}
	content := 0
	for _, w := range ws {
		if !containsAny([]string{w}, weakSubjectWords) && !slices.Contains(subjectFillerWords, w) && !strings.HasPrefix(w, "{") {
			content++
		}
	}
	return content >= minSubjectContentWords
}

// isNoReply reports whether nobody reads an address: its local part, without
// separators and +tag, contains a noReplyMarkers entry.
func isNoReply(addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if i := strings.LastIndexByte(addr, '<'); i >= 0 { // "Acme <noreply@acme.com>"
		addr = strings.TrimSuffix(addr[i+1:], ">")
	}
	local, _, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	local, _, _ = strings.Cut(local, "+")
	local = strings.NewReplacer(".", "", "-", "", "_", "").Replace(local)
	for _, m := range noReplyMarkers {
		if strings.Contains(local, m) {
			return true
		}
	}
	return false
}

// humour returns the jokes and laughing emoji in s, as written in the lists.
func humour(s string) []string {
	var out []string
	ws := words(s)
	for _, h := range humourPhrases {
		if containsAny(ws, []string{h}) {
			out = append(out, strings.TrimSuffix(h, "*"))
		}
	}
	for _, r := range humourEmoji {
		if strings.ContainsRune(s, r) {
			out = append(out, string(r))
		}
	}
	return out
}

// tellsToChangePassword reports whether one sentence of s names a password
// and what to do with it.
func tellsToChangePassword(s string) bool {
	for _, sentence := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '\n' || r == ';' }) {
		ws := words(sentence)
		if containsAny(ws, passwordWords) && containsAny(ws, passwordActionWords) {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// placeholders returns the distinct [EDIT: …] markers left in the subject and
// bodies (each clipped), in the order they appear.
func placeholders(c Content) []string {
	var out []string
	for _, s := range []string{c.Subject, c.HTML, c.Text} {
		for {
			i := strings.Index(s, Placeholder)
			if i < 0 {
				break
			}
			s = s[i:]
			end := strings.IndexByte(s, ']')
			if end < 0 {
				end = len(s) - 1
			}
			if m := clip(s[:end+1], 80); !slices.Contains(out, m) {
				out = append(out, m)
			}
			s = s[end+1:]
		}
	}
	return out
}
