package fbbench

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/runbooks"
	"github.com/firebreak/firebreak/worker/tasks"
)

// The goals of the apology fan-out to 1M affected recipients (issue 12).
const (
	apologyGoal    = 60 * time.Second // Send + handoff, end to end
	apologyRSSGoal = 300_000_000      // bytes
)

// commHandoffParallelism is how many HandOff calls the worker runs at once for
// one communication: Send queues one communication:handoff task per slot
// (worker/tasks.HandOffCommunication), tasks.HandoffParallelism of them, as
// for a campaign.
const commHandoffParallelism = tasks.HandoffParallelism

// Suppressions per run: suppressedBefore addresses of the audience are
// suppressed before Send (the snapshot leaves them out), suppressedBetween
// after the snapshot and before the handoff (the claims skip them).
const (
	suppressedBefore  = 5
	suppressedBetween = 5
)

// timedCommRepo is the real store as the communication service's Repo and
// FactStore, with a stopwatch on the calls Send and HandOff make.
type timedCommRepo struct {
	*postgres.Store
	facts, audience, startSend, claim, finish timer
}

var (
	_ communication.Repo      = (*timedCommRepo)(nil)
	_ communication.FactStore = (*timedCommRepo)(nil)
)

func (r *timedCommRepo) CommunicationFacts(ctx context.Context, c communication.Communication, campaignID string, tags []campaign.Tag) (communication.AudienceFacts, error) {
	t0 := time.Now()
	f, err := r.Store.CommunicationFacts(ctx, c, campaignID, tags)
	r.facts.add(time.Since(t0))
	return f, err
}

func (r *timedCommRepo) Audience(ctx context.Context, c communication.Communication, campaignID string) (communication.Audience, error) {
	t0 := time.Now()
	a, err := r.Store.Audience(ctx, c, campaignID)
	r.audience.add(time.Since(t0))
	return a, err
}

func (r *timedCommRepo) StartSendCommunication(ctx context.Context, id, campaignID, batchID string, now time.Time, a audit.Entry) (communication.Communication, error) {
	t0 := time.Now()
	c, err := r.Store.StartSendCommunication(ctx, id, campaignID, batchID, now, a)
	r.startSend.add(time.Since(t0))
	return c, err
}

func (r *timedCommRepo) ClaimCommunication(ctx context.Context, id string, now, sendAt, deadline time.Time, limit int) (communication.ClaimResult, error) {
	t0 := time.Now()
	res, err := r.Store.ClaimCommunication(ctx, id, now, sendAt, deadline, limit)
	r.claim.add(time.Since(t0))
	return res, err
}

func (r *timedCommRepo) FinishCommunication(ctx context.Context, requestID string, out campaign.Outcome, messageID, reason string) error {
	t0 := time.Now()
	err := r.Store.FinishCommunication(ctx, requestID, out, messageID, reason)
	r.finish.add(time.Since(t0))
	return err
}

func (r *timedCommRepo) resetTimers() {
	for _, t := range []*timer{&r.facts, &r.audience, &r.startSend, &r.claim, &r.finish} {
		t.reset()
	}
}

// HandOffCommunication: the benchmark runs HandOff itself.
func (noJobs) HandOffCommunication(context.Context, string) error { return nil }

var _ communication.Jobs = noJobs{}

// editMarker is a fact the runbook template leaves for the author ([EDIT: …]).
var editMarker = regexp.MustCompile(`\[EDIT:[^\]]*\]`)

// apologyRun is one run's figures.
type apologyRun struct {
	audience                    int // the snapshot's size
	handed, skipped             int
	send, handoff               usage
	facts, count, startSend     time.Duration // inside Send: preflight facts, the audience counts, the snapshot
	claim, finish               stats
	encode, http                stats
	busy                        time.Duration
	requests, bytes, recipients int64 // at the sink
	v                           commVerification
}

func (r apologyRun) wall() time.Duration { return r.send.Wall + r.handoff.Wall }

func (r apologyRun) peak() uint64 { return max(r.send.PeakRSS, r.handoff.PeakRSS) }

