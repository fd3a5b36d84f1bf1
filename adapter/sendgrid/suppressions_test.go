package sendgrid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/internal/sgsim"
)

// simEnv is the SendGrid simulator behind an httptest server, with the
// clock fixed at t0 and the query of every request recorded.
type simEnv struct {
	sim *sgsim.Sim
	srv *httptest.Server

	mu      sync.Mutex
	queries []string // "path?query" of every request
}

func newSim(t *testing.T) *simEnv {
	t.Helper()
	e := &simEnv{sim: sgsim.New(sgsim.Config{APIKey: testKey, Now: func() time.Time { return t0 }})}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.queries = append(e.queries, r.URL.Path+"?"+r.URL.RawQuery)
		e.mu.Unlock()
		e.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *simEnv) Requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.queries)
}

// post calls the simulator's API directly (test set-up) and decodes the answer.
func (e *simEnv) post(t *testing.T, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: HTTP %d", path, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// createGroup makes an unsubscribe group holding emails and returns its id.
func (e *simEnv) createGroup(t *testing.T, name string, emails ...string) int {
	t.Helper()
	var g struct {
		ID int `json:"id"`
	}
	e.post(t, "/v3/asm/groups", map[string]any{"name": name, "description": "test"}, &g)
	if len(emails) > 0 {
		e.post(t, fmt.Sprintf("/v3/asm/groups/%d/suppressions", g.ID), map[string]any{"recipient_emails": emails}, nil)
	}
	return g.ID
}

// A list of 1203 bounces comes back in pages of 500, 500 and 203, each
// request carrying limit and offset, with every field of the bounce shape.
func TestListSuppressionsPagesThroughSimulator(t *testing.T) {
	e := newSim(t)
	const n = 1203
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("user%04d@example.com", i)
		e.sim.Suppress(esp.ListBounces, want[i], "550 5.1.1 no such user")
	}
	c := newClient(e.srv.URL, nil)
	var got []string
	var sizes []int
	for offset := 0; ; offset += esp.MaxSuppressionPage {
		page, err := c.ListSuppressions(context.Background(), esp.ListBounces, offset, esp.MaxSuppressionPage)
		if err != nil {
			t.Fatalf("offset %d: %v", offset, err)
		}
		sizes = append(sizes, len(page))
		for _, s := range page {
			if s.Reason != "550 5.1.1 no such user" || s.Status != "5.1.1" || !s.Created.Equal(t0) {
				t.Fatalf("item %+v: want reason, status 5.1.1 and created %v", s, t0)
			}
			got = append(got, s.Email)
		}
		if len(page) < esp.MaxSuppressionPage {
			break
		}
	}
	if !slices.Equal(sizes, []int{500, 500, 203}) {
		t.Errorf("page sizes %v, want [500 500 203]", sizes)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("got %d addresses (first %q), want the %d seeded, each once", len(got), got[:min(3, len(got))], n)
	}
	var queries []url.Values
	for _, r := range e.Requests() {
		u, _ := url.Parse(r)
		if u.Path != "/v3/suppression/bounces" {
			t.Errorf("request %s, want /v3/suppression/bounces", r)
		}
		queries = append(queries, u.Query())
	}
	for i, q := range queries {
		if q.Get("limit") != "500" || q.Get("offset") != fmt.Sprint(i*500) {
			t.Errorf("request %d query %v, want limit=500 offset=%d", i, q, i*500)
		}
	}
}

// Each list's own shape: spam reports carry no reason, invalid emails a
// reason without status, unsubscribes only email and created.
func TestListSuppressionsShapes(t *testing.T) {
	e := newSim(t)
	e.sim.Suppress(esp.ListSpamReports, "Spam@Example.com", "")
	e.sim.Suppress(esp.ListInvalidEmails, "bad@nowhere.invalid", "Mail domain mentioned in email address is unknown")
	e.sim.Suppress(esp.ListUnsubscribes, "gone@example.com", "")
	c := newClient(e.srv.URL, nil)
	for _, tt := range []struct {
		list string
		want esp.Suppressed
	}{
		{esp.ListSpamReports, esp.Suppressed{Email: "Spam@Example.com", Created: t0}},
		{esp.ListInvalidEmails, esp.Suppressed{Email: "bad@nowhere.invalid", Created: t0, Reason: "Mail domain mentioned in email address is unknown"}},
		{esp.ListUnsubscribes, esp.Suppressed{Email: "gone@example.com", Created: t0}},
	} {
		got, err := c.ListSuppressions(context.Background(), tt.list, 0, 10)
		if err != nil || len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: %+v, %v; want [%+v]", tt.list, got, err, tt.want)
		}
	}
}

// A 429 whose X-RateLimit-Reset is 7s ahead is waited out (not a fixed or
// exponential delay), and a 503 is retried: the page still arrives.
func TestListSuppressionsRetries(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		header  http.Header
		minWait time.Duration
		maxWait time.Duration
	}{
		{"rateLimitedUntilReset", http.StatusTooManyRequests,
			http.Header{"X-Ratelimit-Reset": {fmt.Sprint(t0.Add(7 * time.Second).Unix())}}, 7 * time.Second, 7500 * time.Millisecond},
		{"serviceUnavailable", http.StatusServiceUnavailable, nil, 500 * time.Millisecond, 1500 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSim(t)
			e.sim.Suppress(esp.ListUnsubscribes, "a@example.com", "")
			e.sim.FailNext("/v3/suppression/unsubscribes", 1, tt.status, tt.header)
			sl := &sleeps{}
			got, err := newClient(e.srv.URL, sl).ListSuppressions(context.Background(), esp.ListUnsubscribes, 0, 500)
			if err != nil || len(got) != 1 || got[0].Email != "a@example.com" {
				t.Fatalf("ListSuppressions = %+v, %v", got, err)
			}
			if n := len(e.Requests()); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
			waits := sl.Waits()
			if len(waits) != 1 || waits[0] < tt.minWait || waits[0] >= tt.maxWait {
				t.Errorf("waits %v, want one in [%v, %v)", waits, tt.minWait, tt.maxWait)
			}
		})
	}
}

