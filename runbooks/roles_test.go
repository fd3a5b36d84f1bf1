package runbooks_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
)

// acts are the things a checklist line or a task can tell someone to do in
// Firebreak, each with the permission it takes. A line that uses one of these
// words is read as an instruction to whoever finishes its step (the step's
// roles, auth.StepPermission) and a task title as one to its owner_role.
var acts = []struct {
	word *regexp.Regexp
	perm auth.Permission
}{
	{regexp.MustCompile(`(?i)\breclassif`), auth.IncidentDeclare},
	{regexp.MustCompile(`(?i)\bresume\b`), auth.CampaignResume},
	{regexp.MustCompile(`(?i)\bcancel\b`), auth.CampaignCancel},
	{regexp.MustCompile(`(?i)\bpause (it|them|every|the)`), auth.CampaignPause},
	{regexp.MustCompile(`(?i)\bresolve the incident`), auth.IncidentResolve},
	{regexp.MustCompile(`(?i)\bdeclare\b`), auth.IncidentDeclare},
}

// delegated says the line hands the act to someone named, who may do it
// ("ask the owner or a marketer to reclassify…").
var delegated = regexp.MustCompile(`(?i)\b(asks?|have) (the owner|a marketer|an admin)`)

// negated is a line that says what not to do ("Do not cancel yet").
var negated = regexp.MustCompile(`(?i)^do not `)

// problems lists what text asks of roles that they cannot do.
func problems(text string, roles []auth.Role) []string {
	if delegated.MatchString(text) || negated.MatchString(text) {
		return nil
	}
	var out []string
	for _, a := range acts {
		if !a.word.MatchString(text) {
			continue
		}
		for _, r := range roles {
			if !auth.Can([]auth.Role{r}, a.perm) {
				out = append(out, string(r)+" lacks "+string(a.perm))
			}
		}
	}
	return out
}

// TestNoChecklistAsksARoleForWhatItCannotDo: no shipped checklist line tells a
// role that may finish its step to do something that role cannot do, and no
// task asks its owner role for something it cannot do (issue 16: the triage
// checklist said "reclassify to data-breach now" to roles that cannot).
func TestNoChecklistAsksARoleForWhatItCannotDo(t *testing.T) {
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range set.All() {
		for _, step := range runbook.Steps {
			p, ok := auth.StepPermission(step)
			if !ok {
				t.Fatalf("step %s has no rule for who may finish it", step)
			}
			for i, line := range rb.Checklists[step] {
				if ps := problems(line, auth.RolesWith(p)); len(ps) > 0 {
					t.Errorf("%s, %s checklist line %d: %s: %q", rb.ID, step, i+1, strings.Join(ps, "; "), line)
				}
			}
		}
		for _, task := range rb.Tasks {
			if task.OwnerRole == "" {
				continue
			}
			if ps := problems(task.Title, []auth.Role{auth.Role(task.OwnerRole)}); len(ps) > 0 {
				t.Errorf("%s, task for %s: %s: %q", rb.ID, task.OwnerRole, strings.Join(ps, "; "), task.Title)
			}
		}
	}
}

// TestTheCheckSeesTheIssue16Line: the check refuses the line issue 16 found
// and accepts it reworded, so its passing means something.
func TestTheCheckSeesTheIssue16Line(t *testing.T) {
	p, _ := auth.StepPermission("assess")
	old := "If any personal data may have reached the wrong person, reclassify to data-breach now."
	if got := strings.Join(problems(old, auth.RolesWith(p)), ","); got != "security lacks incident.declare" {
		t.Errorf("problems(old line) = %q", got)
	}
	reworded := "If any personal data may have reached the wrong person, ask the owner or a marketer to reclassify to data-breach now."
	if got := problems(reworded, auth.RolesWith(p)); len(got) != 0 {
		t.Errorf("problems(reworded) = %v", got)
	}
	if got := problems("Resume the campaign.", []auth.Role{auth.Legal}); len(got) != 1 {
		t.Errorf("problems(resume as legal) = %v", got)
	}
}
