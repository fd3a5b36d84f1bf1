// Command fbbench measures Firebreak's two bulk paths on this machine and
// prints the figures: the streaming CSV import (COPY into a staging table, one
// upsert) and the campaign handoff (audience snapshot, then claim → mail/send
// → mark, from parallel dispatchers), against a private Postgres and a local
// sink that answers like SendGrid. It is `make bench`; the figures of a full
// run are kept in docs/benchmarks.md.
//
//	go run ./cmd/fbbench [--rows 1000000] [--naive-rows 10000] [--workers 4] [--cpuprofile FILE]
//
// Everything goes through the real code: devstack's Postgres, the goose
// migrations, store.Store, recipient.Service.Import, campaign.Service (Send and
// HandOff) and the sendgrid-go adapter over HTTP. Only the stopwatches around
// the store and the adapter are the benchmark's own. It is a program that
// prints figures, not a test: a missed goal is reported, never failed; only a
// handoff that breaks an invariant (a recipient not handed, or handed twice)
// exits non-zero.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp/sendgrid"
	"github.com/firebreak/firebreak/worker/tasks"
)

// The goals, for the full 1,000,000 rows.
const (
	goalRows    = 1_000_000
	importGoal  = 30 * time.Second
	handoffGoal = 60 * time.Second
	rssGoal     = 300_000_000
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fbbench:", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	rows, naiveRows, workers int
	cpuprofile               string
}

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
}

func run() (err error) {
	var o options
	flag.IntVar(&o.rows, "rows", goalRows, "rows in the imported CSV, and so recipients in the main handoff")
	flag.IntVar(&o.naiveRows, "naive-rows", 10_000, "recipients of the naive (one request per recipient) baseline")
	flag.IntVar(&o.workers, "workers", tasks.HandoffParallelism, "HandOff calls running at once (the worker's parallel handoff tasks)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the main handoff to `FILE`")
	flag.Parse()
	if o.rows < 1 || o.naiveRows < 1 || o.workers < 1 {
		return fmt.Errorf("--rows, --naive-rows and --workers must be positive")
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

	fmt.Printf("\n1. import of a %s-row CSV (generated while it is read, through an io.Pipe)\n", thousands(int64(o.rows)))
	for _, kind := range []string{"new rows", "same rows again, all updates"} {
		if err := b.importCSV(ctx, kind, o.rows, "r", "", true); err != nil {
			return err
		}
	}
	fmt.Printf("\n2. handoff of a %s-recipient audience, %d HandOff calls at once, batch %d\n",
		thousands(int64(o.rows)), o.workers, campaign.BatchSize)
	if err := b.mainHandoff(ctx); err != nil {
		return err
	}
	fmt.Printf("\n3. naive baseline: one request per recipient (BatchSize 1) against batches of %d, same %s recipients\n",
		campaign.BatchSize, thousands(int64(o.naiveRows)))
	if err := b.naive(ctx); err != nil {
		return err
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
func (b *bench) profiler() func() func() {
	if b.opt.cpuprofile == "" {
		return nil
	}
	return func() func() {
		f, err := os.Create(b.opt.cpuprofile)
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
