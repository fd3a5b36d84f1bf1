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
	"unicode/utf8"
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

// Rejected is a row that was not imported, and why. Email is as the row had
// it, made printable (a NUL or invalid byte shows as U+FFFD) and cut to
// MaxEmailChars, so a rejected row never makes the answer large.
type Rejected struct {
	Line   int    `json:"line"`
	Email  string `json:"email"`
	Reason string `json:"reason"`
}

// Reader streams rows from a CSV import: header email,first_name,last_name,
// segments (";"-separated), and any other column as an attribute. It holds
// one record at a time, and no record longer than MaxRecordBytes, so a file of
// any size and any shape is read in constant memory. Every value a Row
// carries is UTF-8 text without NUL bytes (what Postgres stores as text) and
// within the limits of limits.go; a row that is not is rejected with its line,
// and reading goes on.
type Reader struct {
	split  *splitter
	feed   *feeder
	csv    *csv.Reader
	offset int64 // what csv has consumed of feed, to check it parsed exactly one record
	header []string
	idx    map[string]int
}

// feeder serves encoding/csv one record at a time: the record's bytes, then
// io.EOF until the next record is set. encoding/csv neither latches EOF nor
// reads past a record's end, so one csv.Reader (and its buffers) serves the
// whole file.
type feeder struct{ b []byte }

func (f *feeder) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

func newCSV(f *feeder) *csv.Reader {
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1 // a wrong column count is a rejected row, not a failed file
	cr.ReuseRecord = true
	cr.LazyQuotes = false
	return cr
}

// NewReader reads the header. A header it cannot use is a *HeaderError
// (ErrBadHeader or ErrTooManyColumns); an error reading r is returned as it is.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{split: newSplitter(r, MaxRecordBytes), feed: &feeder{}, idx: map[string]int{}}
	rd.csv = newCSV(rd.feed)
	var head []string
	for head == nil {
		rec, err := rd.split.next()
		if errors.Is(err, io.EOF) {
			return nil, badHeader("empty_file", "The file is empty: it needs a header row with an email column (email,first_name,last_name,segments,…).")
		}
		if err != nil {
			return nil, fmt.Errorf("read csv header: %w", err)
		}
		if rec.over {
			if rec.columns > MaxColumns {
				return nil, tooManyColumns(rec.columns)
			}
			return nil, badHeader("header_too_long", "The header row is longer than %d bytes.", MaxRecordBytes)
		}
		head, err = rd.parse(rec.raw)
		if errors.Is(err, io.EOF) { // a line of only "\r\n"
			continue
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, badHeader("not_valid_csv", "The header row is not valid CSV: %v.", pe.Err)
		}
		if err != nil {
			return nil, fmt.Errorf("parse csv header: %w", err)
		}
	}
	if len(head) > MaxColumns {
		return nil, tooManyColumns(len(head))
	}
	for i, h := range head {
		if p := textProblem(h); p != "" {
			return nil, badColumn(i, p, "The name of column %d %s; save the file as UTF-8 text.", i+1, textPhrase[p])
		}
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) // a BOM from spreadsheet exports
		name := strings.ToLower(h)
		switch name {
		case "email", "first_name", "last_name", "segments":
			h = name
		}
		if h == "" {
			return nil, badColumn(i, "unnamed_column", "Column %d of the header row has no name.", i+1)
		}
		if utf8.RuneCountInString(h) > MaxColumnNameChars {
			return nil, badColumn(i, "column_name_too_long", "The name of column %d is longer than %d characters.", i+1, MaxColumnNameChars)
		}
		if _, dup := rd.idx[h]; dup {
			e := badColumn(i, "duplicate_column", "The header row has the column %q twice.", h)
			e.Extra["name"] = h
			return nil, e
		}
		rd.idx[h] = i
		rd.header = append(rd.header, h)
	}
	if _, ok := rd.idx["email"]; !ok {
		return nil, badHeader("no_email_column", "The header row has no email column (email,first_name,last_name,segments,…).")
	}
	return rd, nil
}

// parse has encoding/csv parse exactly one record. It returns io.EOF for a
// record that is only a blank line ("\r\n", which the splitter leaves in).
func (r *Reader) parse(raw []byte) ([]string, error) {
	r.feed.b = raw
	fields, err := r.csv.Read()
	want := r.offset + int64(len(raw))
	if r.csv.InputOffset() != want || len(r.feed.b) != 0 {
		// encoding/csv and the splitter disagreed on where the record ends (a
		// bug, not bad input): start csv afresh, so the next record is whole.
		r.csv, r.offset = newCSV(r.feed), 0
		r.feed.b = nil
	} else {
		r.offset = want
	}
	return fields, err
}

