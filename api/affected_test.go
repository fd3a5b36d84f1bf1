package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/api"
)

// affectedCampaign declares an incident on a new campaign whose audience is n
// seeded recipients, paused at SendGrid an hour ago, and returns the incident
// and campaign ids. Recipient i (1..n) is in segments {vip}, {all,vip} or
// {all} by i % 3 and ends, by i % 10: 0 never handed (held), 1 handed with a
// send_at 20 minutes after the pause (held at SendGrid), 2 handed before the
// pause with nothing reported (possibly received), 3 in doubt (possibly
// received), 4 delivered, 5 delivered+opened, 6 delivered+opened+clicked,
// 7 bounced, 8 delivered+opened+complained, 9 delivered+unsubscribed.
func (f *appFixture) affectedCampaign(token, tag string, n int) (string, string) {
	f.t.Helper()
	inc := f.incident(token)
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc, token: token})
	var i struct {
		CampaignID string `json:"campaign_id"`
	}
	r.json(f.t, &i)
	f.exec(`UPDATE campaigns SET esp_state = 'paused', esp_state_at = now() - interval '1 hour' WHERE id = $1`, i.CampaignID)
	f.exec(`INSERT INTO recipients (email, segments)
		SELECT 'c' || $1 || '-' || i || '@x.test',
			CASE i % 3 WHEN 0 THEN '{vip}'::text[] WHEN 1 THEN '{all,vip}' ELSE '{all}' END
		FROM generate_series(1, $2::int) i`, tag, n)
	f.exec(`INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, handed_at, send_at)
		SELECT $1, r.id, r.email, r.segments,
			CASE k WHEN 0 THEN 'pending' WHEN 3 THEN 'in_doubt' ELSE 'handed' END,
			CASE WHEN k NOT IN (0, 3) THEN now() - interval '2 hours' END,
			CASE WHEN k = 1 THEN now() - interval '40 minutes' WHEN k NOT IN (0, 3) THEN now() - interval '61 minutes' END
		FROM (SELECT *, substring(email FROM '-(\d+)@')::int % 10 AS k FROM recipients WHERE email LIKE 'c' || $2 || '-%') r`,
		i.CampaignID, tag)
	f.exec(`INSERT INTO recipient_outcomes (campaign_id, recipient_id, segments, delivery_state,
			opened_at, clicked_at, complained_at, unsubscribed_at)
		SELECT campaign_id, recipient_id, segments, CASE WHEN k = 7 THEN 'bounced' ELSE 'delivered' END,
			CASE WHEN k IN (5, 6, 8) THEN now() END, CASE WHEN k = 6 THEN now() END,
			CASE WHEN k = 8 THEN now() END, CASE WHEN k = 9 THEN now() END
		FROM (SELECT *, substring(email FROM '-(\d+)@')::int % 10 AS k FROM campaign_recipients WHERE campaign_id = $1) cr
		WHERE k BETWEEN 4 AND 9`, i.CampaignID)
	return inc, i.CampaignID
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.store.SQL().ExecContext(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

type affectedPage struct {
	Recipients []struct {
		RecipientID string   `json:"recipient_id"`
		Email       string   `json:"email"`
		Segments    []string `json:"segments"`
		State       string   `json:"state"`
		HandedAt    *string  `json:"handed_at"`
		SendAt      *string  `json:"send_at"`
	} `json:"recipients"`
	Next *string `json:"next"`
}

func (f *appFixture) affected(token, inc, query string) affectedPage {
	f.t.Helper()
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/affected" + query, token: token})
	if r.status != 200 {
		f.t.Fatalf("affected%s: %d %s", query, r.status, r.body)
	}
	var p affectedPage
	r.json(f.t, &p)
	return p
}

// Three pages of 100, 100 and 50 answer all 250 recipients once each, in
// recipient_id order, and only the last page has no next.
func TestAffectedPages200(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, camp := f.affectedCampaign(admin, "p", 250)
	var want []string
	rows, err := f.store.SQL().Query(`SELECT recipient_id FROM campaign_recipients WHERE campaign_id = $1 ORDER BY recipient_id`, camp)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		want = append(want, id)
	}
	rows.Close()

	var got []string
	var sizes []int
	query := "?limit=100"
	for range 5 {
		p := f.affected(admin, inc, query)
		sizes = append(sizes, len(p.Recipients))
		for _, r := range p.Recipients {
			got = append(got, r.RecipientID)
		}
		if p.Next == nil {
			break
		}
		if *p.Next != p.Recipients[len(p.Recipients)-1].RecipientID {
			t.Fatalf("next %s is not the page's last recipient_id", *p.Next)
		}
		query = "?limit=100&after=" + *p.Next
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Fatalf("page sizes %v, want [100 100 50]", sizes)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages do not answer every recipient once in recipient_id order (%d rows, want %d)", len(got), len(want))
	}
	// The default page is 100 rows.
	if p := f.affected(admin, inc, ""); len(p.Recipients) != 100 || p.Next == nil {
		t.Fatalf("default page: %d rows, next %v", len(p.Recipients), p.Next)
	}
}

