package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/internal/testenv"
	"github.com/firebreak/firebreak/runbooks"
	"github.com/firebreak/firebreak/worker"
	"github.com/firebreak/firebreak/worker/tasks"
)

// spikeRecipients delivered and spikeComplaints spam reports cross the
// shipped complaint-spike rule (≥ 0.3 % of ≥ 200 delivered): 2/300 = 0.67 %.
const (
	spikeRecipients = 300
	spikeComplaints = 2
)

// detectFixture is a sent campaign (its recipients handed to the SendGrid
// simulator, send_at 15 minutes ahead, so it can still be paused) and the
// services as serve wires them, over real Postgres and the simulator.
type detectFixture struct {
	t          *testing.T
	st         *postgres.Store
	sim        *sgsim.Sim
	campaign   string
	batch      string
	recipients []string
	incidents  *incident.Service
	log        *slog.Logger
}

func newDetectFixture(t *testing.T, jobs campaign.Jobs, now func() time.Time) *detectFixture {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &detectFixture{t: t, st: st, sim: sgsim.New(sgsim.Config{AllowUnknownBatch: true}), batch: "spike-batch",
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(f.sim)
	t.Cleanup(srv.Close)
	db := st.SQL()
	var brand string
	if err := db.QueryRowContext(ctx, `INSERT INTO brands (name, from_email) VALUES ('B', 'b@x.io') RETURNING id`).Scan(&brand); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO campaigns (name, brand_id, subject, html, segments, send_buffer_seconds,
		status, batch_id, audience, handed_to_esp, send_started_at, finished_at)
		VALUES ('spike', $1, 'S', 'hi', ARRAY['a'], 900, 'sent', $2, $3, $3, now(), now()) RETURNING id`,
		brand, f.batch, spikeRecipients).Scan(&f.campaign); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `WITH r AS (INSERT INTO recipients (email)
			SELECT 'r' || g || '@x.io' FROM generate_series(1, $2::int) g RETURNING id, email)
		INSERT INTO campaign_recipients (campaign_id, recipient_id, email, segments, message_id, state, handed_at, send_at)
		SELECT $1, id, email, ARRAY['a'], 'm-' || email, 'handed', now(), now() + interval '15 minutes' FROM r`,
		f.campaign, spikeRecipients); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT recipient_id::text FROM campaign_recipients WHERE campaign_id = $1`, f.campaign)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		f.recipients = append(f.recipients, id)
	}
	sg := sendgrid.New(sendgrid.Config{APIKey: "SG.test", BaseURL: srv.URL})
	campaigns := campaign.NewService(st, sg, sg, jobs, campaign.Config{Log: f.log})
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		t.Fatal(err)
	}
	f.incidents = incident.NewService(incident.Deps{Repo: st, Campaigns: campaigns, Runbooks: set, Now: now, Log: f.log})
	return f
}

// post is a decoded Event Webhook post of the campaign: delivered events for
// recipients [from, to), and complaints spam reports among them.
func (f *detectFixture) post(from, to, complaints int) []event.Event {
	f.t.Helper()
	var raw []map[string]any
	for i := from; i < to; i++ {
		e := map[string]any{"email": fmt.Sprintf("r%d@x.io", i+1), "timestamp": time.Now().Add(-time.Minute).Unix(),
			"sg_message_id": fmt.Sprintf("m-%d.filter", i), "firebreak_campaign_id": f.campaign,
			"firebreak_recipient_id": f.recipients[i]}
		d := map[string]any{"event": "delivered", "sg_event_id": fmt.Sprintf("d-%d", i)}
		for k, v := range e {
			d[k] = v
		}
		raw = append(raw, d)
		if i-from < complaints {
			s := map[string]any{"event": "spamreport", "sg_event_id": fmt.Sprintf("s-%d", i)}
			for k, v := range e {
				s[k] = v
			}
			raw = append(raw, s)
		}
	}
	body, _ := json.Marshal(raw)
	evs, err := sendgrid.Decode(body, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

// pausedByDetection reports whether the campaign is paused on both planes
// (Firebreak's dispatcher and SendGrid's batch) with exactly one incident,
// opened by the webhook's detection rules and marked paused.
func (f *detectFixture) pausedByDetection() (bool, string) {
	f.t.Helper()
	ctx := context.Background()
	var status, espState string
	if err := f.st.SQL().QueryRowContext(ctx, `SELECT status, esp_state FROM campaigns WHERE id = $1`, f.campaign).
		Scan(&status, &espState); err != nil {
		f.t.Fatal(err)
	}
	incs, err := f.st.ListIncidents(ctx, "", f.campaign)
	if err != nil {
		f.t.Fatal(err)
	}
	got := fmt.Sprintf("status %s, esp_state %s, SendGrid batch %q, %d incidents", status, espState,
		f.sim.BatchStatus(f.batch), len(incs))
	ok := status == "paused" && espState == "paused" && f.sim.BatchStatus(f.batch) == "pause" && len(incs) == 1 &&
		incs[0].Source == incident.SourceWebhook && incs[0].PausedAt != nil
	return ok, got
}

func (f *detectFixture) waitPaused(d time.Duration) {
	f.t.Helper()
	var got string
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		var ok bool
		if ok, got = f.pausedByDetection(); ok {
			return
		}
	}
	f.t.Fatalf("not paused by detection within %s: %s", d, got)
}

// runWorker runs the worker on r until the test ends.
func runWorker(t *testing.T, redisURL string, d worker.Deps) {
	t.Helper()
	opt, _ := asynq.ParseRedisURI(redisURL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- worker.Run(ctx, worker.RunConfig{Redis: opt, Shutdown: 5 * time.Second, Log: d.Log}, worker.NewMux(d))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker.Run: %v", err)
		}
	})
}

