package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/page"
)

// all follows a keyset list to its end at the given page size.
func all[T any](t *testing.T, size int, list func(page.Request) ([]T, page.Cursor, error), id func(T) string) []string {
	t.Helper()
	var out []string
	p := page.Request{Limit: size}
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("the cursor does not advance")
		}
		rows, next, err := list(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > size {
			t.Fatalf("page of %d at limit %d", len(rows), size)
		}
		for _, r := range rows {
			out = append(out, id(r))
		}
		if next.IsZero() {
			return out
		}
		p.After = next
	}
}

func distinct(t *testing.T, ids []string, want int) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s on two pages", id)
		}
		seen[id] = true
	}
	if len(seen) != want {
		t.Fatalf("pages hold %d rows, want %d", len(seen), want)
	}
}

// Rows written in one transaction share created_at (and templates their due
// date): the id breaks the tie, so paging neither skips nor repeats them.
func TestKeysetPagesSurviveEqualTimestamps(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	var brand, incident string
	if err := db.QueryRowContext(ctx, `INSERT INTO brands (name, from_email) VALUES ('B', 'b@example.com') RETURNING id`).Scan(&brand); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO campaigns (name, brand_id, send_buffer_seconds, html, created_at)
		SELECT 'c' || n, $1, 0, '<p>body</p>', '2026-11-23T09:00:00Z' FROM generate_series(1, 11) n`, brand); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO incidents (campaign_id, runbook, severity, source, detected_at, steps)
		SELECT id, 'triage', 'sev3', 'api', now(), '[]' FROM campaigns LIMIT 1 RETURNING id`).Scan(&incident); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO incident_tasks (incident_id, title, kind, due_at, created_at)
		SELECT $1, 't' || n, 'internal', CASE WHEN n % 3 = 0 THEN NULL ELSE '2026-11-24T00:00:00Z'::timestamptz END,
		'2026-11-23T09:00:00Z' FROM generate_series(1, 13) n`, incident); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 2, 5, 100} {
		camps := all(t, size, func(p page.Request) ([]string, page.Cursor, error) {
			cs, next, err := st.ListCampaigns(ctx, p)
			ids := make([]string, len(cs))
			for i, c := range cs {
				if c.HTML != "" {
					t.Fatal("a listed campaign carries its html")
				}
				ids[i] = c.ID
			}
			return ids, next, err
		}, func(s string) string { return s })
		distinct(t, camps, 11)
		tasks := all(t, size, func(p page.Request) ([]string, page.Cursor, error) {
			ts, next, err := st.ListTasksPage(ctx, incident, p)
			ids := make([]string, len(ts))
			for i, tk := range ts {
				ids[i] = tk.ID
			}
			return ids, next, err
		}, func(s string) string { return s })
		distinct(t, tasks, 13)
	}
	if _, _, err := st.ListCampaigns(ctx, page.Request{After: page.Cursor{ID: "not-a-uuid"}}); !errors.Is(err, errs.Invalid) {
		t.Fatalf("a cursor with a bad id: %v", err)
	}
	if _, _, err := st.ListAuditPage(ctx, "incident", incident, page.Request{After: page.Cursor{ID: "x"}}); !errors.Is(err, errs.Invalid) {
		t.Fatalf("a timeline cursor that is not an entry id: %v", err)
	}
}