// Each state's rows are exactly the blast radius's numbers (by the
// precedence: complained > unsubscribed > clicked > opened > delivered or
// bounced > possibly received, held first), and every row of a filter has
// it; the rows' states follow the seeded outcomes.
func TestAffectedStatesAgreeWithAssessment200(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, _ := f.affectedCampaign(admin, "s", 60)
	r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/assessment", token: admin})
	if r.status != 200 {
		t.Fatalf("assessment: %d %s", r.status, r.body)
	}
	var a struct {
		Totals struct {
			Targeted, Held, Delivered, Opened, Clicked, Bounced, Complained, Unsubscribed int
		} `json:"totals"`
	}
	r.json(t, &a)
	tot := a.Totals
	if tot.Targeted != 60 || tot.Held != 12 {
		t.Fatalf("the assessment's totals are not the seed's: %+v (%s)", tot, r.body)
	}
	counts := map[string]int{}
	for _, row := range f.affected(admin, inc, "?limit=1000").Recipients {
		counts[row.State]++
	}
	// In this seed clickers and complainers opened, and unsubscribers were
	// delivered, so the furthest state of each recipient follows from the totals.
	want := map[string]int{
		"held":              tot.Held,
		"complained":        tot.Complained,
		"unsubscribed":      tot.Unsubscribed,
		"clicked":           tot.Clicked,
		"bounced":           tot.Bounced,
		"opened":            tot.Opened - tot.Clicked - tot.Complained,
		"delivered":         tot.Delivered - tot.Opened - tot.Unsubscribed,
		"possibly_received": tot.Targeted - tot.Held - tot.Delivered - tot.Bounced,
	}
	seeded := map[string]int{"held": 12, "possibly_received": 12}
	for s, n := range want {
		if counts[s] != n {
			t.Errorf("state %s: %d rows, the assessment says %d", s, counts[s], n)
		}
		if seed := cmp.Or(seeded[s], 6); counts[s] != seed {
			t.Errorf("state %s: %d rows, seeded %d", s, counts[s], seed)
		}
	}
	for s, n := range want {
		p := f.affected(admin, inc, "?limit=1000&state="+s)
		if len(p.Recipients) != n {
			t.Errorf("?state=%s: %d rows, want %d", s, len(p.Recipients), n)
		}
		for _, row := range p.Recipients {
			if row.State != s {
				t.Errorf("?state=%s answered a %s row", s, row.State)
			}
			if s != "held" && s != "possibly_received" && row.HandedAt == nil {
				t.Errorf("a %s row has no handed_at", s)
			}
		}
	}
}

