// Package auth holds who may do what: the roles of DESIGN.md, the permissions the
// API checks, and the one table that joins them. Nothing else in Firebreak decides
// access, so this table (and its exhaustive test) is the whole policy.
package auth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/firebreak/firebreak/domain/errs"
)

// Role is one of DESIGN.md's roles; a user may hold several.
type Role string

// The roles.
const (
	Marketer Role = "marketer"
	Legal    Role = "legal"
	Security Role = "security"
	Admin    Role = "admin"
)

// Roles lists every role in a stable order.
var Roles = []Role{Marketer, Legal, Security, Admin}

// ErrUnknownRole is returned by ParseRoles for a name that is not a role.
var ErrUnknownRole = fmt.Errorf("auth: unknown role: %w", errs.Invalid)

// ParseRoles turns "marketer,legal" (or a slice of names) into roles: trimmed,
// lower-cased, de-duplicated and sorted in Roles order. Empty input gives none.
func ParseRoles(names ...string) ([]Role, error) {
	seen := map[Role]bool{}
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			part = strings.ToLower(strings.TrimSpace(part))
			if part == "" {
				continue
			}
			r := Role(part)
			if !r.Valid() {
				return nil, fmt.Errorf("%w %q (want one of %s)", ErrUnknownRole, part, roleNames())
			}
			seen[r] = true
		}
	}
	out := make([]Role, 0, len(seen))
	for _, r := range Roles {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

func roleNames() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Strings returns the role names, for storage and JSON.
func Strings(roles []Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}
