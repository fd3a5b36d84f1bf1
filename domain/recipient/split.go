package recipient

import (
	"bufio"
	"io"
)

// record is one CSV record as it stands in the file.
type record struct {
	raw     []byte // its bytes, newlines included; only the first limit bytes when over
	line    int    // the line it starts on, from 1
	columns int    // its fields, counted by the commas outside quotes
	over    bool   // longer than the limit: raw is only its beginning
}

// splitState is where the splitter is inside a record.
type splitState uint8

const (
	atFieldStart splitState = iota
	inField                 // an unquoted field
	inQuotes                // a quoted field
	afterQuote              // a quote inside a quoted field: it ends the field or starts ""
	toLineEnd               // after a misplaced quote: encoding/csv drops the rest of the line
)

// splitter cuts a CSV stream into records without parsing their fields, by
// encoding/csv's rules (comma, RFC 4180 quotes, LazyQuotes off): a newline ends
// a record unless it is inside quotes, and a misplaced quote ends the record
// at the end of its line. Knowing where a record ends without holding it is
// what lets a record of any length be skipped in constant memory, quoted
// newlines and all, and the next one read from the right place and line.
type splitter struct {
	br    *bufio.Reader
	limit int
	line  int // newlines consumed so far
	buf   []byte
}

func newSplitter(r io.Reader, limit int) *splitter {
	return &splitter{br: bufio.NewReaderSize(r, 64<<10), limit: limit}
}

// next returns the next record; blank lines are skipped. It returns io.EOF
// at the end, and a read error of the underlying reader (such as the body
// limit's) as it is. The record's raw bytes are valid until the next call.
func (s *splitter) next() (record, error) {
	rec := record{columns: 1}
	st := atFieldStart
	size := 0
	s.buf = s.buf[:0]
	for {
		if s.br.Buffered() == 0 {
			if _, err := s.br.Peek(1); err != nil {
				if err == io.EOF && size > 0 { // a last record without a newline
					rec.raw = s.buf
					return rec, nil
				}
				return record{}, err
			}
		}
		chunk, _ := s.br.Peek(s.br.Buffered())
		start, i, end := 0, 0, false
		for ; i < len(chunk) && !end; i++ {
			c := chunk[i]
			if c == '\n' {
				s.line++
			}
			if size == 0 && i == start {
				if c == '\n' { // a blank line between records
					start = i + 1
					continue
				}
				rec.line = s.line + 1
			}
			switch st {
			case atFieldStart:
				switch c {
				case '"':
					st = inQuotes
				case ',':
					rec.columns++
				case '\n':
					end = true
				default:
					st = inField
				}
			case inField:
				switch c {
				case ',':
					rec.columns++
					st = atFieldStart
				case '\n':
					end = true
				case '"':
					st = toLineEnd
				}
			case inQuotes:
				if c == '"' {
					st = afterQuote
				}
			case afterQuote:
				switch c {
				case '"':
					st = inQuotes
				case ',':
					rec.columns++
					st = atFieldStart
				case '\n':
					end = true
				default:
					st = toLineEnd
				}
			case toLineEnd:
				end = c == '\n'
			}
		}
		s.keep(&rec, chunk[start:i])
		size += i - start
		_, _ = s.br.Discard(i)
		if end {
			rec.raw = s.buf
			return rec, nil
		}
	}
}

// keep appends part of the current record to the buffer, up to the limit;
// past it the record is marked over and the rest is only counted through.
func (s *splitter) keep(rec *record, part []byte) {
	if rec.over {
		return
	}
	if room := s.limit - len(s.buf); len(part) > room {
		s.buf = append(s.buf, part[:room]...)
		rec.over = true
		return
	}
	s.buf = append(s.buf, part...)
}
