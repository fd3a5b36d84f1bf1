// Package tasks names Firebreak's background tasks: type constants
// ("namespace:verb"), payloads, constructors, the queues they run on, and the
// Enqueuer. worker/ imports it for its handler table; the composition root
// hands the Enqueuer to the use-cases as their job ports (campaign.Jobs,
// incident.Jobs), so api/ and domain/ schedule work without importing asynq or
// this package — and api/ and worker/ never import each other.
//
// Payloads carry ids, never state: a handler re-reads Postgres, so a task that
// runs twice, late, or after Redis was flushed and the reconciler re-enqueued it
// does the right thing.
package tasks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Queues by urgency: critical work (pauses, escalations, incident triggers)
// never waits behind bulk work (handoff, fan-out). Weights are asynq priorities.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueBulk     = "bulk"
)

// QueueWeights is the asynq Config.Queues map.
var QueueWeights = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueBulk: 1}

// Task types.
const (
	// TypeMaintenancePurge deletes expired sessions and old sign-in failures.
	TypeMaintenancePurge = "maintenance:purge"
	// TypeMaintenanceReconcile re-derives pending work from Postgres: handoffs
	// of sending campaigns, failed ESP pauses, abandoned requests, and the
	// incidents' detection and escalation checks.
	TypeMaintenanceReconcile = "maintenance:reconcile"
	// TypeCampaignReconcile is TypeMaintenanceReconcile's name until this
	// release. The worker still handles it, so a task the previous release
	// left queued in Redis (or that its scheduler enqueues during a rolling
	// upgrade) runs the reconciler; nothing enqueues it any more. Remove it in
	// the release after this one.
	TypeCampaignReconcile = "campaign:reconcile"
)

// NewMaintenancePurge is the periodic purge. It has no payload; a run that
// overlaps another is harmless (DELETE of the same rows).
func NewMaintenancePurge() *asynq.Task {
	return asynq.NewTask(TypeMaintenancePurge, nil,
		asynq.Queue(QueueDefault), asynq.MaxRetry(3), asynq.Timeout(time.Minute))
}

// Campaign task types.
const (
	// TypeCampaignHandoff hands a sending campaign's pending recipients to SendGrid.
	TypeCampaignHandoff = "campaign:handoff"
	// TypeCampaignESPSync retries SendGrid's plane of a pause, resume or cancel.
	TypeCampaignESPSync = "campaign:esp-sync"
)

// CampaignPayload names a campaign (and, for handoffs, which parallel slot).
type CampaignPayload struct {
	CampaignID string `json:"campaign_id"`
	Slot       int    `json:"slot,omitempty"`
}

// HandoffParallelism is how many handoff tasks run at once for one campaign;
// each claims its own recipients, so they never send the same one.
const HandoffParallelism = 4

// Suppression task types.
const (
	// TypeSuppressionSync copies SendGrid's suppression lists into Firebreak's.
	TypeSuppressionSync = "suppression:sync"
)

// NewSuppressionSync is the periodic SendGrid suppression sync. No payload; the
// upserts are idempotent, so an overlapping or repeated run is harmless.
func NewSuppressionSync() *asynq.Task {
	return asynq.NewTask(TypeSuppressionSync, nil, asynq.Queue(QueueDefault), asynq.MaxRetry(3),
		asynq.Timeout(30*time.Minute), asynq.Unique(30*time.Minute))
}

// Incident task types.
const (
	// TypeIncidentEscalate checks whether an incident is still unacknowledged
	// at its deadline and escalates it.
	TypeIncidentEscalate = "incident:escalate"
	// TypeIncidentDetect runs the detection rules of one campaign after a
	// committed webhook batch changed its counters.
	TypeIncidentDetect = "incident:detect"
)

// DetectWindow is how long the detection tasks of one campaign coalesce: every
// batch committed in the same window enqueues the same task id, so a burst of
// posts costs one detection while that task is pending.
const DetectWindow = 250 * time.Millisecond

// NewIncidentDetect is the detection task of a campaign whose counters changed
// at (the enqueue time), on the critical queue. Its id is deterministic per
// campaign and DetectWindow, so an enqueue that conflicts joins a task that
// has not run yet. A batch committed while its window's task is already
// running may be missed by that run; the next batch's task or, at the latest,
// the reconciler (every 15 s, from Postgres) evaluates it. The payload is the
// campaign id alone: the handler re-reads the counters, so a late or repeated
// run is harmless.
func NewIncidentDetect(campaignID string, at time.Time) *asynq.Task {
	b, _ := json.Marshal(CampaignPayload{CampaignID: campaignID})
	return asynq.NewTask(TypeIncidentDetect, b, asynq.Queue(QueueCritical), asynq.MaxRetry(5), asynq.Timeout(time.Minute),
		asynq.TaskID(fmt.Sprintf("incident:detect:%s:%d", campaignID, at.Truncate(DetectWindow).UnixMilli())))
}

// IncidentPayload names an incident.
type IncidentPayload struct {
	IncidentID string `json:"incident_id"`
}

// Monitoring task types.
const (
	// TypeMonitoringTick judges every watching step-6 window (the periodic
	// scheduler, every 30 s).
	TypeMonitoringTick = "monitoring:tick"
)

// NewMonitoringTick is the periodic step-6 tick, on the critical queue (an
// alert pauses a send). No payload: the tick re-derives everything from
// Postgres, so a lost or repeated run is harmless; Unique keeps two from
// overlapping.
func NewMonitoringTick() *asynq.Task {
	return asynq.NewTask(TypeMonitoringTick, nil, asynq.Queue(QueueCritical), asynq.MaxRetry(0),
		asynq.Timeout(5*time.Minute), asynq.Unique(5*time.Minute))
}
