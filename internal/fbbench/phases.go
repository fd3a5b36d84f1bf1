package fbbench

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/recipient"
)

// importCSV imports n generated rows through recipient.Service.Import and
// prints the figures. The moment the generator's last write is read marks the
// end of the COPY stream; what follows is the one upsert and the commit.
func (b *bench) importCSV(ctx context.Context, kind string, n int, prefix, segment string, goal bool) error {
	in, consumed := csvRows(n, prefix, segment)
	defer in.Close()
	b.meter.begin()
	res, err := recipient.NewService(b.st.store).Import(ctx, audit.CLI, in)
	use := b.meter.end()
	if err != nil {
		return fmt.Errorf("import %s: %w", kind, err)
	}
	split := ""
	select {
	case at := <-consumed:
		copyPart := at.Sub(b.meter.start)
		split = fmt.Sprintf("; COPY stream %s, upsert+commit %s", secs(copyPart), secs(use.Wall-copyPart))
	default:
	}
	goalText := ""
	if goal {
		goalText = b.goal(use.Wall <= importGoal, "≤ 30 s")
	}
	fmt.Printf("import  %-30s %s rows in %s = %s rows/s (imported %s, updated %s, rejected %d)%s\n"+
		"        %s%s\n",
		kind+":", thousands(int64(n)), secs(use.Wall), perSec(n, use.Wall), thousands(int64(res.Imported)),
		thousands(int64(res.Updated)), res.RejectedTotal, split,
		use, goalText)
	if res.Imported+res.Updated != n || res.RejectedTotal != 0 {
		return fmt.Errorf("import %s: %d imported + %d updated, %d rejected, want %d rows", kind,
			res.Imported, res.Updated, res.RejectedTotal, n)
	}
	return nil
}

// mainHandoff snapshots and hands over the whole imported audience.
func (b *bench) mainHandoff(ctx context.Context) error {
	svc := b.service(0)
	id, err := b.createCampaign(ctx, svc, "bench main", segmentsOf[:])
	if err != nil {
		return err
	}
	s, err := b.send(ctx, svc, id)
	if err != nil {
		return err
	}
	fmt.Printf("snapshot (Send)  %s recipients in %s: preflight audience query %s, StartSend (INSERT … SELECT) %s\n"+
		"        %s\n", thousands(int64(s.audience)), secs(s.total), secs(s.facts), secs(s.startSend), s.use)
	h, err := b.handOff(ctx, svc, id, b.profiler())
	if err != nil {
		return err
	}
	n := b.opt.rows
	fmt.Printf("handoff %s recipients in %s, %s requests = %s recipients/s%s\n        %s%s\n",
		thousands(int64(n)), secs(h.use.Wall), thousands(h.requests), perSec(n, h.use.Wall),
		b.goal(h.use.Wall <= handoffGoal, "≤ 60 s"), h.use, b.goal(h.use.PeakRSS <= rssGoal, "≤ 300 MB"))
	b.printBreakdown(h)
	v, err := b.verify(ctx, id, n, h)
	if err != nil {
		return err
	}
	fmt.Printf("verify  OK: %s; the sink received %s recipients in %s requests\n",
		v, thousands(h.recipients), thousands(h.requests))
	return nil
}

// printBreakdown says where the dispatchers' time went, in goroutine-seconds
// (the workers' busy time added up), with per-call latencies.
func (b *bench) printBreakdown(h handoffResult) {
	other := h.busy - h.claim.Total - h.finish.Total - h.send.Total
	pct := func(d time.Duration) string { return fmt.Sprintf("%2.0f%%", 100*d.Seconds()/h.busy.Seconds()) }
	line := func(name string, s stats) {
		fmt.Printf("          %-34s %s  %7s  per call p50 %s, p99 %s; first tenth %s, last tenth %s\n",
			name, pct(s.Total), secs(s.Total), ms(s.P50), ms(s.P99), ms(s.First), ms(s.Last))
	}
	fmt.Printf("        where the %d dispatchers' %s went:\n", b.workers, secs(h.busy))
	line("Claim tx (ledger row + claim)", h.claim)
	line("Finish tx (mark handed)", h.finish)
	line("Send: build + marshal JSON", h.encode)
	line("Send: HTTP to the sink (202)", h.http)
	fmt.Printf("          %-34s %s  %7s  (building the esp.Message: merge values, unsubscribe links)\n",
		"rest of HandOff", pct(other), secs(other))
	if h.activeBackends > 0 {
		fmt.Printf("        Postgres, sampled every 50 ms: %.1f backends active on average; of their samples:\n", h.activeBackends)
		for _, l := range h.waits {
			fmt.Printf("          %s\n", l)
		}
	}
	d := func(a, b int64) string { return thousands(b - a) }
	fmt.Printf("        campaign_recipients during the handoff: %s → %s MB; %s row updates (%s HOT), %s dead rows at the end; "+
		"autovacuum ran %s×, autoanalyze %s×\n",
		thousands(h.before.bytes/1_000_000), thousands(h.after.bytes/1_000_000), d(h.before.upd, h.after.upd),
		d(h.before.hotUpd, h.after.hotUpd), thousands(h.after.deadTup), d(h.before.autovacuums, h.after.autovacuums),
		d(h.before.autoanalyzes, h.after.autoanalyzes))
	if h.requests > 0 {
		fmt.Printf("        wire: %s KB per request on average, %s MB in all, %d TCP connections opened by the client\n",
			thousands(h.bytes/h.requests/1000), thousands(h.bytes/1_000_000), h.conns)
	}
}

// naive compares one request per recipient with full batches on the same
// audience: a segment of its own, snapshotted once for each campaign.
func (b *bench) naive(ctx context.Context) error {
	n := b.opt.naiveRows
	if err := b.importCSV(ctx, "naive audience", n, "n", "naive", false); err != nil {
		return err
	}
	var times [2]time.Duration
	for i, size := range []int{0, 1} {
		svc := b.service(size)
		label := "batch 1000"
		if size == 1 {
			label = "batch 1 (naive)"
		}
		id, err := b.createCampaign(ctx, svc, "bench "+label, []string{"naive"})
		if err != nil {
			return err
		}
		if _, err := b.send(ctx, svc, id); err != nil {
			return err
		}
		h, err := b.handOff(ctx, svc, id, nil)
		if err != nil {
			return err
		}
		if _, err := b.verify(ctx, id, n, h); err != nil {
			return err
		}
		times[i] = h.use.Wall
		fmt.Printf("handoff %-16s %s recipients in %s, %s requests = %s recipients/s (verified)\n"+
			"        %s; Claim tx p50 %s, Finish tx p50 %s, Send p50 %s\n",
			label+":", thousands(int64(n)), secs(h.use.Wall), thousands(h.requests), perSec(n, h.use.Wall),
			h.use, ms(h.claim.P50), ms(h.finish.P50), ms(h.send.P50))
	}
	ratio := times[1].Seconds() / times[0].Seconds()
	at1M := time.Duration(float64(times[1]) * float64(goalRows) / float64(n))
	fmt.Printf("naive   batch 1 takes %.0f× as long as batch 1000 (%s vs %s); extrapolated to 1,000,000 recipients: "+
		"about %s (%s requests)\n", ratio, secs(times[1]), secs(times[0]), at1M.Round(time.Minute), thousands(goalRows))
	return nil
}
