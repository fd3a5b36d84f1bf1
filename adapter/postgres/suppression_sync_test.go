package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/suppression"
)

func syncAudit(list string) audit.Entry {
	return audit.Entry{Actor: audit.System, Action: "suppression.sync", SubjectType: "suppression_list", SubjectID: list,
		Data: map[string]any{"list": list}}
}

func synced(email string, kind suppression.Kind, group int, reason string) suppression.Entry {
	return suppression.Entry{Email: email, Kind: kind, GroupID: group, Source: suppression.FromSync, Reason: reason}
}

// byKey lists the table as email/kind/group → entry.
func byKey(t *testing.T, st *postgres.Store) map[string]suppression.Entry {
	t.Helper()
	es, err := st.ListSuppressions(context.Background(), suppression.Filter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]suppression.Entry{}
	for _, e := range es {
		out[fmt.Sprintf("%s/%s/%d", e.Email, e.Kind, e.GroupID)] = e
	}
	return out
}

// New rows are counted through xmax = 0; repeats within a chunk count once;
// a row seen again only moves last_seen (and takes a non-empty reason), keeping
// its source and first_seen; the audit entry carries the count.
func TestUpsertSuppressionsCountsInsertedRows(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	prior, err := st.AddSuppression(ctx, suppression.Entry{Email: "hook@example.com", Kind: suppression.Bounce,
		Source: suppression.FromWebhook, Reason: "from the webhook"}, audit.Entry{Actor: audit.Webhook, Action: "suppression.add", SubjectType: "suppression"})
	if err != nil {
		t.Fatal(err)
	}

	added, err := st.UpsertSuppressions(ctx, []suppression.Entry{
		synced("a@example.com", suppression.Bounce, 0, "550 5.1.1"),
		synced("a@example.com", suppression.Bounce, 0, "550 5.1.1"), // a repeat in the chunk
		synced("a@example.com", suppression.GroupUnsubscribe, 4, ""),
		synced("a@example.com", suppression.GroupUnsubscribe, 5, ""),
		synced("hook@example.com", suppression.Bounce, 0, ""), // known from the webhook
	}, syncAudit("bounces"))
	if err != nil || added != 3 {
		t.Fatalf("first upsert added %d, %v; want 3", added, err)
	}
	first := byKey(t, st)
	if len(first) != 4 {
		t.Fatalf("rows %v, want 4", first)
	}
	if e := first["a@example.com/bounce/0"]; e.Source != suppression.FromSync || e.Reason != "550 5.1.1" {
		t.Errorf("new row %+v, want source sendgrid_sync and the reason", e)
	}
	if e := first["hook@example.com/bounce/0"]; e.Source != suppression.FromWebhook || e.Reason != "from the webhook" ||
		!e.FirstSeen.Equal(prior.FirstSeen) || !e.LastSeen.After(prior.LastSeen) {
		t.Errorf("known row %+v (was %+v): want source, reason and first_seen kept, last_seen moved", e, prior)
	}

	time.Sleep(5 * time.Millisecond) // now() of the next transaction is later
	added, err = st.UpsertSuppressions(ctx, []suppression.Entry{
		synced("a@example.com", suppression.Bounce, 0, "550 5.1.1 again"),
		synced("b@example.com", suppression.Unsubscribe, 0, ""),
	}, syncAudit("bounces"))
	if err != nil || added != 1 {
		t.Fatalf("second upsert added %d, %v; want 1", added, err)
	}
	second := byKey(t, st)
	was, now := first["a@example.com/bounce/0"], second["a@example.com/bounce/0"]
	if now.ID != was.ID || !now.FirstSeen.Equal(was.FirstSeen) || !now.LastSeen.After(was.LastSeen) || now.Reason != "550 5.1.1 again" {
		t.Errorf("re-seen row %+v (was %+v): want same id and first_seen, later last_seen, new reason", now, was)
	}

	entries, err := st.ListAudit(ctx, "suppression_list", "bounces")
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit entries %+v, %v; want 2", entries, err)
	}
	for i, want := range []float64{3, 1} {
		if e := entries[i]; e.Action != "suppression.sync" || e.Actor.Name != "system" || e.Data["added"] != want || e.Data["list"] != "bounces" {
			t.Errorf("audit entry %d %+v, want suppression.sync by system with added %v", i, e, want)
		}
	}
}

// A full chunk of 1000 goes in one call; the same chunk again adds nothing.
func TestUpsertSuppressionsFullChunkIsIdempotent(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	chunk := make([]suppression.Entry, suppression.SyncChunkSize)
	for i := range chunk {
		chunk[i] = synced(fmt.Sprintf("user%04d@example.com", i), suppression.SpamReport, 0, "")
	}
	for run, want := range []int{1000, 0} {
		added, err := st.UpsertSuppressions(ctx, chunk, syncAudit("spam_reports"))
		if err != nil || added != want {
			t.Fatalf("run %d added %d, %v; want %d", run, added, err, want)
		}
	}
	if n := len(byKey(t, st)); n != 1000 {
		t.Errorf("%d rows, want 1000", n)
	}
}

// A row the table refuses fails the whole chunk: nothing inserted, no audit
// entry. An empty chunk writes nothing either.
func TestUpsertSuppressionsIsAtomic(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	_, err := st.UpsertSuppressions(ctx, []suppression.Entry{
		synced("fine@example.com", suppression.Unsubscribe, 0, ""),
		synced("Upper@Example.com", suppression.Unsubscribe, 0, ""), // the table wants lower case
	}, syncAudit("unsubscribes"))
	if err == nil {
		t.Fatal("upsert with an upper-case address succeeded")
	}
	if added, err := st.UpsertSuppressions(ctx, nil, syncAudit("unsubscribes")); err != nil || added != 0 {
		t.Fatalf("empty upsert: %d, %v", added, err)
	}
	if rows := byKey(t, st); len(rows) != 0 {
		t.Errorf("rows %v, want none", rows)
	}
	if entries, err := st.ListAudit(ctx, "suppression_list", "unsubscribes"); err != nil || len(entries) != 0 {
		t.Errorf("audit entries %+v, %v; want none", entries, err)
	}
}
