package incident

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/figures"

	"github.com/firebreak/firebreak/domain/runbook"
)

// maxTitleCampaign caps the campaign name inside a generated title, so a
// long name never pushes the title past MaxSummaryLen.
const maxTitleCampaign = 120

// metricNouns names what a detection metric counts, for a title.
var metricNouns = map[string]string{
	MetricComplaintRate:  "Complaints",
	MetricHardBounceRate: "Hard bounces",
	MetricDropRate:       "Drops",
}

// Title is the title Firebreak writes for inc (its Summary when
// SummaryGenerated) in runbook rb, for the campaign named campaign: what
// happened, to which campaign, and whether it is paused — written for a person
// who reads the incident list, while the rule's numbers stay in the Trigger.
//
//   - Opened by a detection rule, in the runbook the rule opened it in:
//     "Complaints at 0.32 % on Spring sale — paused".
//   - Reclassified to another runbook: the runbook's title first,
//     "Sent to the wrong segment: Spring sale — complaints at 0.32 %, paused".
//   - Opened without a trigger (a pause without a reason) and never
//     reclassified: the summary it was opened with is kept.
//
// The first runbook is the From of the first reclassification, or the current
// runbook when there was none; rb is the runbook inc is (being) moved to.
func Title(inc Incident, rb runbook.Runbook, campaign string) string {
	name := titleCampaign(campaign)
	origin := inc.Runbook
	if len(inc.RunbookHistory) > 0 {
		origin = inc.RunbookHistory[0].From
	}
	paused := inc.PausedAt != nil
	if rb.ID == origin && inc.Trigger == nil && len(inc.RunbookHistory) == 0 {
		return inc.Summary
	}
	if rb.ID == origin && inc.Trigger != nil {
		s := fmt.Sprintf("%s at %s on %s", metricNoun(inc.Trigger.Metric), percent(inc.Trigger.Value), name)
		if paused {
			s += " — paused"
		}
		return s
	}
	head := strings.TrimSpace(rb.Title)
	if head == "" {
		head = strings.ReplaceAll(rb.ID, "-", " ")
	}
	s := head + ": " + name
	var what []string
	if inc.Trigger != nil {
		what = append(what, lowerFirst(metricNoun(inc.Trigger.Metric))+" at "+percent(inc.Trigger.Value))
	}
	if paused {
		what = append(what, "paused")
	}
	if len(what) > 0 {
		s += " — " + strings.Join(what, ", ")
	}
	return s
}

func metricNoun(metric string) string {
	if n, ok := metricNouns[metric]; ok {
		return n
	}
	return upperFirst(strings.ReplaceAll(metric, "_", " "))
}

func percent(v float64) string { return figures.Percent(v) }

func titleCampaign(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		return "the campaign"
	}
	if utf8.RuneCountInString(name) > maxTitleCampaign {
		r := []rune(name)
		name = strings.TrimSpace(string(r[:maxTitleCampaign-1])) + "…"
	}
	return name
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
