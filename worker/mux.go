// Package worker is Firebreak's asynq layer: the one handler table (this file),
// one file per task family, the periodic scheduler and the runner that starts
// and drains them. Handlers are idempotent (delivery is at least once) and take
// their truth from Postgres.
package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/esp"
	"github.com/firebreak/firebreak/domain/suppression"
	"github.com/firebreak/firebreak/worker/tasks"
)

// Purger is the storage the maintenance task needs.
type Purger interface {
	PurgeExpired(ctx context.Context, now time.Time, keep time.Duration) (int64, error)
}

// SuppressionSyncer copies SendGrid's suppression lists (suppression.Syncer).
type SuppressionSyncer interface {
	Sync(ctx context.Context) (suppression.SyncResult, error)
}

// Deps are what the handlers need.
type Deps struct {
	Log        *slog.Logger
	Purger     Purger
	Campaigns  Campaigns
	Reconciler Reconciler
	Jobs       campaign.Jobs
	Syncer     SuppressionSyncer
	Incidents  Escalator
	Detector   Detector
	// Communications hands step-5 messages over (nil: their tasks are dropped).
	Communications Communications
	// IncidentReconciler re-runs detection and escalation checks from Postgres.
	IncidentReconciler func(ctx context.Context) error
	// Monitor is step 6's tick (nil: the task is a no-op).
	Monitor Monitor
}

// Escalator runs an incident's escalation check (incident.Service).
type Escalator interface {
	Escalate(ctx context.Context, incidentID string) error
}

// NewMux is the one handler table.
func NewMux(d Deps) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.HandleFunc(tasks.TypeMaintenancePurge, maintenance{d}.purge)
	ct := campaignTasks{d}
	mux.HandleFunc(tasks.TypeCampaignHandoff, ct.handoff)
	mux.HandleFunc(tasks.TypeCampaignESPSync, ct.espSync)
	mux.HandleFunc(tasks.TypeCommunicationHandoff, communicationHandoff(d.Communications))
	mux.HandleFunc(tasks.TypeCommunicationDetect, communicationDetect(d.Communications))
	mux.HandleFunc(tasks.TypeMaintenanceReconcile, ct.reconcile)
	mux.HandleFunc(tasks.TypeCampaignReconcile, ct.reconcile) // the old name, for tasks still queued
	mux.HandleFunc(tasks.TypeIncidentEscalate, func(ctx context.Context, t *asynq.Task) error {
		var p tasks.IncidentPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.IncidentID == "" {
			return fmt.Errorf("bad payload: %w", asynq.SkipRetry)
		}
		return d.Incidents.Escalate(ctx, p.IncidentID)
	})
	mux.HandleFunc(tasks.TypeIncidentDetect, incidentTasks{d}.detect)
	mux.HandleFunc(tasks.TypeMonitoringTick, monitoringTick(d.Monitor))
	mux.HandleFunc(tasks.TypeSuppressionSync, func(ctx context.Context, _ *asynq.Task) error {
		res, err := d.Syncer.Sync(ctx)
		if err == nil {
			d.Log.InfoContext(ctx, "suppression lists synced from SendGrid", "fetched", res.Fetched(), "added", res.Added())
		}
		if esp.KindOf(err) == esp.Permanent {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		return err
	})
	return mux
}

// Periodic is the scheduler's table: cron spec → task.
func Periodic() map[string]*asynq.Task {
	return map[string]*asynq.Task{
		"@every 10m": tasks.NewMaintenancePurge(),
		"@every 15s": tasks.NewReconcile(),
		"@every 1h":  tasks.NewSuppressionSync(),
		"@every 30s": tasks.NewMonitoringTick(),
	}
}