// apology times the apology fan-out of issue 12 through the real code: a
// campaign whose --rows recipients were handed over (seeded in SQL), a
// wrong-segment incident on it, a handful of its addresses suppressed, a
// brand with logo, colour, footer and address; then, per run, an apology
// drafted from the runbook's template (communication.Service.Create, the
// author's [EDIT] filled in with Update), Send (preflight over the affected
// audience, a SendGrid batch, the snapshot into communication_recipients) and
// HandOff from the worker's parallelism for a communication, over the postgres
// store and the sendgrid adapter pointed at the sink, which records every
// address. Each run is verified in SQL and at the sink; between runs the
// previous apology is deleted in SQL so every run starts alike. The baseline
// is the campaign handoff of the same recipients in the same run.
func (b *bench) apology(ctx context.Context) error {
	n := b.opt.rows
	runs := b.opt.apologyRuns
	if n <= (suppressedBefore+suppressedBetween)*runs {
		return fmt.Errorf("apology: --rows %d is too few for %d runs", n, runs)
	}
	db := b.st.store.SQL()
	t0 := time.Now()
	brand, err := b.service(0).CreateBrand(ctx, audit.CLI, campaign.Brand{Name: "Bench Shop",
		FromEmail: "news@shop.bench.example", FromName: "Bench Shop", ReplyTo: "care@shop.bench.example",
		LogoURL: "https://shop.bench.example/logo.png", PrimaryColor: "#0b5fff",
		FooterHTML:      `<p>You get this email because you are a Bench Shop customer. <a href="https://shop.bench.example/privacy">Privacy</a></p>`,
		PhysicalAddress: "Bench Shop Lda, Rua do Exemplo 1, 4000-001 Porto, Portugal"})
	if err != nil {
		return err
	}
	cid, err := b.seedCampaign(ctx, "bench apology: VIP offer", "ap", "bench-apology-campaign-batch", n, seedSpec{})
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `UPDATE campaigns SET brand_id = $2 WHERE id = $1`, cid, brand.ID); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE campaign_recipients, recipients`); err != nil {
		return err
	}
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		return err
	}
	campaigns := b.service(0)
	incidents := incident.NewService(incident.Deps{Repo: b.st.store, Campaigns: campaigns, Runbooks: set, Log: b.log})
	inc, _, err := incidents.Declare(ctx, audit.CLI, incident.Declaration{CampaignID: cid, Runbook: "wrong-segment",
		Summary: "The VIP offer went to the whole list.", Source: incident.SourceAPI})
	if err != nil {
		return err
	}
	repo := &timedCommRepo{Store: b.st.store}
	svc := communication.NewService(communication.Deps{Repo: repo, Incidents: b.st.store, Runbooks: set,
		Drafter: communication.TemplateDrafter{Campaigns: b.st.store}, Mail: b.sender, Sched: b.client, Jobs: noJobs{},
		Facts: repo, UnsubscribeURL: campaigns.UnsubscribeURL,
		Send: communication.SendConfig{SendBuffer: sendBuffer * time.Second}})
	fmt.Printf("setup: a sent campaign of %s recipients (seeded in SQL), brand with logo, colour, footer and address, "+
		"incident %s (wrong-segment) in %s\n", thousands(int64(n)), inc.ID, secs(time.Since(t0)))

	var results []apologyRun
	for r := range runs {
		if r > 0 {
			// Start the next run alike: no earlier apology of the incident
			// (it would be already_received), its rows vacuumed away.
			t1 := time.Now()
			if _, err := db.ExecContext(ctx, `DELETE FROM communications WHERE incident_id = $1`, inc.ID); err != nil {
				return err
			}
			if _, err := db.ExecContext(ctx, `VACUUM ANALYZE communication_recipients, communication_requests, communications`); err != nil {
				return err
			}
			fmt.Printf("        (run %d: the previous apology deleted and vacuumed in %s)\n", r+1, secs(time.Since(t1)))
		}
		res, err := b.apologyRun(ctx, svc, repo, cid, inc.ID, n, r)
		if err != nil {
			return err
		}
		results = append(results, res)
		fmt.Printf("run %d  Send %s (preflight facts %s, audience counts %s, snapshot INSERT … SELECT %s: %s recipients)\n"+
			"          %s\n"+
			"        handoff %s: %s handed, %s skipped as suppressed, %s requests = %s recipients/s\n"+
			"          %s\n"+
			"        end to end %s%s%s\n",
			r+1, secs(res.send.Wall), secs(res.facts), secs(res.count), secs(res.startSend), thousands(int64(res.audience)),
			res.send, secs(res.handoff.Wall), thousands(int64(res.handed)), thousands(int64(res.skipped)),
			thousands(res.requests), perSec(res.handed, res.handoff.Wall), res.handoff,
			secs(res.wall()), b.goal(res.wall() <= apologyGoal, "≤ 60 s"), b.goal(res.peak() <= apologyRSSGoal, "RSS ≤ 300 MB"))
		b.printCommBreakdown(res)
		fmt.Printf("verify  OK: %s\n", res.v)
	}
	if runs > 1 {
		pick := func(f func(apologyRun) time.Duration) durations {
			d := make([]time.Duration, len(results))
			for i, r := range results {
				d[i] = f(r)
			}
			return durStats(d)
		}
		line := func(name string, d durations) {
			fmt.Printf("        %-22s min %s, median %s, max %s\n", name, secs(d.min), secs(d.median), secs(d.max))
		}
		fmt.Printf("apology %d runs of %s recipients:\n", runs, thousands(int64(n)))
		line("Send (snapshot):", pick(func(r apologyRun) time.Duration { return r.send.Wall }))
		line("handoff:", pick(func(r apologyRun) time.Duration { return r.handoff.Wall }))
		e2e := pick(apologyRun.wall)
		line("end to end:", e2e)
		var peak uint64
		for _, r := range results {
			peak = max(peak, r.peak())
		}
		fmt.Printf("        peak RSS over the runs %s; duplicates 0 in SQL and at the sink in every run%s%s\n",
			mb(peak), b.goal(e2e.median <= apologyGoal && e2e.max <= apologyGoal, "≤ 60 s end to end (every run)"),
			b.goal(peak <= apologyRSSGoal, "RSS ≤ 300 MB"))
	}
	if b.opt.apologyBaseline {
		return b.apologyBaseline(ctx, cid, n, results)
	}
	return nil
}

// apologyRun drafts, sends and hands over one apology, and verifies it.
func (b *bench) apologyRun(ctx context.Context, svc *communication.Service, repo *timedCommRepo, campaignID, incidentID string, n, run int) (apologyRun, error) {
	var res apologyRun
	db := b.st.store.SQL()
	// Run r's suppressed addresses: recipients r·10+1 … r·10+10, spread over
	// the campaign (its recipient ids are random, so over the claims too).
	addr := func(j int) string {
		return fmt.Sprintf("ap%07d@bench.example", 1+(run*(suppressedBefore+suppressedBetween)+j)*(n/((suppressedBefore+suppressedBetween)*b.opt.apologyRuns)))
	}
	suppress := func(from, to int) ([]string, error) {
		var out []string
		for j := from; j < to; j++ {
			a := addr(j)
			if _, err := db.ExecContext(ctx, `INSERT INTO suppressions (email, kind, source, reason) VALUES ($1, 'unsubscribe', 'api', 'bench')
				ON CONFLICT DO NOTHING`, a); err != nil {
				return nil, err
			}
			out = append(out, a)
		}
		return out, nil
	}
	before, err := suppress(0, suppressedBefore)
	if err != nil {
		return res, err
	}
	v, err := svc.Create(ctx, audit.CLI, incidentID, communication.NewDraft{Kind: communication.Apology})
	if err != nil {
		return res, fmt.Errorf("apology: create: %w", err)
	}
	// The author replaces the template's [EDIT: …] with the decision.
	remedy := "The offer in that email applies to you too: we honour it until the end of the month."
	h, t := editMarker.ReplaceAllLiteralString(v.HTML, remedy), editMarker.ReplaceAllLiteralString(v.Text, remedy)
	if v, err = svc.Update(ctx, audit.CLI, v.ID, communication.Changes{HTML: &h, Text: &t}); err != nil {
		return res, fmt.Errorf("apology: update: %w", err)
	}
	var suppressedNow int // this run's and the earlier runs': all left out of this snapshot
	if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT s.email) FROM suppressions s JOIN campaign_recipients cr ON cr.email = s.email
		WHERE cr.campaign_id = $1`, campaignID).Scan(&suppressedNow); err != nil {
		return res, err
	}
	if v.Audience.Affected != n || v.Audience.Suppressed != suppressedNow || v.Audience.WillReceive != n-suppressedNow {
		return res, fmt.Errorf("apology: the draft's audience is %+v, want %d affected, %d suppressed", v.Audience, n, suppressedNow)
	}

	repo.resetTimers()
	b.sender.resetTimers()
	b.sink.recordAddresses(n)
	b.meter.begin()
	sent, err := svc.Send(ctx, audit.CLI, v.ID)
	res.send = b.meter.end()
	if err != nil {
		var pf *communication.PreflightError
		if errors.As(err, &pf) {
			return res, fmt.Errorf("apology: send: %w: %+v", err, pf.Preflight.Problems)
		}
		return res, fmt.Errorf("apology: send: %w", err)
	}
	res.audience = sent.Counts.Audience
	res.facts, res.count, res.startSend = repo.facts.stats().Total, repo.audience.stats().Total, repo.startSend.stats().Total

	between, err := suppress(suppressedBefore, suppressedBefore+suppressedBetween)
	if err != nil {
		return res, err
	}
	repo.resetTimers()
	s0, by0, r0 := b.sink.sends.Load(), b.sink.bodyBytes.Load(), b.sink.recipients.Load()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs = make([]error, b.opt.apologyWorkers)
	)
	var stopProfile func()
	if p := b.profilerTo(b.opt.cpuprofile + ".apology"); p != nil && run == 0 { // --cpuprofile: the first run's handoff
		stopProfile = p()
	}
	b.meter.begin()
	for i := range b.opt.apologyWorkers {
		wg.Go(func() {
			t1 := time.Now()
			errs[i] = svc.HandOff(withTrace(ctx), v.ID)
			mu.Lock()
			res.busy += time.Since(t1)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.handoff = b.meter.end()
	if stopProfile != nil {
		stopProfile()
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("apology: handoff: %w", err)
	}
	res.requests, res.bytes, res.recipients = b.sink.sends.Load()-s0, b.sink.bodyBytes.Load()-by0, b.sink.recipients.Load()-r0
	res.claim, res.finish = repo.claim.stats(), repo.finish.stats()
	res.encode, res.http = b.sender.encode.stats(), b.sender.http.stats()
	got := b.sink.takeAddresses()
	res.v, err = b.verifyApology(ctx, v.ID, n-suppressedNow, slices.Concat(before, between), between, got, res)
	if err != nil {
		return res, err
	}
	res.handed, res.skipped = int(res.v.handed), int(res.v.skipped)
	return res, nil
}

// printCommBreakdown says where the dispatchers' time went.
func (b *bench) printCommBreakdown(r apologyRun) {
	if r.busy <= 0 {
		return
	}
	other := r.busy - r.claim.Total - r.finish.Total - r.encode.Total - r.http.Total
	pct := func(d time.Duration) string { return fmt.Sprintf("%2.0f%%", 100*d.Seconds()/r.busy.Seconds()) }
	line := func(name string, s stats) {
		fmt.Printf("          %-34s %s  %7s  per call p50 %s, p99 %s; first tenth %s, last tenth %s\n",
			name, pct(s.Total), secs(s.Total), ms(s.P50), ms(s.P99), ms(s.First), ms(s.Last))
	}
	fmt.Printf("        where the %d dispatcher(s)' %s went:\n", b.opt.apologyWorkers, secs(r.busy))
	line("ClaimCommunication tx", r.claim)
	line("FinishCommunication tx", r.finish)
	line("Send: build + marshal JSON", r.encode)
	line("Send: HTTP to the sink (202)", r.http)
	fmt.Printf("          %-34s %s  %7s  (building the esp.Message: brand wrap, merge values, unsubscribe links)\n",
		"rest of HandOff", pct(other), secs(other))
	if r.requests > 0 {
		fmt.Printf("        wire: %s KB per request on average, %s MB in all\n",
			thousands(r.bytes/r.requests/1000), thousands(r.bytes/1_000_000))
	}
}

// commVerification is what Postgres and the sink say after an apology.
type commVerification struct {
	rows, handed, skipped, other, noRequest, multi int64
	requests, accepted, ledger, uneven             int64
	status                                         string
	audience, handedCounter, skippedCounter        int64
	suppressedHanded                               int64
	sinkAddrs, sinkDup, sinkSuppressed             int64
	sinkMatches                                    bool
}

// verifyApology checks a finished apology in SQL — every snapshot row handed
// once with its request or skipped as suppressed, no address in two rows,
// the ledger's Σ recipients equal to the handed rows and each request's count
// to the rows pointing at it, the communication sent with handed_to_esp and
// skipped_suppressed equal to the rows, none of the suppressed addresses
// handed — and at the sink: exactly the handed addresses, none twice, none
// suppressed.
func (b *bench) verifyApology(ctx context.Context, id string, wantAudience int, suppressed, between []string, sinkAddrs []uint64, r apologyRun) (commVerification, error) {
	var v commVerification
	db := b.st.store.SQL()
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM communication_recipients WHERE communication_id = $1),
		(SELECT count(*) FROM communication_recipients WHERE communication_id = $1 AND state = 'handed'),
		(SELECT count(*) FROM communication_recipients WHERE communication_id = $1 AND state = 'skipped_suppressed'),
		(SELECT count(*) FROM communication_recipients WHERE communication_id = $1 AND state NOT IN ('handed', 'skipped_suppressed')),
		(SELECT count(*) FROM communication_recipients WHERE communication_id = $1 AND state = 'handed' AND request_id IS NULL),
		(SELECT count(*) FROM (SELECT email FROM communication_recipients WHERE communication_id = $1
			GROUP BY email HAVING count(*) > 1) twice),
		(SELECT count(*) FROM communication_requests WHERE communication_id = $1),
		(SELECT count(*) FROM communication_requests WHERE communication_id = $1 AND state = 'accepted'),
		(SELECT coalesce(sum(recipients), 0) FROM communication_requests WHERE communication_id = $1),
		(SELECT count(*) FROM communication_requests q LEFT JOIN (SELECT request_id, count(*) AS n FROM communication_recipients
			WHERE communication_id = $1 AND state = 'handed' GROUP BY request_id) c ON c.request_id = q.id
			WHERE q.communication_id = $1 AND q.recipients <> coalesce(c.n, 0)),
		(SELECT status FROM communications WHERE id = $1),
		(SELECT audience FROM communications WHERE id = $1),
		(SELECT handed_to_esp FROM communications WHERE id = $1),
		(SELECT skipped_suppressed FROM communications WHERE id = $1),
		(SELECT count(*) FROM communication_recipients WHERE communication_id = $1 AND state = 'handed' AND email = ANY($2))`,
		id, suppressed).
		Scan(&v.rows, &v.handed, &v.skipped, &v.other, &v.noRequest, &v.multi, &v.requests, &v.accepted, &v.ledger, &v.uneven,
			&v.status, &v.audience, &v.handedCounter, &v.skippedCounter, &v.suppressedHanded)
	if err != nil {
		return v, fmt.Errorf("verify apology %s: %w", id, err)
	}
	// The sink's side: the hashes of what it received against those of the
	// handed rows, both sorted.
	slices.Sort(sinkAddrs)
	v.sinkAddrs = int64(len(sinkAddrs))
	for i := 1; i < len(sinkAddrs); i++ {
		if sinkAddrs[i] == sinkAddrs[i-1] {
			v.sinkDup++
		}
	}
	for _, a := range suppressed {
		if _, ok := slices.BinarySearch(sinkAddrs, addressHash(a)); ok {
			v.sinkSuppressed++
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT email FROM communication_recipients WHERE communication_id = $1 AND state = 'handed'`, id)
	if err != nil {
		return v, err
	}
	want := make([]uint64, 0, v.handed)
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return v, err
		}
		want = append(want, addressHash(e))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, err
	}
	slices.Sort(want)
	v.sinkMatches = slices.Equal(want, sinkAddrs)

	wa := int64(wantAudience)
	if v.rows != wa || v.audience != wa || v.handed != wa-int64(len(between)) || v.skipped != int64(len(between)) ||
		v.other != 0 || v.noRequest != 0 || v.multi != 0 || v.accepted != v.requests || v.ledger != v.handed || v.uneven != 0 ||
		v.status != string(communication.Sent) || v.handedCounter != v.handed || v.skippedCounter != v.skipped ||
		v.suppressedHanded != 0 || v.sinkDup != 0 || v.sinkSuppressed != 0 || !v.sinkMatches ||
		r.recipients != v.handed || r.requests != v.requests {
		return v, fmt.Errorf("verify apology %s: FAILED (want a snapshot of %d, %d of them skipped): %s; sink got %d recipients in %d requests",
			id, wantAudience, len(between), v, r.recipients, r.requests)
	}
	return v, nil
}

