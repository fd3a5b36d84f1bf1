package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/incident"
)

// Enqueuer schedules background work on asynq; it implements the domain's
// campaign.Jobs, incident.Jobs and event.Jobs ports. Deterministic task ids
// keep "exactly one pending" work: a conflict means the work is already
// queued, which is success.
type Enqueuer struct {
	client *asynq.Client
	now    func() time.Time
}

var (
	_ campaign.Jobs = (*Enqueuer)(nil)
	_ incident.Jobs = (*Enqueuer)(nil)
	_ event.Jobs    = (*Enqueuer)(nil)
)

// NewEnqueuer returns an Enqueuer over an asynq client.
func NewEnqueuer(c *asynq.Client) *Enqueuer { return &Enqueuer{client: c, now: time.Now} }

// WithClock returns a copy of e that reads the time from now; it decides the
// coalescing window of Detect (tests fix it).
func (e *Enqueuer) WithClock(now func() time.Time) *Enqueuer {
	c := *e
	c.now = now
	return &c
}

func payload(campaignID string, slot int) []byte {
	b, _ := json.Marshal(CampaignPayload{CampaignID: campaignID, Slot: slot})
	return b
}

func (e *Enqueuer) enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) error {
	_, err := e.client.EnqueueContext(ctx, t, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

// HandOff starts HandoffParallelism handoff tasks for the campaign now. Each
// slot is unique for a short while, not for as long as its task lives: a
// worker killed mid-handoff leaves its task "active" in Redis until asynq's
// lease recovery, and the reconciler must be able to restart the work before
// that. An extra task for a slot is harmless: claims never overlap.
func (e *Enqueuer) HandOff(ctx context.Context, campaignID string) error {
	for i := 0; i < HandoffParallelism; i++ {
		err := e.enqueue(ctx, asynq.NewTask(TypeCampaignHandoff, payload(campaignID, i)),
			asynq.Queue(QueueBulk), asynq.Unique(20*time.Second),
			asynq.MaxRetry(25), asynq.Timeout(2*time.Hour))
		if err != nil {
			return fmt.Errorf("enqueue handoff %s: %w", campaignID, err)
		}
	}
	return nil
}

// HandOffAt schedules one handoff task for the campaign at a time (the end of a
// canary's hold); it then fans out like HandOff.
func (e *Enqueuer) HandOffAt(ctx context.Context, campaignID string, at time.Time) error {
	return e.enqueue(ctx, asynq.NewTask(TypeCampaignHandoff, payload(campaignID, 0)),
		asynq.Queue(QueueBulk), asynq.ProcessAt(at), asynq.MaxRetry(25), asynq.Timeout(2*time.Hour),
		asynq.TaskID(fmt.Sprintf("handoff-at:%s:%d", campaignID, at.Unix())))
}

// RetryESP retries SendGrid's plane of the campaign's pause, resume or cancel
// on the critical queue, with asynq's backoff between attempts.
func (e *Enqueuer) RetryESP(ctx context.Context, campaignID string, after time.Duration) error {
	return e.enqueue(ctx, asynq.NewTask(TypeCampaignESPSync, payload(campaignID, 0)),
		asynq.Queue(QueueCritical), asynq.ProcessIn(after), asynq.MaxRetry(50), asynq.Timeout(30*time.Second),
		asynq.TaskID("esp-sync:"+campaignID))
}

// NewReconcile is the periodic reconciler task (TypeMaintenanceReconcile).
func NewReconcile() *asynq.Task {
	return asynq.NewTask(TypeMaintenanceReconcile, nil, asynq.Queue(QueueCritical), asynq.MaxRetry(0),
		asynq.Timeout(time.Minute), asynq.Unique(10*time.Second))
}

// EscalateAt schedules an escalation check of the incident at a time, on the
// critical queue; one pending check per incident and time.
func (e *Enqueuer) EscalateAt(ctx context.Context, incidentID string, at time.Time) error {
	b, _ := json.Marshal(IncidentPayload{IncidentID: incidentID})
	return e.enqueue(ctx, asynq.NewTask(TypeIncidentEscalate, b), asynq.Queue(QueueCritical), asynq.ProcessAt(at),
		asynq.MaxRetry(10), asynq.Timeout(time.Minute), asynq.TaskID(fmt.Sprintf("escalate:%s:%d", incidentID, at.Unix())))
}

// Detect enqueues the detection task of each campaign, one per campaign and
// DetectWindow (see NewIncidentDetect): the batches of a burst coalesce. It
// stops at the first campaign it cannot enqueue (Redis down): the caller's
// events are durable, and the reconciler re-derives their detection.
func (e *Enqueuer) Detect(ctx context.Context, campaignIDs []string) error {
	at := e.now()
	for _, id := range campaignIDs {
		if err := e.enqueue(ctx, NewIncidentDetect(id, at)); err != nil {
			return fmt.Errorf("enqueue detection of campaign %s: %w", id, err)
		}
	}
	return nil
}
