package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/event"
)

// recordingSender is SendGrid's mail/send taking a few milliseconds; it keeps
// every request's batch, start time and recipient ids, so a test can say who
// was handed what, and when.
type recordingSender struct {
	mu    sync.Mutex
	sends []recordedSend
}

type recordedSend struct {
	batch string
	at    time.Time
	rids  []string
}

func (r *recordingSender) CreateBatch(context.Context) (string, error) { return "batch", nil }

func (r *recordingSender) Send(ctx context.Context, m esp.Message) (esp.SendResult, error) {
	s := recordedSend{batch: m.BatchID, at: time.Now()}
	for _, p := range m.Personalizations {
		s.rids = append(s.rids, p.CustomArgs["firebreak_recipient_id"])
	}
	r.mu.Lock()
	r.sends = append(r.sends, s)
	r.mu.Unlock()
	t := time.NewTimer(3 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return esp.SendResult{}, ctx.Err()
	case <-t.C:
	}
	return esp.SendResult{MessageID: "m"}, nil
}

// startedBetween counts batch's requests that started in (from, to).
func (r *recordingSender) startedBetween(batch string, from, to time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.sends {
		if s.batch == batch && s.at.After(from) && s.at.Before(to) {
			n++
		}
	}
	return n
}

// handed is how often each recipient id was in one of batch's requests.
func (r *recordingSender) handed(batch string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, s := range r.sends {
		if s.batch == batch {
			for _, id := range s.rids {
				out[id]++
			}
		}
	}
	return out
}

