// Package page is keyset paging for the lists that grow without bound (the
// campaigns, an incident's timeline and tasks): a page is at most Limit items
// after a Cursor, which is the sort key of the last item of the page before.
// Stores turn a cursor into a `WHERE (key) > (cursor)` on an index, never into
// an OFFSET, so page 1000 costs what page 1 costs and rows inserted meanwhile
// neither repeat nor vanish.
package page

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// The page sizes: a list answers DefaultLimit items unless asked for up to MaxLimit.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Request asks for one page: Limit items (1 to MaxLimit; 0 means
// DefaultLimit) after After (zero: from the start).
type Request struct {
	Limit int
	After Cursor
}

// Size is the number of items to answer, with the defaults applied.
func (r Request) Size() int {
	switch {
	case r.Limit <= 0:
		return DefaultLimit
	case r.Limit > MaxLimit:
		return MaxLimit
	}
	return r.Limit
}

// Cursor is the sort key of one item. Each list uses the fields its order
// needs: campaigns (At = created_at, ID), tasks (Due, At = created_at, ID;
// Due nil sorts after every date), the timeline (ID = the audit entry's id).
type Cursor struct {
	Due *time.Time `json:"d,omitempty"`
	At  time.Time  `json:"t,omitzero"`
	ID  string     `json:"i"`
}

// IsZero reports whether c is no cursor at all: the first page, or no next page.
func (c Cursor) IsZero() bool { return c.ID == "" }

// String is the cursor as the opaque token clients pass back in ?after=.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	raw, _ := json.Marshal(c) // a struct of strings and times: cannot fail
	return base64.RawURLEncoding.EncodeToString(raw)
}

// IntID is the cursor's ID as an integer, for lists keyed by a serial id; a
// cursor whose ID is not one is ErrBadCursor.
func (c Cursor) IntID() (int64, error) {
	n, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil || n < 0 {
		return 0, ErrBadCursor
	}
	return n, nil
}

// ErrBadCursor: ?after= is not a token a list answered (Invalid, field "after").
var ErrBadCursor error = &errs.FieldError{Fields: errs.Fields{
	"after": "is not a cursor this list answered (take it from X-Next-Cursor or the Link header)"}}

// Parse reads ?limit= and ?after= (both optional). A limit that is not a whole
// number from 1 to MaxLimit, or an after that is not a cursor, is a field error.
func Parse(limit, after string) (Request, error) {
	var r Request
	var f errs.Fields
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			f.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxLimit))
		}
		r.Limit = n
	}
	if after != "" {
		raw, err := base64.RawURLEncoding.DecodeString(after)
		if err != nil || json.Unmarshal(raw, &r.After) != nil || r.After.IsZero() {
			f.Add("after", ErrBadCursor.(*errs.FieldError).Fields["after"])
			r.After = Cursor{}
		}
	}
	if err := f.Err(); err != nil {
		return Request{}, err
	}
	return r, nil
}

// Cut takes the rows a store fetched with LIMIT r.Size()+1 and returns the
// page and the cursor of its last item when more rows follow (else zero).
func Cut[T any](rows []T, r Request, key func(T) Cursor) ([]T, Cursor) {
	n := r.Size()
	if len(rows) <= n {
		return rows, Cursor{}
	}
	rows = rows[:n]
	return rows, key(rows[n-1])
}
