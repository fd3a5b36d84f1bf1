package runbook_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
	"gopkg.in/yaml.v3"
)

const day = 24 * time.Hour

func loadEmbedded(t *testing.T) *runbook.Set {
	t.Helper()
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatalf("embedded runbooks do not load:\n%v", err)
	}
	return set
}

func get(t *testing.T, set *runbook.Set, id string) runbook.Runbook {
	t.Helper()
	r, ok := set.Get(id)
	if !ok {
		t.Fatalf("no runbook %s", id)
	}
	return r
}

// embeddedMap copies the embedded runbooks and their templates into a MapFS
// that a test may change.
func embeddedMap(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(runbooks.FS, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(runbooks.FS, name)
		m[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRunbookEmbeddedSetLoadsAllSeven(t *testing.T) {
	set := loadEmbedded(t)
	var ids []string
	for _, r := range set.All() {
		ids = append(ids, r.ID)
	}
	want := slices.Sorted(slices.Values(runbook.Shipped))
	if !slices.Equal(ids, want) {
		t.Fatalf("All() ids = %v, want %v (sorted)", ids, want)
	}
	for _, r := range set.All() {
		t.Run(r.ID, func(t *testing.T) {
			if r.Title == "" || r.Description == "" || r.Severity == "" {
				t.Errorf("title %q, description %q, severity %q: all are needed", r.Title, r.Description, r.Severity)
			}
			if r.Acknowledge.Deadline <= 0 || r.Acknowledge.Deadline > 15*time.Minute {
				t.Errorf("acknowledge deadline %v: the golden minutes, not hours", r.Acknowledge.Deadline)
			}
			if len(r.Acknowledge.Escalation) == 0 {
				t.Error("nobody is escalated to")
			}
			for _, step := range runbook.Steps {
				if len(r.Checklists[step]) == 0 {
					t.Errorf("step %s has no checklist", step)
				}
			}
			if len(r.Tasks) == 0 {
				t.Error("no task templates")
			}
			for _, task := range r.Tasks {
				if task.OwnerRole == "" || task.Due <= 0 {
					t.Errorf("task %q: owner role %q, due %v: both are needed", task.Title, task.OwnerRole, task.Due)
				}
			}
			if r.Monitoring.Window <= 0 {
				t.Error("no monitoring window")
			}
			if r.Monitoring.CanaryPercent <= 0 || r.Monitoring.CanaryPercent > 100 || r.Monitoring.CanaryHold <= 0 {
				t.Errorf("canary %v %% held %v: a watched brand's next campaign needs both", r.Monitoring.CanaryPercent, r.Monitoring.CanaryHold)
			}
		})
	}
}

// Invariant 3: a stale-suppression-list incident never sends an apology.
func TestRunbookStaleSuppressionListNeverApologises(t *testing.T) {
	r := get(t, loadEmbedded(t), runbook.StaleSuppressionList)
	if r.Apology.Allowed {
		t.Fatal("stale-suppression-list allows an apology")
	}
}

// Invariant 4 and the legal clocks.
func TestRunbookDataBreachNeedsLegalAndSecurity(t *testing.T) {
	r := get(t, loadEmbedded(t), runbook.DataBreach)
	if !r.Involve.Legal || !r.Involve.Security {
		t.Errorf("involve = %+v, want legal and security", r.Involve)
	}
	if !r.Apology.Allowed || !slices.Contains(r.Apology.RequiresApproval, "legal") || !slices.Contains(r.Apology.RequiresApproval, "security") {
		t.Errorf("apology = %+v, want allowed with legal and security approval", r.Apology)
	}
	if r.Severity != "sev1" {
		t.Errorf("severity %s, want sev1", r.Severity)
	}
	clocks := []struct {
		mention string
		due     time.Duration
	}{
		{"supervisory authority", 72 * time.Hour}, // GDPR Art. 33
		{"individuals", 72 * time.Hour},           // GDPR Art. 34, without undue delay
		{"US state", 30 * day},
	}
	for _, c := range clocks {
		i := slices.IndexFunc(r.Tasks, func(task runbook.TaskTemplate) bool { return strings.Contains(task.Title, c.mention) })
		if i < 0 {
			t.Errorf("no task mentioning %q", c.mention)
			continue
		}
		task := r.Tasks[i]
		if task.Kind != "legal" || task.OwnerRole != "legal" || task.Due != c.due {
			t.Errorf("task %q: kind %s, owner %s, due %v; want legal, legal, %v", task.Title, task.Kind, task.OwnerRole, task.Due, c.due)
		}
	}
}

func TestRunbookDeliverabilitySpikeTriggers(t *testing.T) {
	set := loadEmbedded(t)
	r := get(t, set, runbook.DeliverabilitySpike)
	want := []runbook.Trigger{
		{Rule: "complaint-spike", Metric: "complaint_rate", Threshold: 0.003, MinVolume: 200},
		{Rule: "hard-bounce-spike", Metric: "hard_bounce_rate", Threshold: 0.05, MinVolume: 200},
		{Rule: "drop-spike", Metric: "drop_rate", Threshold: 0.05, MinVolume: 200, Suggests: runbook.StaleSuppressionList},
	}
	if !reflect.DeepEqual(r.Triggers, want) {
		t.Errorf("triggers =\n%+v\nwant\n%+v", r.Triggers, want)
	}
	if !r.AutoPause || r.Severity != "sev2" {
		t.Errorf("auto_pause %v, severity %s; want true, sev2", r.AutoPause, r.Severity)
	}
	var roles []string
	for _, e := range r.Acknowledge.Escalation {
		if e.Role != "" {
			roles = append(roles, e.Role)
		}
	}
	if !slices.Contains(roles, "security") || !slices.Contains(roles, "marketer") {
		t.Errorf("escalation roles %v, want security and marketer", roles)
	}
	for _, other := range set.All() {
		if other.ID != runbook.DeliverabilitySpike && len(other.Triggers) > 0 {
			t.Errorf("%s has triggers; only the webhook's runbook opens incidents by itself", other.ID)
		}
	}
}

func TestRunbookRolesAreAuthRoles(t *testing.T) {
	var want []string
	for _, r := range auth.Roles {
		want = append(want, string(r))
	}
	if !slices.Equal(runbook.Roles, want) {
		t.Fatalf("runbook.Roles = %v, auth.Roles = %v", runbook.Roles, want)
	}
}

// TestRunbookBrokenFilesNameFileAndLine overlays each testdata/<case>/ on the
// embedded set and wants exactly the listed problems.
func TestRunbookBrokenFilesNameFileAndLine(t *testing.T) {
	type want struct{ at, says string }
	for _, tc := range []struct {
		dir  string
		want []want
	}{
		{"unknown-key", []want{{"wrong-segment.yaml:9", `unknown key "titel"`}}},
		{"bad-duration", []want{{"triage.yaml:5", `acknowledge.deadline: "5 minutes" is not a duration`}}},
		{"unknown-role", []want{{"wrong-content.yaml:10", `tasks[0].owner_role: "marketing" is not a role`}}},
		{"unknown-metric", []want{{"deliverability-spike.yaml:9", `triggers[0].metric: "open_rate" is not a metric`}}},
		{"id-mismatch", []want{{"broken-personalization.yaml:2", `id "broken-personalisation" does not match the file name`}}},
		{"bad-suggests", []want{{"deliverability-spike.yaml:12", `triggers[0].suggests: no runbook "stale-list"`}}},
		{"threshold-out-of-range", []want{
			{"deliverability-spike.yaml:11", `triggers[0].threshold: want a ratio`},
			{"deliverability-spike.yaml:14", `triggers[1].threshold: 5 is outside (0, 1]`},
		}},
		{"empty-target", []want{{"wrong-segment.yaml:7", `acknowledge.escalation[1]: name a target with one of role, email or slack`}}},
		{"missing-title", []want{{"triage.yaml:1", `title is required`}}},
		{"many-problems", []want{
			{"wrong-content.yaml:3", `severity: "critical" is not a severity`},
			{"wrong-content.yaml:5", `acknowledge.repeat: "-10m" is negative`},
			{"wrong-content.yaml:7", `acknowledge.escalation[0]: one target per item`},
			{"wrong-content.yaml:10", `checklists: unknown step "fix"`},
			{"wrong-content.yaml:13", `tasks[0].kind: "refund" is not a task kind`},
			{"wrong-content.yaml:14", `tasks[0].due: "1w" is not a duration`},
			{"wrong-content.yaml:17", `monitoring: unknown key "baseline"`},
		}},
		{"stale-apology", []want{{"stale-suppression-list.yaml:8", `apology.allowed must be false`}}},
		{"breach-approval", []want{{"data-breach.yaml:12", `apology.requires_approval must include security`}}},
		{"yaml-syntax", []want{{"triage.yaml:7", `YAML syntax: did not find expected key`}}},
		{"duplicate-id", []want{
			{"triage-copy.yaml:1", `id "triage" does not match the file name triage-copy.yaml`},
			{"triage-copy.yaml:1", `duplicate id "triage": triage.yaml:`},
		}},
		{"yml-extension", []want{{"wrong-segment.yml", `must end in .yaml`}}},
		{"bad-canary", []want{
			{"triage.yaml:9", `monitoring.canary_percent: 0 is outside (0, 100]`},
			{"triage.yaml:10", `monitoring.canary_hold: 8d is longer than 7d`},
			{"wrong-content.yaml:9", `monitoring.canary_percent: want a percentage of the audience like 10`},
			{"wrong-content.yaml:10", `monitoring.canary_hold: "-1h" is negative`},
			{"wrong-segment.yaml:9", `monitoring.canary_percent: 150 is outside (0, 100]`},
		}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			fsys := embeddedMap(t)
			dir := filepath.Join("testdata", tc.dir)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				fsys[e.Name()] = &fstest.MapFile{Data: data}
			}
			set, err := runbook.Load(fsys)
			var ps *runbook.Problems
			if !errors.As(err, &ps) || set != nil {
				t.Fatalf("Load = %v, %v; want nil and *Problems", set, err)
			}
			got := strings.Split(ps.Error(), "\n")
			if len(got) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%s", len(got), len(tc.want), ps)
			}
			for _, w := range tc.want {
				prefix := w.at + ": "
				if !slices.ContainsFunc(got, func(p string) bool {
					return strings.HasPrefix(p, prefix) && strings.Contains(p, w.says)
				}) {
					t.Errorf("no problem %q containing %q in:\n%s", prefix, w.says, ps)
				}
			}
		})
	}
}

