package worker_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/internal/testenv"
	"github.com/firebreak/firebreak/worker/tasks"
)

// TestCommunicationHandoffFansOutLikeACampaign: a send (or a resume, or the
// reconciler) queues HandoffParallelism handoff tasks for a communication on
// real Redis, one per slot, as for a campaign, so a 1M apology is handed over
// by as many dispatchers; queuing again within the uniqueness window adds
// none. Before, one communication:handoff task was queued and one dispatcher
// handed the whole snapshot over.
func TestCommunicationHandoffFansOutLikeACampaign(t *testing.T) {
	ctx := context.Background()
	rd := testenv.Redis(t)
	opt, err := asynq.ParseRedisURI(rd.URL())
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	jobs := tasks.NewEnqueuer(client)
	const id = "5b0f6c1e-8a51-4f1e-9a57-2f1f4f9e0c11"
	for range 2 {
		if err := jobs.HandOffCommunication(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	ins := asynq.NewInspector(opt)
	defer ins.Close()
	pending, err := ins.ListPendingTasks(tasks.QueueBulk)
	if err != nil {
		t.Fatal(err)
	}
	slots := map[int]bool{}
	for _, p := range pending {
		var pl tasks.CommunicationPayload
		if p.Type != tasks.TypeCommunicationHandoff || json.Unmarshal(p.Payload, &pl) != nil || pl.CommunicationID != id {
			t.Fatalf("bulk queue holds %s %s, want only %s tasks for %s", p.Type, p.Payload, tasks.TypeCommunicationHandoff, id)
		}
		slots[pl.Slot] = true
	}
	if len(pending) != tasks.HandoffParallelism || len(slots) != tasks.HandoffParallelism {
		t.Fatalf("bulk queue after two sends: %d handoff tasks over slots %v, want %d, one per slot",
			len(pending), slots, tasks.HandoffParallelism)
	}
}
