package recipient_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/recipient"
)

// The documented limits (docs/api.md), spelled out so a change to them is a
// visible change to this test.
const (
	recordCap  = 64 << 10
	columnCap  = 200
	emailCap   = 320
	nameCap    = 256
	segmentCap = 256
	attrCap    = 4096
	colNameCap = 128
)

// Postgres refuses NUL and invalid UTF-8 in text: such a row used to fail the
// whole import. Now it is rejected with its line and the rest goes on.
func TestNULOrInvalidUTF8RejectsOnlyThatRow(t *testing.T) {
	in := "email,first_name,segments,city\n" +
		"ana@x.io,Ana,vip,Porto\n" +
		"nul@x.io,N\x00ul,vip,Porto\n" +
		"bad@x.io,B\xffad,vip,Porto\n" +
		"e\x00@x.io,E,vip,Porto\n" +
		"seg@x.io,S,v\xc3(ip,Porto\n" +
		"attr@x.io,A,vip,Por\x00to\n" +
		"bo@x.io,Bo,vip,Lisbon\n"
	rows, rej := readAll(t, in)
	if len(rows) != 2 || rows[0].Email != "ana@x.io" || rows[1].Email != "bo@x.io" || rows[1].Line != 8 {
		t.Fatalf("rows %+v", rows)
	}
	want := []recipient.Rejected{
		{Line: 3, Email: "nul@x.io", Reason: "first_name contains a NUL byte"},
		{Line: 4, Email: "bad@x.io", Reason: "first_name is not valid UTF-8 (save the file as UTF-8)"},
		{Line: 5, Email: "e\uFFFD@x.io", Reason: "email contains a NUL byte"},
		{Line: 6, Email: "seg@x.io", Reason: "segments is not valid UTF-8 (save the file as UTF-8)"},
		{Line: 7, Email: "attr@x.io", Reason: "city contains a NUL byte"},
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

// lineGen is an io.Reader of head, then n bytes of fill, then tail, produced as
// it is read: it holds no more than its own fields, so whatever the reader under
// test allocates is the reader's own.
type lineGen struct {
	head, tail string
	fill       byte
	n          int
	pos        int
}

func (g *lineGen) Read(p []byte) (int, error) {
	total := len(g.head) + g.n + len(g.tail)
	if g.pos >= total {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && g.pos < total {
		switch {
		case g.pos < len(g.head):
			p[i] = g.head[g.pos]
		case g.pos < len(g.head)+g.n:
			p[i] = g.fill
		default:
			p[i] = g.tail[g.pos-len(g.head)-g.n]
		}
		i++
		g.pos++
	}
	return i, nil
}

// allocated returns the bytes f allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// One 300 MB line took the server to 1.67 GB: a record over the cap is now
// rejected without being held. The 20 MB line stands for any size: buffering
// it would allocate at least its length.
func TestRecordOverTheCapIsRejectedWithoutBuffering(t *testing.T) {
	const lineSize = 20 << 20
	var rows []recipient.Row
	var rej []recipient.Rejected
	got := allocated(func() {
		g := &lineGen{head: "email,first_name,notes\nbig@x.io,Big,", fill: 'x', n: lineSize,
			tail: "\nok@x.io,Ok,fine\n"}
		rows, rej = readAllFrom(t, g)
	})
	if len(rows) != 1 || rows[0].Email != "ok@x.io" || rows[0].Line != 3 {
		t.Fatalf("rows %s, want only ok@x.io on line 3", summary(rows))
	}
	want := recipient.Rejected{Line: 2, Email: "big@x.io",
		Reason: fmt.Sprintf("is longer than %d bytes (the limit for one row)", recordCap)}
	if len(rej) != 1 || rej[0] != want {
		t.Fatalf("rejected %+v, want %+v", rej, want)
	}
	if got > 4<<20 {
		t.Fatalf("reading a %d-byte line allocated %d bytes: the line was buffered", lineSize, got)
	}
}

// A huge quoted field may hold newlines: the reader follows the quotes while
// it skips the record, so it knows where the next row starts and on which line.
func TestQuotedRecordOverTheCapKeepsLineNumbers(t *testing.T) {
	const lines = 50000 // "a\n" each: 100 KB, over the cap
	g := &lineGen{head: "email,notes\nbig@x.io,\"", fill: 'a', n: 0,
		tail: strings.Repeat("a\n", lines) + "\"\nok@x.io,\"has a \"\"quote\"\", and a comma\"\n"}
	rows, rej := readAllFrom(t, g)
	if len(rej) != 1 || rej[0].Line != 2 {
		t.Fatalf("rejected %+v", rej)
	}
	if len(rows) != 1 || rows[0].Line != 2+lines+1 || rows[0].Attributes["notes"] != `has a "quote", and a comma` {
		t.Fatalf("rows %s, want ok@x.io on line %d", summary(rows), 2+lines+1)
	}
}

func TestTooManyColumnsRefusesTheFile(t *testing.T) {
	header := func(n int) string {
		cols := []string{"email"}
		for i := 1; i < n; i++ {
			cols = append(cols, fmt.Sprintf("c%d", i))
		}
		return strings.Join(cols, ",") + "\n"
	}
	if _, err := recipient.NewReader(strings.NewReader(header(columnCap) + "ana@x.io" + strings.Repeat(",", columnCap-1) + "\n")); err != nil {
		t.Fatalf("%d columns must be accepted: %v", columnCap, err)
	}
	for name, in := range map[string]io.Reader{
		"one over":                     strings.NewReader(header(columnCap + 1)),
		"a million (over the row cap)": &lineGen{head: "email", fill: ',', n: 1_000_000, tail: "\n"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := recipient.NewReader(in)
			if !errors.Is(err, errs.Invalid) || codeOf(err) != "too_many_columns" {
				t.Fatalf("err %v (code %q), want Invalid too_many_columns", err, codeOf(err))
			}
		})
	}
}

// The header's problems each have a stable details.problem, under the code
// bad_csv_header; nothing of such a file is imported.
func TestHeaderProblemsNameTheProblem(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "empty_file",
		"\n\n":                        "empty_file",
		"first_name,last_name\nA,B\n": "no_email_column",
		"email,Email\n":               "duplicate_column",
		"email,,x\n":                  "unnamed_column",
		"email,c\x00\n":               "nul_byte",
		"email,\xff\n":                "not_utf8",
		"\"email\n":                   "not_valid_csv",
		"email,\"a\"b\n":              "not_valid_csv",
		"email," + strings.Repeat("n", colNameCap+1) + "\n": "column_name_too_long",
		"email," + strings.Repeat("n", recordCap) + "\n":    "header_too_long",
	} {
		_, err := recipient.NewReader(strings.NewReader(in))
		if !errors.Is(err, recipient.ErrBadHeader) || codeOf(err) != "bad_csv_header" || problemOf(err) != want {
			t.Errorf("header %.40q: err %v (code %q, problem %q), want bad_csv_header %s", in, err, codeOf(err), problemOf(err), want)
		}
	}
	if _, err := recipient.NewReader(strings.NewReader("email," + strings.Repeat("n", colNameCap) + "\n")); err != nil {
		t.Errorf("a %d-character column name must be accepted: %v", colNameCap, err)
	}
}

// Fields over their caps reject the row; at the cap they are accepted.
func TestFieldOverItsCapRejectsTheRow(t *testing.T) {
	email := func(n int) string { return strings.Repeat("a", n-len("@example.com")) + "@example.com" }
	in := "email,first_name,last_name,segments,plan\n" +
		email(emailCap) + ",Ana,Silva,vip," + strings.Repeat("p", attrCap) + "\n" +
		email(emailCap+1) + ",Bo,,vip,gold\n" +
		"cy@x.io," + strings.Repeat("é", nameCap+1) + ",,vip,gold\n" +
		"dee@x.io,Dee," + strings.Repeat("s", nameCap+1) + ",vip,gold\n" +
		"eve@x.io,Eve,,vip;" + strings.Repeat("s", segmentCap+1) + ",gold\n" +
		"fay@x.io,Fay,,vip," + strings.Repeat("p", attrCap+1) + "\n" +
		"gus@x.io," + strings.Repeat("é", nameCap) + ",,vip;" + strings.Repeat("s", segmentCap) + ",gold\n"
	rows, rej := readAll(t, in)
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 8 {
		t.Fatalf("rows %d %+v", len(rows), rej)
	}
	want := []recipient.Rejected{
		{Line: 3, Email: email(emailCap + 1)[:emailCap], Reason: fmt.Sprintf("email is longer than %d characters", emailCap)},
		{Line: 4, Email: "cy@x.io", Reason: fmt.Sprintf("first_name is longer than %d characters", nameCap)},
		{Line: 5, Email: "dee@x.io", Reason: fmt.Sprintf("last_name is longer than %d characters", nameCap)},
		{Line: 6, Email: "eve@x.io", Reason: fmt.Sprintf("a segment name is longer than %d characters", segmentCap)},
		{Line: 7, Email: "fay@x.io", Reason: fmt.Sprintf("plan is longer than %d characters", attrCap)},
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

// Blank lines (also CRLF ones) are skipped, CRLF line ends accepted, and a
// last row without a newline read.
func TestBlankLinesAndCRLF(t *testing.T) {
	rows, rej := readAll(t, "\r\n\nemail,first_name\r\n\r\nana@x.io,Ana\r\n\nbo@x.io,\"B\r\no\"\r\n\ncy@x.io,Cy\r")
	if len(rej) != 0 || len(rows) != 3 {
		t.Fatalf("rows %+v rejected %+v", rows, rej)
	}
	if rows[0].Line != 5 || rows[1].Line != 7 || rows[1].FirstName != "B\no" || rows[2].Line != 10 || rows[2].FirstName != "Cy" {
		t.Fatalf("rows %+v", rows)
	}
}

func codeOf(err error) string {
	var c interface{ Code() string }
	if errors.As(err, &c) {
		return c.Code()
	}
	return ""
}

func problemOf(err error) string {
	var d interface{ Details() map[string]any }
	if errors.As(err, &d) {
		p, _ := d.Details()["problem"].(string)
		return p
	}
	return ""
}

// summary names each row by line and address, never by its (maybe huge) fields.
func summary(rows []recipient.Row) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprintf("%d:%.40q", r.Line, r.Email)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
