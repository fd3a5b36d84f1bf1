// Package ids checks the form of Firebreak's ids (UUID strings, DESIGN.md), so
// input that names a user, campaign or recipient can be refused early and in
// words instead of failing inside Postgres.
package ids

// Valid reports whether s has the form of an id: 8-4-4-4-12 hexadecimal
// digits, either case. Checked by hand rather than by a regexp: the webhook
// decoder checks two ids per event.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
