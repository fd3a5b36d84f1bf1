//go:build faults

package faults

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/worker/tasks"
)

// Timing of every case: a mail/send is abandoned after 3 s (its request's
// deadline is 5 s after the claim; the reconciler marks it uncertain 5 s
// later), and what stays in doubt may be sent by hand 1 s after the deadline.
// 3 s is far above what the simulator needs for 1,000 personalizations even on
// a busy machine, so no timeout happens that a case did not inject.
const (
	sendTimeout = "3s"
	inDoubtWait = "1s"
)

// stack is one case's world: a database, a Redis, the simulator, and the
// firebreak processes started so far. Everything is torn down with the test.
type stack struct {
	t     *testing.T
	dsn   string
	db    *sql.DB
	redis *devstack.Redis
	sim   *sgsim.Sim
	port  int    // the HTTP port of `serve` / `api` (fixed, so a restart keeps it)
	base  string // http://127.0.0.1:port
	token string
	env   []string
	procs []*proc
}

func newStack(t *testing.T) *stack {
	t.Helper()
	port, err := devstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, port: port, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	s.dsn = newDB(t)
	s.db = openDB(t, s.dsn)
	rdir, err := os.MkdirTemp("", "fb-faults-redis-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rdir) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s.redis, err = devstack.StartRedis(ctx, devstack.RedisConfig{Dir: rdir}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.redis.Stop() })

	// SendGrid: posts events every 100 ms, re-posts a tenth of them (SendGrid
	// is at least once), retries a failed post after 500 ms, 1 s, 2 s …
	s.sim = sgsim.New(sgsim.Config{WebhookURL: s.base + "/webhooks/sendgrid", FlushInterval: 100 * time.Millisecond,
		MaxEventsPerPost: 500, DuplicateShare: 0.1, Seed: 10})
	s.sim.SetWebhookRetryBase(500 * time.Millisecond)
	simSrv := httptest.NewServer(s.sim)
	simCtx, stopSim := context.WithCancel(context.Background())
	simDone := make(chan struct{})
	go func() { _ = s.sim.Run(simCtx); close(simDone) }()
	t.Cleanup(func() { stopSim(); <-simDone; simSrv.Close() })

	s.env = append(os.Environ(),
		"DATABASE_URL="+s.dsn, "REDIS_URL="+s.redis.URL(),
		fmt.Sprintf("FIREBREAK_ADDR=127.0.0.1:%d", port),
		"SENDGRID_API_URL="+simSrv.URL, "SENDGRID_API_KEY=sim-key",
		"SENDGRID_WEBHOOK_PUBLIC_KEY="+s.sim.PublicKey(),
		"FIREBREAK_SEND_BUFFER=0s", "FIREBREAK_SEND_TIMEOUT="+sendTimeout, "FIREBREAK_IN_DOUBT_WAIT="+inDoubtWait,
		"FIREBREAK_LOG_FORMAT=text", "FIREBREAK_LOG_LEVEL=warn", "FIREBREAK_SHUTDOWN_TIMEOUT=2s",
		"FIREBREAK_DB_MAX_CONNS=10")
	out := s.cli("correct horse battery\n", "user", "add", "--email", "ops@example.com", "--name", "Ops",
		"--roles", "marketer,admin", "--password-stdin")
	_ = out
	s.token = strings.TrimSpace(s.cli("", "token", "create", "--email", "ops@example.com"))
	t.Cleanup(func() {
		for i := len(s.procs) - 1; i >= 0; i-- {
			s.procs[i].stop()
		}
		if t.Failed() {
			for _, p := range s.procs {
				t.Logf("--- %s log (tail) ---\n%s", p.name, p.log.String())
			}
		}
	})
	return s
}

// cli runs one firebreak command to completion and returns its stdout.
func (s *stack) cli(stdin string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("firebreak %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// proc is one running firebreak process.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *tail
	done chan struct{}
}

// start runs `firebreak <mode>` (serve, api or worker) and returns once it is
// ready: /readyz answers 200 for the HTTP modes, the worker's asynq server
// is registered in Redis.
func (s *stack) start(mode string) *proc {
	s.t.Helper()
	p := &proc{name: fmt.Sprintf("%s#%d", mode, len(s.procs)+1), log: &tail{max: 32 << 10}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, mode)
	p.cmd.Env = s.env
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	// Its own process group, and SIGKILL if this test binary dies first.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	s.procs = append(s.procs, p)
	s.waitFor(p.name+" ready", 30*time.Second, func() bool {
		select {
		case <-p.done:
			s.t.Fatalf("%s exited before it was ready:\n%s", p.name, p.log.String())
		default:
		}
		if mode == "worker" {
			return s.workerRegistered(p.cmd.Process.Pid)
		}
		resp, err := http.Get(s.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// workerRegistered reports whether the asynq server of process pid has
// registered itself in Redis (it then takes tasks).
func (s *stack) workerRegistered(pid int) bool {
	opt, _ := asynq.ParseRedisURI(s.redis.URL())
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	servers, err := insp.Servers()
	if err != nil {
		return false
	}
	for _, srv := range servers {
		if srv.PID == pid {
			return true
		}
	}
	return false
}

// kill9 kills the process with SIGKILL — no drain, no shutdown hook: what a
// crash, the OOM killer or a lost machine does.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// stop asks the process to shut down (SIGTERM) and kills it after 10 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tail keeps the last max bytes of a process's output.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// waitFor polls cond every 50 ms until it holds, failing the test after d.
// Cases wait for states, never for durations.
func (s *stack) waitFor(what string, d time.Duration, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// do calls Firebreak's API with the stack's token and decodes the answer.
func (s *stack) do(method, path string, in, out any) int {
	s.t.Helper()
	var body io.Reader
	ctype := "application/json"
	switch v := in.(type) {
	case nil:
	case string:
		body, ctype = strings.NewReader(v), "text/csv"
	default:
		raw, _ := json.Marshal(v)
		body = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.base+path, body)
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// campaignView is the part of a campaign answer the cases read.
type campaignView struct {
	ID                string          `json:"id"`
	Status            string          `json:"status"`
	Counts            campaign.Counts `json:"counts"`
	UncertainRequests int             `json:"uncertain_requests"`
	CanaryReleaseAt   *time.Time      `json:"canary_release_at"`
}

func (s *stack) campaign(id string) campaignView {
	s.t.Helper()
	var c campaignView
	if code := s.do("GET", "/api/v1/campaigns/"+id, nil, &c); code != http.StatusOK {
		s.t.Fatalf("get campaign: %d", code)
	}
	return c
}

// audience is what a case sends to: n recipients imported in one segment,
// of which the first suppressed are on Firebreak's suppression list before
// the send (they must never reach SendGrid).
type audience struct {
	segment    string
	imported   int
	suppressed []string
}

func (a audience) size() int { return a.imported - len(a.suppressed) }

// prepare imports the recipients, suppresses some, and creates the campaign
// (no send buffer: SendGrid sends at once, so every event follows quickly).
func (s *stack) prepare(n, suppressed int, extra map[string]any) (string, audience) {
	s.t.Helper()
	a := audience{segment: "fault", imported: n}
	var csv strings.Builder
	csv.WriteString("email,first_name,last_name,segments\n")
	for i := range n {
		fmt.Fprintf(&csv, "r%05d@example.com,Name%d,,fault\n", i, i)
	}
	var imp struct {
		Imported int `json:"imported"`
	}
	if code := s.do("POST", "/api/v1/recipients/import", csv.String(), &imp); code != http.StatusOK || imp.Imported != n {
		s.t.Fatalf("import: %d, imported %d of %d", code, imp.Imported, n)
	}
	for i := range suppressed {
		email := fmt.Sprintf("r%05d@example.com", i*(n/suppressed))
		if code := s.do("POST", "/api/v1/suppressions", map[string]string{"email": email, "reason": "fault suite"}, nil); code != http.StatusCreated {
			s.t.Fatalf("suppress %s: %d", email, code)
		}
		a.suppressed = append(a.suppressed, email)
	}
	var brand struct{ ID string }
	if code := s.do("POST", "/api/v1/brands", map[string]string{"name": "Acme", "from_email": "news@acme.example",
		"from_name": "Acme", "reply_to": "help@acme.example"}, &brand); code != http.StatusCreated {
		s.t.Fatalf("brand: %d", code)
	}
	body := map[string]any{"name": "fault", "brand_id": brand.ID, "subject": "Spring news", "html": "Hi {{first_name}}",
		"segments": []string{"fault"}, "send_buffer_seconds": 0}
	for k, v := range extra {
		body[k] = v
	}
	var c campaignView
	if code := s.do("POST", "/api/v1/campaigns", body, &c); code != http.StatusCreated {
		s.t.Fatalf("create campaign: %d", code)
	}
	return c.ID, a
}

func (s *stack) send(id string) {
	s.t.Helper()
	var out struct {
		Audience int `json:"audience"`
	}
	if code := s.do("POST", "/api/v1/campaigns/"+id+"/send", nil, &out); code != http.StatusAccepted {
		s.t.Fatalf("send: %d", code)
	}
}

// reconcileNow enqueues the reconciler task, as the scheduler does every
// 15 s, so a case need not wait for the next tick (a duplicate within
// asynq's uniqueness window is ignored). It fails silently while Redis is down.
func (s *stack) reconcileNow() {
	opt, _ := asynq.ParseRedisURI(s.redis.URL())
	c := asynq.NewClient(opt)
	defer c.Close()
	_, _ = c.Enqueue(tasks.NewReconcile())
}

// enqueueHandoffs adds n extra handoff tasks for the campaign beyond the
// four a send enqueues (slots 4…), as at-least-once delivery and the
// reconciler can: more dispatchers racing on the same recipients.
func (s *stack) enqueueHandoffs(id string, n int) {
	s.t.Helper()
	opt, _ := asynq.ParseRedisURI(s.redis.URL())
	c := asynq.NewClient(opt)
	defer c.Close()
	for i := range n {
		payload, _ := json.Marshal(tasks.CampaignPayload{CampaignID: id, Slot: tasks.HandoffParallelism + i})
		if _, err := c.Enqueue(asynq.NewTask(tasks.TypeCampaignHandoff, payload), asynq.Queue(tasks.QueueBulk),
			asynq.MaxRetry(25), asynq.Timeout(time.Hour)); err != nil {
			s.t.Fatal(err)
		}
	}
}
