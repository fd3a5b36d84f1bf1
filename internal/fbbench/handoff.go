package fbbench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// Campaign content: a realistic few-KB mail with merge tags with and without
// fallbacks, so preflight measures a gap and every personalization carries
// substitutions, custom args and the unsubscribe headers.
const (
	subject = "{{first_name|Hello}}, what's new in {{attr.city|your city}} this week"
	text    = "Dear {{first_name|friend}},\n\nHere is what changed in {{attr.city|your city}} this week.\n" +
		"You receive this at {{email}} because you subscribed.\n"
)

var html = func() string {
	s := "<!doctype html><html><body><h1>Hello {{first_name|friend}}</h1>" +
		"<p>This week in {{attr.city|your city}}:</p><ul>"
	for i := 1; i <= 12; i++ {
		s += fmt.Sprintf(`<li><a href="https://news.bench.example/story/%d?utm_source=firebreak">Story %d: `+
			`a headline long enough to look like a real one in a newsletter</a></li>`, i, i)
	}
	return s + `</ul><p style="color:#666">Sent to {{email}}. Bench Inc, 1 Example Street.</p></body></html>`
}()

// sendBuffer is FIREBREAK_SEND_BUFFER's default: every request carries send_at.
const sendBuffer = 15 * 60

// createCampaign makes a draft to segments through the real use-case.
func (b *bench) createCampaign(ctx context.Context, svc *campaign.Service, name string, segments []string) (string, error) {
	buf := sendBuffer
	c, err := svc.CreateCampaign(ctx, audit.CLI, campaign.NewCampaign{Campaign: campaign.Campaign{
		Name: name, BrandID: b.brand.ID, Subject: subject, HTML: html, Text: text, Segments: segments,
	}, SendBufferSeconds: &buf})
	return c.ID, err
}

// sendResult is the Send use-case timed: preflight's audience query, the
// snapshot transaction (StartSend) and the whole call (which also asks the
// sink for a batch id).
type sendResult struct {
	audience                int
	total, facts, startSend time.Duration
	use                     usage
}

func (b *bench) send(ctx context.Context, svc *campaign.Service, id string) (sendResult, error) {
	b.repo.resetTimers()
	b.meter.begin()
	c, err := svc.Send(ctx, audit.CLI, id)
	use := b.meter.end()
	if err != nil {
		return sendResult{}, fmt.Errorf("send %s: %w", id, err)
	}
	return sendResult{audience: c.Audience, total: use.Wall, facts: b.repo.facts.stats().Total,
		startSend: b.repo.startSend.stats().Total, use: use}, nil
}

// handoffResult is one campaign's handoff, timed.
type handoffResult struct {
	use                         usage
	requests, bytes, recipients int64 // as the sink saw them
	conns                       int64 // TCP connections the client opened
	busy                        time.Duration
	claim, finish, send         stats
	encode, http                stats
	activeBackends              float64  // average active backends of this database
	waits                       []string // what they were doing, largest share first
	before, after               tableStats
}

// handOff runs svc.HandOff for the campaign from b.workers goroutines at once,
// as the worker's parallel handoff tasks do, until every one returns.
func (b *bench) handOff(ctx context.Context, svc *campaign.Service, id string, profile func() func()) (handoffResult, error) {
	b.repo.resetTimers()
	b.sender.resetTimers()
	s0, by0, r0, c0 := b.sink.sends.Load(), b.sink.bodyBytes.Load(), b.sink.recipients.Load(), b.sink.conns.Load()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		busy time.Duration
		errs = make([]error, b.workers)
	)
	stop := func() {}
	if profile != nil {
		stop = profile()
	}
	before, err := b.tableStats(ctx)
	if err != nil {
		return handoffResult{}, err
	}
	sampler := startWaitSampler(ctx, b.st.store.SQL(), 50*time.Millisecond)
	b.meter.begin()
	for i := range b.workers {
		wg.Go(func() {
			t0 := time.Now()
			errs[i] = svc.HandOff(withTrace(ctx), id)
			mu.Lock()
			busy += time.Since(t0)
			mu.Unlock()
		})
	}
	wg.Wait()
	use := b.meter.end()
	stop()
	active, waits := sampler.result(8)
	if err := errors.Join(errs...); err != nil {
		return handoffResult{}, fmt.Errorf("handoff %s: %w", id, err)
	}
	after, err := b.tableStats(ctx)
	if err != nil {
		return handoffResult{}, err
	}
	return handoffResult{use: use, busy: busy, activeBackends: active, waits: waits, before: before, after: after,
		requests: b.sink.sends.Load() - s0, bytes: b.sink.bodyBytes.Load() - by0,
		recipients: b.sink.recipients.Load() - r0, conns: b.sink.conns.Load() - c0,
		claim: b.repo.claim.stats(), finish: b.repo.finish.stats(), send: b.sender.send.stats(),
		encode: b.sender.encode.stats(), http: b.sender.http.stats()}, nil
}

