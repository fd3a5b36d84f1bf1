// Package suppression is the list of addresses Firebreak must never mail:
// hard bounces, spam reports, invalid addresses, unsubscribes (global, or from
// one SendGrid unsubscribe group) and manual entries. An audience is always
// taken minus this list; an apology never goes to an address on it.
package suppression

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/recipient"
)

// Kind is why an address is suppressed.
type Kind string

// The kinds.
const (
	Bounce           Kind = "bounce"
	SpamReport       Kind = "spamreport"
	Unsubscribe      Kind = "unsubscribe"
	GroupUnsubscribe Kind = "group_unsubscribe"
	Invalid          Kind = "invalid"
	Manual           Kind = "manual"
)

// Kinds lists every kind.
var Kinds = []Kind{Bounce, SpamReport, Unsubscribe, GroupUnsubscribe, Invalid, Manual}

// Source is where an entry came from.
type Source string

// The sources.
const (
	FromWebhook     Source = "webhook"
	FromSync        Source = "sendgrid_sync"
	FromAPI         Source = "api"
	FromUnsubscribe Source = "unsubscribe_link"
)

// Entry is one suppression.
type Entry struct {
	ID        int64
	Email     string
	Kind      Kind
	GroupID   int // group_unsubscribe only
	Source    Source
	Reason    string
	FirstSeen time.Time
	LastSeen  time.Time
}

// ErrNotFound: no such entry.
var ErrNotFound = errs.New(errs.NotFound, "suppression_not_found", "No suppression has that id.")

// Validate checks an entry before it is stored.
func (e Entry) Validate() error {
	var f errs.Fields
	if _, ok := recipient.NormalizeEmail(e.Email); !ok {
		f.Add("email", "is not a valid email address")
	}
	known := false
	for _, k := range Kinds {
		known = known || e.Kind == k
	}
	if !known {
		f.Add("kind", fmt.Sprintf("must be one of %v", Kinds))
	}
	if (e.Kind == GroupUnsubscribe) != (e.GroupID > 0) {
		f.Add("group_id", "is required for group_unsubscribe, and only for it")
	}
	if e.GroupID > math.MaxInt32 { // SendGrid's group ids are 32-bit, and so is the column
		f.Add("group_id", fmt.Sprintf("must be a SendGrid unsubscribe group id (1 to %d)", math.MaxInt32))
	}
	return f.Err()
}

// Filter narrows a listing.
type Filter struct {
	Email string
	Kind  Kind
	Limit int
}

// Repo is the storage suppressions need. Add is an upsert: seeing an entry again
// moves its last_seen.
type Repo interface {
	AddSuppression(ctx context.Context, e Entry, a audit.Entry) (Entry, error)
	ListSuppressions(ctx context.Context, f Filter) ([]Entry, error)
	DeleteSuppression(ctx context.Context, id int64, a audit.Entry) (Entry, error)
}

// Service is the suppression use-cases.
type Service struct{ repo Repo }

// NewService returns a Service over repo.
func NewService(repo Repo) *Service { return &Service{repo: repo} }

// Add validates and records an entry (the address is stored lower-case).
func (s *Service) Add(ctx context.Context, actor audit.Actor, e Entry) (Entry, error) {
	if err := e.Validate(); err != nil {
		return Entry{}, err
	}
	e.Email, _ = recipient.NormalizeEmail(e.Email)
	return s.repo.AddSuppression(ctx, e, audit.Entry{Actor: actor, Action: "suppression.add", SubjectType: "suppression",
		Data: map[string]any{"email": e.Email, "kind": string(e.Kind), "group_id": e.GroupID, "source": string(e.Source)}})
}

// List lists entries, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, error) {
	if f.Email != "" {
		if norm, ok := recipient.NormalizeEmail(f.Email); ok {
			f.Email = norm
		}
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	return s.repo.ListSuppressions(ctx, f)
}

// Delete removes an entry (a manual correction; it is audited).
func (s *Service) Delete(ctx context.Context, actor audit.Actor, id int64) (Entry, error) {
	return s.repo.DeleteSuppression(ctx, id, audit.Entry{Actor: actor, Action: "suppression.delete",
		SubjectType: "suppression", SubjectID: fmt.Sprint(id)})
}