func TestRunbookEmptyDirectoryNamesEveryMissingRunbook(t *testing.T) {
	_, err := runbook.Load(fstest.MapFS{"README.md": {Data: []byte("not a runbook")}})
	var ps *runbook.Problems
	if !errors.As(err, &ps) || len(ps.List) != len(runbook.Shipped) {
		t.Fatalf("err = %v; want one problem per shipped runbook", err)
	}
	for _, p := range ps.List {
		if p.Line != 0 || !strings.Contains(p.Message, "missing") {
			t.Errorf("problem %v", p)
		}
	}
}

func TestRunbookDefaults(t *testing.T) {
	fsys := embeddedMap(t)
	for name := range fsys {
		if strings.HasPrefix(name, "templates/wrong-segment/") {
			delete(fsys, name) // a runbook without an apology may have no templates
		}
	}
	fsys["wrong-segment.yaml"] = &fstest.MapFile{Data: []byte(`
id: wrong-segment
title: Minimal
severity: sev4
acknowledge:
  escalation: [{email: oncall@example.com}]
monitoring: {window: 1d12h}
`)}
	set, err := runbook.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, set, runbook.WrongSegment)
	if r.Acknowledge.Deadline != 5*time.Minute || !r.AutoPause || r.Apology.Allowed || r.Monitoring.Window != 36*time.Hour {
		t.Errorf("deadline %v, auto_pause %v, apology %v, window %v; want 5m, true, false, 36h",
			r.Acknowledge.Deadline, r.AutoPause, r.Apology.Allowed, r.Monitoring.Window)
	}
	if r.Monitoring.CanaryPercent != 10 || r.Monitoring.CanaryHold != time.Hour {
		t.Errorf("canary %v %% held %v; want the default 10 %% held 1h", r.Monitoring.CanaryPercent, r.Monitoring.CanaryHold)
	}
	if want := []runbook.Target{{Email: "oncall@example.com"}}; !reflect.DeepEqual(r.Acknowledge.Escalation, want) {
		t.Errorf("escalation %+v", r.Acknowledge.Escalation)
	}
	fsys["wrong-segment.yaml"].Data = append(fsys["wrong-segment.yaml"].Data, "auto_pause: false\n"...)
	if set, err = runbook.Load(fsys); err != nil || get(t, set, runbook.WrongSegment).AutoPause {
		t.Errorf("auto_pause: false not kept (err %v)", err)
	}
}

