package communication

import (
	"slices"
	"strings"

	"github.com/firebreak/firebreak/domain/auth"
)

// NeedsApproval returns the roles that must each approve a communication of
// kind before it is sent, one approval per role (DESIGN.md invariant 4): a
// breach notice always needs legal and security, whatever its runbook says,
// and any kind needs the roles its runbook lists in
// apology.requires_approval. The roles are lowercased, deduplicated, legal
// and security first and the others in alphabetical order; never nil, empty
// when nobody needs to approve.
func NeedsApproval(kind Kind, runbookRequires []string) []string {
	roles := []string{}
	if kind == BreachNotice {
		roles = append(roles, string(auth.Legal), string(auth.Security))
	}
	var others []string
	for _, r := range runbookRequires {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" || slices.Contains(roles, r) || slices.Contains(others, r) {
			continue
		}
		if r == string(auth.Legal) || r == string(auth.Security) {
			roles = append(roles, r)
			continue
		}
		others = append(others, r)
	}
	slices.SortFunc(roles, func(a, b string) int { return rank(a) - rank(b) })
	slices.Sort(others)
	return append(roles, others...)
}

func rank(role string) int {
	if role == string(auth.Legal) {
		return 0
	}
	return 1
}
