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

// CommunicationPayload names a communication.
type CommunicationPayload struct {
	CommunicationID string `json:"communication_id"`
}

var _ communication.Jobs = (*Enqueuer)(nil)

// HandOffCommunication queues the communication's handoff. Unique for a short
// while only, as HandOff: a killed worker's task must not block a restart, and
// an extra task is harmless (claims never overlap).
func (e *Enqueuer) HandOffCommunication(ctx context.Context, communicationID string) error {
	b, _ := json.Marshal(CommunicationPayload{CommunicationID: communicationID})
	if err := e.enqueue(ctx, asynq.NewTask(TypeCommunicationHandoff, b), asynq.Queue(QueueBulk),
		asynq.Unique(20*time.Second), asynq.MaxRetry(25), asynq.Timeout(2*time.Hour)); err != nil {
		return fmt.Errorf("enqueue communication handoff %s: %w", communicationID, err)
	}
	return nil
}
