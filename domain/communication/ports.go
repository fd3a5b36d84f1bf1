package communication

import (
	"context"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
)

// Repo is the storage the communication use-cases need (adapter/postgres).
type Repo interface {
	// CreateCommunication stores a new draft with its audit entry.
	CreateCommunication(ctx context.Context, c Communication, a audit.Entry) (Communication, error)
	// GetCommunication reads one; ErrNotFound when there is none.
	GetCommunication(ctx context.Context, id string) (Communication, error)
	// ListCommunications lists an incident's communications, oldest first.
	ListCommunications(ctx context.Context, incidentID string) ([]Communication, error)
	// UpdateCommunication writes c's content, audience fields, hash and
	// status, with its entries, only while the stored row is still editable
	// (Status.Editable) — under the row's lock, so an edit racing a send
	// either lands before it or is ErrNotEditable.
	UpdateCommunication(ctx context.Context, c Communication, entries []audit.Entry) (Communication, error)
	// UnknownSegments returns those of segments no recipient of the
	// campaign's audience belongs to.
	UnknownSegments(ctx context.Context, campaignID string, segments []string) ([]string, error)
	// Audience counts c's audience now, in SQL, over the incident campaign's
	// audience snapshot, the suppressions and the communications' recipients.
	Audience(ctx context.Context, c Communication, campaignID string) (Audience, error)
	// StartSendCommunication snapshots the audience (everyone in will_receive) into the
	// communication's recipients and moves it to sending, atomically and
	// once: a communication that is not draft/approved is ErrAlreadySending.
	// The per-(incident, kind, recipient) unique key makes a concurrent
	// second communication of the same kind lose the race, never send twice.
	StartSendCommunication(ctx context.Context, id, campaignID, batchID string, now time.Time, a audit.Entry) (Communication, error)
	// ClaimCommunication takes up to limit pending recipients of a sending
	// communication into a new ledger request (state sending, deadline), under
	// the communication row's share lock; in the same statement it marks those
	// of them suppressed now skipped_suppressed (never handed, counted). With
	// nothing pending and nothing in flight it marks the communication sent.
	ClaimCommunication(ctx context.Context, id string, now, sendAt, deadline time.Time, limit int) (ClaimResult, error)
	// FinishCommunication records a request's outcome and the counters.
	FinishCommunication(ctx context.Context, requestID string, out campaign.Outcome, messageID, reason string) error
	// AbandonExpiredCommunications marks requests still sending past their
	// deadline uncertain (a worker killed mid-call): their recipients are in
	// doubt, never resent automatically.
	AbandonExpiredCommunications(ctx context.Context, now time.Time) (int, error)
	// SendingCommunications lists the communications that are sending.
	SendingCommunications(ctx context.Context) ([]string, error)
}

// Incidents reads the incident a communication belongs to (the incident store).
type Incidents interface {
	GetIncident(ctx context.Context, id string) (incident.Incident, error)
}

// Runbooks finds an incident's runbook (*runbook.Set).
type Runbooks interface {
	Get(id string) (runbook.Runbook, bool)
}

// DraftInput is what a template needs to write a first draft.
type DraftInput struct {
	Incident incident.Incident
	Runbook  runbook.Runbook
	Kind     Kind
}

// Drafter writes a new communication's first draft from its runbook's
// template for the kind, with the incident's facts filled in. It is the seam
// for the runbook templates (comm-render); the Service works without one (nil:
// no template, the body is stored as given). A Drafter that has no template for
// the kind returns the zero Content and no error.
type Drafter interface {
	Draft(ctx context.Context, in DraftInput) (Content, error)
}

// Jobs schedules the handoff (asynq behind it); idempotent and re-derivable.
type Jobs interface {
	HandOffCommunication(ctx context.Context, communicationID string) error
}
