package campaign

import (
	"context"
	"time"
)

// The two planes of a pause, resume or cancel, as one mechanism for every
// kind of send that SendGrid holds in a batch: a campaign (pause.go) and a
// step-5 communication (domain/communication/pause.go). Each kind keeps its
// own rules for which SendGrid state its status asks for and how an answer is
// recorded; the waiting and the one-caller-at-a-time lease live here once.

// WaitInFlight polls inFlight (the send's handoff requests still sending
// before their deadline: a request past it no longer counts, its HTTP call was
// abandoned) until it is zero, and reports whether it had to wait. After a
// status change committed no new request is claimed, so once it returns
// nothing more of the send leaves Firebreak.
func WaitInFlight(ctx context.Context, now func() time.Time, inFlight func(ctx context.Context, now time.Time) (int, error)) (bool, error) {
	waited := false
	for delay := 2 * time.Millisecond; ; delay = min(delay*2, 50*time.Millisecond) {
		n, err := inFlight(ctx, now())
		if err != nil || n == 0 {
			return waited, err
		}
		waited = true
		if err := sleep(ctx, delay); err != nil {
			return waited, err
		}
	}
}

// Plane is how ApplyESP drives one send's SendGrid plane, S being the send
// as its service reads it.
type Plane[S any] struct {
	// Wanted is the SendGrid state the send's status asks for, and whether
	// a call is needed to get there.
	Wanted func(S) (ESPState, bool)
	// Leased says whether some caller holds the lease on the send (it has
	// asked SendGrid and not recorded the answer yet).
	Leased func(S) bool
	// Lease takes the right to ask SendGrid, unless another caller holds it
	// or SendGrid's plane changed since the send was read.
	Lease func(ctx context.Context, s S) (bool, error)
	// Call asks SendGrid for want under the lease and records the answer
	// (releasing the lease); it returns the send as recorded.
	Call func(ctx context.Context, s S, want ESPState) (S, error)
	// Reread reads the send again.
	Reread func(ctx context.Context) (S, error)
}

// ApplyESP makes SendGrid's batch state match the send's status, s being the
// send as the caller last read (or changed) it. One caller at a time asks
// SendGrid (the lease): the others wait for its answer and return it,
// whatever it was — a refusal is retried in the background, not by every
// waiter at once. Only a caller that lost the lease re-reads the send, so it
// never asks again for what was answered.
func ApplyESP[S any](ctx context.Context, s S, p Plane[S]) (S, error) {
	waited := false
	for delay := 2 * time.Millisecond; ; delay = min(delay*2, 50*time.Millisecond) {
		want, needed := p.Wanted(s)
		if !needed || (waited && !p.Leased(s)) {
			return s, nil
		}
		won, err := p.Lease(ctx, s)
		if err != nil {
			return s, err
		}
		if won {
			return p.Call(ctx, s, want)
		}
		waited = true
		if err := sleep(ctx, delay); err != nil {
			return s, err
		}
		if s, err = p.Reread(ctx); err != nil {
			return s, err
		}
	}
}

// sleep waits d, or less when ctx ends (its error).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