// ?segment= keeps the recipients in that segment, alone and with a state.
func TestAffectedSegmentFilter200(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, _ := f.affectedCampaign(admin, "g", 60)
	vip := f.affected(admin, inc, "?limit=1000&segment=vip").Recipients
	if len(vip) != 40 { // i % 3 is 0 or 1
		t.Fatalf("?segment=vip: %d rows, want 40", len(vip))
	}
	for _, r := range vip {
		if !slices.Contains(r.Segments, "vip") {
			t.Fatalf("?segment=vip answered %s in %v", r.Email, r.Segments)
		}
	}
	if n := len(f.affected(admin, inc, "?limit=1000&segment=nobody").Recipients); n != 0 {
		t.Fatalf("?segment=nobody: %d rows", n)
	}
	both := f.affected(admin, inc, "?limit=1000&segment=all&state=held").Recipients
	if len(both) != 8 { // i % 3 in {1, 2} and i % 10 in {0, 1}: 8 of 60
		t.Fatalf("?segment=all&state=held: %d rows, want 8", len(both))
	}
	for _, r := range both {
		if r.State != "held" || !slices.Contains(r.Segments, "all") {
			t.Fatalf("?segment=all&state=held answered %+v", r)
		}
	}
}

func TestAffectedBadQuery422(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, _ := f.affectedCampaign(admin, "q", 10)
	for q, field := range map[string]string{
		"?state=sent":         "state",
		"?limit=0":            "limit",
		"?limit=1001":         "limit",
		"?limit=x":            "limit",
		"?after=not-an-id":    "after",
		"?format=xml":         "format",
		"?state=x&format=csv": "state",
		"?after=1&format=csv": "after",
	} {
		r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/affected" + q, token: admin})
		if r.status != 422 {
			t.Errorf("%s: %d, want 422: %s", q, r.status, r.body)
			continue
		}
		e := r.errorBody(t)
		fields, _ := e.Details["fields"].(map[string]any)
		if e.Code != "validation_failed" || fields[field] == nil {
			t.Errorf("%s: %s %v, want validation_failed naming %s", q, e.Code, e.Details, field)
		}
	}
}

func TestAffectedUnknownIncident404(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	for _, accept := range []string{"application/json", "text/csv"} {
		r := f.do(call{method: "GET", path: "/api/v1/incidents/00000000-0000-4000-8000-000000000000/affected",
			token: admin, headers: map[string]string{"Accept": accept}})
		if r.status != 404 || r.errorBody(t).Code != "incident_not_found" {
			t.Errorf("Accept %s: %d %s, want 404 incident_not_found", accept, r.status, r.body)
		}
	}
}

