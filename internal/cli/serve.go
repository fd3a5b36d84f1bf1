package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/hibiken/asynq"
	"github.com/pressly/goose/v3"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/firebreak/firebreak/adapter/notify"
	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/monitoring"
	"github.com/firebreak/firebreak/domain/postmortem"
	"github.com/firebreak/firebreak/domain/recipient"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/domain/suppression"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/frontend"
	"github.com/firebreak/firebreak/migrations"
	"github.com/firebreak/firebreak/runbooks"
	"github.com/firebreak/firebreak/worker"
	"github.com/firebreak/firebreak/worker/tasks"
)

type mode struct{ http, worker bool }

var (
	modeAll    = mode{http: true, worker: true}
	modeAPI    = mode{http: true}
	modeWorker = mode{worker: true}
)

func serveCommand(name, summary string, m mode) *command {
	return &command{
		name: name, summary: summary,
		run: func(e env, _ *flag.FlagSet, _ any) error {
			cfg, err := loadConfig(e.getenv, scopeServer)
			if err != nil {
				return err
			}
			return serve(e, cfg, m)
		},
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// serve wires the adapters and runs the HTTP server and/or the worker until the
// context ends (SIGINT/SIGTERM), then shuts down gracefully: the listener stops
// accepting, in-flight requests drain, running tasks finish or are re-queued.
func serve(e env, cfg Config, m mode) error {
	log := newLogger(cfg, e.stderr)
	log.Info("starting firebreak", append([]any{"http", m.http, "worker", m.worker}, cfg.masked()...)...)

	openCtx, cancel := context.WithTimeout(e.ctx, 15*time.Second)
	defer cancel()
	st, err := postgres.Open(openCtx, postgres.Config{DSN: cfg.DatabaseURL, MaxOpenConns: cfg.DBMaxConns})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := schemaCurrent(openCtx, st); err != nil {
		return err
	}
	rdbOpt, _ := redis.ParseURL(cfg.RedisURL)
	rdb := redis.NewClient(rdbOpt)
	defer rdb.Close()

	key, err := st.UnsubscribeKey(openCtx)
	if err != nil {
		return err
	}
	sg := sendgrid.New(sendgrid.Config{APIKey: cfg.SendGridAPIKey, BaseURL: cfg.SendGridAPIURL})
	aclient := asynq.NewClient(cfg.Redis)
	defer aclient.Close()
	jobs := tasks.NewEnqueuer(aclient)
	rbs, err := loadRunbookSet(cfg.RunbooksDir)
	if err != nil {
		return err
	}
	// Step 6: a watched brand's next campaigns take their canary from the watched incident's runbook.
	campaigns := campaign.NewService(st, sg, sg, jobs, campaign.Config{DefaultSendBuffer: cfg.SendBuffer, SendTimeout: cfg.SendTimeout,
		InDoubtWait: cfg.InDoubtWait, PublicURL: cfg.PublicURL, UnsubscribeKey: key, Runbooks: rbs, Log: log})

	metrics := api.NewMetrics()
	notifier := &notify.Notifier{Mail: sg, From: esp.Address{Email: cfg.NotifyFrom, Name: "Firebreak"}, SlackURL: cfg.SlackWebhookURL}
	incidents := incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: rbs, Jobs: jobs,
		Notifier: notifier, Observer: metrics, Log: log})
	// After each committed webhook batch, the detection rules run as an
	// incident:detect task (on the critical queue, off the request); the
	// reconciler repeats them, so a lost task or a Redis outage loses nothing.
	events := event.NewService(st, jobs, nil)
	// Step 5: a new draft starts from its runbook's template with the incident's facts filled in.
	comms := communication.NewService(communication.Deps{Repo: st, Incidents: st, Runbooks: rbs, Mail: sg, Sched: sg, Jobs: jobs,
		Drafter: communication.TemplateDrafter{Campaigns: st},
		Facts:   st, UnsubscribeURL: campaigns.UnsubscribeURL, // preflight, preview, branded one-click links
		Send:   communication.SendConfig{SendBuffer: cfg.SendBuffer, SendTimeout: cfg.SendTimeout},
		Review: st, Reviewers: st, Notifier: notifier, PublicURL: cfg.PublicURL}) // approvals and the reviewers' notifications
	// Step 6: resolving starts the watch window; the monitoring:tick task judges it.
	monitor := monitoring.NewService(monitoring.Deps{Store: st, Incidents: incidents, Campaigns: campaigns,
		Communications: comms, Runbooks: rbs, Users: st, Notifier: notifier, Log: log})
	incidents.SetWatcher(monitor)

	g, ctx := errgroup.WithContext(e.ctx)
	if m.worker {
		mux := worker.NewMux(worker.Deps{Log: log, Purger: st, Campaigns: campaigns, Reconciler: st, Jobs: jobs,
			Syncer: suppression.NewSyncer(sg, st, suppression.SyncConfig{}), Incidents: incidents, Detector: incidents, Communications: comms,
			Monitor: monitor,
			IncidentReconciler: func(ctx context.Context) error {
				if err := incidents.Reconcile(ctx, st); err != nil {
					return err
				}
				return comms.Reconcile(ctx) // abandoned communication requests, and their handoffs again
			}})
		g.Go(func() error {
			return worker.Run(ctx, worker.RunConfig{Redis: cfg.Redis, Concurrency: cfg.WorkerConc,
				Shutdown: cfg.ShutdownTimeout, Scheduler: true, Log: log}, mux)
		})
	}
	if m.http {
		inspector := asynq.NewInspector(cfg.Redis)
		defer inspector.Close()
		metrics.Registry.MustRegister(worker.NewQueueCollector(inspector))
		dist, built := frontend.Dist()
		users := user.NewService(st, user.DefaultLimits, cfg.SessionTTL, nil, user.WithSessionIdle(cfg.SessionIdle))
		h := api.New(api.Config{SecureCookies: cfg.SecureCookies, ImportLimit: cfg.ImportLimit, MetricsToken: cfg.MetricsToken,
			WebhookMaxConcurrent: cfg.WebhookMaxConcurrent, TrustedProxies: cfg.TrustedProxies}, api.Deps{
			Log: log, Users: users, Dashboard: dist, Built: built, Campaigns: campaigns,
			Recipients: recipient.NewService(st), Suppressions: suppression.NewService(st),
			Events: events, EventList: st, Quarantine: st, Webhook: sendgrid.Webhook{Key: cfg.WebhookPublicKey},
			Metrics: metrics, Incidents: incidents, Runbooks: rbs, Communications: comms, Monitoring: monitor,
			Reports: postmortem.NewService(postmortem.Deps{Incidents: incidents, Campaigns: campaigns,
				Communications: comms, People: users, Runbooks: rbs, Monitor: monitor}),
			Ready: []api.Check{
				{Name: "postgres", Ping: st.Ping},
				{Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
			},
		})
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s (FIREBREAK_ADDR): %w", cfg.Addr, err)
		}
		srv := api.Server(cfg.Addr, h)
		log.Info("listening", "addr", ln.Addr().String(), "url", "http://"+displayAddr(ln.Addr()), "dashboard_built", built)
		g.Go(func() error {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-ctx.Done()
			log.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout.String())
			sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	err = g.Wait()
	log.Info("stopped")
	return err
}

// loadRunbookSet reads FIREBREAK_RUNBOOKS_DIR, or the embedded runbooks, and
// validates them: a broken runbook stops start-up with its file and line.
func loadRunbookSet(dir string) (*runbook.Set, error) {
	var fsys fs.FS = runbooks.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	set, err := loadChecked(fsys)
	if err != nil {
		return nil, fmt.Errorf("runbooks: %w", err)
	}
	return set, nil
}

// schemaCurrent refuses to serve on a database whose schema is behind this
// binary, with the command that fixes it.
func schemaCurrent(ctx context.Context, st *postgres.Store) error {
	all, err := migrations.Status(ctx, st.SQL())
	if err != nil {
		return fmt.Errorf("read migration status: %w", err)
	}
	for _, m := range all {
		if m.State == goose.StatePending {
			return fmt.Errorf("the database schema is behind this binary (migration %d is pending): run `firebreak migrate up`: %w",
				m.Source.Version, errs.Unavailable)
		}
	}
	return nil
}

func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
