package fbbench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/event"
	"github.com/firebreak/firebreak/domain/incident"
	"github.com/firebreak/firebreak/domain/runbook"
	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/runbooks"
	"github.com/firebreak/firebreak/worker"
	"github.com/firebreak/firebreak/worker/tasks"
)

const (
	spikeGoal       = time.Second
	spikeRecipients = 300
	spikeComplaints = 2 // 2/300 = 0.67 % ≥ the 0.3 % complaint-spike rule, on ≥ 200 delivered
)

// pauseSink answers SendGrid's scheduled-sends API and notes when the pause
// for each batch id arrived.
type pauseSink struct {
	srv     *httptest.Server
	mu      sync.Mutex
	arrived map[string]time.Time
	wait    map[string]chan struct{}
}

func newPauseSink() *pauseSink {
	s := &pauseSink{arrived: map[string]time.Time{}, wait: map[string]chan struct{}{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		if r.Method != http.MethodPost || r.URL.Path != "/v3/user/scheduled_sends" {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var in struct {
			BatchID string `json:"batch_id"`
			Status  string `json:"status"`
		}
		_ = json.Unmarshal(body, &in)
		s.mu.Lock()
		if _, seen := s.arrived[in.BatchID]; !seen {
			s.arrived[in.BatchID] = at
			if ch := s.wait[in.BatchID]; ch != nil {
				close(ch)
			}
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	}))
	return s
}

// expect returns a channel closed when the pause for batchID arrives.
func (s *pauseSink) expect(batchID string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if _, seen := s.arrived[batchID]; seen {
		close(ch)
	}
	s.wait[batchID] = ch
	return ch
}

func (s *pauseSink) at(batchID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrived[batchID]
}

// spike measures, per campaign, the time from the webhook's 2xx for the batch
// that crosses the complaint threshold to SendGrid receiving the pause, with
// the services wired as internal/cli/serve.go wires them: the detection runs
// as an incident:detect task through a real Redis and asynq worker.
func (b *bench) spike(ctx context.Context) error {
	n := b.opt.spikes
	ps := newPauseSink()
	defer ps.srv.Close()
	sg := sendgrid.New(sendgrid.Config{APIKey: "SG.bench", BaseURL: ps.srv.URL})
	campaigns := campaign.NewService(b.st.store, sg, sg, noJobs{}, campaign.Config{DefaultSendBuffer: sendBuffer * time.Second,
		PublicURL: "https://firebreak.bench.example", UnsubscribeKey: b.key, Log: b.log})
	set, err := runbook.Load(runbooks.FS)
	if err != nil {
		return err
	}
	// Detection goes the production way: the webhook's event service enqueues
	// incident:detect on a private Redis, and the worker (worker.Run over the
	// real handler table) runs it. Notifier and Observer are nil: the service
	// checks before using them (nobody is notified); escalations are scheduled
	// in Redis as in production, due long after the benchmark ends.
	// The "detection rule fired" warning of every spike is left out of the output.
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	rd, err := devstack.StartRedis(ctx, devstack.RedisConfig{Dir: filepath.Join(b.st.dir, "redis")})
	if err != nil {
		return err
	}
	defer func() { _ = rd.Stop() }()
	ropt, err := asynq.ParseRedisURI(rd.URL())
	if err != nil {
		return err
	}
	aclient := asynq.NewClient(ropt)
	defer aclient.Close()
	jobs := tasks.NewEnqueuer(aclient)
	incidents := incident.NewService(incident.Deps{Repo: b.st.store, Campaigns: campaigns, Runbooks: set, Jobs: jobs, Log: quiet})
	events := event.NewService(b.st.store, jobs, nil)
	wctx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan error, 1)
	go func() {
		workerDone <- worker.Run(wctx, worker.RunConfig{Redis: ropt, Shutdown: 5 * time.Second, Log: quiet},
			worker.NewMux(worker.Deps{Log: quiet, Incidents: incidents, Detector: incidents}))
	}()
	defer func() { stopWorker(); <-workerDone }()
	priv, err := webhookKey()
	if err != nil {
		return err
	}
	srv := b.webhookServer(events, &priv.PublicKey)
	defer srv.Close()

	t0 := time.Now()
	type spikeCampaign struct {
		id, batch string
		post      signedPost
	}
	cs := make([]spikeCampaign, n)
	for k := range cs {
		prefix := fmt.Sprintf("s%03d-", k)
		c := &cs[k]
		c.batch = "bench-spike-batch-" + prefix
		if c.id, err = b.seedCampaign(ctx, "bench spike "+prefix, prefix, c.batch, spikeRecipients, seedSpec{}); err != nil {
			return err
		}
		rids, err := b.recipientIDs(ctx, c.id)
		if err != nil {
			return err
		}
		// Slot 1 (delivered) for everyone, then two spam reports.
		g := &evGen{n: spikeRecipients, prefix: prefix, campaignID: c.id, rids: rids, t0: time.Now().Add(-time.Hour).Unix()}
		body := []byte{'['}
		for i := range spikeRecipients {
			e := g.at(spikeRecipients + i)
			e.kind, e.bounceType, e.response = "delivered", "", "250 2.0.0 OK"
			body = append(g.appendJSON(body, e), ',')
		}
		for i := range spikeComplaints {
			e := genEvent{j: 10*spikeRecipients + i, i: 10 + i, kind: "spamreport", ts: g.t0 + 600}
			body = g.appendJSON(body, e)
			if i < spikeComplaints-1 {
				body = append(body, ',')
			}
		}
		body = append(body, "]\r\n"...)
		if c.post, err = sign(priv, body, spikeRecipients+spikeComplaints); err != nil {
			return err
		}
	}
	fmt.Printf("setup: %d sent campaigns of %d handed recipients each (SQL), send_at 15 min ahead, in %s\n",
		n, spikeRecipients, secs(time.Since(t0)))

	client := &http.Client{Timeout: time.Minute}
	var lat []time.Duration
	var post timer
	missing := 0
	b.meter.begin()
	for _, c := range cs {
		arrived := ps.expect(c.batch)
		req, err := c.post.request(ctx, srv.URL)
		if err != nil {
			return err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("spike post: %w", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ok := time.Now()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("spike post: HTTP %d: %s", resp.StatusCode, body)
		}
		post.add(ok.Sub(start))
		select {
		case <-arrived:
			lat = append(lat, ps.at(c.batch).Sub(ok))
		case <-time.After(10 * time.Second):
			missing++
		case <-ctx.Done():
			return ctx.Err()
		}
		time.Sleep(50 * time.Millisecond) // let the rest of Pause (ESP state, incident step) finish
	}
	use := b.meter.end()
	time.Sleep(500 * time.Millisecond)

	var one, more, none, paused int
	ids := make([]string, n)
	for k, c := range cs {
		ids[k] = c.id
	}
	if err := b.st.store.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE k = 1), count(*) FILTER (WHERE k > 1),
		count(*) FILTER (WHERE k = 0), count(*) FILTER (WHERE status = 'paused' AND esp_state = 'paused')
		FROM (SELECT c.status, c.esp_state, (SELECT count(*) FROM incidents i WHERE i.campaign_id = c.id) AS k
			FROM campaigns c WHERE c.id = ANY($1::uuid[])) x`, ids).Scan(&one, &more, &none, &paused); err != nil {
		return err
	}
	slices.Sort(lat)
	pct := func(p int) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, len(lat)*p/100)]
	}
	ps99 := post.stats()
	fmt.Printf("spike   %d spikes, one at a time: webhook 2xx → SendGrid receives the pause: p50 %s, p90 %s, p99 %s, max %s, min %s%s\n"+
		"        the crossing post itself (302 events) took p50 %s, p99 %s; pauses that never arrived (10 s): %d\n"+
		"        incidents: exactly one for %d campaigns, more than one for %d, none for %d; paused on both planes: %d of %d\n        %s\n",
		n, ms(pct(50)), ms(pct(90)), ms(pct(99)), ms(pct(100)), ms(pct(0)), verdict(missing == 0 && pct(99) <= spikeGoal, "p99 ≤ 1 s"),
		ms(ps99.P50), ms(ps99.P99), missing, one, more, none, paused, n, use)
	return nil
}
