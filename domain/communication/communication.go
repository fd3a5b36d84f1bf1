package communication

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/errs"
)

// Errors of this package, by kind; the codes are DESIGN.md's.
var (
	// ErrNotFound: no communication has that id.
	ErrNotFound = errs.New(errs.NotFound, "communication_not_found", "No communication has that id.")
	// ErrApologyNotAllowed: the incident's runbook forbids mailing its
	// audience again (stale-suppression-list, invariant 3); returned as a
	// *NotAllowedError that says why for the runbook.
	ErrApologyNotAllowed = errs.New(errs.Conflict, "apology_not_allowed",
		"This incident's runbook does not allow an apology or correction: the mistake was mailing people who had opted out or were known bad, and mailing that list again only adds complaints.")
	// ErrNotEditable: an edit of a communication that is sending or past it.
	ErrNotEditable = errs.New(errs.Conflict, "communication_not_editable",
		"This communication is sending or finished; its content and audience can no longer change (pause or cancel it instead).")
	// ErrApprovalRequired: a send while a required approval is missing
	// (invariant 4: without the approvals endpoints, such a communication
	// cannot be sent at all).
	ErrApprovalRequired = errs.New(errs.Conflict, "approval_required",
		"This communication needs approval by every required role before it can be sent.")
	// ErrAlreadySending: a send of a communication that is already sending or finished.
	ErrAlreadySending = errs.New(errs.Conflict, "communication_already_sent",
		"This communication is already sending or finished; it is sent at most once.")
	// ErrNotSending: a pause of a communication that is not sending (a draft,
	// or one cancelled).
	ErrNotSending = errs.New(errs.Conflict, "communication_not_sending",
		"Only a sending (or sent) communication can be paused.")
	// ErrNotPaused: a resume of a communication that is not paused.
	ErrNotPaused = errs.New(errs.Conflict, "communication_not_paused",
		"Only a paused communication can be resumed.")
	// ErrFinished: a cancel of a communication that is already cancelled or
	// otherwise final.
	ErrFinished = errs.New(errs.Conflict, "communication_finished",
		"This communication is cancelled or finished; it cannot change any more.")
)

// MaxHTML bounds the HTML body (DESIGN.md: 422 over 1 MiB).
const MaxHTML = 1 << 20

// Status is where a communication is in its life.
type Status string

// The statuses (DESIGN.md): draft → in_review → approved → sending ⇄ paused
// → sent; cancelled is final. Any edit returns it to draft.
const (
	Draft     Status = "draft"
	InReview  Status = "in_review"
	Approved  Status = "approved"
	Sending   Status = "sending"
	Paused    Status = "paused"
	Sent      Status = "sent"
	Cancelled Status = "cancelled"
)

// Editable reports whether content and audience may still change: only
// before the send starts.
func (s Status) Editable() bool { return s == Draft || s == InReview || s == Approved }

// Scope is which of the incident campaign's recipients count as affected.
type Scope string

// The scopes (DESIGN.md); PossiblyReceived is the default.
const (
	// PossiblyReceived: handed to SendGrid and not held (in doubt counts).
	PossiblyReceived Scope = "possibly_received"
	// Delivered: only those SendGrid reported delivered.
	Delivered Scope = "delivered"
	// Opened: only those who opened it.
	Opened Scope = "opened"
)

// Valid reports whether s is a scope.
func (s Scope) Valid() bool { return s == PossiblyReceived || s == Delivered || s == Opened }

// Communication is one message about an incident to the people it affected.
type Communication struct {
	ID         string
	IncidentID string
	Kind       Kind
	Status     Status
	Content
	Scope    Scope
	Segments []string
	// IncludePrevious: also address those who already received an earlier
	// communication of the same kind for the incident (the author's explicit
	// choice; by default they are excluded).
	IncludePrevious   bool
	AuthorID          string
	ContentHash       string
	RequiredApprovals []string
	BatchID           string
	Counts            Counts
	CreatedAt         time.Time
	UpdatedAt         time.Time
	SentAt            *time.Time
	// SendGrid's plane of a pause, resume or cancel of the batch (as a
	// campaign's): ESPState is "paused" only once SendGrid accepted it.
	ESPState   campaign.ESPState
	ESPStateAt *time.Time
	ESPError   string
	// ESPBusyUntil is set while one caller talks to SendGrid about the batch.
	ESPBusyUntil *time.Time
	PausedAt     *time.Time
	// SubmittedAt is when it was last submitted for review (nil: never).
	SubmittedAt *time.Time
	// HaltedAt is when a deliverability-spike rule paused it, HaltReason the
	// metric and value: a rule halts a communication once, so a person's
	// resume is not undone by the next batch.
	HaltedAt   *time.Time
	HaltReason string
}

