package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/worker/tasks"
)

// RunConfig sizes the worker.
type RunConfig struct {
	Redis       asynq.RedisConnOpt
	Concurrency int           // default 10
	Shutdown    time.Duration // how long running tasks may finish before they are re-queued
	Scheduler   bool          // also run the periodic scheduler
	Log         *slog.Logger
}

// taskCheckInterval is how often an idle worker looks for new tasks.
const taskCheckInterval = 100 * time.Millisecond

// Run processes tasks (and, when asked, schedules the periodic ones) until ctx
// is done, then drains: running tasks get cfg.Shutdown to finish and the rest
// go back to their queue, so nothing is lost on SIGTERM.
func Run(ctx context.Context, cfg RunConfig, mux *asynq.ServeMux) error {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	srv := asynq.NewServer(cfg.Redis, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          tasks.QueueWeights,
		ShutdownTimeout: cfg.Shutdown,
		// asynq polls for new tasks while its queues are empty (no blocking
		// pop); at its default of 1 s (0.5–1.5 s with jitter) an idle worker
		// alone would take longer to start a detection task than the whole
		// spike-to-pause goal of 1 s. One poll per 100 ms is no load for Redis.
		TaskCheckInterval: taskCheckInterval,
		RetryDelayFunc:    retryDelay,
		Logger:            asynqLogger{cfg.Log},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			cfg.Log.ErrorContext(ctx, "task failed", "task_type", t.Type(), "task_id", id, "err", err.Error())
		}),
	})
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	var sched *asynq.Scheduler
	if cfg.Scheduler {
		sched = asynq.NewScheduler(cfg.Redis, &asynq.SchedulerOpts{Logger: asynqLogger{cfg.Log}})
		for spec, task := range Periodic() {
			if _, err := sched.Register(spec, task); err != nil {
				srv.Shutdown()
				return fmt.Errorf("register periodic %s: %w", task.Type(), err)
			}
		}
		if err := sched.Start(); err != nil {
			srv.Shutdown()
			return fmt.Errorf("start scheduler: %w", err)
		}
	}
	cfg.Log.Info("worker started", "concurrency", cfg.Concurrency, "scheduler", cfg.Scheduler)
	<-ctx.Done()
	if sched != nil {
		sched.Shutdown()
	}
	srv.Shutdown()
	cfg.Log.Info("worker stopped")
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}

// asynqLogger routes asynq's own logging through slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }

// retryDelay backs off 1 s, 2 s, 4 s … capped at a minute, with jitter: the
// tasks that retry (SendGrid pauses, handoffs) are urgent, unlike asynq's
// default of minutes to hours.
func retryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	d := time.Second << min(n, 6)
	d = min(d, time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
