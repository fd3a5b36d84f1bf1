package auth

// Method says how a caller authenticated; it decides whether CSRF applies.
type Method string

// The authentication methods.
const (
	MethodToken   Method = "token"   // Authorization: Bearer <api token>
	MethodSession Method = "session" // the dashboard's session cookie (+ CSRF header)
)

// Principal is the authenticated caller of one request.
type Principal struct {
	UserID string
	Email  string
	Name   string
	Roles  []Role
	Method Method
	// SessionID and CSRFToken are set for MethodSession only.
	SessionID string
	CSRFToken string
	// TokenID is set for MethodToken only.
	TokenID string
}

// Can reports whether the principal's roles grant p.
func (p Principal) Can(perm Permission) bool { return Can(p.Roles, perm) }
