// Package esp is the port between Firebreak's rules and an email service provider
// (SendGrid): what the campaign dispatcher and the pause need from it, declared
// here by the consumer and implemented by the adapter in adapter/sendgrid.
//
// The contract every implementation keeps:
//   - one HTTP request per call, with a deadline (ctx);
//   - a non-2xx answer is an *Error with the provider's status and messages;
//   - Send is never retried inside the adapter: the caller owns the ledger
//     and decides (a retried mail send can duplicate mail, SENDGRID.md §1.4);
//   - management calls (batches, scheduled sends) retry 429 honouring
//     X-RateLimit-Reset, and 5xx/transport errors a few times, since they are
//     idempotent.
package esp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Address is an email address with an optional display name.
type Address struct {
	Email string
	Name  string
}

// Personalization is one recipient's envelope: one message each.
type Personalization struct {
	To            Address
	Substitutions map[string]string // merge values by exact-text key ("{{first_name}}" -> "Ana"), replaced in the subject and every part alike
	CustomArgs    map[string]string // echoed on every webhook event
	Headers       map[string]string // per-recipient headers, e.g. List-Unsubscribe
}

// Message is one mail-send request: shared content, up to 1000 personalizations.
type Message struct {
	BatchID          string
	SendAt           time.Time // zero: send now
	From             Address
	ReplyTo          Address
	Subject          string
	Text             string // sent before HTML (SendGrid requires text/plain first)
	HTML             string
	Categories       []string
	Headers          map[string]string
	ASMGroupID       int // 0: none
	Personalizations []Personalization
}

// MaxPersonalizations is SendGrid's per-request limit.
const MaxPersonalizations = 1000

// SendResult is what an accepted mail send returns.
type SendResult struct {
	MessageID string // X-Message-Id: the prefix of every event's sg_message_id
}

// ScheduleStatus is a batch's scheduled-send state at the provider.
type ScheduleStatus string

// The scheduled-send states.
const (
	StatusPause  ScheduleStatus = "pause"
	StatusCancel ScheduleStatus = "cancel"
)

// Sender hands mail to the provider.
type Sender interface {
	// CreateBatch returns a new batch id (POST /v3/mail/batch).
	CreateBatch(ctx context.Context) (string, error)
	// Send makes exactly one mail-send request; it never retries.
	Send(ctx context.Context, m Message) (SendResult, error)
}

// Scheduler pauses, cancels and resumes a batch's scheduled sends. Each call is
// idempotent: pausing a paused batch, or resuming one that has no status, is
// success; SetBatchStatus uses POST or PATCH as the batch's state requires.
type Scheduler interface {
	SetBatchStatus(ctx context.Context, batchID string, status ScheduleStatus) error
	ClearBatchStatus(ctx context.Context, batchID string) error
}

// Kind classifies a provider failure for the caller's retry decision.
type Kind int

// The kinds of failure.
const (
	// Permanent: a 4xx other than 429; retrying the same request cannot help.
	Permanent Kind = iota + 1
	// RateLimited: 429; nothing was accepted; retry at RetryAt (or with backoff).
	RateLimited
	// Unreachable: the request never reached the provider (dial, DNS, refused);
	// nothing was accepted; safe to retry.
	Unreachable
	// Uncertain: a 5xx or a timeout after the request was sent; the provider
	// may or may not have accepted it.
	Uncertain
	// BatchLimit: the provider's limit of paused/cancelled batches is reached.
	BatchLimit
)

func (k Kind) String() string {
	switch k {
	case Permanent:
		return "permanent"
	case RateLimited:
		return "rate_limited"
	case Unreachable:
		return "unreachable"
	case Uncertain:
		return "uncertain"
	case BatchLimit:
		return "batch_limit"
	}
	return "unknown"
}

// Error is a failed provider call.
type Error struct {
	Op       string // "mail/send", "mail/batch", "scheduled_sends", …
	Kind     Kind
	Status   int       // HTTP status; 0 when no answer came
	Messages []string  // the provider's error envelope, "field: message"
	RetryAt  time.Time // from X-RateLimit-Reset, when given
	Err      error     // the transport error, when there was one
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sendgrid %s: %s", e.Op, e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": " + strings.Join(e.Messages, "; "))
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err (0 when err is not an *Error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
