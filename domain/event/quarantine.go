package event

import (
	"context"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// ErrUnstorable is the store refusing a batch for its data (a number jsonb
// cannot hold, a value past a limit): the same events fail the same way on
// every retry, so answering SendGrid 503 would only have it retry them for
// 24 h and then drop the whole post. The Service isolates such events and
// quarantines them; it never returns this error.
var ErrUnstorable = errs.New(errs.Invalid, "unstorable_event", "the store cannot hold this event data")

// Quarantined is an event the store refused even on its own, kept as posted
// with the reason, for an admin to look at (and, if it matters, act on by
// hand: a quarantined unsubscribe has not become a suppression).
type Quarantined struct {
	ID             int64
	Raw            []byte // the event object exactly as posted
	SGEventID      string
	Event          string
	Email          string
	Error          string // why the store refused it (the last attempt's error)
	ReceivedAt     time.Time
	LastReceivedAt time.Time
	Attempts       int // how many posts carried it (SendGrid retries)
}

// Quarantiner keeps refused events. Quarantining the same raw event again
// only counts another attempt: it is idempotent, like storing events.
type Quarantiner interface {
	QuarantineEvent(ctx context.Context, q Quarantined) error
}

// QuarantineLister reads quarantined events, newest first.
type QuarantineLister interface {
	ListQuarantine(ctx context.Context, limit int) ([]Quarantined, error)
}

// ListQuarantine returns up to limit quarantined events (default 100, at most 1000), newest first.
func ListQuarantine(ctx context.Context, l QuarantineLister, limit int) ([]Quarantined, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return l.ListQuarantine(ctx, limit)
}
