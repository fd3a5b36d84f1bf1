package worker_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/firebreak/firebreak/worker"
	"github.com/firebreak/firebreak/worker/tasks"
)

type ticks struct{ n atomic.Int32 }

func (t *ticks) Tick(context.Context) error { t.n.Add(1); return nil }

// TestMonitoringTickIsPeriodicAndHandled: monitoring:tick is on the
// scheduler's table every 30 s and the mux runs the monitor's Tick for it.
func TestMonitoringTickIsPeriodicAndHandled(t *testing.T) {
	task, ok := worker.Periodic()["@every 30s"]
	if !ok || task.Type() != tasks.TypeMonitoringTick || tasks.TypeMonitoringTick != "monitoring:tick" {
		t.Fatalf("periodic table: %v", worker.Periodic())
	}
	m := &ticks{}
	mux := worker.NewMux(worker.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Monitor: m})
	if err := mux.ProcessTask(context.Background(), tasks.NewMonitoringTick()); err != nil {
		t.Fatal(err)
	}
	if m.n.Load() != 1 {
		t.Errorf("ticks %d, want 1", m.n.Load())
	}
	// without a monitor wired the task is a no-op, not an error
	if err := worker.NewMux(worker.Deps{}).ProcessTask(context.Background(), tasks.NewMonitoringTick()); err != nil {
		t.Errorf("no monitor: %v", err)
	}
}
