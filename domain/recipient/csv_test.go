package recipient_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/recipient"
)

func readAll(t *testing.T, in string) ([]recipient.Row, []recipient.Rejected) {
	t.Helper()
	return readAllFrom(t, strings.NewReader(in))
}

func readAllFrom(t *testing.T, in io.Reader) ([]recipient.Row, []recipient.Rejected) {
	t.Helper()
	r, err := recipient.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	var rows []recipient.Row
	var rej []recipient.Rejected
	for {
		row, bad, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, rej
		}
		if err != nil {
			t.Fatal(err)
		}
		if bad != nil {
			rej = append(rej, *bad)
			continue
		}
		rows = append(rows, row)
	}
}

func TestImportRows(t *testing.T) {
	in := "\ufeffEmail,first_name,last_name,segments,plan,city\n" +
		"  Ana@Example.COM ,Ana,Silva,vip; newsletter;;vip,gold,Porto\n" +
		",Nobody,,vip,,\n" +
		"not-an-address,X,Y,vip,,\n" +
		"bo@example.com,Bo,,newsletter\n" +
		"cy@example.com,Cy,,newsletter,silver,\"Lisbon, PT\"\n" +
		"dee@localhost,Dee,,vip,,\n"
	rows, rej := readAll(t, in)
	if len(rows) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	a := rows[0]
	if a.Line != 2 || a.Email != "ana@example.com" || a.FirstName != "Ana" || strings.Join(a.Segments, "|") != "vip|newsletter" ||
		a.Attributes["plan"] != "gold" || a.Attributes["city"] != "Porto" {
		t.Fatalf("row %+v", a)
	}
	if rows[1].Attributes["city"] != "Lisbon, PT" {
		t.Fatalf("quoted comma: %+v", rows[1])
	}
	want := []recipient.Rejected{
		{Line: 3, Email: "", Reason: "email is empty"},
		{Line: 4, Email: "not-an-address", Reason: "is not a valid email address"},
		{Line: 5, Email: "bo@example.com", Reason: "has 4 columns, the header has 6"},
		{Line: 7, Email: "dee@localhost", Reason: "is not a valid email address"},
	}
	if len(rej) != len(want) {
		t.Fatalf("rejected %+v", rej)
	}
	for i := range want {
		if rej[i] != want[i] {
			t.Errorf("rejected[%d] = %+v, want %+v", i, rej[i], want[i])
		}
	}
}

func TestHeaderProblems(t *testing.T) {
	for _, in := range []string{"", "first_name,last_name\nA,B\n", "email,email\n", "email,,x\n"} {
		if _, err := recipient.NewReader(strings.NewReader(in)); !errors.Is(err, errs.Invalid) {
			t.Errorf("header %q: %v, want Invalid", in, err)
		}
	}
}

func TestBrokenQuoteRejectsRowAndGoesOn(t *testing.T) {
	rows, rej := readAll(t, "email,first_name\n\"ana@x.io,Ana\nbo@x.io,Bo\n")
	_ = rows
	if len(rej) == 0 {
		t.Fatal("an unbalanced quote must reject a row")
	}
}

// FuzzReader: whatever the file, the reader never fails (only the upload's
// own read errors stop it), every accepted row is storable text within the
// limits, and rows and rejections come in file order. Found crashers live in
// testdata/fuzz/FuzzReader (NUL, invalid UTF-8, a row over the cap, a wide
// header, CRLF blank lines).
func FuzzReader(f *testing.F) {
	f.Add("email,first_name,segments\nana@x.io,Ana,a;b\n")
	f.Add("email\n\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := recipient.NewReader(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, errs.Invalid) {
				t.Fatalf("header error %v is not Invalid", err)
			}
			return
		}
		last := 0
		for i := 0; i < 10000; i++ {
			row, bad, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("Next: %v (only read errors may stop the import)", err)
			}
			line := row.Line
			if bad != nil {
				line = bad.Line
				if !utf8.ValidString(bad.Email) || utf8.RuneCountInString(bad.Email) > 320 || bad.Reason == "" {
					t.Fatalf("rejected %+v", *bad)
				}
			} else {
				if row.Email == "" || row.Email != strings.ToLower(row.Email) || utf8.RuneCountInString(row.Email) > 320 {
					t.Fatalf("accepted row with email %q", row.Email)
				}
				values := append([]string{row.Email, row.FirstName, row.LastName}, row.Segments...)
				for k, v := range row.Attributes {
					values = append(values, k, v)
				}
				for _, v := range values {
					if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
						t.Fatalf("accepted row %+v holds a value Postgres refuses: %q", row, v)
					}
				}
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
		}
	})
}
