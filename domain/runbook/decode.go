package runbook

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// decoder walks one file's node tree by hand rather than with Decode, so it
// can report every problem with its line instead of stopping at the first.
type decoder struct {
	file  string
	ps    *Problems
	lines map[string]int // path -> line of its value, for later checks
}

func (d *decoder) addf(n *yaml.Node, format string, args ...any) {
	d.ps.add(d.file, n.Line, format, args...)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// mapping calls each for every key of n that is in known (in file order),
// reporting keys that are unknown (as noun), repeated or not plain names.
// Null values are treated as absent.
func (d *decoder) mapping(n *yaml.Node, what, noun string, known []string, each func(key string, v *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.addf(n, "%s: want a mapping (key: value lines), got %s", what, describe(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.addf(k, "%s: keys must be plain names", what)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.addf(k, "%s: key %q given twice (first on line %d)", what, short(k.Value), prev)
			continue
		}
		seen[k.Value] = k.Line
		if !slices.Contains(known, k.Value) {
			if what == "" {
				d.addf(k, "unknown %s %q (want one of %s)", noun, short(k.Value), strings.Join(known, ", "))
			} else {
				d.addf(k, "%s: unknown %s %q (want one of %s)", what, noun, short(k.Value), strings.Join(known, ", "))
			}
			continue
		}
		if v.Kind == yaml.AliasNode {
			d.addf(v, "%s: aliases (*name) are not supported in runbooks; write the value out", join(what, k.Value))
			continue
		}
		if isNull(v) {
			continue
		}
		d.lines[join(what, k.Value)] = v.Line
		each(k.Value, v)
	}
}

// sequence calls each for every item of n; null is an empty list.
func (d *decoder) sequence(n *yaml.Node, what string, each func(i int, v *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.addf(n, "%s: want a list, got %s", what, describe(n))
		return
	}
	for i, v := range n.Content {
		if v.Kind == yaml.AliasNode {
			d.addf(v, "%s[%d]: aliases (*name) are not supported in runbooks; write the value out", what, i)
			continue
		}
		each(i, v)
	}
}

// short keeps a value quoted in a message readable: at most 60 characters.
func short(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:60]) + "…"
}

func join(what, key string) string {
	if what == "" {
		return key
	}
	return what + "." + key
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", short(n.Value))
	}
	return "something else"
}

func (d *decoder) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		d.addf(n, "%s: want text, got %s", what, describe(n))
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		d.addf(n, "%s: want true or false, got %s", what, describe(n))
	}
	return b
}

// oneOf checks a scalar against a fixed vocabulary; empty is left to the caller.
func (d *decoder) oneOf(n *yaml.Node, what, noun string, known []string) string {
	s := d.str(n, what)
	if s != "" && !slices.Contains(known, s) {
		d.addf(n, "%s: %q is not a %s (want one of %s)", what, short(s), noun, strings.Join(known, ", "))
	}
	return s
}

func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode {
		d.addf(n, "%s: want a duration like 5m, 72h or 30d, got %s", what, describe(n))
		return 0, false
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		d.addf(n, "%s: %v", what, err)
		return 0, false
	}
	return v, true
}

var rootKeys = []string{"id", "title", "description", "severity", "auto_pause", "acknowledge", "triggers",
	"checklists", "tasks", "involve", "apology", "monitoring"}

func (d *decoder) runbook(root *yaml.Node) Runbook {
	rb := Runbook{AutoPause: true, Acknowledge: Acknowledge{Deadline: DefaultDeadline}, Checklists: map[string][]string{},
		Monitoring: Monitoring{CanaryPercent: DefaultCanaryPercent, CanaryHold: DefaultCanaryHold}}
	id := strings.TrimSuffix(d.file, ".yaml")
	if root.Kind != yaml.MappingNode {
		d.addf(root, "a runbook is a mapping (id: …, title: …), got %s", describe(root))
		return rb
	}
	d.mapping(root, "", "key", rootKeys, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			rb.ID = d.str(v, key)
			switch {
			case rb.ID == "" && v.Kind != yaml.ScalarNode: // str has said why
			case rb.ID != id:
				d.addf(v, "id %q does not match the file name %s (want id: %s)", short(rb.ID), d.file, id)
			case !idPattern.MatchString(rb.ID):
				d.addf(v, "id %q: use lowercase letters, digits and dashes", short(rb.ID))
			}
		case "title":
			rb.Title = d.str(v, key)
		case "description":
			rb.Description = d.str(v, key)
		case "severity":
			rb.Severity = d.oneOf(v, key, "severity", Severities)
		case "auto_pause":
			rb.AutoPause = d.boolean(v, key)
		case "acknowledge":
			rb.Acknowledge = d.acknowledge(v)
		case "triggers":
			d.sequence(v, key, func(i int, v *yaml.Node) { rb.Triggers = append(rb.Triggers, d.trigger(v, i)) })
		case "checklists":
			d.mapping(v, key, "step", Steps, func(step string, v *yaml.Node) {
				rb.Checklists[step] = d.texts(v, key+"."+step)
			})
		case "tasks":
			d.sequence(v, key, func(i int, v *yaml.Node) { rb.Tasks = append(rb.Tasks, d.task(v, i)) })
		case "involve":
			d.mapping(v, key, "key", []string{"legal", "security"}, func(k string, v *yaml.Node) {
				if k == "legal" {
					rb.Involve.Legal = d.boolean(v, key+"."+k)
				} else {
					rb.Involve.Security = d.boolean(v, key+"."+k)
				}
			})
		case "apology":
			rb.Apology = d.apology(v)
		case "monitoring":
			d.monitoring(v, &rb.Monitoring)
		}
	})
	at := func(path string) *yaml.Node {
		for p := path; p != ""; p = p[:max(strings.LastIndexByte(p, '.'), 0)] {
			if l, ok := d.lines[p]; ok {
				return &yaml.Node{Line: l}
			}
		}
		return root
	}
	if _, ok := d.lines["id"]; !ok {
		d.addf(root, "id is required (id: %s)", id)
	}
	if rb.Title == "" {
		d.addf(at("title"), "title is required")
	}
	if rb.Severity == "" {
		d.addf(at("severity"), "severity is required (one of %s)", strings.Join(Severities, ", "))
	}
	if len(rb.Acknowledge.Escalation) == 0 {
		d.addf(at("acknowledge.escalation"), "acknowledge.escalation: name at least one target; someone must hear when nobody acknowledges")
	}
	d.invariants(&rb, at)
	return rb
}

