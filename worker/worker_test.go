package worker_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/internal/testenv"
	"github.com/firebreak/firebreak/worker"
	"github.com/firebreak/firebreak/worker/tasks"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestPurgeTaskRunsThroughAsynq enqueues the maintenance task on real Redis and
// checks that the worker removed the expired session from real Postgres.
func TestPurgeTaskRunsThroughAsynq(t *testing.T) {
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	past := time.Now().Add(-48 * time.Hour)
	svc := user.NewService(st, user.DefaultLimits, time.Hour, func() time.Time { return past })
	if _, err := svc.AddUser(ctx, audit.CLI, user.NewUser{Email: "p@example.com", Name: "P", Roles: []string{"legal"}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.Login(ctx, "p@example.com", "correct horse battery", "::1", "t"); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := st.SQL().QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatalf("count sessions: %v", err)
		}
		return n
	}
	if count() != 1 {
		t.Fatal("setup: want one (expired) session")
	}

	rd := testenv.Redis(t)
	opt, _ := asynq.ParseRedisURI(rd.URL())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- worker.Run(wctx, worker.RunConfig{Redis: opt, Shutdown: 5 * time.Second, Log: log},
			worker.NewMux(worker.Deps{Log: log, Purger: st}))
	}()
	client := asynq.NewClient(opt)
	defer client.Close()
	if _, err := client.Enqueue(tasks.NewMaintenancePurge()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for count() != 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker.Run: %v", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("expired session still there after the purge task: %d", n)
	}
}

// reconcilerSpy is the reconciler's storage with nothing to do, counting the
// in-doubt confirmations it is asked for.
type reconcilerSpy struct{ confirmed chan struct{} }

func (r reconcilerSpy) AbandonExpired(context.Context, time.Time) (int, error) { return 0, nil }
func (r reconcilerSpy) Sending(context.Context) ([]string, error)              { return nil, nil }
func (r reconcilerSpy) ESPRetryDue(context.Context) ([]string, error)          { return nil, nil }
func (r reconcilerSpy) ConfirmInDoubt(context.Context) (int, error) {
	r.confirmed <- struct{}{}
	return 0, nil
}

// TestReconcileConfirmsInDoubtRecipients runs the reconciler task through
// asynq and checks that it asks the store to settle in-doubt recipients from
// SendGrid's events (the store's own test checks what that moves).
func TestReconcileConfirmsInDoubtRecipients(t *testing.T) {
	rd := testenv.Redis(t)
	opt, _ := asynq.ParseRedisURI(rd.URL())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	spy := reconcilerSpy{confirmed: make(chan struct{}, 1)}
	wctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- worker.Run(wctx, worker.RunConfig{Redis: opt, Shutdown: 5 * time.Second, Log: log},
			worker.NewMux(worker.Deps{Log: log, Reconciler: spy}))
	}()
	client := asynq.NewClient(opt)
	defer client.Close()
	if _, err := client.Enqueue(tasks.NewReconcile()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-spy.confirmed:
	case <-time.After(15 * time.Second):
		t.Fatal("the reconciler did not try to confirm in-doubt recipients")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker.Run: %v", err)
	}
}

// reconciles counts the reconciler's runs (its first step); the campaigns it
// reports are none, so nothing is enqueued.
type reconciles struct{ runs atomic.Int64 }

func (r *reconciles) AbandonExpired(context.Context, time.Time) (int, error) {
	r.runs.Add(1)
	return 0, nil
}
func (r *reconciles) Sending(context.Context) ([]string, error)     { return nil, nil }
func (r *reconciles) ESPRetryDue(context.Context) ([]string, error) { return nil, nil }
func (r *reconciles) ConfirmInDoubt(context.Context) (int, error)   { return 0, nil }

// TestReconcileRunsUnderItsNewAndItsOldName: the periodic reconciler (campaign
// handoffs, ESP retries and incidents) is maintenance:reconcile, and a
// campaign:reconcile task that the previous release left queued in Redis still
// runs it, incident half included.
func TestReconcileRunsUnderItsNewAndItsOldName(t *testing.T) {
	scheduled := map[string]bool{}
	for _, task := range worker.Periodic() {
		scheduled[task.Type()] = true
	}
	if !scheduled["maintenance:reconcile"] || scheduled["campaign:reconcile"] {
		t.Fatalf("the periodic tasks are %v: want maintenance:reconcile, not campaign:reconcile", scheduled)
	}
	rd := testenv.Redis(t)
	opt, _ := asynq.ParseRedisURI(rd.URL())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	client := asynq.NewClient(opt)
	defer client.Close()
	for _, typ := range []string{"maintenance:reconcile", "campaign:reconcile"} {
		t.Run(typ, func(t *testing.T) {
			rec := &reconciles{}
			var incidents atomic.Int64
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- worker.Run(ctx, worker.RunConfig{Redis: opt, Shutdown: 5 * time.Second, Log: log},
					worker.NewMux(worker.Deps{Log: log, Reconciler: rec,
						IncidentReconciler: func(context.Context) error { incidents.Add(1); return nil }}))
			}()
			if _, err := client.Enqueue(asynq.NewTask(typ, nil), asynq.Queue(tasks.QueueCritical), asynq.MaxRetry(0)); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(15 * time.Second); incidents.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("worker.Run: %v", err)
			}
			if rec.runs.Load() == 0 || incidents.Load() == 0 {
				t.Fatalf("a %s task ran the campaign reconciler %d times and the incident reconciler %d times, want both",
					typ, rec.runs.Load(), incidents.Load())
			}
		})
	}
}
