package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/event"
)

// TestConcurrentOverlappingBatchesCountEveryRecipientOnce posts every event of
// a campaign twice, shuffled into batches that 8 goroutines store at once, so
// batches race on the same recipients' outcome rows and on the campaign's
// counters. The counters must come out exactly as one ordered pass would make
// them: each outcome counted once per recipient, a bounce after a delivery
// moving the recipient from delivered to bounced.
func TestConcurrentOverlappingBatchesCountEveryRecipientOnce(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	const cid, n = "00000000-0000-0000-0000-0000000000c7", 60
	for _, q := range []string{
		`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-0000000000b7', 'B', 'b@x.io')`,
		`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status) VALUES
			('` + cid + `', 'C', '00000000-0000-0000-0000-0000000000b7', 900, 'sent')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	rid := func(i int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", 7000+i) }
	email := func(i int) string { return fmt.Sprintf("r%d@x.io", i) }
	for i := range n {
		if _, err := db.ExecContext(ctx, `INSERT INTO recipients (id, email) VALUES ($1, $2)`, rid(i), email(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, recipient_id, email, state, handed_at,
			message_id) VALUES ($1, $2, $3, 'handed', now(), $4)`, cid, rid(i), email(i), fmt.Sprintf("msg%d", i)); err != nil {
			t.Fatal(err)
		}
	}

	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var evs []event.Event
	add := func(i int, kind string, at time.Duration, extra map[string]any) {
		e := event.Event{SGEventID: fmt.Sprintf("ev-%d-%s-%d", i, kind, at), SGMessageID: fmt.Sprintf("msg%d.filter", i),
			MessagePrefix: fmt.Sprintf("msg%d", i), Email: email(i), Event: kind, Timestamp: t0.Add(at),
			CampaignID: cid, RecipientID: rid(i)}
		for k, v := range extra {
			switch k {
			case "machine":
				e.MachineOpen = v.(bool)
			case "url":
				e.URL = v.(string)
			case "type":
				e.Type, e.Status, e.Classification = v.(string), "5.1.1", "Invalid Address"
				if e.Type == "blocked" { // sender-level: blocked, not a hard bounce
					e.Status, e.Classification = "5.7.1", "Reputation"
				}
			}
		}
		e.Raw, _ = json.Marshal(map[string]any{"event": kind, "email": e.Email, "sg_event_id": e.SGEventID})
		evs = append(evs, e)
	}
	want := map[string]int{}
	for i := range n {
		add(i, "processed", 0, nil)
		add(i, "delivered", time.Minute, nil)
		add(i, "open", 2*time.Minute, map[string]any{"machine": false})
		add(i, "open", 3*time.Minute, map[string]any{"machine": true})
		add(i, "click", 4*time.Minute, map[string]any{"url": "https://x.io/a"})
		add(i, "click", 9*time.Minute, map[string]any{"url": "https://x.io/b"}) // engagement repeats count once
		add(i, "open", 10*time.Minute, map[string]any{"machine": false})
		want["opened"]++
		want["machine_opened"]++
		want["clicked"]++
		switch {
		case i%5 == 0: // an asynchronous bounce after the delivery
			add(i, "bounce", 5*time.Minute, map[string]any{"type": "bounce"})
			want["bounced"]++
			want["hard_bounced"]++
		case i%9 == 4: // blocked after a delivery report
			add(i, "bounce", 5*time.Minute, map[string]any{"type": "blocked"})
			want["blocked"]++
		default:
			want["delivered"]++
		}
		if i%10 == 1 {
			add(i, "spamreport", 6*time.Minute, nil)
			want["complained"]++
		}
		if i%7 == 2 {
			add(i, "deferred", 30*time.Second, nil)
			want["deferred"]++
		}
		if i%7 == 3 {
			add(i, "unsubscribe", 7*time.Minute, nil)
			want["unsubscribed"]++
		}
	}
	// Every event twice, shuffled, in batches of 37.
	posts := append(append([]event.Event{}, evs...), evs...)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(posts), func(a, b int) { posts[a], posts[b] = posts[b], posts[a] })
	svc := event.NewService(st, nil, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	batches := make(chan []event.Event)
	errc := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for b := range batches {
				res, err := svc.Ingest(ctx, b)
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				stored += res.Stored
				mu.Unlock()
			}
		})
	}
	for from := 0; from < len(posts); from += 37 {
		batches <- posts[from:min(len(posts), from+37)]
	}
	close(batches)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if stored != len(evs) {
		t.Errorf("stored %d events, want %d (each once)", stored, len(evs))
	}
	got := map[string]int{}
	var delivered, bounced, blocked, opened, machine, clicked, complained, unsub, hard, deferred int
	if err := db.QueryRowContext(ctx, `SELECT delivered, bounced, blocked, opened, machine_opened, clicked, complained,
		unsubscribed, hard_bounced, deferred FROM campaigns WHERE id = $1`, cid).
		Scan(&delivered, &bounced, &blocked, &opened, &machine, &clicked, &complained, &unsub, &hard, &deferred); err != nil {
		t.Fatal(err)
	}
	got["delivered"], got["bounced"], got["blocked"], got["opened"], got["machine_opened"] = delivered, bounced, blocked, opened, machine
	got["clicked"], got["complained"], got["unsubscribed"], got["hard_bounced"], got["deferred"] = clicked, complained, unsub, hard, deferred
	for k, v := range want {
		if got[k] != v {
			t.Errorf("counter %s = %d, want %d", k, got[k], v)
		}
	}
	var finalBounced int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM recipient_outcomes WHERE campaign_id = $1
		AND delivery_state = 'bounced'`, cid).Scan(&finalBounced); err != nil || finalBounced != want["bounced"] {
		t.Errorf("recipients whose outcome is bounced: %d (%v), want %d", finalBounced, err, want["bounced"])
	}
}

// TestBatchesPostgresRefusesAreSplitAndTheRefusedQuarantined: events that
// reach the store in a form Postgres refuses (a NUL the decoder would have
// replaced, a group id beyond integer, a number jsonb cannot hold) are
// quarantined once each, with Postgres's error; the other events of their
// batch are stored and counted; storing the batch again stores nothing twice.
// A group id beyond integer never wraps into another group (4294967301 is 5).
func TestBatchesPostgresRefusesAreSplitAndTheRefusedQuarantined(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	db := st.SQL()
	const cid = "00000000-0000-0000-0000-0000000000c8"
	for _, q := range []string{
		`INSERT INTO brands (id, name, from_email) VALUES ('00000000-0000-0000-0000-0000000000b8', 'B', 'b@x.io')`,
		`INSERT INTO campaigns (id, name, brand_id, send_buffer_seconds, status) VALUES
			('` + cid + `', 'C', '00000000-0000-0000-0000-0000000000b8', 900, 'sent')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const n = 10
	var evs []event.Event
	for i := range n {
		rid, email := fmt.Sprintf("00000000-0000-0000-0000-%012d", 8000+i), fmt.Sprintf("q%d@x.io", i)
		if _, err := db.ExecContext(ctx, `INSERT INTO recipients (id, email) VALUES ($1, $2)`, rid, email); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, recipient_id, email, state, handed_at)
			VALUES ($1, $2, $3, 'handed', now())`, cid, rid, email); err != nil {
			t.Fatal(err)
		}
		e := event.Event{SGEventID: fmt.Sprintf("q-%d", i), Email: email, Event: "delivered",
			Timestamp: time.Date(2026, 11, 23, 9, 0, i, 0, time.UTC), CampaignID: cid, RecipientID: rid}
		e.Raw, _ = json.Marshal(map[string]any{"event": e.Event, "email": e.Email, "sg_event_id": e.SGEventID})
		evs = append(evs, e)
	}
	evs[2].Email = "q2\x00@x.io"
	evs[5].Event, evs[5].ASMGroupID = "group_unsubscribe", 4294967301
	evs[8].Raw = []byte(`{"event":"delivered","email":"q8@x.io","score":1e1000000}`)
	svc := event.NewService(st, nil, nil)
	for attempt, want := range []event.Result{{Received: n, Stored: n - 3, Quarantined: 3},
		{Received: n, Duplicates: n - 3, Quarantined: 3}} {
		res, err := svc.Ingest(ctx, evs)
		if err != nil {
			t.Fatalf("ingest %d: %v", attempt+1, err)
		}
		res.Campaigns, res.Communications, res.Unattributed, res.Suppressed = nil, nil, 0, 0
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("ingest %d: %+v, want %+v", attempt+1, res, want)
		}
	}
	var delivered, groups int
	if err := db.QueryRowContext(ctx, `SELECT delivered, (SELECT count(*) FROM suppressions) FROM campaigns WHERE id = $1`,
		cid).Scan(&delivered, &groups); err != nil || delivered != n-3 || groups != 0 {
		t.Errorf("campaign delivered %d, %d suppressions (%v); want %d and none (no group 5)", delivered, groups, err, n-3)
	}
	qs, err := st.ListQuarantine(ctx, 100)
	if err != nil || len(qs) != 3 {
		t.Fatalf("quarantine %+v %v, want 3 events", qs, err)
	}
	why := map[string]string{}
	for _, q := range qs {
		if q.Attempts != 2 || q.ReceivedAt.IsZero() || q.LastReceivedAt.Before(q.ReceivedAt) {
			t.Errorf("%s: attempts %d, received %s … %s; want 2 attempts", q.SGEventID, q.Attempts, q.ReceivedAt, q.LastReceivedAt)
		}
		why[q.SGEventID] = q.Error
	}
	for id, want := range map[string]string{"q-2": "0x00", "q-5": "integer out of range", "q-8": "numeric"} {
		if !strings.Contains(why[id], want) {
			t.Errorf("%s quarantined with error %q, want Postgres's (%s)", id, why[id], want)
		}
	}
	if qs[0].Email != "q8@x.io" || !strings.Contains(string(qs[0].Raw), "1e1000000") {
		t.Errorf("newest first, raw as posted: %+v", qs[0])
	}
}
