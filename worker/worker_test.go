package worker_test

import (
	"context"
	"io"
	"log/slog"
	"os"
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
		_ = st.SQL().QueryRow(`SELECT count(*) FROM sessions`).Scan(&n)
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
