// Package recipient is the people campaigns go to: the CSV import format and
// its row rules. Addresses are trimmed and compared case-insensitively (stored
// lower-case); the store upserts, so an address imported twice is updated,
// never duplicated.
package recipient

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/firebreak/firebreak/domain/errs"
)

// Row is one valid CSV row.
type Row struct {
	Line       int
	Email      string // trimmed, lower-case
	FirstName  string
	LastName   string
	Segments   []string
	Attributes map[string]string
}

// Rejected is a row that was not imported, and why.
type Rejected struct {
	Line   int    `json:"line"`
	Email  string `json:"email"`
	Reason string `json:"reason"`
}

// ErrBadHeader: the file has no header row or the header lacks "email".
var ErrBadHeader = errs.New(errs.Invalid, "bad_csv_header",
	"The CSV needs a header row with an email column (email,first_name,last_name,segments,…).")

// Reader streams rows from a CSV import: header email,first_name,last_name,
// segments (";"-separated), and any other column as an attribute. It holds
// one row at a time, so a file of any size is read in constant memory.
type Reader struct {
	csv     *csv.Reader
	header  []string
	idx     map[string]int
	lastErr error
}

// NewReader reads the header.
func NewReader(r io.Reader) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a wrong column count is a rejected row, not a failed file
	cr.ReuseRecord = true
	cr.LazyQuotes = false
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrBadHeader
		}
		return nil, fmt.Errorf("%w: %v", ErrBadHeader, err)
	}
	rd := &Reader{csv: cr, idx: map[string]int{}}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) // a BOM from spreadsheet exports
		name := strings.ToLower(h)
		switch name {
		case "email", "first_name", "last_name", "segments":
			h = name
		}
		if h == "" {
			return nil, fmt.Errorf("%w (column %d has no name)", ErrBadHeader, i+1)
		}
		if _, dup := rd.idx[h]; dup {
			return nil, fmt.Errorf("%w (column %q appears twice)", ErrBadHeader, h)
		}
		rd.idx[h] = i
		rd.header = append(rd.header, h)
	}
	if _, ok := rd.idx["email"]; !ok {
		return nil, ErrBadHeader
	}
	return rd, nil
}

// Next returns the next row, or the reason it is rejected; io.EOF at the end.
// A CSV syntax error (an unbalanced quote) rejects that row and reading goes on.
func (r *Reader) Next() (Row, *Rejected, error) {
	rec, err := r.csv.Read()
	if errors.Is(err, io.EOF) {
		return Row{}, nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Row{}, &Rejected{Line: pe.StartLine, Reason: "is not valid CSV: " + pe.Err.Error()}, nil
		}
		return Row{}, nil, err
	}
	line, _ := r.csv.FieldPos(0)
	get := func(col string) string {
		if i, ok := r.idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	email := get("email")
	if len(rec) != len(r.header) {
		return Row{}, &Rejected{Line: line, Email: email,
			Reason: fmt.Sprintf("has %d columns, the header has %d", len(rec), len(r.header))}, nil
	}
	if email == "" {
		return Row{}, &Rejected{Line: line, Reason: "email is empty"}, nil
	}
	norm, ok := NormalizeEmail(email)
	if !ok {
		return Row{}, &Rejected{Line: line, Email: email, Reason: "is not a valid email address"}, nil
	}
	row := Row{Line: line, Email: norm, FirstName: get("first_name"), LastName: get("last_name"),
		Segments: SplitSegments(get("segments"))}
	for i, h := range r.header {
		switch h {
		case "email", "first_name", "last_name", "segments":
			continue
		}
		if row.Attributes == nil {
			row.Attributes = map[string]string{}
		}
		row.Attributes[h] = strings.TrimSpace(rec[i])
	}
	return row, nil, nil
}

// NormalizeEmail returns the trimmed, lower-cased address and whether it is a
// bare, valid address.
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " <>\"") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", false
	}
	return strings.ToLower(s), true
}

// SplitSegments splits "vip; newsletter;;VIP" into unique, trimmed names.
func SplitSegments(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ";") {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}
