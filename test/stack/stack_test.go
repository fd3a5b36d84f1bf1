package stack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/internal/cli"
	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/internal/sgsim"
	"github.com/firebreak/firebreak/internal/testenv"
)

// stack is Firebreak as deployed: `firebreak serve` (or `api`) in-process on
// real Postgres and Redis, with the SendGrid simulator as SendGrid.
type stack struct {
	t      *testing.T
	dsn    string
	base   string
	sim    *sgsim.Sim
	simURL string
	token  string
	env    cmdline
	stop   func() // idempotent
	redis  *devstack.Redis
	mode   string
}

type stackOpts struct {
	mode   string // "serve" (default) or "api"
	sim    sgsim.Config
	buffer string // FIREBREAK_SEND_BUFFER, default 15m
	// webhook points the simulator's Event Webhook at Firebreak and runs its
	// event loop (sim.PrivateKey set by the caller signs the posts).
	webhook bool
	// sendTimeout is FIREBREAK_SEND_TIMEOUT (how long a mail/send may take
	// before it is abandoned as uncertain), default 15s.
	sendTimeout string
}

func startStack(t *testing.T, o stackOpts) *stack {
	t.Helper()
	return startStackWith(t, o, nil)
}

// startStackWith starts the stack with extra environment for firebreak.
func startStackWith(t *testing.T, o stackOpts, extraEnv map[string]string) *stack {
	t.Helper()
	if o.mode == "" {
		o.mode = "serve"
	}
	if o.buffer == "" {
		o.buffer = "15m"
	}
	port, _ := devstack.FreePort()
	if o.webhook {
		o.sim.WebhookURL = fmt.Sprintf("http://127.0.0.1:%d/webhooks/sendgrid", port)
		if o.sim.FlushInterval == 0 {
			o.sim.FlushInterval = 100 * time.Millisecond
		}
	}
	sim := sgsim.New(o.sim)
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	if o.webhook {
		simCtx, stopSim := context.WithCancel(context.Background())
		go func() { _ = sim.Run(simCtx) }()
		t.Cleanup(stopSim)
	}
	rd := testenv.Redis(t)
	c := cmdline{t: t, env: map[string]string{
		"DATABASE_URL": testenv.DB(t), "REDIS_URL": rd.URL(),
		"FIREBREAK_ADDR":              fmt.Sprintf("127.0.0.1:%d", port),
		"SENDGRID_API_URL":            simSrv.URL,
		"SENDGRID_API_KEY":            "sim-key",
		"SENDGRID_WEBHOOK_PUBLIC_KEY": sim.PublicKey(),
		"FIREBREAK_SEND_BUFFER":       o.buffer,
		"FIREBREAK_LOG_LEVEL":         "warn",
		"FIREBREAK_LOG_FORMAT":        "text",
		"FIREBREAK_SHUTDOWN_TIMEOUT":  "5s",
	}}
	if o.sendTimeout != "" {
		c.env["FIREBREAK_SEND_TIMEOUT"] = o.sendTimeout
	}
	for k, v := range extraEnv {
		c.env[k] = v
	}
	if r := c.run("correct horse battery\n", "user", "add", "--email", "ops@example.com", "--name", "Ops",
		"--roles", "marketer,admin", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r := c.run("", "token", "create", "--email", "ops@example.com")
	if r.code != 0 {
		t.Fatalf("token: %+v", r)
	}
	s := &stack{t: t, dsn: c.env["DATABASE_URL"], base: fmt.Sprintf("http://127.0.0.1:%d", port), sim: sim, simURL: simSrv.URL,
		token: strings.TrimSpace(r.stdout), env: c, redis: rd, mode: o.mode}
	s.launch(o.mode)
	return s
}

// launch runs `firebreak <mode>` in-process until s.stop, and waits until it
// is ready.
func (s *stack) launch(mode string) {
	t, c := s.t, s.env
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	var logs syncBuffer
	go func() {
		res := cli.Run(ctx, strings.NewReader(""), io.Discard, &logs, func(k string) string { return c.env[k] }, []string{mode})
		done <- result{code: res}
	}()
	var stopOnce sync.Once
	s.stop = func() {
		stopOnce.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Errorf("firebreak %s did not stop", mode)
			}
		})
	}
	t.Cleanup(s.stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("firebreak %s log:\n%s", mode, logs.String())
		}
	})
	s.waitFor("ready", 15*time.Second, func() bool {
		select {
		case r := <-done:
			t.Fatalf("firebreak %s exited %d before it was ready:\n%s", mode, r.code, logs.String())
		default:
		}
		resp, err := http.Get(s.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// restart stops firebreak and starts it again on the same database and Redis.
func (s *stack) restart() {
	s.t.Helper()
	s.stop()
	s.launch(s.mode)
}

// do sends a request with the stack's token and decodes a JSON answer into out.
func (s *stack) do(method, path, contentType string, body io.Reader, out any) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, body)
	req.Header.Set("Authorization", "Bearer "+s.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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

func (s *stack) postJSON(path string, in, out any) int {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		raw, _ := json.Marshal(in)
		body = bytes.NewReader(raw)
	}
	return s.do("POST", path, "application/json", body, out)
}

func (s *stack) waitFor(what string, d time.Duration, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// importCSV uploads a recipients CSV and fails the test unless it is accepted.
func (s *stack) importCSV(csv string) importAnswer {
	s.t.Helper()
	var out importAnswer
	if code := s.do("POST", "/api/v1/recipients/import", "text/csv", strings.NewReader(csv), &out); code != 200 {
		s.t.Fatalf("import: %d %+v", code, out)
	}
	return out
}

type importAnswer struct {
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Rejected []struct {
		Line   int    `json:"line"`
		Email  string `json:"email"`
		Reason string `json:"reason"`
	} `json:"rejected"`
}

func (s *stack) brand(replyTo string) string {
	s.t.Helper()
	var b struct{ ID string }
	if code := s.postJSON("/api/v1/brands", map[string]string{"name": "Acme", "from_email": "news@acme.example",
		"from_name": "Acme", "reply_to": replyTo}, &b); code != 201 {
		s.t.Fatalf("brand: %d", code)
	}
	return b.ID
}

type campaignAnswer struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	BatchID  string `json:"batch_id"`
	ESPPause struct {
		State string     `json:"state"`
		At    *time.Time `json:"at"`
		Error string     `json:"error"`
	} `json:"esp_pause"`
	Counts       campaign.Counts `json:"counts"`
	Stoppability struct {
		Catchable      int        `json:"catchable"`
		CatchableUntil *time.Time `json:"catchable_until"`
	} `json:"stoppability"`
	FailedRequests    int    `json:"failed_requests"`
	UncertainRequests int    `json:"uncertain_requests"`
	LastError         string `json:"last_error"`
}

func (s *stack) campaign(fields map[string]any) string {
	s.t.Helper()
	var c campaignAnswer
	var errBody map[string]any
	raw, _ := json.Marshal(fields)
	code := s.do("POST", "/api/v1/campaigns", "application/json", bytes.NewReader(raw), &errBody)
	if code != 201 {
		s.t.Fatalf("create campaign: %d %v", code, errBody)
	}
	b, _ := json.Marshal(errBody)
	_ = json.Unmarshal(b, &c)
	return c.ID
}

func (s *stack) get(id string) campaignAnswer {
	s.t.Helper()
	var c campaignAnswer
	if code := s.do("GET", "/api/v1/campaigns/"+id, "", nil, &c); code != 200 {
		s.t.Fatalf("get campaign: %d", code)
	}
	return c
}

// recipientsCSV builds n recipients r<i>@example.com in segment seg.
func recipientsCSV(n int, seg string, withNames bool) string {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,segments\n")
	for i := 0; i < n; i++ {
		name := ""
		if withNames {
			name = fmt.Sprintf("Name%d", i)
		}
		fmt.Fprintf(&b, "%s-%d@example.com,%s,,%s\n", seg, i, name, seg)
	}
	return b.String()
}

func decodeBody(t *testing.T, resp *http.Response, out any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
