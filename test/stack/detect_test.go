package stack_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/internal/sgsim"
)

// spikePost is the post that crosses the complaint-spike rule (≥ 0.3 % of
// ≥ 200 delivered) for a campaign sent to msgs: all delivered, 2 spam reports.
func spikePost(msgs []sgsim.Message) []map[string]any {
	var evs []map[string]any
	for i, m := range msgs {
		evs = append(evs, ev(m, "delivered", 100, nil))
		if i < 2 {
			evs = append(evs, ev(m, "spamreport", 200, nil))
		}
	}
	return evs
}

// pausedByDetection reads Postgres and the simulator (the API may be down):
// the campaign paused on both planes, with exactly one incident, opened by
// detection and marked paused.
func pausedByDetection(t *testing.T, s *stack, id, batchID string) bool {
	t.Helper()
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status, espState string
	var incidents int
	if err := db.QueryRow(`SELECT status, esp_state, (SELECT count(*) FROM incidents i
		WHERE i.campaign_id = c.id AND i.source = 'webhook' AND i.paused_at IS NOT NULL)
		FROM campaigns c WHERE id = $1`, id).Scan(&status, &espState, &incidents); err != nil {
		t.Fatal(err)
	}
	return status == "paused" && espState == "paused" && incidents == 1 && s.sim.BatchStatus(batchID) == "pause"
}

// TestWebhookDetectionIsATaskThatOutlivesTheAPIProcess: with the API and the
// worker as separate processes and no worker running, the spike's detection is
// in Redis when the webhook answers 2xx (one incident:detect task on the
// critical queue, naming the campaign), so it survives the process that
// answered: the API stops, a worker started afterwards opens the incident and
// pauses the campaign at once, well before its reconciler's first run (15 s).
func TestWebhookDetectionIsATaskThatOutlivesTheAPIProcess(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := startStack(t, stackOpts{mode: "api", sim: sgsim.Config{PrivateKey: key}})
	h := &hook{t: t, s: s, key: key}
	w := startWorker(t, s)
	id, msgs := sentCampaign(t, s, 300)
	batchID := s.get(id).BatchID
	_ = w.Process.Signal(syscall.SIGTERM) // no worker from here on
	_, _ = w.Process.Wait()

	if code, a := h.post(spikePost(msgs)); code != 200 || a.Stored != 302 {
		t.Fatalf("spike post: %d %+v", code, a)
	}
	opt, err := asynq.ParseRedisURI(s.env.env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	ins := asynq.NewInspector(opt)
	defer ins.Close()
	pending, err := ins.ListPendingTasks("critical")
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) { // no queue: nothing was ever queued on it
		t.Fatalf("list critical tasks: %v", err)
	}
	var detect []string
	for _, ti := range pending {
		if ti.Type == "incident:detect" {
			var p struct {
				CampaignID string `json:"campaign_id"`
			}
			_ = json.Unmarshal(ti.Payload, &p)
			detect = append(detect, p.CampaignID)
		}
	}
	if len(detect) != 1 || detect[0] != id {
		t.Fatalf("after the 2xx Redis holds incident:detect tasks for %v, want exactly one for %s", detect, id)
	}

	s.stop() // the process that answered the webhook is gone
	start := time.Now()
	startWorker(t, s)
	s.waitFor("the later worker to pause the campaign", 8*time.Second, func() bool { return pausedByDetection(t, s, id, batchID) })
	t.Logf("paused %s after the worker started", time.Since(start).Round(time.Millisecond))
}

// TestWebhookAnswers2xxWithRedisDownAndTheReconcilerCatchesUp: with Redis
// down, the webhook still answers 2xx at once for events it made durable
// (detection cannot be queued); once Redis is back, the reconciler re-derives
// the detection from Postgres: one incident, the campaign paused on both planes.
func TestWebhookAnswers2xxWithRedisDownAndTheReconcilerCatchesUp(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := startStack(t, stackOpts{sim: sgsim.Config{PrivateKey: key}})
	h := &hook{t: t, s: s, key: key}
	id, msgs := sentCampaign(t, s, 300)
	batchID := s.get(id).BatchID
	_, portStr, _ := net.SplitHostPort(s.redis.Addr())
	port, _ := strconv.Atoi(portStr)
	if err := s.redis.Stop(); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	code, a := h.post(spikePost(msgs))
	if took := time.Since(start); code != 200 || a.Stored != 302 || took > 3*time.Second {
		t.Fatalf("spike post with Redis down: %d %+v after %s; want 200 with 302 stored, at once", code, a, took)
	}
	if n := h.storedEvents(); n != 302 {
		t.Fatalf("%d events stored, want 302", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rd, err := devstack.StartRedis(ctx, devstack.RedisConfig{Dir: t.TempDir(), Port: port}) // back, empty
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(); _ = rd.Stop() }) // firebreak first, as startStack's cleanup does
	s.waitFor("the reconciler to pause the campaign", 45*time.Second, func() bool { return pausedByDetection(t, s, id, batchID) })
	if n := len(s.incidents("open")); n != 1 {
		t.Fatalf("%d open incidents, want 1", n)
	}
}