// A 429 that outlasts MaxAttempts comes back RateLimited with RetryAt.
func TestListSuppressionsStillRateLimited(t *testing.T) {
	e := newSim(t)
	reset := t0.Add(3 * time.Second)
	e.sim.FailNext("/v3/suppression/bounces", 10, http.StatusTooManyRequests,
		http.Header{"X-Ratelimit-Reset": {fmt.Sprint(reset.Unix())}})
	c := newClient(e.srv.URL, &sleeps{}, func(cfg *sendgrid.Config) { cfg.MaxAttempts = 3 })
	_, err := c.ListSuppressions(context.Background(), esp.ListBounces, 0, 500)
	ee := asESPError(t, err, esp.RateLimited)
	if !ee.RetryAt.Equal(reset) || ee.Op != "suppression/bounces" {
		t.Errorf("error %+v, want op suppression/bounces and RetryAt %v", ee, reset)
	}
	if n := len(e.Requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// Arguments SendGrid would refuse fail Permanent without a request: blocks
// are not a suppression list, and a limit over 500 would be clamped.
func TestListSuppressionsRefusesBadArguments(t *testing.T) {
	e := newSim(t)
	c := newClient(e.srv.URL, nil)
	for _, tt := range []struct {
		list          string
		offset, limit int
	}{{"blocks", 0, 500}, {"", 0, 500}, {esp.ListBounces, 0, 501}, {esp.ListBounces, 0, 0}, {esp.ListBounces, -1, 10}} {
		_, err := c.ListSuppressions(context.Background(), tt.list, tt.offset, tt.limit)
		asESPError(t, err, esp.Permanent)
	}
	if _, err := c.ListGroupSuppressions(context.Background(), 0); err == nil {
		t.Error("ListGroupSuppressions(0): want an error")
	}
	if r := e.Requests(); len(r) != 0 {
		t.Errorf("requests %v, want none", r)
	}
}

// Groups are listed with id and name; each group's suppressions come back as
// the bare array; an unknown group is a Permanent 404.
func TestGroupSuppressions(t *testing.T) {
	e := newSim(t)
	news := e.createGroup(t, "Newsletter", "b@example.com", "A@Example.com")
	promo := e.createGroup(t, "Promotions")
	c := newClient(e.srv.URL, nil)
	ctx := context.Background()

	groups, err := c.ListGroups(ctx)
	want := []esp.Group{{ID: news, Name: "Newsletter"}, {ID: promo, Name: "Promotions"}}
	if err != nil || !slices.Equal(groups, want) {
		t.Fatalf("ListGroups = %+v, %v; want %+v", groups, err, want)
	}
	emails, err := c.ListGroupSuppressions(ctx, news)
	if err != nil || !slices.Equal(emails, []string{"A@Example.com", "b@example.com"}) {
		t.Errorf("ListGroupSuppressions(%d) = %q, %v", news, emails, err)
	}
	emails, err = c.ListGroupSuppressions(ctx, promo)
	if err != nil || len(emails) != 0 {
		t.Errorf("ListGroupSuppressions(%d) = %q, %v; want none", promo, emails, err)
	}
	_, err = c.ListGroupSuppressions(ctx, 999)
	if ee := asESPError(t, err, esp.Permanent); ee.Status != http.StatusNotFound {
		t.Errorf("unknown group: status %d, want 404", ee.Status)
	}
}

// Group calls share the management retry: a 429 on the group list is
// waited out until its reset.
func TestListGroupsRetriesRateLimit(t *testing.T) {
	e := newSim(t)
	e.createGroup(t, "Newsletter")
	before := len(e.Requests())
	e.sim.FailNext("/v3/asm/groups", 1, http.StatusTooManyRequests,
		http.Header{"X-Ratelimit-Reset": {fmt.Sprint(t0.Add(2 * time.Second).Unix())}})
	sl := &sleeps{}
	groups, err := newClient(e.srv.URL, sl).ListGroups(context.Background())
	if err != nil || len(groups) != 1 {
		t.Fatalf("ListGroups = %+v, %v", groups, err)
	}
	if n := len(e.Requests()) - before; n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if w := sl.Waits(); len(w) != 1 || w[0] < 2*time.Second || w[0] >= 2500*time.Millisecond {
		t.Errorf("waits %v, want one of 2s..2.5s", w)
	}
}

// A 2xx answer that is not a JSON list is an Uncertain *esp.Error.
func TestListSuppressionsGarbledAnswer(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"not":"a list"}`))
	})
	_, err := newClient(f.srv.URL, nil).ListSuppressions(context.Background(), esp.ListBounces, 0, 500)
	asESPError(t, err, esp.Uncertain)
}
