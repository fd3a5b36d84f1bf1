package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
)

// stepGrid is who may complete or skip each step, written out independently
// of stepPermission: columns marketer, legal, security, admin (docs/api.md,
// Roles, "Who finishes each step").
const stepGrid = `
own          Y . . Y
stop         Y . Y Y
assess       Y . Y Y
plan         Y . . Y
communicate  Y . . Y
monitor      Y . . Y
`

func TestRequireStepRoleTimesStep(t *testing.T) {
	roles := []auth.Role{auth.Marketer, auth.Legal, auth.Security, auth.Admin}
	for _, line := range strings.Split(strings.TrimSpace(stepGrid), "\n") {
		f := strings.Fields(line)
		step := f[0]
		if _, ok := auth.StepPermission(step); !ok {
			t.Errorf("step %s has no permission", step)
		}
		for i, r := range roles {
			want := f[i+1] == "Y"
			for _, skip := range []bool{false, true} {
				err := auth.RequireStep([]auth.Role{r}, step, skip)
				if want != (err == nil) {
					t.Errorf("RequireStep(%s, %s, skip=%v) = %v, want allowed=%v", r, step, skip, err, want)
				}
				if err != nil && !errors.Is(err, errs.Forbidden) {
					t.Errorf("RequireStep(%s, %s) error is not Forbidden: %v", r, step, err)
				}
			}
		}
		if err := auth.RequireStep(nil, step, false); err == nil {
			t.Errorf("no roles may finish %s", step)
		}
	}
}

func TestRequireStepNamesWhoMay(t *testing.T) {
	err := auth.RequireStep([]auth.Role{auth.Legal}, "assess", false)
	var se *auth.StepForbiddenError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *StepForbiddenError", err)
	}
	if got, want := err.Error(), "Only marketers, security and admins can mark the assess step done (it needs incident.assess)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	d := se.Details()
	if d["step"] != "assess" || d["permission"] != "incident.assess" ||
		strings.Join(d["allowed_roles"].([]string), ",") != "marketer,security,admin" ||
		strings.Join(d["roles"].([]string), ",") != "legal" || se.Code() != "forbidden" {
		t.Errorf("details = %v, code %s", d, se.Code())
	}
	err = auth.RequireStep([]auth.Role{auth.Legal, auth.Security}, "plan", true)
	if got, want := err.Error(), "Only marketers and admins can skip the plan step (it needs incident.acknowledge)."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if err := auth.RequireStep([]auth.Role{auth.Legal}, "no-such-step", false); err != nil {
		t.Errorf("an unknown step is left to the incident's rules (invalid step), got %v", err)
	}
}
