package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
)

// busySender is SendGrid for the pause race: each mail/send takes a few
// milliseconds, and every call is recorded with its campaign and when it began.
type busySender struct {
	mu    sync.Mutex
	sends []sentAt
}

type sentAt struct {
	batch string
	at    time.Time
	n     int
}

func (b *busySender) CreateBatch(context.Context) (string, error) { return "batch", nil }

func (b *busySender) Send(ctx context.Context, m esp.Message) (esp.SendResult, error) {
	b.mu.Lock()
	b.sends = append(b.sends, sentAt{batch: m.BatchID, at: time.Now(), n: len(m.Personalizations)})
	b.mu.Unlock()
	t := time.NewTimer(3 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return esp.SendResult{}, ctx.Err()
	case <-t.C:
	}
	return esp.SendResult{MessageID: "m"}, nil
}

func (b *busySender) sentAfter(batch string, t time.Time) (requests, recipients int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.sends {
		if s.batch == batch && s.at.After(t) {
			requests++
			recipients += s.n
		}
	}
	return requests, recipients
}

// countingScheduler is SendGrid's scheduled-sends plane; it counts the calls.
type countingScheduler struct{ pauses atomic.Int64 }

func (c *countingScheduler) SetBatchStatus(context.Context, string, esp.ScheduleStatus) error {
	c.pauses.Add(1)
	time.Sleep(20 * time.Millisecond) // a real round trip
	return nil
}
func (c *countingScheduler) ClearBatchStatus(context.Context, string) error { return nil }

type noJobs struct{}

func (noJobs) HandOff(context.Context, string) error                 { return nil }
func (noJobs) HandOffAt(context.Context, string, time.Time) error    { return nil }
func (noJobs) RetryESP(context.Context, string, time.Duration) error { return nil }

