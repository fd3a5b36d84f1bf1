package auth_test

import (
	"testing"

	"github.com/firebreak/firebreak/domain/auth"
)

func TestActsForSelf(t *testing.T) {
	const x, admin = "user-x", "user-admin"
	for name, tc := range map[string]struct {
		p    auth.Principal
		want bool
	}{
		"own session":                   {auth.Principal{UserID: x, Method: auth.MethodSession, SessionID: "s1"}, true},
		"token minted by the user":      {auth.Principal{UserID: x, Method: auth.MethodToken, TokenID: "t1", TokenMintedBy: x}, true},
		"token minted by the CLI":       {auth.Principal{UserID: x, Method: auth.MethodToken, TokenID: "t1", TokenMintedBy: auth.MintedByCLI}, true},
		"token minted by an admin":      {auth.Principal{UserID: x, Method: auth.MethodToken, TokenID: "t1", TokenMintedBy: admin, Roles: []auth.Role{auth.Admin}}, false},
		"token with no recorded minter": {auth.Principal{UserID: x, Method: auth.MethodToken, TokenID: "t1"}, false},
		"token without an id":           {auth.Principal{UserID: x, Method: auth.MethodToken, TokenMintedBy: x}, false},
		"session without an id":         {auth.Principal{UserID: x, Method: auth.MethodSession}, false},
		"no method":                     {auth.Principal{UserID: x, TokenMintedBy: x}, false},
		"zero principal":                {auth.Principal{}, false},
	} {
		if got := tc.p.ActsForSelf(); got != tc.want {
			t.Errorf("%s: ActsForSelf() = %v, want %v", name, got, tc.want)
		}
	}
}
