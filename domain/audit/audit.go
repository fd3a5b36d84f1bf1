// Package audit describes the append-only audit trail: one Entry per state change,
// with who acted, when, on what, and the data of the change. The store writes an
// entry in the same transaction as the change it records (DESIGN.md invariant 6),
// through one function, so no state change can land without its entry.
package audit

import (
	"context"
	"time"
)

// Actor is who caused a change: a user, or a named part of the system.
type Actor struct {
	// UserID is empty for system actors.
	UserID string
	// Name is readable without a join: the user's email, or "system", "cli", "webhook".
	Name string
}

// System actors.
var (
	System  = Actor{Name: "system"}
	CLI     = Actor{Name: "cli"}
	Webhook = Actor{Name: "webhook"}
)

// Entry is one row of the audit trail.
type Entry struct {
	ID          int64
	At          time.Time
	Actor       Actor
	Action      string // "user.create", "session.create", "incident.acknowledge", …
	SubjectType string // "user", "api_token", "session", "incident", …
	SubjectID   string
	Data        map[string]any
	RequestID   string
	// ActorName is the acting user's name (users.name) as of reading, for
	// people to read; the stores that fill it say so. Empty for system
	// actors, a user without a name, and on write (Actor.Name is what is kept).
	ActorName string
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id, so entries written while
// serving that request can be joined to its access log line.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// With adds key/value pairs to an entry's data (creating it when nil), for the
// store and services that enrich an entry just before writing it.
func With(data map[string]any, kv ...any) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	return data
}