func (v commVerification) String() string {
	return fmt.Sprintf("communication_recipients %s rows = audience %s: %s handed (%d without a request), %d skipped as suppressed, %d in any other state; "+
		"addresses in more than one row: %d; ledger %s requests (%s accepted), Σ recipients %s, requests whose count differs from their rows: %d; "+
		"communication %s, handed_to_esp %s, skipped_suppressed %d; suppressed addresses handed: %d; "+
		"sink: %s addresses, %d twice, %d suppressed, same set as the handed rows: %t",
		thousands(v.rows), thousands(v.audience), thousands(v.handed), v.noRequest, v.skipped, v.other, v.multi,
		thousands(v.requests), thousands(v.accepted), thousands(v.ledger), v.uneven, v.status, thousands(v.handedCounter),
		v.skippedCounter, v.suppressedHanded, thousands(v.sinkAddrs), v.sinkDup, v.sinkSuppressed, v.sinkMatches)
}

// apologyBaseline hands the same recipients over as a campaign, in the same
// run: a campaign sending to the apology campaign's n recipients (its
// snapshot copied in SQL), campaign.Service.HandOff from the campaign
// worker's parallelism (tasks.HandoffParallelism), verified like the handoff
// phase. Both run from the worker's parallelism; the comparison says what the
// communication path costs per recipient.
func (b *bench) apologyBaseline(ctx context.Context, fromCampaign string, n int, runs []apologyRun) error {
	db := b.st.store.SQL()
	t0 := time.Now()
	var id string
	if err := db.QueryRowContext(ctx, `INSERT INTO campaigns (name, brand_id, subject, html, text, segments,
		send_buffer_seconds, status, batch_id, audience, send_started_at)
		VALUES ('bench apology baseline', $1, $2, $3, $4, ARRAY['alpha'], $5, 'sending', 'bench-apology-baseline', $6, now()) RETURNING id`,
		b.brand.ID, subject, html, text, sendBuffer, n).Scan(&id); err != nil {
		return fmt.Errorf("seed the baseline campaign: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, recipient_id, email, first_name, last_name, attributes, segments)
		SELECT $1, recipient_id, email, first_name, last_name, attributes, segments FROM campaign_recipients WHERE campaign_id = $2`,
		id, fromCampaign); err != nil {
		return fmt.Errorf("seed the baseline recipients: %w", err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE campaign_recipients`); err != nil {
		return err
	}
	fmt.Printf("baseline: a campaign sending to the same %s recipients, seeded in SQL in %s\n", thousands(int64(n)), secs(time.Since(t0)))
	h, err := b.handOff(ctx, b.service(0), id, nil)
	if err != nil {
		return err
	}
	if _, err := b.verify(ctx, id, n, h); err != nil {
		return err
	}
	d := make([]time.Duration, len(runs))
	for i, r := range runs {
		d[i] = r.handoff.Wall
	}
	med := durStats(d).median
	fmt.Printf("baseline campaign handoff of the same %s, %d HandOff calls at once: %s, %s requests = %s recipients/s (verified)\n"+
		"          %s; Claim tx p50 %s, Finish tx p50 %s\n"+
		"        the apology's handoff (median %s, %d dispatchers) takes %.2f× the campaign's\n",
		thousands(int64(n)), b.workers, secs(h.use.Wall), thousands(h.requests), perSec(n, h.use.Wall), h.use,
		ms(h.claim.P50), ms(h.finish.P50), secs(med), b.opt.apologyWorkers, med.Seconds()/h.use.Wall.Seconds())
	return nil
}
