// Package user is who uses Firebreak and how they prove it: users with roles,
// API tokens (only their SHA-256 is kept), dashboard sessions with a CSRF token,
// and the sign-in rate limit. The Service holds the rules; Repo is the storage
// port it needs, implemented by adapter/postgres.
package user

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
)

// Errors of this package, by kind.
var (
	ErrNotFound           = errs.New(errs.NotFound, "user_not_found", "No user has that email address.")
	ErrEmailTaken         = errs.New(errs.Conflict, "email_taken", "A user with that email address already exists.")
	ErrInvalidCredentials = errs.New(errs.Unauthenticated, "invalid_credentials", "Wrong email or password.")
	ErrInvalidToken       = errs.New(errs.Unauthenticated, "unauthenticated", "The API token or session is unknown, revoked or expired. Sign in again.")
	ErrTooManyAttempts    = errs.New(errs.RateLimited, "rate_limited", "Too many failed sign-ins. Wait a few minutes and try again.")
	ErrTokenNotFound      = errs.New(errs.NotFound, "token_not_found", "No API token has that id.")
)

// User is a person (or integration) with roles.
type User struct {
	ID          string
	Email       string
	Name        string
	Roles       []auth.Role
	HasPassword bool
	CreatedAt   time.Time
}

// NewUser is the input to Service.AddUser.
type NewUser struct {
	Email    string
	Name     string
	Roles    []string
	Password string // optional: without one the user can only use API tokens
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// normalize validates n and returns the cleaned email, name and roles.
func (n NewUser) normalize() (email, name string, roles []auth.Role, err error) {
	var f errs.Fields
	email, emailErr := NormalizeEmail(n.Email)
	if emailErr != nil {
		f.Add("email", emailErr.Error())
	}
	name = strings.TrimSpace(n.Name)
	switch {
	case name == "":
		f.Add("name", "is required")
	case len(name) > 200:
		f.Add("name", "is longer than 200 characters")
	}
	roles, roleErr := auth.ParseRoles(n.Roles...)
	switch {
	case roleErr != nil:
		f.Add("roles", roleErr.Error())
	case len(roles) == 0:
		f.Add("roles", "at least one role is required (marketer, legal, security, admin)")
	}
	if n.Password != "" && len(n.Password) < MinPasswordLength {
		f.Add("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	return email, name, roles, f.Err()
}

// NormalizeEmail trims an address, checks it is a bare addr-spec and lower-cases
// it: Firebreak compares addresses case-insensitively everywhere.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("is required")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", fmt.Errorf("is not a valid email address")
	}
	return strings.ToLower(s), nil
}
