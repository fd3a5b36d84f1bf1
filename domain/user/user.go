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
	"unicode/utf8"

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
	ErrUserNotFound       = errs.New(errs.NotFound, "user_not_found", "No user has that id.")
	ErrAccountDisabled    = errs.New(errs.Unauthenticated, "account_disabled", "This account is disabled. Ask an admin to enable it.")
	ErrUserDisabled       = errs.New(errs.Conflict, "user_disabled", "The user is disabled; enable them first.")
	ErrLastAdmin          = errs.New(errs.Conflict, "last_admin", "This would leave no active admin. Make someone else an admin first.")
	ErrNotYourToken       = errs.New(errs.Forbidden, "not_your_token", "Only an admin may revoke another user's API token.")
	// ErrEmailTooLong and ErrPasswordTooLong are input no rule is applied to:
	// the HTTP layer answers them 400 (the request is malformed), not 422.
	ErrEmailTooLong    = errs.New(errs.Invalid, "invalid_email", fmt.Sprintf("An email address is at most %d characters.", MaxEmailLength))
	ErrPasswordTooLong = errs.New(errs.Invalid, "password_too_long", fmt.Sprintf("A password is at most %d bytes (bcrypt reads no more).", MaxPasswordBytes))
)

// MaxEmailLength is the longest address accepted anywhere (RFC 3696's 320:
// 64 for the local part, @, 255 for the domain). Longer input is refused
// before it is looked up, counted or stored.
const MaxEmailLength = 320

// MaxPasswordBytes is bcrypt's limit: it ignores every byte after the 72nd,
// so a longer password is refused rather than silently cut.
const MaxPasswordBytes = 72

// User is a person (or integration) with roles.
type User struct {
	ID          string
	Email       string
	Name        string
	Roles       []auth.Role
	HasPassword bool
	CreatedAt   time.Time
	// DisabledAt is when an admin disabled the user; nil while active.
	DisabledAt *time.Time
}

// Active reports whether the user may sign in and use their credentials.
func (u User) Active() bool { return u.DisabledAt == nil }

// IsAdmin reports whether the user holds the admin role (active or not).
func (u User) IsAdmin() bool {
	for _, r := range u.Roles {
		if r == auth.Admin {
			return true
		}
	}
	return false
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

// normalize validates n and returns the cleaned email, name and roles. A
// password over MaxPasswordBytes is ErrPasswordTooLong, before any field check.
func (n NewUser) normalize() (email, name string, roles []auth.Role, err error) {
	if len(n.Password) > MaxPasswordBytes {
		return "", "", nil, ErrPasswordTooLong
	}
	var f errs.Fields
	email, emailErr := NormalizeEmail(n.Email)
	if emailErr != nil {
		f.Add("email", emailErr.Error())
	}
	name, nameErr := normalizeName(n.Name)
	if nameErr != "" {
		f.Add("name", nameErr)
	}
	roles, roleErr := normalizeRoles(n.Roles)
	if roleErr != "" {
		f.Add("roles", roleErr)
	}
	if n.Password != "" && len(n.Password) < MinPasswordLength {
		f.Add("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	return email, name, roles, f.Err()
}

// normalizeName trims a user's name and says what is wrong with it, if anything.
func normalizeName(s string) (string, string) {
	name := strings.TrimSpace(s)
	switch {
	case name == "":
		return "", "is required"
	case len(name) > 200:
		return "", "is longer than 200 characters"
	}
	return name, ""
}

// normalizeRoles parses role names and says what is wrong with them, if anything.
func normalizeRoles(names []string) ([]auth.Role, string) {
	roles, err := auth.ParseRoles(names...)
	switch {
	case err != nil:
		return nil, err.Error()
	case len(roles) == 0:
		return nil, "at least one role is required (marketer, legal, security, admin)"
	}
	return roles, ""
}

func emailTooLong(s string) bool {
	return len(s) > MaxEmailLength && utf8.RuneCountInString(strings.TrimSpace(s)) > MaxEmailLength
}

// NormalizeEmail trims an address, checks it is a bare addr-spec of at most
// MaxEmailLength characters and lower-cases it: Firebreak compares addresses
// case-insensitively everywhere.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("is required")
	}
	if emailTooLong(s) {
		return "", fmt.Errorf("is longer than %d characters", MaxEmailLength)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", fmt.Errorf("is not a valid email address")
	}
	return strings.ToLower(s), nil
}