// TestReconcilerDetectsASpikeWhoseDetectionWasLostDuringARedisOutage: the
// webhook committed a spike, but its detection never ran (Redis was down, so
// neither the task nor the reconciler could run) for longer than the
// reconciler's overlap. When Redis is back, the first reconcile still opens the
// incident and pauses the campaign from what Postgres holds.
func TestReconcilerDetectsASpikeWhoseDetectionWasLostDuringARedisOutage(t *testing.T) {
	ctx := context.Background()
	rd := testenv.Redis(t)
	opt, _ := asynq.ParseRedisURI(rd.URL())
	client := asynq.NewClient(opt)
	defer client.Close()
	jobs := tasks.NewEnqueuer(client)
	f := newDetectFixture(t, jobs, nil)
	// The spike arrived ten minutes ago; nothing ran its detection since.
	events := event.NewService(f.st, nil, func() time.Time { return time.Now().Add(-10 * time.Minute) })
	if _, err := events.Ingest(ctx, f.post(0, spikeRecipients, spikeComplaints)); err != nil {
		t.Fatal(err)
	}
	if ok, got := f.pausedByDetection(); ok {
		t.Fatalf("setup: paused before the reconciler ran: %s", got)
	}
	runWorker(t, rd.URL(), worker.Deps{Log: f.log, Reconciler: f.st, Jobs: jobs,
		IncidentReconciler: func(ctx context.Context) error { return f.incidents.Reconcile(ctx, f.st) }})
	if _, err := client.Enqueue(tasks.NewReconcile()); err != nil {
		t.Fatal(err)
	}
	f.waitPaused(15 * time.Second)
}

// TestABurstOfBatchesQueuesOneDetectionWhoseHandlerPauses: three webhook
// batches of one campaign committed within one DetectWindow queue a single
// incident:detect task on the critical queue (the later enqueues join it: same
// task id). Nothing is paused until a worker runs; the worker's handler then
// opens the incident and pauses the campaign on both planes, and finishes
// (nothing left to retry). A later window's task runs again and changes
// nothing: still one incident.
func TestABurstOfBatchesQueuesOneDetectionWhoseHandlerPauses(t *testing.T) {
	ctx := context.Background()
	rd := testenv.Redis(t)
	opt, _ := asynq.ParseRedisURI(rd.URL())
	client := asynq.NewClient(opt)
	defer client.Close()
	at := time.Now().Truncate(tasks.DetectWindow)
	jobs := tasks.NewEnqueuer(client).WithClock(func() time.Time { return at })
	f := newDetectFixture(t, jobs, nil)
	events := event.NewService(f.st, jobs, nil)
	for _, b := range [][]event.Event{f.post(0, 100, 0), f.post(100, 200, 0), f.post(200, spikeRecipients, spikeComplaints)} {
		res, err := events.Ingest(ctx, b)
		if err != nil || res.DetectionErr != nil || len(res.Campaigns) != 1 {
			t.Fatalf("ingest: %v, %+v", err, res)
		}
	}
	ins := asynq.NewInspector(opt)
	defer ins.Close()
	pending, err := ins.ListPendingTasks(tasks.QueueCritical)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].Type != tasks.TypeIncidentDetect ||
		string(pending[0].Payload) != `{"campaign_id":"`+f.campaign+`"}` {
		t.Fatalf("critical queue after the burst: %+v, want one %s task for %s", pending, tasks.TypeIncidentDetect, f.campaign)
	}
	if ok, got := f.pausedByDetection(); ok {
		t.Fatalf("paused before any worker ran: %s", got)
	}

	runWorker(t, rd.URL(), worker.Deps{Log: f.log, Incidents: f.incidents, Detector: f.incidents})
	f.waitPaused(10 * time.Second)
	processed := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(25 * time.Millisecond) {
			q, err := ins.GetQueueInfo(tasks.QueueCritical)
			if err != nil {
				t.Fatal(err)
			}
			if q.Processed >= n && q.Size == 0 {
				if q.Failed != 0 {
					t.Fatalf("critical queue %+v: a detection task failed", q)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("critical queue %+v: want %d processed and nothing left", q, n)
			}
		}
	}
	processed(1)

	at = at.Add(tasks.DetectWindow) // a later window: SendGrid retried, or a new batch
	if err := jobs.Detect(ctx, []string{f.campaign}); err != nil {
		t.Fatal(err)
	}
	processed(2)
	if ok, got := f.pausedByDetection(); !ok {
		t.Fatalf("after a repeated detection: %s", got)
	}
}
