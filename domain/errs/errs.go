// Package errs defines the error kinds every domain package derives its sentinel
// errors from, so the HTTP layer maps a handful of kinds to statuses instead of
// knowing each package's errors.
//
//	var ErrNotFound = fmt.Errorf("user: %w", errs.NotFound)
package errs

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// The kinds. Wrap them; never return them bare from a package.
var (
	// NotFound: the thing asked for does not exist (or is not visible to the caller).
	NotFound = errors.New("not found")
	// Conflict: the request clashes with the current state (duplicate, wrong state).
	Conflict = errors.New("conflict")
	// Invalid: well-formed input that breaks a rule; carries field errors when it can.
	Invalid = errors.New("invalid")
	// Unauthenticated: no or wrong credentials.
	Unauthenticated = errors.New("unauthenticated")
	// Forbidden: authenticated, but the role does not allow it.
	Forbidden = errors.New("forbidden")
	// RateLimited: too many attempts; try again later.
	RateLimited = errors.New("rate limited")
	// Unavailable: a dependency (Postgres, Redis, SendGrid) does not answer.
	Unavailable = errors.New("unavailable")
)

// Fields collects per-field problems of one input. Its zero value is ready to use;
// Err returns nil when nothing was added, so a validator ends with `return f.Err()`.
type Fields map[string]string

// Add records a problem with field; the first problem of a field wins.
func (f *Fields) Add(field, problem string) {
	if *f == nil {
		*f = Fields{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = problem
	}
}

// Err returns a *FieldError (kind Invalid) when problems were added, else nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &FieldError{Fields: f}
}

// FieldError is an Invalid error naming each bad field and what is wrong with it.
type FieldError struct {
	Fields Fields
}

func (e *FieldError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, Invalid) true.
func (e *FieldError) Unwrap() error { return Invalid }

// Invalidf is a shorthand for an Invalid error with a message and no fields.
func Invalidf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), Invalid)
}

// E is a sentinel error with a stable API code and a human message, for errors a
// user should see in words ("Wrong email or password."). It unwraps to its kind,
// so the HTTP layer still picks the status by kind.
type E struct {
	Kind    error
	Code    string // snake_case, stable: clients may switch on it
	Message string // a human sentence
}

// New returns a coded sentinel of the given kind.
func New(kind error, code, message string) *E { return &E{Kind: kind, Code: code, Message: message} }

func (e *E) Error() string { return e.Message }

// Unwrap makes errors.Is(err, kind) true.
func (e *E) Unwrap() error { return e.Kind }
