package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/api"
)

var nextLink = regexp.MustCompile(`^<([^>]+)>; rel="next"$`)

// pages follows a list from path through its next links and returns every
// page's raw items; it checks X-Next-Cursor and Link agree.
func (f *fixture) pages(token, path string) [][]json.RawMessage {
	f.t.Helper()
	var out [][]json.RawMessage
	for i := 0; path != ""; i++ {
		if i > 1000 {
			f.t.Fatal("more than 1000 pages: the cursor does not advance")
		}
		r := f.do(call{method: "GET", path: path, token: token})
		if r.status != 200 {
			f.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		var items []json.RawMessage
		r.json(f.t, &items)
		out = append(out, items)
		next, link := r.header.Get("X-Next-Cursor"), r.header.Get("Link")
		if next == "" {
			if link != "" {
				f.t.Fatalf("Link %q without X-Next-Cursor", link)
			}
			break
		}
		m := nextLink.FindStringSubmatch(link)
		if m == nil {
			f.t.Fatalf("X-Next-Cursor %q but Link %q", next, link)
		}
		u, err := url.Parse(m[1])
		if err != nil || u.Query().Get("after") != next {
			f.t.Fatalf("Link %q does not carry after=%s", link, next)
		}
		path = u.RequestURI()
	}
	return out
}

func TestCampaignListIsKeysetPagedNewestFirstWithoutBodies(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	b := f.brand(admin)
	created := map[string]bool{}
	for i := 0; i < 7; i++ {
		created[f.campaign(admin, b)] = true
	}
	pages := f.pages(admin, "/api/v1/campaigns?limit=3")
	if len(pages) != 3 || len(pages[0]) != 3 || len(pages[1]) != 3 || len(pages[2]) != 1 {
		t.Fatalf("7 campaigns at limit 3: page sizes %d", len(pages))
	}
	seen := map[string]bool{}
	var last time.Time
	for _, p := range pages {
		for _, raw := range p {
			var c map[string]any
			_ = json.Unmarshal(raw, &c)
			if _, has := c["html"]; has {
				t.Fatalf("the list carries html bodies: %s", raw)
			}
			if _, has := c["text"]; has {
				t.Fatalf("the list carries text bodies: %s", raw)
			}
			id, _ := c["id"].(string)
			at, _ := time.Parse(time.RFC3339Nano, c["created_at"].(string))
			if seen[id] || !created[id] {
				t.Fatalf("campaign %s repeated or unknown", id)
			}
			if !last.IsZero() && at.After(last) {
				t.Fatalf("not newest first: %s after %s", at, last)
			}
			seen[id], last = true, at
		}
	}
	if len(seen) != len(created) {
		t.Fatalf("pages hold %d of %d campaigns", len(seen), len(created))
	}
	// One campaign still has its bodies.
	for id := range created {
		r := f.do(call{method: "GET", path: "/api/v1/campaigns/" + id, token: admin})
		if !strings.Contains(string(r.body), `"html":"\u003cp\u003eHello`) || !strings.Contains(string(r.body), `"text":"Hello"`) {
			t.Fatalf("GET /campaigns/{id} lost its bodies: %s", r.body)
		}
		break
	}
}

func TestCampaignListDefaultsTo100AndRefusesBadPaging(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	b := f.brand(admin)
	for i := 0; i < 101; i++ {
		f.campaign(admin, b)
	}
	r := f.do(call{method: "GET", path: "/api/v1/campaigns", token: admin})
	var list []json.RawMessage
	r.json(t, &list)
	if len(list) != 100 || r.header.Get("X-Next-Cursor") == "" {
		t.Fatalf("default page: %d items, next %q", len(list), r.header.Get("X-Next-Cursor"))
	}
	for q, field := range map[string]string{"limit=0": "limit", "limit=501": "limit", "limit=x": "limit", "after=bogus": "after",
		"after=" + url.QueryEscape(`eyJpIjoibm90LWEtdXVpZCIsInQiOiIyMDI2LTAxLTAxVDAwOjAwOjAwWiJ9`): "after"} {
		r := f.do(call{method: "GET", path: "/api/v1/campaigns?" + q, token: admin})
		if fields := fieldsOf(t, r); fields[field] == nil {
			t.Errorf("?%s: want a field error on %s: %s", q, field, r.body)
		}
	}
	if r := f.do(call{method: "GET", path: "/api/v1/campaigns?limit=500", token: admin}); r.status != 200 || r.header.Get("X-Next-Cursor") != "" {
		t.Fatalf("limit=500 over 101 campaigns: %d, next %q", r.status, r.header.Get("X-Next-Cursor"))
	}
}

func TestIncidentTimelineAndTasksAreKeysetPaged(t *testing.T) {
	f := newAppFixture(t, api.Config{})
	admin := f.addUser("ada@example.com", "admin")
	inc := f.incident(admin)
	day := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 120; i++ {
		body := map[string]any{"title": fmt.Sprintf("task %03d", i), "kind": "internal"}
		if i%3 != 0 { // a third undated (sorted last), the rest on a few shared due dates
			body["due_at"] = day.Add(time.Duration(i%4) * time.Hour)
		}
		if r := f.do(call{method: "POST", path: "/api/v1/incidents/" + inc + "/tasks", token: admin, body: body}); r.status != 201 {
			t.Fatalf("add task: %d %s", r.status, r.body)
		}
	}
	var wantTasks, wantEntries int
	db := f.store.SQL()
	ctx := context.Background()
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM incident_tasks WHERE incident_id = $1`, inc).Scan(&wantTasks)
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE subject_type = 'incident' AND subject_id = $1`, inc).Scan(&wantEntries)
	if wantTasks < 120 || wantEntries < 120 {
		t.Fatalf("setup: %d tasks, %d entries", wantTasks, wantEntries)
	}

	// Tasks: soonest due first, undated last, every task once.
	pages := f.pages(admin, "/api/v1/incidents/"+inc+"/tasks")
	if len(pages[0]) != 100 {
		t.Fatalf("default page of tasks: %d", len(pages[0]))
	}
	seen := map[string]bool{}
	var lastDue *time.Time
	undated := false
	for _, p := range pages {
		for _, raw := range p {
			var tk struct {
				ID    string     `json:"id"`
				DueAt *time.Time `json:"due_at"`
			}
			_ = json.Unmarshal(raw, &tk)
			if seen[tk.ID] {
				t.Fatalf("task %s on two pages", tk.ID)
			}
			seen[tk.ID] = true
			switch {
			case tk.DueAt == nil:
				undated = true
			case undated || (lastDue != nil && tk.DueAt.Before(*lastDue)):
				t.Fatalf("tasks out of order at %s", raw)
			default:
				lastDue = tk.DueAt
			}
		}
	}
	if len(seen) != wantTasks {
		t.Fatalf("task pages hold %d of %d", len(seen), wantTasks)
	}

	// Timeline: oldest first, every entry once, at any page size.
	for _, limit := range []int{1, 7, 100, 500} {
		pages := f.pages(admin, fmt.Sprintf("/api/v1/incidents/%s/timeline?limit=%d", inc, limit))
		n := 0
		var last time.Time
		for _, p := range pages {
			if len(p) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(p))
			}
			for _, raw := range p {
				var e struct {
					At time.Time `json:"at"`
				}
				_ = json.Unmarshal(raw, &e)
				if e.At.Before(last) {
					t.Fatalf("limit %d: timeline not oldest first", limit)
				}
				last = e.At
				n++
			}
		}
		if n != wantEntries {
			t.Fatalf("limit %d: timeline pages hold %d of %d entries", limit, n, wantEntries)
		}
	}
}