// Every role reads the list (auth.Read); no credentials is 401.
func TestAffectedEveryRole200(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, _ := f.affectedCampaign(admin, "r", 10)
	for _, role := range []string{"marketer", "legal", "security"} {
		tok := f.addUser(role+"@x.test", role)
		if p := f.affected(tok, inc, ""); len(p.Recipients) != 10 {
			t.Errorf("%s: %d rows", role, len(p.Recipients))
		}
	}
	if r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/affected"}); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

// The CSV has the header and exactly the matching rows, whether asked by
// Accept or ?format=, as a named attachment; a cell a spreadsheet would run
// as a formula starts with a quote.
func TestAffectedCSV200(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, camp := f.affectedCampaign(admin, "v", 30)
	f.exec(`UPDATE campaign_recipients SET email = '=hyperlink("http://evil.test")@x.test', segments = '{+vip,all}'
		WHERE campaign_id = $1 AND email = 'cv-4@x.test'`, camp)
	f.exec(`UPDATE campaign_recipients SET email = '@sum(a1)@x.test' WHERE campaign_id = $1 AND email = 'cv-5@x.test'`, camp)
	for _, c := range []call{
		{method: "GET", path: "/api/v1/incidents/" + inc + "/affected?format=csv", token: admin},
		{method: "GET", path: "/api/v1/incidents/" + inc + "/affected", token: admin, headers: map[string]string{"Accept": "text/csv"}},
	} {
		r := f.do(c)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%v: %d %s %s", c.headers, r.status, r.header.Get("Content-Type"), r.body)
		}
		if got, want := r.header.Get("Content-Disposition"), `attachment; filename="affected-`+inc+`.csv"`; got != want {
			t.Errorf("Content-Disposition %q, want %q", got, want)
		}
		recs, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], []string{"recipient_id", "email", "segments", "state", "handed_at", "send_at"}) {
			t.Fatalf("header %v", recs[0])
		}
		if len(recs) != 31 {
			t.Fatalf("%d rows, want 30", len(recs)-1)
		}
		json := f.affected(admin, inc, "?limit=1000").Recipients
		for i, rec := range recs[1:] {
			if rec[0] != json[i].RecipientID || rec[3] != json[i].State {
				t.Fatalf("row %d %v is not the list's %+v", i, rec, json[i])
			}
			switch json[i].Email {
			case `=hyperlink("http://evil.test")@x.test`:
				if rec[1] != `'=hyperlink("http://evil.test")@x.test` || rec[2] != "'+vip;all" {
					t.Errorf("formula not neutralised: %q %q", rec[1], rec[2])
				}
			case "@sum(a1)@x.test":
				if rec[1] != "'@sum(a1)@x.test" {
					t.Errorf("formula not neutralised: %q", rec[1])
				}
			default:
				if rec[1] != json[i].Email || rec[2] != strings.Join(json[i].Segments, ";") {
					t.Errorf("row %v, want %s %v", rec, json[i].Email, json[i].Segments)
				}
			}
			if (rec[4] == "") != (json[i].HandedAt == nil) {
				t.Errorf("handed_at %q vs %v", rec[4], json[i].HandedAt)
			}
		}
	}
	// Filters apply to the CSV; an empty result is the header alone.
	r := f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/affected?format=csv&state=held", token: admin})
	if recs, _ := csv.NewReader(bytes.NewReader(r.body)).ReadAll(); len(recs) != 7 {
		t.Errorf("?state=held CSV: %d lines, want header + 6", len(recs))
	}
	r = f.do(call{method: "GET", path: "/api/v1/incidents/" + inc + "/affected?format=csv&segment=nobody", token: admin})
	if r.status != 200 || string(r.body) != "recipient_id,email,segments,state,handed_at,send_at\n" {
		t.Errorf("empty CSV: %d %q", r.status, r.body)
	}
}

// flushRecorder is a ResponseWriter that counts Flush calls and how many
// bytes had been written at the first one.
type flushRecorder struct {
	*httptest.ResponseRecorder
	flushes      int
	bytesAtFirst int
}

func (w *flushRecorder) Flush() {
	if w.flushes == 0 {
		w.bytesAtFirst = w.Body.Len()
	}
	w.flushes++
	w.ResponseRecorder.Flush()
}

// The CSV of 200,000 recipients streams: the handler flushes many times, the
// first time with a small part of the file written, instead of building the
// whole file and writing it once.
func TestAffectedCSVStreams200(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 200,000 recipients")
	}
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("admin@x.test", "admin")
	inc, _ := f.affectedCampaign(admin, "m", 200_000)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/incidents/"+inc+"/affected?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	w := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	f.echo.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String()[:min(w.Body.Len(), 300)])
	}
	if lines := bytes.Count(w.Body.Bytes(), []byte("\n")); lines != 200_001 {
		t.Fatalf("%d lines, want header + 200,000", lines)
	}
	if w.flushes < 40 || w.bytesAtFirst > w.Body.Len()/20 {
		t.Fatalf("flushed %d times, %d of %d bytes at the first: the export is not streamed",
			w.flushes, w.bytesAtFirst, w.Body.Len())
	}
}
