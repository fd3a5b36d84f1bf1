// Package campaign is the sending side of Firebreak: brands, campaigns, their
// status machine, merge tags and preflight, the audience snapshot and the
// handoff to the ESP that a pause can stop. Firebreak sends campaigns itself,
// through SendGrid, precisely so that it can stop them (DESIGN.md).
package campaign

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/errs"
)

// Errors of this package, by kind.
var (
	ErrNotFound      = errs.New(errs.NotFound, "campaign_not_found", "No campaign has that id.")
	ErrBrandNotFound = errs.New(errs.NotFound, "brand_not_found", "No brand has that id.")
	ErrAlreadySent   = errs.New(errs.Conflict, "already_sent", "This campaign has already been sent; a campaign is sent once.")
	ErrNotSending    = errs.New(errs.Conflict, "not_sending", "Only a sending (or sent) campaign can be paused.")
	ErrNotPaused     = errs.New(errs.Conflict, "not_paused", "Only a paused campaign can be resumed.")
	ErrFinished      = errs.New(errs.Conflict, "campaign_finished", "This campaign is cancelled or finished; it cannot change any more.")
	ErrNotDraft      = errs.New(errs.Conflict, "not_draft", "Only a draft campaign can be edited.")
)

// Status is where a campaign is in its life.
type Status string

// The statuses: draft -> sending -> (paused <-> sending) -> sent; cancelled and
// failed are final. Sent means every recipient was handed to SendGrid, not
// delivered: a sent campaign can still be paused or cancelled at SendGrid
// until its messages' send_at is less than 10 minutes away.
const (
	Draft     Status = "draft"
	Sending   Status = "sending"
	Paused    Status = "paused"
	Cancelled Status = "cancelled"
	Sent      Status = "sent"
	Failed    Status = "failed"
)

// ESPState is the SendGrid plane of a pause: it is "paused" only once SendGrid
// accepted the pause, never merely because Firebreak asked.
type ESPState string

// The ESP states.
const (
	ESPNone      ESPState = "none"
	ESPPending   ESPState = "pending"
	ESPPaused    ESPState = "paused"
	ESPCancelled ESPState = "cancelled"
	ESPFailed    ESPState = "failed"
	ESPResumed   ESPState = "resumed"
)

// Brand is who a campaign comes from and how its mail looks.
type Brand struct {
	ID              string
	Name            string
	FromEmail       string
	FromName        string
	ReplyTo         string
	LogoURL         string
	PrimaryColor    string
	FooterHTML      string
	PhysicalAddress string
	// SecondReview is the brand's second pair of eyes (review.go); Watched
	// is true while the brand has an open watch window (step 6), which makes
	// it apply whatever the setting says.
	SecondReview SecondReview
	Watched      bool
	CreatedAt    time.Time
}

var noReply = regexp.MustCompile(`(?i)^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply)@`)

// IsNoReply reports whether an address is a no-reply address, which no
// campaign may use as its reply-to: people answer a mistake by replying.
func IsNoReply(addr string) bool { return noReply.MatchString(strings.TrimSpace(addr)) }

// Validate checks a brand's fields (reply-to may be empty here; preflight then
// refuses to send until it is set).
func (b Brand) Validate() error {
	var f errs.Fields
	if strings.TrimSpace(b.Name) == "" {
		f.Add("name", "is required")
	}
	if !isAddr(b.FromEmail) {
		f.Add("from_email", "must be an email address")
	}
	if b.ReplyTo != "" && !isAddr(b.ReplyTo) {
		f.Add("reply_to", "must be an email address")
	}
	if b.PrimaryColor != "" && !regexp.MustCompile(`^#[0-9a-fA-F]{6}$`).MatchString(b.PrimaryColor) {
		f.Add("primary_color", "must look like #1a2b3c")
	}
	return f.Err()
}