// invariants refuses runbooks that would break DESIGN.md's invariants 3 and 4
// whatever the code does with them, so an overriding directory cannot either.
func (d *decoder) invariants(rb *Runbook, at func(string) *yaml.Node) {
	switch rb.ID {
	case StaleSuppressionList:
		if rb.Apology.Allowed {
			d.addf(at("apology.allowed"), "apology.allowed must be false for %s: mailing that list again only adds complaints (DESIGN.md invariant 3)", rb.ID)
		}
	case DataBreach:
		for _, role := range []string{"legal", "security"} {
			if !slices.Contains(rb.Apology.RequiresApproval, role) {
				d.addf(at("apology.requires_approval"), "apology.requires_approval must include %s for %s (DESIGN.md invariant 4)", role, rb.ID)
			}
		}
		if !rb.Involve.Legal || !rb.Involve.Security {
			d.addf(at("involve"), "involve must set legal: true and security: true for %s", rb.ID)
		}
	}
}

func (d *decoder) texts(n *yaml.Node, what string) []string {
	out := []string{}
	d.sequence(n, what, func(i int, v *yaml.Node) {
		s := d.str(v, fmt.Sprintf("%s[%d]", what, i))
		if s == "" && v.Kind == yaml.ScalarNode {
			d.addf(v, "%s[%d]: empty item", what, i)
		}
		out = append(out, s)
	})
	return out
}

func (d *decoder) acknowledge(n *yaml.Node) Acknowledge {
	a := Acknowledge{Deadline: DefaultDeadline}
	d.mapping(n, "acknowledge", "key", []string{"deadline", "repeat", "escalation"}, func(k string, v *yaml.Node) {
		switch k {
		case "deadline":
			if dl, ok := d.duration(v, "acknowledge.deadline"); ok && dl == 0 {
				d.addf(v, "acknowledge.deadline must be more than zero")
			} else if ok {
				a.Deadline = dl
			}
		case "repeat":
			a.Repeat, _ = d.duration(v, "acknowledge.repeat")
		case "escalation":
			d.sequence(v, "acknowledge.escalation", func(i int, v *yaml.Node) {
				a.Escalation = append(a.Escalation, d.target(v, fmt.Sprintf("acknowledge.escalation[%d]", i)))
			})
		}
	})
	return a
}

func (d *decoder) target(n *yaml.Node, what string) Target {
	var t Target
	given := 0
	d.mapping(n, what, "key", []string{"role", "email", "slack"}, func(k string, v *yaml.Node) {
		switch k {
		case "role":
			t.Role = d.oneOf(v, what+".role", "role", Roles)
		case "email":
			t.Email = d.str(v, what+".email")
			if a, err := mail.ParseAddress(t.Email); t.Email != "" && (err != nil || a.Address != t.Email) {
				d.addf(v, "%s.email: %q is not a plain email address", what, short(t.Email))
			}
		case "slack":
			t.Slack = d.boolean(v, what+".slack")
		}
	})
	for _, set := range []bool{t.Role != "", t.Email != "", t.Slack} {
		if set {
			given++
		}
	}
	if n.Kind == yaml.MappingNode || isNull(n) {
		switch {
		case given == 0:
			d.addf(n, "%s: name a target with one of role, email or slack: true", what)
		case given > 1:
			d.addf(n, "%s: one target per item; split role, email and slack into separate items", what)
		}
	}
	return t
}

