package esp

import (
	"context"
	"time"
)

// The provider's suppression lists that stop future sends (SENDGRID.md §5).
// Blocks are deliberately absent: a blocked address is not suppressed, later
// sends to it are attempted normally.
const (
	ListBounces       = "bounces"
	ListSpamReports   = "spam_reports"
	ListInvalidEmails = "invalid_emails"
	ListUnsubscribes  = "unsubscribes" // global unsubscribes
)

// SuppressionLists is every list ListSuppressions accepts, in sync order.
var SuppressionLists = []string{ListBounces, ListSpamReports, ListInvalidEmails, ListUnsubscribes}

// MaxSuppressionPage is the largest limit a suppression list page may ask for.
const MaxSuppressionPage = 500

// Suppressed is one entry of a provider suppression list. Reason and Status
// are only filled by the lists that carry them (bounces: both; invalid
// emails: Reason).
type Suppressed struct {
	Email   string // as the provider stores it: not normalised, maybe not even valid
	Created time.Time
	Reason  string
	Status  string // enhanced SMTP status of a bounce, e.g. "5.1.1"
}

// Group is an unsubscribe (ASM) group.
type Group struct {
	ID   int
	Name string
}

// SuppressionLister reads the provider's suppression lists, for the sync that
// copies them into Firebreak. Every call is a read, retried inside the
// adapter like every management call (429 honouring X-RateLimit-Reset, 5xx,
// transport errors); what still fails is an *Error.
type SuppressionLister interface {
	// ListSuppressions returns one page of list (one of SuppressionLists),
	// newest first: at most limit entries (1..MaxSuppressionPage) after
	// skipping offset. A page shorter than limit is the last one. Offset
	// paging over a list that changes meanwhile may repeat or miss entries;
	// the next sync picks up what one missed.
	ListSuppressions(ctx context.Context, list string, offset, limit int) ([]Suppressed, error)
	// ListGroups returns every unsubscribe group.
	ListGroups(ctx context.Context) ([]Group, error)
	// ListGroupSuppressions returns every address unsubscribed from the group
	// (the provider does not page this list). A group that does not exist
	// (any more) is a Permanent *Error with Status 404.
	ListGroupSuppressions(ctx context.Context, groupID int) ([]string, error)
}