func isAddr(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// Campaign is one mailing.
type Campaign struct {
	ID                string
	Name              string
	BrandID           string
	Subject           string
	HTML              string
	Text              string
	Segments          []string
	SendBufferSeconds int
	CanaryPercent     float64
	CanaryHoldSeconds int
	ASMGroupID        int // 0: none
	Status            Status
	BatchID           string
	Audience          int
	HandedToESP       int
	FailedRecipients  int // permanent 4xx: will not be handed over
	InDoubt           int // in uncertain requests: maybe handed over
	Cancelled         int // dropped by a cancel before handoff
	Outcomes          Outcomes
	FailedRequests    int
	UncertainRequests int
	LastError         string
	CanaryReleaseAt   *time.Time
	SendStartedAt     *time.Time
	PausedAt          *time.Time
	FinishedAt        *time.Time
	ESPState          ESPState
	ESPStateAt        *time.Time
	ESPError          string
	// ESPBusyUntil is set while one caller is talking to SendGrid about the
	// batch (the others wait for its answer instead of asking again).
	ESPBusyUntil *time.Time
	// ContentVersion counts corrections after send (1 at creation);
	// HandedVersion is the version the current batch carries. They differ
	// while a fix is pending (FixPending).
	ContentVersion   int
	HandedVersion    int
	ContentChangedAt *time.Time
	ContentChangedBy string
	// Withdrawn: messages held at SendGrid with corrected content, cancelled
	// there and handed over again (Fix, then resume).
	Withdrawn int
	// Caution is step 6's cautious send (caution.go): stored at send, live
	// (Service) on a draft; nil when no watch window applies.
	Caution   *Caution
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxSendBuffer is SendGrid's 72 h scheduling limit.
const MaxSendBuffer = 72 * 3600

// Input limits. The integers live in Postgres integer columns (and SendGrid's
// group ids are 32-bit); the lengths keep one campaign (and every list and
// audit entry that carries it) a reasonable size. Subject is in bytes: RFC 5322
// caps a header line at 998 characters, which for SendGrid means octets.
const (
	MaxCanaryHold = 30 * 24 * 3600 // seconds: a canary watched longer is a forgotten campaign
	MaxASMGroupID = math.MaxInt32
	MaxNameLen    = 200     // characters
	MaxSubjectLen = 998     // bytes
	MaxBodyLen    = 1 << 20 // bytes, each of html and text
	MaxReasonLen  = 2000    // characters, a pause reason
)

// Validate checks the fields a user sets.
func (c Campaign) Validate() error {
	var f errs.Fields
	if strings.TrimSpace(c.Name) == "" {
		f.Add("name", "is required")
	}
	if utf8.RuneCountInString(c.Name) > MaxNameLen {
		f.Add("name", fmt.Sprintf("must be at most %d characters", MaxNameLen))
	}
	if c.BrandID == "" {
		f.Add("brand_id", "is required")
	}
	if len(c.Subject) > MaxSubjectLen {
		f.Add("subject", fmt.Sprintf("must be at most %d bytes (the longest line an email header may have)", MaxSubjectLen))
	}
	if len(c.HTML) > MaxBodyLen {
		f.Add("html", "must be at most 1 MiB")
	}
	if len(c.Text) > MaxBodyLen {
		f.Add("text", "must be at most 1 MiB")
	}
	if strings.TrimSpace(c.HTML) == "" && strings.TrimSpace(c.Text) == "" {
		f.Add("html", "html or text is required")
	}
	if len(c.Segments) == 0 {
		f.Add("segments", "at least one segment is required")
	}
	for _, s := range c.Segments {
		if strings.TrimSpace(s) == "" {
			f.Add("segments", "segment names must not be empty")
		}
	}
	if c.SendBufferSeconds < 0 || c.SendBufferSeconds > MaxSendBuffer {
		f.Add("send_buffer_seconds", fmt.Sprintf("must be from 0 to %d (SendGrid schedules at most 72 h ahead)", MaxSendBuffer))
	}
	if c.CanaryPercent < 0 || c.CanaryPercent > 100 {
		f.Add("canary_percent", "must be from 0 to 100")
	}
	if c.CanaryHoldSeconds < 0 || c.CanaryHoldSeconds > MaxCanaryHold {
		f.Add("canary_hold_seconds", fmt.Sprintf("must be from 0 to %d (30 days)", MaxCanaryHold))
	}
	if c.CanaryPercent > 0 && c.CanaryHoldSeconds == 0 {
		f.Add("canary_hold_seconds", "must be set when canary_percent is: how long the canary is watched before the rest goes")
	}
	if c.ASMGroupID < 0 || c.ASMGroupID > MaxASMGroupID {
		f.Add("asm_group_id", fmt.Sprintf("must be a SendGrid unsubscribe group id (1 to %d)", MaxASMGroupID))
	}
	return f.Err()
}

// ValidateReason checks a pause reason before anything is paused or opened,
// so an over-long one is a field error, not a half-done pause.
func ValidateReason(reason string) error {
	var f errs.Fields
	if utf8.RuneCountInString(reason) > MaxReasonLen {
		f.Add("reason", fmt.Sprintf("must be at most %d characters", MaxReasonLen))
	}
	return f.Err()
}

// Remaining is how many recipients are still to be handed over.
func (c Campaign) Remaining() int {
	return c.Audience - c.HandedToESP - c.FailedRecipients - c.InDoubt - c.Cancelled
}

// Tags returns the campaign's merge tags and the malformed or unknown ones.
func (c Campaign) Tags() ([]Tag, []TagProblem) { return ParseTags(c.Subject, c.HTML, c.Text) }