// Next returns the next row, or the reason it is rejected; io.EOF at the end.
// A bad record (not CSV, too long, not text, a value over its limit) rejects
// that row and reading goes on; only an error reading the upload stops it.
func (r *Reader) Next() (Row, *Rejected, error) {
	for {
		rec, err := r.split.next()
		if err != nil {
			return Row{}, nil, err
		}
		if rec.over {
			return Row{}, &Rejected{Line: rec.line, Email: r.emailOfPrefix(rec.raw),
				Reason: fmt.Sprintf("is longer than %d bytes (the limit for one row)", MaxRecordBytes)}, nil
		}
		fields, err := r.parse(rec.raw)
		if errors.Is(err, io.EOF) {
			continue
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return Row{}, nil, err
			}
			return Row{}, &Rejected{Line: rec.line, Reason: "is not valid CSV: " + pe.Err.Error()}, nil
		}
		row, bad := r.toRow(rec.line, fields)
		return row, bad, nil
	}
}

// emailOfPrefix is the email of a record cut at MaxRecordBytes, when the cut
// left that field whole; else "".
func (r *Reader) emailOfPrefix(prefix []byte) string {
	fields, _ := r.parse(prefix)
	if i := r.idx["email"]; i < len(fields)-1 {
		return printable(strings.TrimSpace(fields[i]))
	}
	return ""
}

// toRow checks one parsed record against the row rules.
func (r *Reader) toRow(line int, rec []string) (Row, *Rejected) {
	get := func(col string) string {
		if i, ok := r.idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	email := get("email")
	reject := func(format string, args ...any) (Row, *Rejected) {
		return Row{}, &Rejected{Line: line, Email: printable(email), Reason: fmt.Sprintf(format, args...)}
	}
	for i, v := range rec {
		if p := textProblem(v); p != "" {
			col := fmt.Sprintf("column %d", i+1)
			if i < len(r.header) {
				col = r.header[i]
			}
			if p == "not_utf8" {
				return reject("%s %s (save the file as UTF-8)", col, textPhrase[p])
			}
			return reject("%s %s", col, textPhrase[p])
		}
	}
	if len(rec) != len(r.header) {
		return reject("has %d columns, the header has %d", len(rec), len(r.header))
	}
	if email == "" {
		return reject("email is empty")
	}
	if utf8.RuneCountInString(email) > MaxEmailChars {
		return reject("email is longer than %d characters", MaxEmailChars)
	}
	norm, ok := NormalizeEmail(email)
	if !ok {
		return reject("is not a valid email address")
	}
	row := Row{Line: line, Email: norm, FirstName: get("first_name"), LastName: get("last_name"),
		Segments: SplitSegments(get("segments"))}
	if utf8.RuneCountInString(row.FirstName) > MaxNameChars {
		return reject("first_name is longer than %d characters", MaxNameChars)
	}
	if utf8.RuneCountInString(row.LastName) > MaxNameChars {
		return reject("last_name is longer than %d characters", MaxNameChars)
	}
	for _, s := range row.Segments {
		if utf8.RuneCountInString(s) > MaxSegmentChars {
			return reject("a segment name is longer than %d characters", MaxSegmentChars)
		}
	}
	for i, h := range r.header {
		switch h {
		case "email", "first_name", "last_name", "segments":
			continue
		}
		v := strings.TrimSpace(rec[i])
		if utf8.RuneCountInString(v) > MaxAttributeChars {
			return reject("%s is longer than %d characters", h, MaxAttributeChars)
		}
		if row.Attributes == nil {
			row.Attributes = map[string]string{}
		}
		row.Attributes[h] = v
	}
	return row, nil
}

// textProblem says why s cannot be stored as Postgres text (which refuses NUL
// and invalid UTF-8): "nul_byte" or "not_utf8"; "" when it can.
func textProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "nul_byte"
	}
	if !utf8.ValidString(s) {
		return "not_utf8"
	}
	return ""
}

// textPhrase words a textProblem for a reason or a message.
var textPhrase = map[string]string{"nul_byte": "contains a NUL byte", "not_utf8": "is not valid UTF-8"}

// printable is s as a rejected row shows it: NUL and invalid bytes as U+FFFD,
// at most MaxEmailChars characters.
func printable(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
	n := 0
	for i := range s {
		if n == MaxEmailChars {
			return s[:i]
		}
		n++
	}
	return s
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
