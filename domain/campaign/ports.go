package campaign

import (
	"context"
	"errors"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/page"
)

// ErrNothingToClaim: no recipient of the campaign may be handed over now
// (all handed, or the campaign is not sending, or the canary is on hold).
var ErrNothingToClaim = errors.New("campaign: nothing to hand over now")

// Recipient is one audience member as the dispatcher hands it over.
type Recipient struct {
	ID     string
	Values Values
}

// Claim is one handoff request written to the ledger with its recipients,
// before anything is sent.
type Claim struct {
	RequestID  string
	Campaign   Campaign
	Brand      Brand
	Wave       int
	SendAt     time.Time
	Deadline   time.Time // the HTTP call must be abandoned by then
	Recipients []Recipient
}

// ClaimResult says why nothing was claimed, when nothing was.
type ClaimResult struct {
	Claim *Claim
	// Status of the campaign when nothing was claimed.
	Status Status
	// CanaryReleaseAt is set when the canary is handed over and the rest waits.
	CanaryReleaseAt *time.Time
	// Remaining recipients not yet handed over, failed or in doubt.
	Remaining int
}

// Outcome is how one handoff request ended; its value is the request's
// state in the ledger (handoff_requests.state).
type Outcome string

// The outcomes. RequestFailed is not Failed: that is a campaign's status.
const (
	Accepted      Outcome = "accepted"  // SendGrid took it: recipients handed
	Retry         Outcome = "retry"     // nothing accepted (429, unreachable): recipients go back to pending
	RequestFailed Outcome = "failed"    // a permanent 4xx: recipients failed, counted in failed_requests, reported on the campaign
	Uncertain     Outcome = "uncertain" // a 5xx or timeout: maybe accepted; recipients in doubt, never resent automatically
)

// Repo is the storage the campaign use-cases need (implemented by adapter/postgres).
type Repo interface {
	CreateBrand(ctx context.Context, b Brand, a audit.Entry) (Brand, error)
	GetBrand(ctx context.Context, id string) (Brand, error)
	ListBrands(ctx context.Context) ([]Brand, error)
	CreateCampaign(ctx context.Context, c Campaign, a audit.Entry) (Campaign, error)
	GetCampaign(ctx context.Context, id string) (Campaign, error)
	// ListCampaigns lists one page, newest first, without HTML and Text.
	ListCampaigns(ctx context.Context, p page.Request) ([]Campaign, page.Cursor, error)

	// AudienceFacts measures the live audience of segments (minus suppressed
	// addresses for asmGroupID) against the tags that have no fallback.
	AudienceFacts(ctx context.Context, segments []string, asmGroupID int, tags []Tag) (AudienceFacts, error)
	// StartSend snapshots the audience and moves a draft to sending, atomically;
	// a campaign that is not a draft is ErrAlreadySent. In the same
	// transaction it reads the brand's open watch windows under a share lock
	// (a window cannot close half-way through) and applies what caution
	// decides of them (nil: none), before it picks the canary wave. Under the
	// same row lock it runs CheckReview with the snapshotted audience (a
	// *ReviewRequiredError sends nothing) and keeps the review the campaign
	// is sent with.
	StartSend(ctx context.Context, id, batchID string, now time.Time, a audit.Entry, caution CautionRule) (Campaign, error)

	// Claim takes up to limit pending recipients of a sending campaign into a new
	// handoff request, under the campaign row's share lock, so a pause committed
	// later sees the request and waits for it.
	Claim(ctx context.Context, campaignID string, now, deadline time.Time, limit int) (ClaimResult, error)
	// Finish records a request's outcome (and the campaign's counters).
	Finish(ctx context.Context, requestID string, out Outcome, messageID, reason string) error
	// InFlight counts the campaign's requests still sending before their deadline.
	InFlight(ctx context.Context, campaignID string, now time.Time) (int, error)
	// AbandonExpired marks requests past their deadline uncertain (a crashed
	// worker): their recipients are in doubt, never resent automatically.
	AbandonExpired(ctx context.Context, now time.Time) (int, error)

	// SetStatus moves a campaign between statuses with its audit entry; from
	// lists the statuses it may leave (else the current campaign and errWrong).
	SetStatus(ctx context.Context, id string, from []Status, to Status, now time.Time, errWrong error, a audit.Entry) (Campaign, error)
	// LeaseESP takes, for ttl, the right to talk to SendGrid about the
	// campaign's batch, unless another caller holds it or SendGrid's plane
	// changed since seen was read; SetESPState releases it.
	LeaseESP(ctx context.Context, seen Campaign, ttl time.Duration) (bool, error)
	SetESPState(ctx context.Context, id string, state ESPState, at time.Time, errMsg string, a audit.Entry) (Campaign, error)
	// Handed lists the accepted requests' send_at and sizes.
	Handed(ctx context.Context, campaignID string) ([]Handed, error)
	// HandedFor is Handed of many campaigns in one query (a list page): a
	// campaign with nothing accepted may be missing from the map.
	HandedFor(ctx context.Context, campaignIDs []string) (map[string][]Handed, error)
	// Sending lists campaigns that are sending with recipients left, and those
	// whose ESP pause failed (the reconciler re-enqueues their work).
	Sending(ctx context.Context) ([]string, error)
	ESPRetryDue(ctx context.Context) ([]string, error)
	// RecipientOf returns the address of a campaign's recipient and the
	// campaign's unsubscribe group.
	RecipientOf(ctx context.Context, campaignID, recipientID string) (email string, asmGroupID int, err error)

	InDoubtRepo // indoubt.go
	FixRepo     // patch.go
	ComposeRepo // compose.go
	CautionRepo // caution.go
	ReviewRepo  // review_service.go
	SeriesRepo  // series.go
}

// Jobs is how the use-cases schedule background work (asynq behind it). Every
// job is idempotent and re-derivable from Postgres.
type Jobs interface {
	HandOff(ctx context.Context, campaignID string) error
	HandOffAt(ctx context.Context, campaignID string, at time.Time) error
	RetryESP(ctx context.Context, campaignID string, after time.Duration) error
}
