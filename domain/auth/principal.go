package auth

// Method says how a caller authenticated; it decides whether CSRF applies and
// whether the request is the user's own act (ActsForSelf).
type Method string

// The authentication methods.
const (
	MethodToken   Method = "token"   // Authorization: Bearer <api token>
	MethodSession Method = "session" // the dashboard's session cookie (+ CSRF header)
)

// MintedByCLI is TokenMintedBy for a token made with `firebreak token create`
// (an operator at the server, not a user of the API).
const MintedByCLI = "cli"

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
	// TokenMintedBy is set for MethodToken only: the id of the user who
	// created the token, or MintedByCLI. An admin may mint a token for another
	// user; that token acts as that user but is not their own act.
	TokenMintedBy string
}

// Can reports whether the principal's roles grant p.
func (p Principal) Can(perm Permission) bool { return Can(p.Roles, perm) }

// ActsForSelf reports whether this request is the user's own act, not one
// made in their name by somebody else: true for the user's own dashboard
// session, and for an API token the user minted themselves or an operator
// minted for them with the CLI; false for a token another user (an admin)
// minted for them, and for anything unknown. A decision that must be a
// particular person's — an approval by legal and another by security — accepts
// only principals for which this is true.
func (p Principal) ActsForSelf() bool {
	switch p.Method {
	case MethodSession:
		return p.UserID != "" && p.SessionID != ""
	case MethodToken:
		return p.UserID != "" && p.TokenID != "" &&
			(p.TokenMintedBy == MintedByCLI || p.TokenMintedBy == p.UserID)
	}
	return false
}
