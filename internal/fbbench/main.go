// Package fbbench is `make bench` (cmd/fbbench): it measures Firebreak's bulk
// and urgent paths on this machine and prints the figures: the streaming CSV import (COPY into a staging table, one
// upsert) and the campaign handoff (audience snapshot, then claim → mail/send
// → mark, from parallel dispatchers), against a private Postgres and a local
// sink that answers like SendGrid. It is `make bench`; the figures of a full
// run are kept in docs/benchmarks.md.
//
//	go run ./cmd/fbbench [--rows 1000000] [--naive-rows 10000] [--workers 4] [--cpuprofile FILE]
//	go run ./cmd/fbbench --only webhook,spike,assess [--webhook-events 500000] [--spikes 50] [--assess-recipients 1000000]
//	go run ./cmd/fbbench --only pause [--pause-runs 5]
//	go run ./cmd/fbbench --only affected [--assess-recipients 1000000]
//	go run ./cmd/fbbench --only apology [--rows 1000000] [--apology-runs N] [--apology-workers 1] [--apology-baseline=false]
//	go run ./cmd/fbbench --only monitoring [--monitor-brands 1000] [--monitor-runs 7]
//
// Besides the two bulk paths it measures the SendGrid Event Webhook: ingest
// throughput through the real HTTP server (against a raw COPY and a naive
// row-by-row insert of the same rows), the latency from a complaint spike's
// 2xx to SendGrid receiving the pause, and the blast-radius assessment of a
// 1M-recipient campaign with 5M events, and the pause under load: two busy
// sends and the webhook at once, the pause's latency and any handoff claimed
// after it was asked for. And step 6's monitoring tick over 1,000 watch windows
// with 10,000 sends in them, against the tick's former window-by-window reads.
//
// Everything goes through the real code: devstack's Postgres, the goose
// migrations, store.Store, recipient.Service.Import, campaign.Service (Send and
// HandOff) and the sendgrid-go adapter over HTTP. Only the stopwatches around
// the store and the adapter are the benchmark's own. It is a program that
// prints figures, not a test: a missed goal is reported, never failed; only a
// handoff that breaks an invariant (a recipient not handed, or handed twice),
// or a monitoring tick that alerts on sends under every floor, exits non-zero.
package fbbench

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/worker/tasks"
)

// The goals, for the full 1,000,000 rows.
const (
	goalRows    = 1_000_000
	importGoal  = 30 * time.Second
	handoffGoal = 60 * time.Second
	rssGoal     = 300_000_000
)

// Main runs the benchmarks the command line asks for and returns the exit
// status: 1 when a run broke an invariant or could not run, else 0.
func Main() int {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fbbench:", err)
		return 1
	}
	return 0
}

// options are the command line.
type options struct {
	rows, naiveRows, workers int
	cpuprofile               string
	only                     map[string]bool
	webhookEvents            int
	naiveEvents              int
	spikes                   int
	assessRecipients         int
	pauseRuns                int
	apologyRuns              int
	apologyWorkers           int
	apologyBaseline          bool
	monitorBrands            int
	monitorRuns              int
}

// benchmarks are the names --only accepts, in the order they run.
var benchmarks = []string{"import", "handoff", "naive", "webhook", "spike", "pause", "list", "assess", "affected", "apology", "monitoring"}

// bench is what the phases share.
type bench struct {
	opt     options
	st      *stack
	repo    *timedRepo
	sender  *timedSender
	client  *sendgrid.Client
	sink    *sink
	meter   *meter
	brand   campaign.Brand
	key     []byte
	log     *slog.Logger
	workers int
	rec     *postgres.Statements // statements(): registered once
}

