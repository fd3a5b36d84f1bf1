package recipient_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/recipient"
)

func readAll(t *testing.T, in string) ([]recipient.Row, []recipient.Rejected) {
	t.Helper()
	r, err := recipient.NewReader(strings.NewReader(in))
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

func FuzzReader(f *testing.F) {
	f.Add("email,first_name,segments\nana@x.io,Ana,a;b\n")
	f.Add("email\n\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := recipient.NewReader(strings.NewReader(in))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			row, bad, err := r.Next()
			if err != nil {
				return
			}
			if bad == nil && (row.Email == "" || row.Email != strings.ToLower(row.Email)) {
				t.Fatalf("accepted row with email %q", row.Email)
			}
		}
	})
}
