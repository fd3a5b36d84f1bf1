package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/recipient"
)

// withRecipients puts f's database and users behind a server that also has the
// recipients service, configured with cfg.
func (f *fixture) withRecipients(cfg api.Config) {
	f.t.Helper()
	f.echo = api.New(cfg, api.Deps{Log: discardLog(), Users: f.users, Recipients: recipient.NewService(f.store)})
	f.srv = httptest.NewServer(f.echo)
	f.t.Cleanup(f.srv.Close)
}

type importReply struct {
	Imported      int                  `json:"imported"`
	Updated       int                  `json:"updated"`
	Rejected      []recipient.Rejected `json:"rejected"`
	RejectedTotal int                  `json:"rejected_total"`
}

func (f *fixture) importCSV(token string, body io.Reader) reply {
	f.t.Helper()
	return f.do(call{method: "POST", path: "/api/v1/recipients/import", token: token, body: body,
		headers: map[string]string{"Content-Type": "text/csv"}})
}

// segments returns GET /api/v1/segments as name → members.
func (f *fixture) segments(token string) map[string]int {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/segments", token: token})
	if r.status != 200 {
		f.t.Fatalf("segments: %d %s", r.status, r.body)
	}
	var segs []recipient.Segment
	r.json(f.t, &segs)
	out := map[string]int{}
	for _, s := range segs {
		out[s.Name] = s.Members
	}
	return out
}

// streamed hides the length of r, so the client sends it chunked and only
// the server's reading of the body can find it too large.
type streamed struct{ r io.Reader }

func (s streamed) Read(p []byte) (int, error) { return s.r.Read(p) }

// The rows that used to fail the whole import with a bare 500 (NUL, invalid
// UTF-8) or take the server's memory (a huge line) are each rejected with their
// line; the good rows around them are imported, and what was there stays.
func TestImport200RejectsBadRowsAndImportsTheRest(t *testing.T) {
	f := newFixture(t)
	f.withRecipients(api.Config{})
	tok := f.addUser("mia@example.com", "marketer")
	if r := f.importCSV(tok, strings.NewReader("email,segments\nold@x.io,before\n")); r.status != 200 {
		t.Fatalf("first import: %d %s", r.status, r.body)
	}
	in := "email,first_name,segments,plan\n" +
		"ana@x.io,Ana,good,gold\n" + // 2
		"nul@x.io,N\x00ul,bad,gold\n" + // 3
		"utf@x.io,B\xffad,bad,gold\n" + // 4
		"big@x.io,Big,bad," + strings.Repeat("x", 1<<20) + "\n" + // 5
		strings.Repeat("e", 320) + "@x.io,Long,bad,gold\n" + // 6
		"attr@x.io,Attr,bad," + strings.Repeat("p", 4097) + "\n" + // 7
		"bo@x.io,Bo,good,silver\n" + // 8
		"old@x.io,Old,good,gold\n" // 9: an update
	r := f.importCSV(tok, strings.NewReader(in))
	if r.status != 200 {
		t.Fatalf("status %d, want 200: %.300s", r.status, r.body)
	}
	var res importReply
	r.json(t, &res)
	if res.Imported != 2 || res.Updated != 1 || res.RejectedTotal != 5 || len(res.Rejected) != 5 {
		t.Fatalf("answer %+v", res)
	}
	for i, line := range []int{3, 4, 5, 6, 7} {
		if res.Rejected[i].Line != line || res.Rejected[i].Reason == "" {
			t.Errorf("rejected[%d] = %+v, want line %d with a reason", i, res.Rejected[i], line)
		}
	}
	if got := f.segments(tok); len(got) != 2 || got["good"] != 3 || got["before"] != 1 {
		t.Fatalf("segments %v, want good: 3 (ana, bo, old) and before: 1, no bad", got)
	}
}

