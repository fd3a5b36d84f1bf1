package fbbench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
)

const (
	pauseGoal        = time.Second
	pauseAudience    = 60_000 // per campaign: enough that neither finishes during a run
	pauseClaimers    = 4      // HandOff calls per campaign, as the worker runs them
	pausesPerRun     = 4
	pauseBusyAtLeast = 2_000 // recipients handed over between two pauses, so the claimers are busy
)

// pauseLoad measures the pause under load (hardening issue, finding 1): two
// campaigns sending at once, four dispatchers each, and the Event Webhook
// storing signed batches for a third campaign the whole time. Campaign A is
// paused, resumed and paused again; each pause is timed from the call to its
// answer (both planes: the ledger and SendGrid's scheduled-sends API), and the
// ledger is read for handoff requests claimed after the pause was asked for
// (the pause's audit entry says when; only requests already in flight may
// finish). The baseline in the same run is the same pause with nothing else
// running.
func (b *bench) pauseLoad(ctx context.Context) error {
	ps := newPauseSink()
	defer ps.srv.Close()
	sched := sendgrid.New(sendgrid.Config{APIKey: "SG.bench", BaseURL: ps.srv.URL})
	svc := campaign.NewService(b.st.store, b.sender, sched, noJobs{}, campaign.Config{
		DefaultSendBuffer: sendBuffer * time.Second, PublicURL: "https://firebreak.bench.example",
		UnsubscribeKey: b.key, Log: b.log})

	// The quiet baseline: the same pause of a sending campaign, nothing else running.
	var quiet []time.Duration
	for r := range b.opt.pauseRuns * pausesPerRun {
		id, err := b.seedSending(ctx, fmt.Sprintf("pq%03d-", r), 1000)
		if err != nil {
			return err
		}
		if _, err := b.st.store.SQL().ExecContext(ctx, `UPDATE campaigns SET handed_to_esp = 1 WHERE id = $1`, id); err != nil {
			return err
		}
		start := time.Now()
		if _, err := svc.Pause(ctx, audit.CLI, id, "bench"); err != nil {
			return err
		}
		quiet = append(quiet, time.Since(start))
	}

	// Webhook load for the whole measurement: two clients posting signed
	// 1000-event batches of a sent campaign, again and again.
	priv, err := webhookKey()
	if err != nil {
		return err
	}
	srv := b.webhookServer(event.NewService(b.st.store, nil, nil), &priv.PublicKey)
	defer srv.Close()
	const whRecipients = 20_000
	whID, err := b.seedCampaign(ctx, "bench pause webhook", "pw-", "bench-pause-webhook", whRecipients, seedSpec{})
	if err != nil {
		return err
	}
	rids, err := b.recipientIDs(ctx, whID)
	if err != nil {
		return err
	}
	g := &evGen{n: whRecipients, prefix: "pw-", campaignID: whID, rids: rids, t0: time.Now().Add(-time.Hour).Unix()}
	var posts []signedPost
	for from := 0; from < eventsPerRcpt*whRecipients; from += webhookBatch {
		p, err := sign(priv, g.body(from, from+webhookBatch), webhookBatch)
		if err != nil {
			return err
		}
		posts = append(posts, p)
	}
	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var load sync.WaitGroup
	var posted, failed int64
	var pmu sync.Mutex
	client := &http.Client{Timeout: time.Minute}
	for c := range 2 {
		load.Add(1)
		go func() {
			defer load.Done()
			for k := c; lctx.Err() == nil; k += 2 {
				req, err := posts[k%len(posts)].request(lctx, srv.URL)
				if err != nil {
					return
				}
				resp, err := client.Do(req)
				if lctx.Err() != nil { // the load was stopped mid-post: not a refusal
					if resp != nil {
						resp.Body.Close()
					}
					return
				}
				pmu.Lock()
				if err != nil || resp.StatusCode/100 != 2 {
					failed++
				} else {
					posted++
				}
				pmu.Unlock()
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}

	var loaded []time.Duration
	late, lateRecipients := 0, 0
	b.meter.begin()
	for r := range b.opt.pauseRuns {
		a, err := b.seedSending(ctx, fmt.Sprintf("pa%03d-", r), pauseAudience)
		if err != nil {
			return err
		}
		other, err := b.seedSending(ctx, fmt.Sprintf("pb%03d-", r), pauseAudience)
		if err != nil {
			return err
		}
		hctx, stopClaimers := context.WithCancel(lctx)
		defer stopClaimers()
		var claimers sync.WaitGroup
		for _, id := range []string{a, other} {
			for range pauseClaimers {
				claimers.Add(1)
				go func() { defer claimers.Done(); _ = svc.HandOff(hctx, id) }()
			}
		}
		for p := range pausesPerRun {
			if p > 0 {
				if _, err := svc.Resume(ctx, audit.CLI, a); err != nil {
					stopClaimers()
					return err
				}
				// Resume enqueues the handoff through Jobs (none here): restart the claimers.
				for range pauseClaimers {
					claimers.Add(1)
					go func() { defer claimers.Done(); _ = svc.HandOff(hctx, a) }()
				}
			}
			if err := b.waitHandedMore(ctx, a, pauseBusyAtLeast); err != nil {
				stopClaimers()
				return err
			}
			start := time.Now()
			if _, err := svc.Pause(ctx, audit.CLI, a, "bench"); err != nil {
				stopClaimers()
				return err
			}
			loaded = append(loaded, time.Since(start))
			n, k, err := b.claimedAfterAsked(ctx, a)
			if err != nil {
				stopClaimers()
				return err
			}
			late, lateRecipients = late+n, lateRecipients+k
		}
		stopClaimers()
		claimers.Wait()
		for _, id := range []string{a, other} {
			if _, err := svc.Cancel(ctx, audit.CLI, id); err != nil {
				return err
			}
		}
	}
	use := b.meter.end()
	stopLoad()
	load.Wait()

	q, l := durStats(quiet), durStats(loaded)
	fmt.Printf("pause   quiet (baseline, nothing else running), %d pauses: min %s, median %s, p99 %s, max %s\n"+
		"        under load (%d campaigns × %d dispatchers + webhook), %d pauses: min %s, median %s, p99 %s, max %s%s\n"+
		"        handoff requests claimed after the pause was asked for: %d (%d recipients)%s\n"+
		"        webhook posts during the run: %d stored, %d refused; %s\n",
		len(quiet), ms(q.min), ms(q.median), ms(q.p99), ms(q.max),
		2, pauseClaimers, len(loaded), ms(l.min), ms(l.median), ms(l.p99), ms(l.max), verdict(l.p99 <= pauseGoal, "p99 ≤ 1 s"),
		late, lateRecipients, verdict(late == 0, "0 beyond in-flight"),
		posted, failed, use)
	if late > 0 {
		return fmt.Errorf("pause: %d handoff requests were claimed after a pause was asked for", late)
	}
	return nil
}

// seedSending inserts a campaign that is sending to n pending recipients.
func (b *bench) seedSending(ctx context.Context, prefix string, n int) (string, error) {
	db := b.st.store.SQL()
	var id string
	if err := db.QueryRowContext(ctx, `INSERT INTO campaigns (name, brand_id, subject, html, text, segments,
		send_buffer_seconds, status, batch_id, audience, send_started_at)
		VALUES ($1, $2, $3, $4, $5, ARRAY['alpha'], $6, 'sending', $1, $7, now()) RETURNING id`,
		"bench pause "+prefix, b.brand.ID, subject, html, text, sendBuffer, n).Scan(&id); err != nil {
		return "", fmt.Errorf("seed sending campaign: %w", err)
	}
	if _, err := db.ExecContext(ctx, `WITH r AS (INSERT INTO recipients (email, first_name)
			SELECT $2 || lpad(g::text, 7, '0') || '@bench.example', 'Ana' FROM generate_series(1, $3::int) g RETURNING id, email)
		INSERT INTO campaign_recipients (campaign_id, recipient_id, email, first_name, segments)
		SELECT $1, id, email, 'Ana', ARRAY['alpha'] FROM r`, id, prefix, n); err != nil {
		return "", fmt.Errorf("seed sending recipients: %w", err)
	}
	return id, nil
}

// waitHandedMore waits until the campaign has handed n more recipients over.
func (b *bench) waitHandedMore(ctx context.Context, id string, n int) error {
	db := b.st.store.SQL()
	var base int
	if err := db.QueryRowContext(ctx, `SELECT handed_to_esp FROM campaigns WHERE id = $1`, id).Scan(&base); err != nil {
		return err
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var h int
		if err := db.QueryRowContext(ctx, `SELECT handed_to_esp FROM campaigns WHERE id = $1`, id).Scan(&h); err != nil {
			return err
		}
		if h >= base+n {
			return nil
		}
	}
	return fmt.Errorf("pause: campaign %s handed fewer than %d more in a minute", id, n)
}

// claimedAfterAsked counts the handoff requests of the campaign whose claim
// began after its latest pause was asked for.
func (b *bench) claimedAfterAsked(ctx context.Context, id string) (requests, recipients int, err error) {
	err = b.st.store.SQL().QueryRowContext(ctx, `SELECT count(*), coalesce(sum(h.recipients), 0) FROM handoff_requests h,
		(SELECT max((data->>'asked_at')::timestamptz) AS asked FROM audit_log
		 WHERE subject_id = $1::text AND action = 'campaign.pause') p
		WHERE h.campaign_id = $1::uuid AND h.created_at > p.asked`, id).Scan(&requests, &recipients)
	return requests, recipients, err
}

// durations are min, median, p99 and max of a sample.
type durations struct{ min, median, p99, max time.Duration }

func durStats(d []time.Duration) durations {
	if len(d) == 0 {
		return durations{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return durations{min: s[0], median: s[len(s)/2], p99: s[min(len(s)-1, len(s)*99/100)], max: s[len(s)-1]}
}