func TestRunbookSetHandsOutCopies(t *testing.T) {
	set := loadEmbedded(t)
	r := get(t, set, runbook.DataBreach)
	r.Apology.RequiresApproval[0] = "marketer"
	r.Checklists["own"][0] = "changed"
	r.Tasks[0].Due = 0
	again := get(t, set, runbook.DataBreach)
	if again.Apology.RequiresApproval[0] == "marketer" || again.Checklists["own"][0] == "changed" || again.Tasks[0].Due == 0 {
		t.Fatal("changing a runbook from Get changed the set")
	}
	var nilSet *runbook.Set
	if _, ok := nilSet.Get(runbook.Triage); ok || len(nilSet.All()) != 0 {
		t.Fatal("the nil set is not empty")
	}
}

func TestRunbookParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5m", 5 * time.Minute, true},
		{"72h", 72 * time.Hour, true},
		{"30d", 30 * day, true},
		{"1d12h", 36 * time.Hour, true},
		{"0s", 0, true},
		{" 10m ", 10 * time.Minute, true},
		{"", 0, false},
		{"5", 0, false},
		{"5 minutes", 0, false},
		{"-5m", 0, false},
		{"d", 0, false},
		{"-1d", 0, false},
		{"1d-1h", 0, false},
		{"1w", 0, false},
		{"1.5d", 0, false},
		{"999999999d", 0, false},
		{"106751d23h", 106751*day + 23*time.Hour, true},
		{"106751d24h", 0, false},
		{"106752d", 0, false},
	} {
		got, err := runbook.ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestRunbookDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 5 * time.Minute: "5m", 72 * time.Hour: "3d", 30 * day: "30d", 90 * time.Second: "1m30s", 36 * time.Hour: "36h",
	} {
		if got := runbook.DurationString(d); got != want {
			t.Errorf("DurationString(%v) = %q, want %q", d, got, want)
		}
		if back, err := runbook.ParseDuration(runbook.DurationString(d)); err != nil || back != d {
			t.Errorf("round trip of %v: %v, %v", d, back, err)
		}
	}
}