func run() (err error) {
	var o options
	flag.IntVar(&o.rows, "rows", goalRows, "rows in the imported CSV, and so recipients in the main handoff")
	flag.IntVar(&o.naiveRows, "naive-rows", 10_000, "recipients of the naive (one request per recipient) baseline")
	flag.IntVar(&o.workers, "workers", tasks.HandoffParallelism, "HandOff calls running at once (the worker's parallel handoff tasks)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the main handoff to `FILE` (and of the apology's first handoff to FILE.apology)")
	only := flag.String("only", strings.Join(benchmarks, ","), "comma-separated benchmarks to run, of "+strings.Join(benchmarks, ", "))
	flag.IntVar(&o.webhookEvents, "webhook-events", 500_000, "events posted to the webhook (5 per recipient, batches of 1000)")
	flag.IntVar(&o.naiveEvents, "naive-events", 20_000, "events of the naive row-by-row insert baseline")
	flag.IntVar(&o.spikes, "spikes", 50, "complaint spikes (one campaign each) for the spike-to-pause latency")
	flag.IntVar(&o.assessRecipients, "assess-recipients", 1_000_000, "recipients of the assessed campaign (5 events each) and of the affected export")
	flag.IntVar(&o.pauseRuns, "pause-runs", 5, "runs of the pause-under-load benchmark (4 pauses each, two fresh campaigns per run)")
	flag.IntVar(&o.apologyRuns, "apology-runs", 0,
		"runs of the apology fan-out (to --rows affected recipients), each a fresh apology; 0: 3 up to 200,000 rows, else 1 (a 1M run takes about 2.5 min here)")
	flag.IntVar(&o.apologyWorkers, "apology-workers", commHandoffParallelism,
		"HandOff calls running at once for the apology (the worker runs one communication:handoff task per slot, as for a campaign)")
	flag.BoolVar(&o.apologyBaseline, "apology-baseline", true, "also hand the apology's recipients over as a campaign (the baseline)")
	flag.IntVar(&o.monitorBrands, "monitor-brands", monitorGoalBrands,
		"brands of the monitoring tick, each with a watching window and 10 sends in it (the baseline run has a tenth)")
	flag.IntVar(&o.monitorRuns, "monitor-runs", 7, "timed monitoring ticks per size (after one untimed first tick)")
	flag.Parse()
	if o.apologyRuns == 0 {
		o.apologyRuns = 3
		if o.rows > 200_000 {
			o.apologyRuns = 1
		}
	}
	if o.monitorBrands < 1 || o.monitorRuns < 1 {
		return fmt.Errorf("--monitor-brands and --monitor-runs must be positive")
	}
	if o.pauseRuns < 1 || o.apologyRuns < 1 || o.apologyWorkers < 1 {
		return fmt.Errorf("--pause-runs, --apology-runs and --apology-workers must be positive")
	}
	if o.rows < 1 || o.naiveRows < 1 || o.workers < 1 || o.webhookEvents < 1 || o.naiveEvents < 1 || o.spikes < 1 ||
		o.assessRecipients < 1 {
		return fmt.Errorf("--rows, --naive-rows, --workers, --webhook-events, --naive-events, --spikes and --assess-recipients must be positive")
	}
	o.only = map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(benchmarks, name) {
			return fmt.Errorf("--only: unknown benchmark %q (have %s)", name, strings.Join(benchmarks, ", "))
		}
		o.only[name] = true
	}
	if o.only["handoff"] && !o.only["import"] {
		return fmt.Errorf("--only: handoff hands over the audience that import creates; add import")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began := time.Now()

	st, err := startStack(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil { // Postgres says why a statement failed (a deadlock names both sides)
			fmt.Fprintf(os.Stderr, "--- end of the postgres log ---\n%s", st.logTail(60))
		}
		st.close()
	}()
	fmt.Printf("fbbench %s\nmachine: %s\n", began.Format("2006-01-02 15:04 MST"), machine(st.pgVersion))

	key, err := st.store.UnsubscribeKey(ctx)
	if err != nil {
		return err
	}
	sk := newSink()
	defer sk.Close()
	client := sendgrid.New(sendgrid.Config{APIKey: "SG.bench", BaseURL: sk.URL()})
	b := &bench{opt: o, st: st, repo: &timedRepo{Store: st.store}, sender: &timedSender{Sender: client}, client: client,
		sink: sk, meter: &meter{postmaster: findPostmaster()}, key: key, workers: o.workers,
		log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if b.meter.postmaster == 0 {
		fmt.Println("note: the postgres process was not found; its CPU time is not reported")
	}
	if b.brand, err = b.service(0).CreateBrand(ctx, audit.CLI, campaign.Brand{Name: "Bench",
		FromEmail: "news@bench.example", FromName: "Bench News", ReplyTo: "help@bench.example"}); err != nil {
		return err
	}

	step := 0
	heading := func(format string, args ...any) {
		step++
		fmt.Printf("\n%d. "+format+"\n", append([]any{step}, args...)...)
	}
	if o.only["import"] {
		heading("import of a %s-row CSV (generated while it is read, through an io.Pipe)", thousands(int64(o.rows)))
		for _, kind := range []string{"new rows", "same rows again, all updates"} {
			if err := b.importCSV(ctx, kind, o.rows, "r", "", true); err != nil {
				return err
			}
		}
	}
	if o.only["handoff"] {
		heading("handoff of a %s-recipient audience, %d HandOff calls at once, batch %d",
			thousands(int64(o.rows)), o.workers, campaign.BatchSize)
		if err := b.mainHandoff(ctx); err != nil {
			return err
		}
	}
	if o.only["naive"] {
		heading("naive baseline: one request per recipient (BatchSize 1) against batches of %d, same %s recipients",
			campaign.BatchSize, thousands(int64(o.naiveRows)))
		if err := b.naive(ctx); err != nil {
			return err
		}
	}
	if o.only["webhook"] {
		heading("webhook ingest: %s events posted signed in batches of %d by %d clients, against raw COPY and a naive row-by-row insert",
			thousands(int64(o.webhookEvents)), webhookBatch, webhookClients)
		if err := b.webhook(ctx); err != nil {
			return err
		}
	}
	if o.only["spike"] {
		heading("spike to pause: %d campaigns of %d recipients, one post each of %d delivered + %d spamreport",
			o.spikes, spikeRecipients, spikeRecipients, spikeComplaints)
		if err := b.spike(ctx); err != nil {
			return err
		}
	}
	if o.only["pause"] {
		heading("pause under load: %d runs × %d pauses of a campaign sending beside another, %d dispatchers each, with the webhook storing signed batches",
			o.pauseRuns, pausesPerRun, pauseClaimers)
		if err := b.pauseLoad(ctx); err != nil {
			return err
		}
	}
	if o.only["list"] {
		heading("campaign list: statements per page at 1 and %d campaigns", listCampaigns)
		if err := b.list(ctx); err != nil {
			return err
		}
	}
	if o.only["assess"] {
		heading("assessment (blast radius) of a %s-recipient campaign with %s events",
			thousands(int64(o.assessRecipients)), thousands(int64(eventsPerRcpt*o.assessRecipients)))
		if err := b.assess(ctx); err != nil {
			return err
		}
	}
	if o.only["affected"] {
		heading("who received it: the CSV export of a %s-recipient campaign through the HTTP handler",
			thousands(int64(o.assessRecipients)))
		if err := b.affected(ctx); err != nil {
			return err
		}
	}
	if o.only["apology"] {
		heading("apology fan-out to %s affected recipients: Send (preflight + snapshot) and the handoff (%d dispatchers, batch %d), %d runs",
			thousands(int64(o.rows)), o.apologyWorkers, campaign.BatchSize, o.apologyRuns)
		if err := b.apology(ctx); err != nil {
			return err
		}
	}
	if o.only["monitoring"] {
		heading("monitoring tick (step 6): %s brands with a watching window, %d sends in each window, 30 days of history; against %s brands",
			thousands(int64(o.monitorBrands)), monitorSendsPerBrand, thousands(int64(max(1, o.monitorBrands/10))))
		if err := b.monitor(ctx); err != nil {
			return err
		}
	}
	fmt.Printf("\nfbbench done in %s\n", secs(time.Since(began)))
	return nil
}

// service is the real campaign service over the timed store and adapter;
// batchSize 0 is the default (1000).
func (b *bench) service(batchSize int) *campaign.Service {
	return campaign.NewService(b.repo, b.sender, b.client, noJobs{}, campaign.Config{
		DefaultSendBuffer: sendBuffer * time.Second, BatchSize: batchSize,
		PublicURL: "https://firebreak.bench.example", UnsubscribeKey: b.key, Log: b.log})
}

// goal says whether a figure met its goal, when the run is the full size.
func (b *bench) goal(ok bool, what string) string {
	if b.opt.rows != goalRows {
		return ""
	}
	if ok {
		return "   goal " + what + ": met"
	}
	return "   goal " + what + ": MISSED"
}

// profiler starts a CPU profile when --cpuprofile is set and returns its stop.
func (b *bench) profiler() func() func() { return b.profilerTo(b.opt.cpuprofile) }

// profilerTo is profiler writing to path (nothing when --cpuprofile is unset).
func (b *bench) profilerTo(path string) func() func() {
	if b.opt.cpuprofile == "" {
		return nil
	}
	return func() func() {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fbbench: cpuprofile:", err)
			return func() {}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "fbbench: cpuprofile:", err)
			f.Close()
			return func() {}
		}
		return func() { pprof.StopCPUProfile(); f.Close() }
	}
}
