package campaign

import (
	"context"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
)

// Recipients in doubt are those of a handoff request whose outcome Firebreak
// never learned (a timeout, a 5xx, a worker killed mid-call): SendGrid may or
// may not have accepted them, so they are never resent automatically. Two
// ways out, neither of which can send anybody twice by itself:
//
//   - SendGrid's own events settle it: an event carrying the recipient's
//     custom args (processed, delivered, bounce, …) proves the message was
//     accepted, and the reconciler moves that recipient to handed
//     (ConfirmInDoubt in the store, every reconciler run).
//   - What no event has settled DefaultInDoubtWait after the request's
//     deadline is shown on the campaign (counts.in_doubt) and can be sent
//     with an explicit, audited action (SendInDoubt): a person decides that a
//     possible duplicate is better than a certain gap.

// DefaultInDoubtWait is how long after a request's deadline its recipients
// wait for SendGrid's events before they may be sent again by hand: SendGrid
// posts events within about a minute, and retries a failing webhook for
// hours, so 30 minutes without any event means the request was almost
// certainly lost. FIREBREAK_IN_DOUBT_WAIT changes it.
const DefaultInDoubtWait = 30 * time.Minute

// ErrInDoubtNotSending refuses to send in-doubt recipients of a campaign that
// is not sending or sent: a pause or a cancel must not be undone by it.
var ErrInDoubtNotSending = errs.New(errs.Conflict, "campaign_not_sending",
	"Only a sending or sent campaign can send its in-doubt recipients: resume it first (a cancelled campaign sends nothing more).")

// NothingInDoubtError refuses SendInDoubt when no recipient has been in doubt
// past the wait; its details say how many are in doubt and when the soonest
// of them may be sent.
type NothingInDoubtError struct {
	InDoubt int // recipients in doubt now
	// Waiting are in doubt but still inside the wait; SendableAt is when the
	// soonest of them passes it.
	Waiting    int
	SendableAt *time.Time
	// Accepted are in doubt in requests SendGrid evidently took (an event came
	// for another recipient of the same request): they are never resent.
	Accepted int
}

func (e *NothingInDoubtError) Error() string {
	return "no recipient has been in doubt past the wait"
}

// Unwrap makes it a Conflict (409).
func (e *NothingInDoubtError) Unwrap() error { return errs.Conflict }

// Code is the API error code.
func (e *NothingInDoubtError) Code() string { return "nothing_in_doubt" }

// Details are the counts behind the refusal.
func (e *NothingInDoubtError) Details() map[string]any {
	return map[string]any{"in_doubt": e.InDoubt, "waiting": e.Waiting, "sendable_at": e.SendableAt,
		"accepted": e.Accepted}
}

// InDoubtRelease is what ReleaseInDoubt did, and what it left in doubt.
type InDoubtRelease struct {
	Campaign Campaign // after the release
	Released int      // recipients moved back to pending
	Requests int      // the uncertain requests they came from
	Waiting  int      // still in doubt inside the wait
	// WaitingDeadline is the earliest deadline among the requests still
	// inside the wait (they may be sent once it is older than the wait).
	WaitingDeadline *time.Time
	Accepted        int // in doubt in requests with a recipient proven handed
}

// InDoubtRepo is the storage of SendInDoubt (implemented by domain/store).
type InDoubtRepo interface {
	// ReleaseInDoubt moves the campaign's in-doubt recipients back to pending,
	// in one transaction under the campaign row's lock: those of uncertain
	// requests whose deadline is before `before` and none of whose recipients
	// an event has proven handed. The campaign must be in one of from (else
	// errWrong, and nothing changes); a sent campaign goes back to sending.
	// The audit entry is written, with the counts, only when something moved.
	ReleaseInDoubt(ctx context.Context, campaignID string, from []Status, before time.Time, errWrong error,
		a audit.Entry) (InDoubtRelease, error)
}

// SendInDoubt is the marketer's explicit decision to send the recipients that
// have stayed in doubt past the wait: they go back to pending and the normal
// handoff sends them (mark-then-send as ever), the campaign's audit trail
// records who and how many. A paused or cancelled campaign is refused
// (ErrInDoubtNotSending), as is a campaign with nothing in doubt past the
// wait (NothingInDoubtError). It returns the campaign and how many recipients
// were released.
func (s *Service) SendInDoubt(ctx context.Context, actor audit.Actor, id string) (View, int, error) {
	wait := s.cfg.InDoubtWait
	if wait <= 0 {
		wait = DefaultInDoubtWait
	}
	res, err := s.repo.ReleaseInDoubt(ctx, id, []Status{Sending, Sent}, s.cfg.Now().Add(-wait), ErrInDoubtNotSending,
		audit.Entry{Actor: actor, Action: "campaign.send_in_doubt", SubjectType: "campaign", SubjectID: id,
			Data: map[string]any{"wait_seconds": int(wait / time.Second)}})
	if err != nil {
		return View{}, 0, err
	}
	if res.Released == 0 {
		e := &NothingInDoubtError{InDoubt: res.Campaign.InDoubt, Waiting: res.Waiting, Accepted: res.Accepted}
		if res.WaitingDeadline != nil {
			at := res.WaitingDeadline.Add(wait).UTC()
			e.SendableAt = &at
		}
		return View{}, 0, e
	}
	if err := s.jobs.HandOff(ctx, id); err != nil {
		// Postgres has the truth; the reconciler enqueues it within a minute.
		s.cfg.Log.Warn("enqueue handoff", "campaign_id", id, "err", err.Error())
	}
	v, err := s.view(ctx, res.Campaign)
	return v, res.Released, err
}