// FuzzLoad feeds arbitrary YAML to Load as one runbook among the embedded
// ones. Load must never panic, must fail only with *Problems whose lines are
// in the file, and whatever it accepts must keep invariants 3 and 4.
func FuzzLoad(f *testing.F) {
	base := embeddedMap(f)
	for name, file := range base {
		f.Add(name, file.Data)
	}
	for _, dir := range []string{"unknown-key", "many-problems", "yaml-syntax", "threshold-out-of-range", "breach-approval"} {
		entries, _ := os.ReadDir(filepath.Join("testdata", dir))
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
			f.Add(e.Name(), data)
		}
	}
	f.Add("triage.yaml", []byte("a: &x [*x]\nid: *x\n"))
	f.Add("triage.yaml", []byte("---\nid: triage\n---\nid: triage\n"))
	f.Add("data-breach.yaml", []byte("id: data-breach\n<<: {title: x}\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if !fs.ValidPath(name) || strings.Contains(name, "/") || name == "." {
			return
		}
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys[name] = &fstest.MapFile{Data: data}
		set, err := runbook.Load(fsys)
		if err != nil {
			var ps *runbook.Problems
			if !errors.As(err, &ps) || len(ps.List) == 0 {
				t.Fatalf("error is not *Problems: %v", err)
			}
			lines := 1 // an upper bound: YAML also breaks lines at \r, NEL, LS and PS
			for _, sep := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
				lines += strings.Count(string(data), sep)
			}
			for _, p := range ps.List {
				if p.Line < 0 || (p.File == name && p.Line > lines) {
					t.Errorf("problem %v points outside the file (%d lines)", p, lines)
				}
			}
			return
		}
		if r, _ := set.Get(runbook.StaleSuppressionList); r.Apology.Allowed {
			t.Fatal("accepted a stale-suppression-list that apologises")
		}
		r, _ := set.Get(runbook.DataBreach)
		if !slices.Contains(r.Apology.RequiresApproval, "legal") || !slices.Contains(r.Apology.RequiresApproval, "security") {
			t.Fatal("accepted a data-breach without legal and security approval")
		}
		for _, r := range set.All() {
			if r.Acknowledge.Deadline <= 0 {
				t.Fatalf("%s: deadline %v", r.ID, r.Acknowledge.Deadline)
			}
			for _, tr := range r.Triggers {
				if !(tr.Threshold > 0 && tr.Threshold <= 1) {
					t.Fatalf("%s: threshold %v", r.ID, tr.Threshold)
				}
			}
		}
	})
}

// TestRunbookShippedFilesWriteTheirCanary: every shipped runbook says in its
// own file which canary a watched brand's next campaigns get, rather than
// leaning on the default a reader of the file cannot see.
func TestRunbookShippedFilesWriteTheirCanary(t *testing.T) {
	fsys := embeddedMap(t)
	for _, id := range runbook.Shipped {
		var doc struct {
			Monitoring map[string]any `yaml:"monitoring"`
		}
		if err := yaml.Unmarshal(fsys[id+".yaml"].Data, &doc); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		for _, k := range []string{"window", "canary_percent", "canary_hold"} {
			if _, ok := doc.Monitoring[k]; !ok {
				t.Errorf("%s.yaml: monitoring.%s is not written", id, k)
			}
		}
	}
}

func TestRunbookCanaryIsRead(t *testing.T) {
	fsys := embeddedMap(t)
	fsys["triage.yaml"].Data = []byte(strings.Replace(string(fsys["triage.yaml"].Data),
		"canary_percent: 10\n  canary_hold: 1h", "canary_percent: 2.5\n  canary_hold: 1d6h", 1))
	set, err := runbook.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if m := get(t, set, runbook.Triage).Monitoring; m.CanaryPercent != 2.5 || m.CanaryHold != 30*time.Hour {
		t.Errorf("canary %v %% held %v; want 2.5 %% held 30h", m.CanaryPercent, m.CanaryHold)
	}
}
