// Package ids checks the form of Firebreak's ids (UUID strings, DESIGN.md), so
// input that names a user, campaign or recipient can be refused early and in
// words instead of failing inside Postgres.
package ids

import "regexp"

var uuid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Valid reports whether s has the form of an id.
func Valid(s string) bool { return uuid.MatchString(s) }