// seedSending makes a campaign that is sending to n pending recipients.
func seedSending(t *testing.T, db *sql.DB, brandID, name string, n int) string {
	t.Helper()
	ctx := context.Background()
	var id string
	if err := db.QueryRowContext(ctx, `INSERT INTO campaigns (name, brand_id, send_buffer_seconds, status, batch_id,
		audience, subject, html) VALUES ($1, $2, 900, 'sending', $1, $3, 'S', 'hi') RETURNING id`, name, brandID, n).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `WITH r AS (INSERT INTO recipients (email)
			SELECT $1 || g || '@x.io' FROM generate_series(1, $2::int) g RETURNING id, email)
		INSERT INTO campaign_recipients (campaign_id, recipient_id, email) SELECT $3, id, email FROM r`, name, n, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPauseWinsAgainstBusyClaimersAndWebhookLoad is finding 1 of the hardening
// issue: with two large sends (four dispatchers each) and webhook counter
// updates hammering the campaign rows, a pause must take effect at once. After
// the pause was asked for, no handoff request may be claimed (only the ones
// already in flight may finish), and after Pause returns, no mail/send of the
// campaign may start. The pause's audit entry records when it was asked for
// (Postgres's clock, read before the pause waits for anything), so the ledger
// can be checked against it exactly.
func TestPauseWinsAgainstBusyClaimersAndWebhookLoad(t *testing.T) {
	st := open(t)
	db := st.SQL()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var brandID string
	if err := db.QueryRowContext(ctx, `INSERT INTO brands (name, from_email) VALUES ('B', 'b@x.io') RETURNING id`).Scan(&brandID); err != nil {
		t.Fatal(err)
	}
	const audience = 50_000
	a := seedSending(t, db, brandID, "a", audience)
	b := seedSending(t, db, brandID, "b", audience)

	mail := &busySender{}
	sched := &countingScheduler{}
	svc := campaign.NewService(st, mail, sched, noJobs{}, campaign.Config{BatchSize: 200, ESPTimeout: 3 * time.Second})

	var wg sync.WaitGroup
	for _, id := range []string{a, b} {
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); _ = svc.HandOff(ctx, id) }()
		}
	}
	// Webhook load: short transactions updating both campaigns' counters, as
	// the ingest's counter statement does.
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, _ = db.ExecContext(ctx, `UPDATE campaigns SET delivered = delivered + 1 WHERE id IN ($1, $2)`, a, b)
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	waitHanded := func(id string, n int) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			var h int
			if err := db.QueryRowContext(ctx, `SELECT handed_to_esp FROM campaigns WHERE id = $1`, id).Scan(&h); err != nil {
				t.Fatal(err)
			}
			if h >= n {
				return
			}
		}
		t.Fatalf("campaign %s never got busy", id)
	}
	waitHanded(a, 3000)
	waitHanded(b, 3000)

	actor := audit.Actor{Name: "marketer@example.com"}
	start := time.Now()
	if _, err := svc.Pause(ctx, actor, a, "wrong segment"); err != nil {
		t.Fatal(err)
	}
	answered := time.Now()
	t.Logf("pause answered in %v under load", answered.Sub(start))

	var askedAt time.Time
	if err := db.QueryRowContext(ctx, `SELECT (data->>'asked_at')::timestamptz FROM audit_log
		WHERE subject_id = $1 AND action = 'campaign.pause'`, a).Scan(&askedAt); err != nil {
		t.Fatalf("the pause's audit entry must say when it was asked for: %v", err)
	}
	// Let b's dispatchers run on a little, so a late claim of a would show.
	var bNow int
	if err := db.QueryRowContext(ctx, `SELECT handed_to_esp FROM campaigns WHERE id = $1`, b).Scan(&bNow); err != nil {
		t.Fatal(err)
	}
	waitHanded(b, bNow+5000)
	var late, lateRecipients int
	if err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(recipients), 0) FROM handoff_requests
		WHERE campaign_id = $1 AND created_at > $2`, a, askedAt).Scan(&late, &lateRecipients); err != nil {
		t.Fatal(err)
	}
	if late > 0 {
		t.Errorf("%d handoff requests (%d recipients) were claimed after the pause was asked for", late, lateRecipients)
	}
	if n, r := mail.sentAfter(a, answered); n > 0 {
		t.Errorf("%d mail/send requests (%d recipients) of the paused campaign started after the pause answered", n, r)
	}
	var status string
	var handed, claimed int
	if err := db.QueryRowContext(ctx, `SELECT c.status, c.handed_to_esp,
		(SELECT count(*) FROM campaign_recipients WHERE campaign_id = c.id AND state = 'claimed')
		FROM campaigns c WHERE c.id = $1`, a).Scan(&status, &handed, &claimed); err != nil {
		t.Fatal(err)
	}
	if status != "paused" || claimed != 0 {
		t.Errorf("after the pause: status %s, %d recipients still claimed", status, claimed)
	}
	if n, _ := mail.sentAfter("b", answered); n == 0 {
		t.Errorf("the other campaign must keep sending")
	}
}

// TestConcurrentPausesAskSendGridOnce: fifty people (and the webhook) pausing
// the same campaign at once make one pause call to SendGrid, not one each.
func TestConcurrentPausesAskSendGridOnce(t *testing.T) {
	st := open(t)
	db := st.SQL()
	ctx := context.Background()
	var brandID string
	if err := db.QueryRowContext(ctx, `INSERT INTO brands (name, from_email) VALUES ('B', 'b@x.io') RETURNING id`).Scan(&brandID); err != nil {
		t.Fatal(err)
	}
	id := seedSending(t, db, brandID, "p", 10)
	if _, err := db.ExecContext(ctx, `UPDATE campaigns SET handed_to_esp = 10 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	sched := &countingScheduler{}
	svc := campaign.NewService(st, &busySender{}, sched, noJobs{}, campaign.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := svc.Pause(ctx, audit.Actor{Name: fmt.Sprintf("m%d@example.com", i)}, id, "stop")
			if err == nil && v.Campaign.ESPState != campaign.ESPPaused {
				err = fmt.Errorf("pause answered with SendGrid's plane %q", v.Campaign.ESPState)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := sched.pauses.Load(); n != 1 {
		t.Fatalf("50 concurrent pauses made %d SendGrid pause calls, want 1", n)
	}
}
