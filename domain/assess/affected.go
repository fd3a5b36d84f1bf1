package assess

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/ids"
)

// State is what one audience member of an incident's campaign ended with, as
// the "who received it" list reports it: the furthest thing known to have
// happened to the message, one word per recipient.
type State string

// The states, by precedence: a recipient is Held when the message will not go
// out (never handed to SendGrid, or handed with a send_at at least 10 minutes
// after SendGrid accepted the pause — the blast radius's own held rule), else
// the furthest engagement SendGrid reported: Complained > Unsubscribed >
// Clicked > Opened > Delivered or Bounced (one delivery outcome each) >
// PossiblyReceived (handed over, nothing reported yet; in-doubt handoffs too).
// Held wins over any engagement so that the held rows are exactly the blast
// radius's held number.
const (
	Held             State = "held"
	PossiblyReceived State = "possibly_received"
	Delivered        State = "delivered"
	Opened           State = "opened"
	Clicked          State = "clicked"
	Bounced          State = "bounced"
	Complained       State = "complained"
	Unsubscribed     State = "unsubscribed"
)

// States is the vocabulary, in precedence order from nothing out to the furthest.
var States = []State{Held, PossiblyReceived, Delivered, Bounced, Opened, Clicked, Unsubscribed, Complained}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// Affected is one audience member of an incident's campaign and what it
// ended with. HandedAt and SendAt are nil when the recipient was never handed
// to SendGrid.
type Affected struct {
	RecipientID string
	Email       string
	Segments    []string
	State       State
	HandedAt    *time.Time
	SendAt      *time.Time
}

// The page sizes of the affected list: Limit rows unless asked for up to
// MaxAffectedLimit (the CSV export ignores them and streams every row).
const (
	DefaultAffectedLimit = 100
	MaxAffectedLimit     = 1000
)

// AffectedQuery selects and pages the affected list. State and Segment are
// filters ("" for any); After is the recipient_id of the last row of the
// previous page ("" for the first page): rows come in recipient_id order and
// a store turns After into `recipient_id > After`, never an OFFSET.
type AffectedQuery struct {
	State   State
	Segment string
	After   string
	Limit   int
}

// ParseAffectedQuery reads the list's query parameters. A state outside the
// vocabulary, a limit that is not a whole number from 1 to MaxAffectedLimit,
// or an after that is not a recipient id is a field error (422
// validation_failed naming the field); nothing given is the first page of
// DefaultAffectedLimit rows.
func ParseAffectedQuery(state, segment, after, limit string) (AffectedQuery, error) {
	q := AffectedQuery{State: State(state), Segment: segment, After: strings.ToLower(after), Limit: DefaultAffectedLimit}
	var f errs.Fields
	if state != "" && !q.State.Valid() {
		words := make([]string, len(States))
		for i, s := range States {
			words[i] = string(s)
		}
		f.Add("state", "must be one of "+strings.Join(words, ", "))
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxAffectedLimit {
			f.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxAffectedLimit))
		}
		q.Limit = n
	}
	if after != "" && !ids.Valid(after) {
		f.Add("after", "must be the recipient_id of the last row of the previous page (its next)")
	}
	if err := f.Err(); err != nil {
		return AffectedQuery{}, err
	}
	return q, nil
}
