package auth

import (
	"fmt"
	"strings"

	"github.com/firebreak/firebreak/domain/errs"
)

// stepPermission is who may mark each step of the response done or skip it:
// the permission whose holders do that step's work. It is part of the one
// policy table (docs/api.md, Roles): a role that cannot do a step's work
// cannot declare it finished either. Legal and security still take part in
// every step through the permissions they hold (the assessment's legal
// fields, tasks, notes, approvals); finishing a step is for the roles that
// own its work.
var stepPermission = map[string]Permission{
	"own":         IncidentAck,        // acknowledging finishes it
	"stop":        CampaignPause,      // pausing finishes it; skipped when nothing is left to pause
	"assess":      IncidentAssess,     // the blast radius and the assessment
	"plan":        IncidentAck,        // the incident's plan is the responders' (legal and security add tasks)
	"communicate": CommunicationDraft, // the drafts and what is sent
	"monitor":     IncidentResolve,    // the watch window ends with resolving
}

// StepPermission is the permission that lets a caller complete or skip step;
// false for a name that is not a step.
func StepPermission(step string) (Permission, bool) {
	p, ok := stepPermission[step]
	return p, ok
}

// RolesWith lists the roles that hold p, in Roles order, admin last (admin
// holds every permission).
func RolesWith(p Permission) []Role {
	allowed, known := table[p]
	if !known {
		return nil
	}
	var out []Role
	for _, r := range Roles {
		if r == Admin {
			out = append(out, r)
			continue
		}
		for _, a := range allowed {
			if r == a {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Who names roles in words, plural: "marketers, security and admins".
func Who(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		switch r {
		case Security:
			names[i] = "security"
		case Legal:
			names[i] = "legal"
		default:
			names[i] = string(r) + "s"
		}
	}
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// StepForbiddenError is RequireStep's refusal: 403 forbidden, naming who may.
type StepForbiddenError struct {
	Step       string
	Skip       bool
	Permission Permission
	Roles      []Role // the caller's
}

func (e *StepForbiddenError) Error() string {
	verb := "mark the " + e.Step + " step done"
	if e.Skip {
		verb = "skip the " + e.Step + " step"
	}
	return fmt.Sprintf("Only %s can %s (it needs %s).", Who(RolesWith(e.Permission)), verb, e.Permission)
}

// Unwrap makes the refusal errs.Forbidden.
func (e *StepForbiddenError) Unwrap() error { return errs.Forbidden }

// Code is the API error code.
func (e *StepForbiddenError) Code() string { return "forbidden" }

// Details names the step, the permission, the roles that hold it and the caller's.
func (e *StepForbiddenError) Details() map[string]any {
	return map[string]any{"step": e.Step, "permission": string(e.Permission),
		"allowed_roles": Strings(RolesWith(e.Permission)), "roles": Strings(e.Roles)}
}

// RequireStep returns a *StepForbiddenError unless roles may complete (or,
// with skip, skip) step. A name that is not a step is let through for the
// incident's own rules to refuse (ErrInvalidStep).
func RequireStep(roles []Role, step string, skip bool) error {
	p, ok := stepPermission[step]
	if !ok || Can(roles, p) {
		return nil
	}
	return &StepForbiddenError{Step: step, Skip: skip, Permission: p, Roles: roles}
}