// seedRaceAudience puts n recipients in the shared seed's campaign (handed,
// so webhook events attribute to them) and makes an apology and a correction
// of its incident, both sending to all of them.
func seedRaceAudience(t *testing.T, db *sql.DB, n int) (apology, correction string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `WITH r AS (INSERT INTO recipients (email)
			SELECT 'race-' || g || '@y.io' FROM generate_series(1, $1::int) g RETURNING id, email)
		INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, state, send_at, handed_at)
		SELECT $2, id, email, '{race}', 'handed', now(), now() FROM r`, n, commCampaign); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for kind, batch := range map[string]string{"apology": "race-apology", "correction": "race-correction"} {
		var id string
		if err := db.QueryRowContext(ctx, `INSERT INTO communications (incident_id, kind, status, subject, text, content_hash, batch_id, audience)
			VALUES ($1, $2, 'sending', 'Sorry', 'We are sorry.', 'h', $3, $4) RETURNING id`, commIncident, kind, batch, n).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO communication_recipients (communication_id, recipient_id, incident_id, kind, first_of_kind, email)
			SELECT $1, recipient_id, $2, $3, true, email FROM campaign_recipients WHERE campaign_id = $4 AND email LIKE 'race-%'`,
			id, commIncident, kind, commCampaign); err != nil {
			t.Fatal(err)
		}
		ids[kind] = id
	}
	return ids["apology"], ids["correction"]
}

// TestCommunicationPauseWinsAgainstTwoBusySendsAndWebhookLoad: an apology and
// a correction of one incident hand the same 30,000 recipients over with four
// dispatchers each, while three webhook posters store delivered events for
// them and complaints that suppress some of them (the real ingest statement,
// campaign counters, suppression upserts). A pause of the apology wins: no
// request of it is claimed after the pause was asked for, none starts after
// Pause answered, nothing stays claimed; the correction keeps going. After a
// resume both finish, and for each: nobody handed twice, nobody missed (every
// recipient handed or skipped as suppressed, the counters equal the ledger,
// SendGrid got exactly the handed ones), and nobody whose complaint was
// committed before their request was claimed is handed (invariant 2).
func TestCommunicationPauseWinsAgainstTwoBusySendsAndWebhookLoad(t *testing.T) {
	st := open(t)
	seedCommunicationAudience(t, st)
	db := st.SQL()
	const audience = 30_000
	apology, correction := seedRaceAudience(t, db, audience)
	type rcpt struct{ id, email string }
	var rcpts []rcpt
	{
		rows, err := db.Query(`SELECT recipient_id, email FROM campaign_recipients WHERE campaign_id = $1 AND email LIKE 'race-%'`, commCampaign)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r rcpt
			if err := rows.Scan(&r.id, &r.email); err != nil {
				t.Fatal(err)
			}
			rcpts = append(rcpts, r)
		}
		rows.Close()
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mail := &recordingSender{}
	svc := communication.NewService(communication.Deps{Repo: st, Incidents: st, Mail: mail, Sched: &countingScheduler{},
		Jobs: noCommJobs{}, Send: communication.SendConfig{BatchSize: 200}, ESPTimeout: 3 * time.Second})
	var handoffs sync.WaitGroup
	dispatch := func(id string) {
		for range 4 {
			handoffs.Add(1)
			go func() { defer handoffs.Done(); _ = svc.HandOff(ctx, id) }()
		}
	}
	dispatch(apology)
	dispatch(correction)

	// Webhook load: what SendGrid posts while both go out. committed[email] is
	// when the complaint that suppresses email was known to be committed.
	var committedMu sync.Mutex
	committed := map[string]time.Time{}
	ingest := event.NewService(st, nil, nil)
	loadCtx, stopLoad := context.WithCancel(ctx)
	var load sync.WaitGroup
	var seq atomic.Int64
	var posts atomic.Int64
	for w := range 3 {
		load.Add(1)
		go func() {
			defer load.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for loadCtx.Err() == nil {
				var evs []event.Event
				var complained []string
				for i := range 200 {
					r := rcpts[rng.IntN(len(rcpts))]
					id, email := r.id, r.email
					kind := "delivered"
					if i%40 == 0 {
						kind = "spamreport"
						complained = append(complained, email)
					}
					evs = append(evs, event.Event{SGEventID: fmt.Sprintf("race-%d", seq.Add(1)), Email: email, Event: kind,
						Timestamp: time.Now().Truncate(time.Second), CampaignID: commCampaign, RecipientID: id,
						Raw: []byte(`{"event":"` + kind + `"}`)})
				}
				if _, err := ingest.Ingest(loadCtx, evs); err != nil {
					if loadCtx.Err() == nil {
						t.Errorf("webhook batch: %v", err)
					}
					return
				}
				now := time.Now()
				posts.Add(1)
				committedMu.Lock()
				for _, e := range complained {
					if _, ok := committed[e]; !ok {
						committed[e] = now
					}
				}
				committedMu.Unlock()
			}
		}()
	}
	defer func() { stopLoad(); cancel(); load.Wait(); handoffs.Wait() }()

	handedOf := func(id string) (handed int, status string) {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT handed_to_esp, status FROM communications WHERE id = $1`, id).Scan(&handed, &status); err != nil {
			t.Fatal(err)
		}
		return handed, status
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	waitFor("both busy under webhook load", func() bool {
		a, _ := handedOf(apology)
		c, _ := handedOf(correction)
		return a >= 3000 && c >= 3000 && posts.Load() >= 3
	})

	holdPause(t, st, apology, 4)
	v, err := svc.Pause(ctx, audit.Actor{Name: "marketer@example.com"}, apology)
	if err != nil {
		t.Fatal(err)
	}
	answered := time.Now()
	if v.Status != communication.Paused || v.ESPState != campaign.ESPPaused {
		t.Fatalf("pause answered status %s, SendGrid plane %s; want paused, paused", v.Status, v.ESPState)
	}
	var askedAt time.Time
	if err := db.QueryRowContext(ctx, `SELECT (data->>'asked_at')::timestamptz FROM audit_log
		WHERE subject_id = $1 AND action = 'communication.pause' AND data->>'communication_id' = $2`, commIncident, apology).Scan(&askedAt); err != nil {
		t.Fatalf("the pause's audit entry must say when it was asked for: %v", err)
	}
	cNow, cStatus := handedOf(correction)
	if cStatus == "sending" && cNow < audience-2000 {
		waitFor("the correction to keep sending", func() bool { n, _ := handedOf(correction); return n >= cNow+2000 })
	}
	var late int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM communication_requests WHERE communication_id = $1 AND created_at > $2`,
		apology, askedAt).Scan(&late); err != nil {
		t.Fatal(err)
	}
	if late > 0 {
		t.Errorf("%d requests of the paused apology were claimed after the pause was asked for", late)
	}
	var claimed, pending int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE state = 'claimed'), count(*) FILTER (WHERE state = 'pending')
		FROM communication_recipients WHERE communication_id = $1`, apology).Scan(&claimed, &pending); err != nil {
		t.Fatal(err)
	}
	if claimed != 0 || pending == 0 {
		t.Errorf("after the pause: %d claimed, %d pending; want none claimed and the rest pending", claimed, pending)
	}

	resumeAt := time.Now()
	if n := mail.startedBetween("race-apology", answered, resumeAt); n > 0 {
		t.Errorf("%d mail/sends of the paused apology started between the pause's answer and the resume", n)
	}
	if _, err := svc.Resume(ctx, audit.Actor{Name: "marketer@example.com"}, apology); err != nil {
		t.Fatal(err)
	}
	dispatch(apology) // what the resume's queued handoff does
	waitFor("both sent", func() bool {
		_, a := handedOf(apology)
		_, c := handedOf(correction)
		return a == "sent" && c == "sent"
	})
	stopLoad()
	load.Wait()

	for id, batch := range map[string]string{apology: "race-apology", correction: "race-correction"} {
		atSendGrid := mail.handed(batch)
		for rid, n := range atSendGrid {
			if n != 1 {
				t.Errorf("%s: recipient %s handed %d times", batch, rid, n)
			}
		}
		var handed, skipped, other, counted, countedSkipped int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE cr.state = 'handed'),
				count(*) FILTER (WHERE cr.state = 'skipped_suppressed'), count(*) FILTER (WHERE cr.state NOT IN ('handed', 'skipped_suppressed')),
				max(c.handed_to_esp), max(c.skipped_suppressed)
			FROM communication_recipients cr JOIN communications c ON c.id = cr.communication_id
			WHERE cr.communication_id = $1 AND cr.email LIKE 'race-%'`, id).Scan(&handed, &skipped, &other, &counted, &countedSkipped); err != nil {
			t.Fatal(err)
		}
		if handed+skipped != audience || other != 0 || skipped == 0 {
			t.Errorf("%s: %d handed + %d skipped as suppressed (%d otherwise), want %d in all and some skipped", batch, handed, skipped, other, audience)
		}
		if counted != handed || countedSkipped != skipped || len(atSendGrid) != handed {
			t.Errorf("%s: counters handed %d skipped %d, SendGrid got %d; the ledger says %d and %d", batch, counted, countedSkipped,
				len(atSendGrid), handed, skipped)
		}
		rows, err := db.QueryContext(ctx, `SELECT cr.email, r.created_at FROM communication_recipients cr
			JOIN communication_requests r ON r.id = cr.request_id WHERE cr.communication_id = $1 AND cr.state = 'handed'`, id)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		committedMu.Lock()
		for rows.Next() {
			var email string
			var claimedAt time.Time
			if err := rows.Scan(&email, &claimedAt); err != nil {
				t.Fatal(err)
			}
			if at, ok := committed[email]; ok && claimedAt.After(at) {
				if bad++; bad <= 3 {
					t.Errorf("%s: %s complained (committed %s) and was still claimed at %s", batch, email, at.Format(time.StampMicro), claimedAt.Format(time.StampMicro))
				}
			}
		}
		committedMu.Unlock()
		rows.Close()
		if bad > 0 {
			t.Errorf("%s: %d suppressed addresses handed over", batch, bad)
		}
	}
	t.Logf("%d webhook posts, %d complaints during the sends", posts.Load(), len(committed))
}