// tableStats reads campaign_recipients' size and counters. Backends send
// their statistics when they go idle, at most once a second, and a pool keeps
// them open: dropping the idle connections first makes them exit, which
// flushes everything they counted.
func (b *bench) tableStats(ctx context.Context) (tableStats, error) {
	db := b.st.store.SQL()
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(10) // store.Open's default for 20 connections
	time.Sleep(300 * time.Millisecond)
	s, err := readTableStats(ctx, db)
	if err != nil {
		return s, fmt.Errorf("read table statistics: %w", err)
	}
	return s, nil
}

// verification is what Postgres and the sink say after a handoff.
type verification struct {
	rows, handed, noRequest, multi     int64
	requests, accepted, ledger, uneven int64
	status                             string
	handedCounter                      int64
}

// verify checks a finished handoff of n recipients in SQL: every snapshot row
// handed, each address in one row and one request, the ledger's per-request
// counts matching the rows that point at each request, the campaign sent; and
// that the sink received exactly n recipients in as many requests as the
// ledger holds.
func (b *bench) verify(ctx context.Context, id string, n int, h handoffResult) (verification, error) {
	var v verification
	err := b.st.store.SQL().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1),
		(SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1 AND state = 'handed'),
		(SELECT count(*) FROM campaign_recipients WHERE campaign_id = $1 AND state = 'handed' AND request_id IS NULL),
		(SELECT count(*) FROM (SELECT email FROM campaign_recipients WHERE campaign_id = $1
			GROUP BY email HAVING count(*) > 1 OR count(DISTINCT request_id) > 1) twice),
		(SELECT count(*) FROM handoff_requests WHERE campaign_id = $1),
		(SELECT count(*) FROM handoff_requests WHERE campaign_id = $1 AND state = 'accepted'),
		(SELECT coalesce(sum(recipients), 0) FROM handoff_requests WHERE campaign_id = $1),
		(SELECT count(*) FROM handoff_requests h LEFT JOIN (SELECT request_id, count(*) AS n FROM campaign_recipients
			WHERE campaign_id = $1 GROUP BY request_id) c ON c.request_id = h.id
			WHERE h.campaign_id = $1 AND h.recipients <> coalesce(c.n, 0)),
		(SELECT status FROM campaigns WHERE id = $1),
		(SELECT handed_to_esp FROM campaigns WHERE id = $1)`, id).
		Scan(&v.rows, &v.handed, &v.noRequest, &v.multi, &v.requests, &v.accepted, &v.ledger, &v.uneven,
			&v.status, &v.handedCounter)
	if err != nil {
		return v, fmt.Errorf("verify %s: %w", id, err)
	}
	want := int64(n)
	if v.rows != want || v.handed != want || v.noRequest != 0 || v.multi != 0 || v.accepted != v.requests ||
		v.ledger != want || v.uneven != 0 || v.status != string(campaign.Sent) || v.handedCounter != want ||
		h.recipients != want || h.requests != v.requests {
		return v, fmt.Errorf("verify %s: FAILED: %s; sink got %d recipients in %d requests", id, v, h.recipients, h.requests)
	}
	return v, nil
}

func (v verification) String() string {
	return fmt.Sprintf("campaign_recipients %s rows, %s handed (%d without a request); addresses in more than one row or request: %d; "+
		"ledger %s requests (%s accepted), Σ recipients %s, requests whose count differs from their rows: %d; campaign %s, handed_to_esp %s",
		thousands(v.rows), thousands(v.handed), v.noRequest, v.multi, thousands(v.requests), thousands(v.accepted),
		thousands(v.ledger), v.uneven, v.status, thousands(v.handedCounter))
}
