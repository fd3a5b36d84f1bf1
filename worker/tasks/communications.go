package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/communication"
)

// TypeCommunicationHandoff hands a sending communication's snapshot to
// SendGrid (bulk queue, like campaign:handoff).
const TypeCommunicationHandoff = "communication:handoff"

// CommunicationPayload names a communication; Slot tells a communication's
// parallel handoff tasks apart (as CampaignPayload's), so each is unique on
// its own.
type CommunicationPayload struct {
	CommunicationID string `json:"communication_id"`
	Slot            int    `json:"slot,omitempty"`
}

var _ communication.Jobs = (*Enqueuer)(nil)

// HandOffCommunication starts HandoffParallelism handoff tasks for the
// communication now, as HandOff does for a campaign: each claims its own
// recipients (SKIP LOCKED), so they never send the same one, and a 1M apology
// is handed over by as many dispatchers as a campaign. Each slot is unique for
// a short while only: a killed worker's task must not block a restart, and an
// extra task is harmless (claims never overlap).
func (e *Enqueuer) HandOffCommunication(ctx context.Context, communicationID string) error {
	for i := range HandoffParallelism {
		b, _ := json.Marshal(CommunicationPayload{CommunicationID: communicationID, Slot: i})
		if err := e.enqueue(ctx, asynq.NewTask(TypeCommunicationHandoff, b), asynq.Queue(QueueBulk),
			asynq.Unique(20*time.Second), asynq.MaxRetry(25), asynq.Timeout(2*time.Hour)); err != nil {
			return fmt.Errorf("enqueue communication handoff %s: %w", communicationID, err)
		}
	}
	return nil
}

// TypeCommunicationDetect runs the deliverability-spike rules on one
// communication after a committed webhook batch changed its counters
// (critical queue: a halt must not wait behind the bulk handoffs).
const TypeCommunicationDetect = "communication:detect"

// NewCommunicationDetect is the spike detection task of a communication whose
// counters changed at (the enqueue time); coalesced per communication and
// DetectWindow as NewIncidentDetect, and re-derived by the reconciler for the
// communications that are sending.
func NewCommunicationDetect(communicationID string, at time.Time) *asynq.Task {
	b, _ := json.Marshal(CommunicationPayload{CommunicationID: communicationID})
	return asynq.NewTask(TypeCommunicationDetect, b, asynq.Queue(QueueCritical), asynq.MaxRetry(5), asynq.Timeout(time.Minute),
		asynq.TaskID(fmt.Sprintf("communication:detect:%s:%d", communicationID, at.Truncate(DetectWindow).UnixMilli())))
}

// DetectCommunications enqueues the spike detection of each communication (as
// Detect for campaigns); it stops at the first it cannot enqueue.
func (e *Enqueuer) DetectCommunications(ctx context.Context, communicationIDs []string) error {
	at := e.now()
	for _, id := range communicationIDs {
		if err := e.enqueue(ctx, NewCommunicationDetect(id, at)); err != nil {
			return fmt.Errorf("enqueue detection of communication %s: %w", id, err)
		}
	}
	return nil
}
