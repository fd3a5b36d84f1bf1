package postmortem

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/assess"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
)

// Markdown renders the report as a Markdown document (CommonMark with GFM
// tables; no HTML): Summary, Time to acknowledge / pause / resolve,
// Timeline, Blast radius, Cost, Tasks, Communications, Watch window. The same
// report always renders to the same bytes: times are UTC, lists keep the
// report's order, and an entry's data is written in key order. Every table
// cell is escaped (Cell), so a summary or comment cannot break the table.
func Markdown(r Report) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	inc := r.Incident

	w("# Postmortem: %s\n\n", line(inc.Summary))
	w("Incident `%s` · campaign %q · runbook %s · severity %s · %s · generated %s\n\n",
		inc.ID, r.CampaignName, inc.Runbook, inc.Severity, inc.Status, when(r.GeneratedAt))

	w("## Summary\n\n%s\n\n", r.Summary)
	w("- Owner: %s\n", orNone(r.Name(inc.OwnerID)))
	w("- Source: %s\n", inc.Source)
	if inc.Trigger != nil {
		w("- Trigger: %s %s %s (threshold %s, %s)\n", inc.Trigger.Rule, inc.Trigger.Metric, percent(inc.Trigger.Value),
			percent(inc.Trigger.Threshold), line(inc.Trigger.Window))
	}
	if lc := inc.LegalConfirmation; lc != nil {
		w("- Legal confirmation: %s at %s: %s\n", r.Name(lc.By), when(lc.At), orNone(line(lc.Comment)))
	}
	b.WriteString("\n")

	b.WriteString("## Time to acknowledge, pause and resolve\n\n")
	b.WriteString("| moment | at (UTC) | after detection |\n|---|---|---|\n")
	w("| detected | %s | — |\n", when(inc.DetectedAt))
	for _, m := range []struct {
		name string
		at   *time.Time
		d    *time.Duration
	}{{"acknowledged", inc.AcknowledgedAt, r.Durations.ToAcknowledge}, {"paused", inc.PausedAt, r.Durations.ToPause},
		{"resolved", inc.ResolvedAt, r.Durations.ToResolve}} {
		if m.at == nil {
			w("| %s | not yet | — |\n", m.name)
			continue
		}
		w("| %s | %s | %s |\n", m.name, when(*m.at), Words(*m.d))
	}
	b.WriteString("\n")

	b.WriteString("## Timeline\n\n")
	if len(r.Timeline) == 0 {
		b.WriteString("No entries.\n\n")
	} else {
		b.WriteString("| time (UTC) | actor | action | what |\n|---|---|---|---|\n")
		for _, e := range r.Timeline {
			w("| %s | %s | %s | %s |\n", when(e.At), Cell(e.Actor.Name), Cell(e.Action), Cell(dataWords(e.Data)))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Blast radius\n\n")
	a := r.Assessment
	if a == nil || a.Computed == nil {
		w("Not computed. %s possibly received it (the campaign's live counts).\n\n", plural(r.PossiblyReceived, "recipient", "recipients"))
	} else {
		w("Computed %s. %s possibly received it.\n\n", when(a.Computed.ComputedAt), plural(r.PossiblyReceived, "recipient", "recipients"))
		b.WriteString("| segment | targeted | handed to ESP | held | delivered | opened | clicked | bounced | complained | unsubscribed |\n")
		b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		// The campaign's segments first; the recipients' other memberships
		// are labelled, so they never read as a send to that segment.
		for _, s := range a.Computed.BySegment {
			name := Cell(s.Segment)
			if !s.TargetedByCampaign {
				name += " (not targeted: also a member)"
			}
			w("| %s |%s\n", name, numbers(s.Numbers))
		}
		w("| **all (each recipient once)** |%s\n\n", numbers(a.Computed.Totals))
	}
	if a != nil {
		w("- Cause: %s\n", orNone(line(a.Cause)))
		w("- Data categories exposed: %s\n", orNone(strings.Join(a.DataCategories, ", ")))
		w("- Personal data exposed: %s; legal required: %s; security required: %s\n", yesNo(a.PIIExposed),
			yesNo(a.LegalRequired), yesNo(a.SecurityRequired))
		w("- Notes: %s\n\n", orNone(line(a.Notes)))
	}

	b.WriteString("## Cost\n\n")
	if a == nil {
		b.WriteString("Not estimated.\n\n")
	} else {
		w("Estimate: %s", money(a.CostEstimateCents))
		if p := a.CostParts; p.ResponderHours != 0 || p.HourlyRateCents != 0 || p.SendCostCents != 0 {
			w(" (%s responder hours at %s an hour, plus %s for the send)",
				strconv.FormatFloat(p.ResponderHours, 'f', -1, 64), money(p.HourlyRateCents), money(p.SendCostCents))
		}
		b.WriteString(".\n\n")
	}

	b.WriteString("## Tasks\n\n")
	if len(r.Tasks) == 0 {
		b.WriteString("No tasks.\n\n")
	} else {
		b.WriteString("| title | kind | owner | due (UTC) | status | done by | done at (UTC) |\n|---|---|---|---|---|---|---|\n")
		for _, t := range r.Tasks {
			owner := r.Name(t.OwnerID)
			if owner == "" && t.OwnerRole != "" {
				owner = "(" + t.OwnerRole + ")"
			}
			w("| %s | %s | %s | %s | %s | %s | %s |\n", Cell(t.Title), Cell(t.Kind), Cell(orDash(owner)),
				whenPtr(t.DueAt), Cell(taskStatus(t)), Cell(orDash(r.Name(t.CompletedBy))), whenPtr(t.CompletedAt))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Communications\n\n")
	if len(r.Communications) == 0 {
		b.WriteString("None.\n\n")
	}
	for i, c := range r.Communications {
		writeCommunication(&b, r, i+1, c)
	}

	b.WriteString("## Watch window\n\n")
	m := r.Monitoring
	w("Status: %s.", m.Status)
	if m.Window != nil {
		w(" Window: %s to %s.", when(m.Window.Start), when(m.Window.End))
	} else {
		b.WriteString(" No watch window has been opened.")
	}
	b.WriteString("\n\n")
	if len(m.Alerts) == 0 {
		b.WriteString("No alerts.\n")
	} else {
		b.WriteString("| at (UTC) | send | metric | value | baseline | threshold | delivered |\n|---|---|---|--:|--:|--:|--:|\n")
		for _, al := range m.Alerts {
			w("| %s | %s | %s | %s | %s | %s | %d |\n", when(al.At), Cell(string(al.SendKind)+" "+al.SendName), Cell(string(al.Metric)),
				percent(al.Value), percent(al.Baseline), percent(al.Threshold), al.Delivered)
		}
	}
	return b.String()
}

func writeCommunication(b *strings.Builder, r Report, n int, c communication.View) {
	fmt.Fprintf(b, "### %d. %s: %s\n\n", n, c.Kind, line(c.Subject))
	fmt.Fprintf(b, "- Status: %s; author: %s; created %s", c.Status, orNone(r.Name(c.AuthorID)), when(c.CreatedAt))
	if c.SentAt != nil {
		fmt.Fprintf(b, "; sent %s", when(*c.SentAt))
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "- Audience (%s): %d affected, %d suppressed, %d already received, %d will receive\n", c.Scope,
		c.Audience.Affected, c.Audience.Suppressed, c.Audience.AlreadyReceived, c.Audience.WillReceive)
	k := c.Counts
	fmt.Fprintf(b, "- Counts: %d handed to ESP, %d held, %d delivered, %d opened, %d bounced, %d complained, %d unsubscribed, %d skipped (suppressed)\n",
		k.HandedToESP, k.Held, k.Delivered, k.Opened, k.Bounced, k.Complained, k.Unsubscribed, k.SkippedSuppressed)
	if len(c.RequiredApprovals) == 0 {
		b.WriteString("- Approvals: none required\n\n")
		return
	}
	fmt.Fprintf(b, "- Approvals required: %s; still needed: %s\n\n", strings.Join(c.RequiredApprovals, ", "),
		orNone(strings.Join(c.StillNeeded, ", ")))
	if len(c.Approvals) == 0 {
		b.WriteString("No decisions yet.\n\n")
		return
	}
	b.WriteString("| role | who | decision | at (UTC) | comment |\n|---|---|---|---|---|\n")
	for _, a := range c.Approvals {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Cell(a.Role), Cell(r.Name(a.UserID)), Cell(a.Decision), when(a.At),
			Cell(orDash(a.Comment)))
	}
	b.WriteString("\n")
}

// Cell escapes text for one Markdown table cell: a pipe would end the cell
// and a line break the row, a backslash could escape the next character.
func Cell(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return line(s)
}

// line folds line breaks (CR, LF, CRLF, and the Unicode separators) into
// spaces, so text stays on its line of the document.
func line(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\u2028', '\u2029', '\v', '\f':
			return ' '
		}
		return r
	}, s)
}

// dataWords writes an audit entry's data as "key: value" pairs in key order.
func dataWords(data map[string]any) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+value(data[k]))
	}
	return strings.Join(parts, "; ")
}

// value writes one data value; nested maps in key order, lists with commas.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case time.Time:
		return when(x)
	case *time.Time:
		return whenPtr(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = value(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case map[string]any:
		return "{" + dataWords(x) + "}"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

func numbers(n assess.Numbers) string {
	return fmt.Sprintf(" %d | %d | %d | %d | %d | %d | %d | %d | %d |", n.Targeted, n.HandedToESP, n.Held, n.Delivered,
		n.Opened, n.Clicked, n.Bounced, n.Complained, n.Unsubscribed)
}

func when(t time.Time) string { return t.UTC().Format(timeFormat) }

func whenPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return when(*t)
}

// money writes cents in the main unit with two decimals (the currency is the
// organisation's; Firebreak stores none).
func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 2, 64) + " %" }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return s
}

// taskStatus is a task's status in words: a cancelled task was not done,
// it stopped being needed when the incident was reclassified.
func taskStatus(t incident.Task) string {
	if t.Status == incident.TaskCancelled {
		return "no longer needed (cancelled when reclassified)"
	}
	return t.Status
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