// Counts are the communication's handoff and event counters.
type Counts struct {
	Audience          int `json:"audience"`
	HandedToESP       int `json:"handed_to_esp"`
	Held              int `json:"held"`
	Delivered         int `json:"delivered"`
	Opened            int `json:"opened"`
	Bounced           int `json:"bounced"`
	Complained        int `json:"complained"`
	Unsubscribed      int `json:"unsubscribed"`
	SkippedSuppressed int `json:"skipped_suppressed"`
	// HardBounced is what the hard-bounce spike rule reads; not on the wire
	// (DESIGN.md's counts), bounced is.
	HardBounced int `json:"-"`
}

// Audience is who the communication would reach now, counted live: affected
// (the scope and segments), minus suppressed (any kind), minus those who
// already received it or an earlier one of the same kind.
type Audience struct {
	Affected        int `json:"affected"`
	Suppressed      int `json:"suppressed"`
	AlreadyReceived int `json:"already_received"`
	WillReceive     int `json:"will_receive"`
}

// Approval is one reviewer's decision, bound to the content it was given for
// (the approvals endpoints come with the next issue; the list is empty until then).
type Approval struct {
	Role        string    `json:"role"`
	UserID      string    `json:"user_id"`
	Decision    string    `json:"decision"`
	Comment     string    `json:"comment"`
	At          time.Time `json:"at"`
	ContentHash string    `json:"content_hash"`
}

// Hash returns the content hash: sha256 over the subject, both bodies, the
// reply-to and the audience (scope, segments, include_previous), each
// length-prefixed so no two different contents hash alike. An approval is
// bound to it (invariant 7).
func (c Communication) Hash() string {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put(c.Subject)
	put(c.HTML)
	put(c.Text)
	put(c.ReplyTo)
	put(string(c.Scope))
	segs := slices.Clone(c.Segments)
	slices.Sort(segs)
	put(strings.Join(segs, "\x00"))
	if c.IncludePrevious {
		put("include_previous")
	} else {
		put("")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// validate checks the fields a user writes; knownSegment says whether a
// segment exists in the incident campaign's audience.
func (c Communication) validate(knownSegment func(string) bool) error {
	var f errs.Fields
	if !c.Kind.Valid() {
		f.Add("kind", "must be one of apology, correction, breach_notice")
	}
	if strings.TrimSpace(c.HTML) == "" && strings.TrimSpace(c.Text) == "" {
		f.Add("html", "the body is empty: give html or text (or use a runbook with a template for this kind)")
	}
	if len(c.HTML) > MaxHTML {
		f.Add("html", "is larger than 1 MiB")
	}
	if len(c.Text) > MaxHTML {
		f.Add("text", "is larger than 1 MiB")
	}
	if len(c.Subject) > 998 {
		f.Add("subject", "is longer than 998 characters")
	}
	if c.ReplyTo != "" {
		if a, err := mail.ParseAddress(c.ReplyTo); err != nil || a.Address != c.ReplyTo {
			f.Add("reply_to", "is not an email address")
		}
	}
	if !c.Scope.Valid() {
		f.Add("scope", "must be one of possibly_received, delivered, opened")
	}
	for _, s := range c.Segments {
		if !knownSegment(s) {
			f.Add("segments", "no recipient of the incident's campaign is in segment "+quote(s))
			break
		}
	}
	return f.Err()
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return `"` + s + `"`
}

// cleanSegments trims, drops empties and duplicates, and sorts.
func cleanSegments(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