func TestImport422TooManyColumnsKeepsWhatWasThere(t *testing.T) {
	f := newFixture(t)
	f.withRecipients(api.Config{})
	tok := f.addUser("mia@example.com", "marketer")
	if r := f.importCSV(tok, strings.NewReader("email,segments\nold@x.io,before\n")); r.status != 200 {
		t.Fatalf("first import: %d %s", r.status, r.body)
	}
	for _, n := range []int{201, 5000} {
		cols := []string{"email", "segments"}
		for i := len(cols); i < n; i++ {
			cols = append(cols, fmt.Sprintf("c%d", i))
		}
		body := strings.Join(cols, ",") + "\nana@x.io,wide" + strings.Repeat(",", n-2) + "\n"
		r := f.importCSV(tok, strings.NewReader(body))
		if r.status != 422 {
			t.Fatalf("%d columns: status %d, want 422: %.300s", n, r.status, r.body)
		}
		if e := r.errorBody(t); e.Code != "too_many_columns" || e.Details["columns"] != float64(n) || e.Details["max_columns"] != float64(200) {
			t.Fatalf("%d columns: error %+v", n, e)
		}
	}
	if got := f.segments(tok); len(got) != 1 || got["before"] != 1 {
		t.Fatalf("segments %v, want only before: 1", got)
	}
}

func TestImport422HeaderProblemsNameTheProblem(t *testing.T) {
	f := newFixture(t)
	f.withRecipients(api.Config{})
	tok := f.addUser("mia@example.com", "marketer")
	for body, problem := range map[string]string{
		"":                     "empty_file",
		"name,segments\nx,y\n": "no_email_column",
		"email,Email\na,b\n":   "duplicate_column",
		"email,\xffx\n":        "not_utf8",
	} {
		r := f.importCSV(tok, strings.NewReader(body))
		if r.status != 422 {
			t.Fatalf("%q: status %d, want 422: %s", body, r.status, r.body)
		}
		if e := r.errorBody(t); e.Code != "bad_csv_header" || e.Details["problem"] != problem {
			t.Errorf("%q: error %+v, want bad_csv_header with details.problem %s", body, e, problem)
		}
	}
}

// A body over the limit is refused as a whole with 413, also when it arrives
// chunked (no Content-Length): nothing of it is imported, nothing before lost.
func TestImport413OverTheLimitImportsNothingOfIt(t *testing.T) {
	f := newFixture(t)
	f.withRecipients(api.Config{ImportLimit: "64Ki"})
	tok := f.addUser("mia@example.com", "marketer")
	if r := f.importCSV(tok, strings.NewReader("email,segments\nold@x.io,before\n")); r.status != 200 {
		t.Fatalf("first import: %d %s", r.status, r.body)
	}
	var b strings.Builder
	b.WriteString("email,segments\n")
	for i := 0; b.Len() <= 200<<10; i++ {
		fmt.Fprintf(&b, "r%06d@x.io,late\n", i)
	}
	r := f.importCSV(tok, streamed{strings.NewReader(b.String())})
	if r.status != 413 {
		t.Fatalf("status %d, want 413: %.300s", r.status, r.body)
	}
	if e := r.errorBody(t); e.Code != "body_too_large" {
		t.Fatalf("error %+v", e)
	}
	if got := f.segments(tok); len(got) != 1 || got["before"] != 1 {
		t.Fatalf("segments %v, want only before: 1", got)
	}
}

// The default limit is 512 MiB (it was 2 GB). A declared length over it is
// refused before a byte of the body is read.
func TestImportDefaultLimitIs512MiB(t *testing.T) {
	f := newFixture(t)
	f.withRecipients(api.Config{})
	tok := f.addUser("mia@example.com", "marketer")
	for _, tc := range []struct {
		length int64
		status int
	}{{512 << 20, http.StatusUnprocessableEntity}, {512<<20 + 1, http.StatusRequestEntityTooLarge}} {
		req := httptest.NewRequest("POST", "/api/v1/recipients/import", strings.NewReader("name\nx\n"))
		req.ContentLength = tc.length
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		f.echo.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("Content-Length %d: status %d, want %d (%s)", tc.length, rec.Code, tc.status, rec.Body)
		}
	}
}