func (d *decoder) trigger(n *yaml.Node, i int) Trigger {
	var t Trigger
	what := fmt.Sprintf("triggers[%d]", i)
	hasThreshold := false
	d.mapping(n, what, "key", []string{"rule", "metric", "threshold", "min_volume", "suggests"}, func(k string, v *yaml.Node) {
		p := what + "." + k
		switch k {
		case "rule":
			if t.Rule = d.str(v, p); t.Rule != "" && !idPattern.MatchString(t.Rule) {
				d.addf(v, "%s: %q: use lowercase letters, digits and dashes", p, short(t.Rule))
			}
		case "metric":
			t.Metric = d.oneOf(v, p, "metric", Metrics)
		case "threshold":
			hasThreshold = true
			if v.Kind != yaml.ScalarNode || (v.Tag != "!!float" && v.Tag != "!!int") || v.Decode(&t.Threshold) != nil {
				d.addf(v, "%s: want a ratio like 0.003 (= 0.3 %%), got %s", p, describe(v))
			} else if !(t.Threshold > 0 && t.Threshold <= 1) {
				d.addf(v, "%s: %v is outside (0, 1]; a ratio, 0.003 = 0.3 %%", p, v.Value)
			}
		case "min_volume":
			if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || v.Decode(&t.MinVolume) != nil || t.MinVolume < 0 {
				d.addf(v, "%s: want a whole number of messages ≥ 0, got %s", p, describe(v))
			}
		case "suggests":
			t.Suggests = d.str(v, p)
		}
	})
	if n.Kind == yaml.MappingNode {
		if t.Rule == "" {
			d.addf(n, "%s: rule is required (a name such as complaint-spike)", what)
		}
		if t.Metric == "" {
			d.addf(n, "%s: metric is required (one of %s)", what, strings.Join(Metrics, ", "))
		}
		if !hasThreshold {
			d.addf(n, "%s: threshold is required (a ratio in (0, 1])", what)
		}
	}
	return t
}

func (d *decoder) task(n *yaml.Node, i int) TaskTemplate {
	var t TaskTemplate
	what := fmt.Sprintf("tasks[%d]", i)
	d.mapping(n, what, "key", []string{"title", "kind", "owner_role", "due"}, func(k string, v *yaml.Node) {
		p := what + "." + k
		switch k {
		case "title":
			t.Title = d.str(v, p)
		case "kind":
			t.Kind = d.oneOf(v, p, "task kind", TaskKinds)
		case "owner_role":
			t.OwnerRole = d.oneOf(v, p, "role", Roles)
		case "due":
			t.Due, _ = d.duration(v, p)
		}
	})
	if n.Kind == yaml.MappingNode {
		if t.Title == "" {
			d.addf(n, "%s: title is required", what)
		}
		if t.Kind == "" {
			d.addf(n, "%s: kind is required (one of %s)", what, strings.Join(TaskKinds, ", "))
		}
	}
	return t
}

func (d *decoder) apology(n *yaml.Node) Apology {
	var a Apology
	d.mapping(n, "apology", "key", []string{"allowed", "requires_approval"}, func(k string, v *yaml.Node) {
		switch k {
		case "allowed":
			a.Allowed = d.boolean(v, "apology.allowed")
		case "requires_approval":
			a.RequiresApproval = []string{}
			d.sequence(v, "apology.requires_approval", func(i int, v *yaml.Node) {
				p := fmt.Sprintf("apology.requires_approval[%d]", i)
				r := d.oneOf(v, p, "role", Roles)
				switch {
				case r == "" && v.Kind == yaml.ScalarNode:
					d.addf(v, "%s: empty role", p)
				case slices.Contains(a.RequiresApproval, r):
					d.addf(v, "%s: %s is listed twice", p, r)
				default:
					a.RequiresApproval = append(a.RequiresApproval, r)
				}
			})
		}
	})
	if !a.Allowed && len(a.RequiresApproval) > 0 {
		d.addf(n, "apology: requires_approval is set but allowed is false; drop one of them")
	}
	return a
}

// monitoring reads step 6's policy into m (which holds the defaults): the
// watch window and the canary new campaigns of the watched brand go out with.
func (d *decoder) monitoring(n *yaml.Node, m *Monitoring) {
	d.mapping(n, "monitoring", "key", []string{"window", "canary_percent", "canary_hold"}, func(k string, v *yaml.Node) {
		p := "monitoring." + k
		switch k {
		case "window":
			m.Window, _ = d.duration(v, p)
		case "canary_percent":
			var pct float64
			if v.Kind != yaml.ScalarNode || (v.Tag != "!!float" && v.Tag != "!!int") || v.Decode(&pct) != nil {
				d.addf(v, "%s: want a percentage of the audience like 10 (= 10 %%), got %s", p, describe(v))
			} else if !(pct > 0 && pct <= 100) {
				d.addf(v, "%s: %v is outside (0, 100]; a percentage of the audience, 10 = 10 %%", p, v.Value)
			} else {
				m.CanaryPercent = pct
			}
		case "canary_hold":
			if h, ok := d.duration(v, p); ok && h > MaxCanaryHold {
				d.addf(v, "%s: %s is longer than %s; every campaign of the brand would wait that long", p, short(v.Value), DurationString(MaxCanaryHold))
			} else if ok {
				m.CanaryHold = h
			}
		}
	})
}
