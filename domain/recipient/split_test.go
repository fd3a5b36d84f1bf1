package recipient

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// The splitter must cut records exactly where encoding/csv does, or a record
// would reach csv in pieces and good rows would be rejected. This compares,
// record by record, encoding/csv reading the whole input with the splitter
// handing csv one record at a time: the same fields, start lines and parse
// errors. (White-box: the splitter is the one piece the black-box tests
// cannot pin down case by case.)
func FuzzSplitMatchesEncodingCSV(f *testing.F) {
	for _, s := range []string{
		"email,first_name\nana@x.io,Ana\n",
		"a,\"b\nc\",d\ne,f\n",
		"\"a\"\"b\",c\n\"\"\"\",\"\"\n",
		"a\"b,c\n\"d,e\"\nf\n",
		"\"a\"x,\"b\nc\"\nd\n",
		"\"a\"\r\nb\r\n",
		"\"a\"\r,\"b\nc\"\nd\n",
		"\r\n\r\nx\r\n\n\ny",
		"a\r",
		"\"unterminated\n\nx,y\n",
		",,,\n\n,\n",
		" \"a\",b\n\"c\n",
		"a,b\"\"c,\"d\ne\"\n",
		"\"a\nb\"\"\n\",\"\r\n\"\r\nz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ref := csv.NewReader(strings.NewReader(in))
		ref.FieldsPerRecord = -1
		rd := &Reader{split: newSplitter(strings.NewReader(in), 1<<20), feed: &feeder{}}
		rd.csv = newCSV(rd.feed)
		var parsed int64
		for n := 0; ; n++ {
			want, wantErr := ref.Read()
			wantLine := 0
			if wantErr == nil {
				wantLine, _ = ref.FieldPos(0)
			}
			var got []string
			var gotErr error
			gotLine := 0
			for {
				rec, err := rd.split.next()
				if err != nil {
					gotErr = err
					break
				}
				if rec.over {
					return // inputs over 1 MiB are not what this compares
				}
				gotLine = rec.line
				parsed += int64(len(rec.raw))
				got, gotErr = rd.parse(rec.raw)
				if rd.offset != parsed {
					t.Fatalf("record %d: csv consumed %d bytes, the splitter gave it %d", n, rd.offset, parsed)
				}
				if !errors.Is(gotErr, io.EOF) {
					break
				}
			}
			var wpe, gpe *csv.ParseError
			switch {
			case errors.Is(wantErr, io.EOF) || errors.Is(gotErr, io.EOF):
				if !errors.Is(wantErr, io.EOF) || !errors.Is(gotErr, io.EOF) {
					t.Fatalf("record %d: csv %q %v, split %q %v", n, want, wantErr, got, gotErr)
				}
				return
			case errors.As(wantErr, &wpe):
				if !errors.As(gotErr, &gpe) || gpe.Err != wpe.Err || gotLine != wpe.StartLine {
					t.Fatalf("record %d: csv error %v (from line %d), split %q %v (line %d)", n, wantErr, wpe.StartLine, got, gotErr, gotLine)
				}
			default:
				if wantErr != nil || gotErr != nil || !slices.Equal(got, want) || gotLine != wantLine {
					t.Fatalf("record %d: csv %q %v line %d, split %q %v line %d", n, want, wantErr, wantLine, got, gotErr, gotLine)
				}
			}
		}
	})
}
