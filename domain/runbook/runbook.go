// Package runbook is what a runbook says: how an incident of one kind is run,
// step by step — who must acknowledge and by when, who is escalated to, the
// checklist of each step, the tasks it opens, whether legal and security are
// involved, the apology policy and the monitoring window afterwards — and the
// detection rules that let SendGrid's events open one by themselves.
//
// Runbooks are YAML files in runbooks/ (embedded, overridable with
// FIREBREAK_RUNBOOKS_DIR); this package holds the types and their rules,
// load.go reads and validates files with file:line errors.
package runbook

import "time"

// The seven runbooks Firebreak ships (DESIGN.md).
const (
	Triage                = "triage"
	WrongSegment          = "wrong-segment"
	BrokenPersonalization = "broken-personalization"
	WrongContent          = "wrong-content"
	DataBreach            = "data-breach"
	StaleSuppressionList  = "stale-suppression-list"
	DeliverabilitySpike   = "deliverability-spike"
)

// Steps are the six steps of the crisis response, in order.
var Steps = []string{"own", "stop", "assess", "plan", "communicate", "monitor"}

// Severities, most severe first.
var Severities = []string{"sev1", "sev2", "sev3", "sev4"}

// Metrics a detection rule may watch (campaign counters kept by the webhook).
var Metrics = []string{"complaint_rate", "hard_bounce_rate", "drop_rate"}

// Runbook is one runbook.
type Runbook struct {
	ID          string
	Title       string
	Description string
	Severity    string // default severity of its incidents
	AutoPause   bool   // a detection rule that fires also pauses the campaign
	Acknowledge Acknowledge
	Triggers    []Trigger
	Checklists  map[string][]string // step -> checklist
	Tasks       []TaskTemplate
	Involve     Involve
	Apology     Apology
	Monitoring  Monitoring
	// Templates are the drafts step 5 starts from, by kind (one of
	// TemplateKinds): runbooks/templates/<id>/<kind>.{subject.txt,html,txt}.
	// Only a runbook whose apology is allowed may have any (templates.go).
	Templates map[string]Template
}

// Acknowledge says who must own an incident by when, and who hears otherwise.
type Acknowledge struct {
	Deadline   time.Duration // default 5m: the golden five minutes
	Repeat     time.Duration // escalate again every Repeat while unacknowledged (0: once)
	Escalation []Target
}

// Target is who an escalation notifies: every user with Role, an address, or
// the configured Slack-compatible webhook.
type Target struct {
	Role  string
	Email string
	Slack bool
}

// Trigger is a detection rule over a campaign's rolling counters: it fires when
// Metric ≥ Threshold once the volume it is measured against reaches MinVolume.
type Trigger struct {
	Rule      string  // e.g. "complaint-spike"
	Metric    string  // one of Metrics
	Threshold float64 // a ratio, 0.003 = 0.3 %
	MinVolume int     // delivered (complaint_rate) or handed over (the others)
	Suggests  string  // the runbook the incident should use, when not this one
}

// TaskTemplate is a task a runbook opens with the incident.
type TaskTemplate struct {
	Title     string
	Kind      string        // internal, communication, compensation, systemic, legal
	OwnerRole string        // the role that should own it (owner left empty until assigned)
	Due       time.Duration // after detected_at
}

// Involve says whether legal and/or security must be involved.
type Involve struct {
	Legal    bool
	Security bool
}

// Apology is the policy for step 5.
type Apology struct {
	Allowed          bool
	RequiresApproval []string // roles that must approve, e.g. legal, security
}

// Monitoring is the policy for step 6.
type Monitoring struct {
	Window time.Duration
	// CanaryPercent and CanaryHold are the canary wave a new campaign of the
	// watched brand goes out with while the window is open (in (0, 100] and
	// [0, MaxCanaryHold]; defaults DefaultCanaryPercent and DefaultCanaryHold):
	// that share of the audience first, the rest only once it has been held
	// that long and the campaign is not paused.
	CanaryPercent float64
	CanaryHold    time.Duration
}

// The canary of a watch window when a runbook does not say (DESIGN.md step 6:
// "e.g. 10 % held 1 h").
const (
	DefaultCanaryPercent = 10
	DefaultCanaryHold    = time.Hour
)

// MaxCanaryHold bounds monitoring.canary_hold: every campaign of the brand
// waits that long for its rest while the window is open, and a hold of more
// than a week is a campaign nobody remembers to look at.
const MaxCanaryHold = 7 * 24 * time.Hour

// TaskKinds are the kinds a task may have.
var TaskKinds = []string{"internal", "communication", "compensation", "systemic", "legal"}
