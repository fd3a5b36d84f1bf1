package page_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/page"
)

func TestCursorRoundTrip(t *testing.T) {
	due := time.Date(2026, 11, 23, 9, 0, 0, 123456000, time.UTC)
	for _, c := range []page.Cursor{
		{At: time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC), ID: "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{Due: &due, At: due.Add(-time.Hour), ID: "x"},
		{ID: "12345"},
	} {
		r, err := page.Parse("", c.String())
		if err != nil {
			t.Fatalf("parse %q: %v", c.String(), err)
		}
		got := r.After
		if got.ID != c.ID || !got.At.Equal(c.At) || (got.Due == nil) != (c.Due == nil) || (c.Due != nil && !got.Due.Equal(*c.Due)) {
			t.Fatalf("round trip: %+v, want %+v", got, c)
		}
	}
	if (page.Cursor{}).String() != "" {
		t.Fatal("the zero cursor must encode as empty")
	}
}

func TestParseRefusesBadLimitsAndCursors(t *testing.T) {
	for _, c := range []struct {
		limit, after, field string
		size                int
	}{
		{"", "", "", page.DefaultLimit},
		{"1", "", "", 1},
		{"500", "", "", 500},
		{"0", "", "limit", 0},
		{"501", "", "limit", 0},
		{"-1", "", "limit", 0},
		{"ten", "", "limit", 0},
		{"99999999999999999999", "", "limit", 0},
		{"", "not base64!", "after", 0},
		{"", "bm90IGpzb24", "after", 0}, // "not json"
		{"", "e30", "after", 0},         // "{}": no id
	} {
		r, err := page.Parse(c.limit, c.after)
		var fe *errs.FieldError
		switch {
		case c.field == "" && (err != nil || r.Size() != c.size):
			t.Errorf("Parse(%q, %q) = %+v, %v; want size %d", c.limit, c.after, r, err, c.size)
		case c.field != "" && (!errors.As(err, &fe) || fe.Fields[c.field] == ""):
			t.Errorf("Parse(%q, %q): want a field error on %s, got %v", c.limit, c.after, c.field, err)
		}
	}
}

func TestCutReturnsTheNextCursorOnlyWhenMoreFollow(t *testing.T) {
	key := func(n int) page.Cursor { return page.Cursor{ID: strconv.Itoa(n)} }
	rows := []int{1, 2, 3, 4}
	if got, next := page.Cut(rows, page.Request{Limit: 3}, key); len(got) != 3 || next.ID != "3" {
		t.Fatalf("4 rows at limit 3: %v, next %+v", got, next)
	}
	if got, next := page.Cut(rows[:3], page.Request{Limit: 3}, key); len(got) != 3 || !next.IsZero() {
		t.Fatalf("3 rows at limit 3: %v, next %+v", got, next)
	}
	if _, err := (page.Cursor{ID: "abc"}).IntID(); !errors.Is(err, errs.Invalid) {
		t.Fatalf("IntID of a non-number: %v", err)
	}
}
