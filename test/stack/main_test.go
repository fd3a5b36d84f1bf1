package stack_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/cli"
	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/internal/testenv"
)

// TestMain doubles as the firebreak binary: with FIREBREAK_TEST_REEXEC=1 the
// test binary runs the command line in its arguments (tests start a real
// `firebreak worker` process this way, to kill it mid-handoff).
func TestMain(m *testing.M) {
	if os.Getenv("FIREBREAK_TEST_REEXEC") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.Run(ctx, os.Stdin, os.Stdout, os.Stderr, os.Getenv, os.Args[1:])
		stop()
		os.Exit(code)
	}
	os.Exit(testenv.Main(m))
}

// cmdline runs the firebreak command line in-process with the given environment.
type cmdline struct {
	t   *testing.T
	env map[string]string
}

type result struct {
	code           int
	stdout, stderr string
}

func (c cmdline) run(stdin string, args ...string) result {
	c.t.Helper()
	return c.runCtx(context.Background(), stdin, args...)
}

func (c cmdline) runCtx(ctx context.Context, stdin string, args ...string) result {
	var out, errb bytes.Buffer
	code := cli.Run(ctx, strings.NewReader(stdin), &out, &errb, func(k string) string { return c.env[k] }, args)
	return result{code, out.String(), errb.String()}
}

func (c cmdline) with(k, v string) cmdline {
	m := map[string]string{}
	for a, b := range c.env {
		m[a] = b
	}
	m[k] = v
	return cmdline{t: c.t, env: m}
}

func testKey(t *testing.T) string {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return base64.StdEncoding.EncodeToString(der)
}

func serverEnv(t *testing.T, dsn, redisURL string, port int) cmdline {
	return cmdline{t: t, env: map[string]string{
		"DATABASE_URL": dsn, "REDIS_URL": redisURL,
		"FIREBREAK_ADDR":              fmt.Sprintf("127.0.0.1:%d", port),
		"SENDGRID_API_URL":            "http://127.0.0.1:9",
		"SENDGRID_WEBHOOK_PUBLIC_KEY": testKey(t),
		"FIREBREAK_LOG_FORMAT":        "text",
	}}
}

func TestMigrateUpTwiceBothExitZero(t *testing.T) {
	c := cmdline{t: t, env: map[string]string{"DATABASE_URL": testenv.EmptyDB(t)}}
	r := c.run("", "migrate", "up")
	if r.code != 0 || !strings.Contains(r.stdout, "applied 1 ") {
		t.Fatalf("first up: %+v", r)
	}
	r = c.run("", "migrate", "up")
	if r.code != 0 || !strings.Contains(r.stdout, "nothing to apply") {
		t.Fatalf("second up: %+v", r)
	}
	r = c.run("", "migrate", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "00001_foundation.sql") || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("status: %+v", r)
	}
}

func TestConfigErrorsNameTheVariableAndExitNonZero(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p384DER, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	good := serverEnv(t, "postgres://u:p@127.0.0.1:1/db", "redis://127.0.0.1:1/0", 1)
	for name, tc := range map[string]struct {
		c    cmdline
		want string
	}{
		"malformed DATABASE_URL": {good.with("DATABASE_URL", "::not a url::"), "DATABASE_URL"},
		"missing DATABASE_URL":   {good.with("DATABASE_URL", ""), "DATABASE_URL: is required"},
		"mysql DATABASE_URL":     {good.with("DATABASE_URL", "mysql://x@y/z"), "DATABASE_URL"},
		"bad REDIS_URL":          {good.with("REDIS_URL", "http://nope"), "REDIS_URL"},
		"bad FIREBREAK_ADDR":     {good.with("FIREBREAK_ADDR", "8080"), "FIREBREAK_ADDR"},
		"missing webhook key":    {good.with("SENDGRID_WEBHOOK_PUBLIC_KEY", ""), "SENDGRID_WEBHOOK_PUBLIC_KEY: is required"},
		"webhook key not base64": {good.with("SENDGRID_WEBHOOK_PUBLIC_KEY", "%%%"), "SENDGRID_WEBHOOK_PUBLIC_KEY: is not base64"},
		"webhook key is RSA":     {good.with("SENDGRID_WEBHOOK_PUBLIC_KEY", base64.StdEncoding.EncodeToString(rsaDER)), "SENDGRID_WEBHOOK_PUBLIC_KEY: must be an ECDSA P-256 key"},
		"webhook key is P-384":   {good.with("SENDGRID_WEBHOOK_PUBLIC_KEY", base64.StdEncoding.EncodeToString(p384DER)), "SENDGRID_WEBHOOK_PUBLIC_KEY: must be an ECDSA P-256 key"},
		"send buffer":            {good.with("FIREBREAK_SEND_BUFFER", "ten minutes"), "FIREBREAK_SEND_BUFFER"},
		"send buffer too long":   {good.with("FIREBREAK_SEND_BUFFER", "100h"), "FIREBREAK_SEND_BUFFER: must be between"},
		"runbooks dir":           {good.with("FIREBREAK_RUNBOOKS_DIR", "/no/such/dir"), "FIREBREAK_RUNBOOKS_DIR"},
		"api key for real host":  {good.with("SENDGRID_API_URL", "https://api.sendgrid.com"), "SENDGRID_API_KEY: is required"},
		"bad api url":            {good.with("SENDGRID_API_URL", "ftp://x"), "SENDGRID_API_URL"},
		"metrics token short":    {good.with("FIREBREAK_METRICS_TOKEN", "secret"), "FIREBREAK_METRICS_TOKEN: must be at least 16"},
		"metrics token spaces":   {good.with("FIREBREAK_METRICS_TOKEN", "a secret with spaces in it"), "FIREBREAK_METRICS_TOKEN: must be"},
		"webhook cap 0":          {good.with("FIREBREAK_WEBHOOK_MAX_CONCURRENT", "0"), "FIREBREAK_WEBHOOK_MAX_CONCURRENT: must be a whole number from 1"},
	} {
		t.Run(name, func(t *testing.T) {
			r := tc.c.run("", "serve")
			if r.code != 2 {
				t.Fatalf("exit %d, want 2 (%s)", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("stderr %q: want one line containing %q", r.stderr, tc.want)
			}
		})
	}
}

func TestUserAddAndTokenCreatePrintsTokenAloneOnLastLine(t *testing.T) {
	c := cmdline{t: t, env: map[string]string{"DATABASE_URL": testenv.DB(t)}}
	r := c.run("correct horse battery\n", "user", "add", "--email", "Mara@Example.com", "--name", "Mara Marketer", "--roles", "marketer,legal", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "added user mara@example.com") {
		t.Fatalf("user add: %+v", r)
	}
	if r := c.run("", "user", "add", "--email", "x@example.com", "--name", "X", "--roles", "boss"); r.code != 1 || !strings.Contains(r.stderr, "roles") {
		t.Fatalf("unknown role must fail naming roles: %+v", r)
	}
	if r := c.run("", "user", "add", "--email", "x@example.com"); r.code != 2 {
		t.Fatalf("missing flags must be a usage error: %+v", r)
	}
	r = c.run("", "user", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "mara@example.com") || !strings.Contains(r.stdout, "marketer,legal") {
		t.Fatalf("user list: %+v", r)
	}
	r = c.run("", "token", "create", "--email", "mara@example.com", "--name", "ci")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	token := lines[len(lines)-1]
	if r.code != 0 || !strings.HasPrefix(token, "fbk_") || strings.Contains(token, " ") {
		t.Fatalf("token create: %+v", r)
	}
	if r := c.run("", "token", "create", "--email", "nobody@example.com"); r.code != 1 {
		t.Fatalf("token for unknown user: %+v", r)
	}
	r = c.run("", "token", "list", "--email", "mara@example.com")
	if r.code != 0 || !strings.Contains(r.stdout, token[:10]) || strings.Contains(r.stdout, token) {
		t.Fatalf("token list must show the prefix only: %+v", r)
	}
	id := strings.Fields(strings.Split(r.stdout, "\n")[1])[0]
	if r := c.run("", "token", "revoke", "--id", id); r.code != 0 || !strings.Contains(r.stdout, "revoked") {
		t.Fatalf("revoke: %+v", r)
	}
}

func TestServeRefusesADatabaseWithPendingMigrations(t *testing.T) {
	rd := testenv.Redis(t)
	port, _ := devstack.FreePort()
	r := serverEnv(t, testenv.EmptyDB(t), rd.URL(), port).run("", "serve")
	if r.code != 1 || !strings.Contains(r.stderr, "firebreak migrate up") {
		t.Fatalf("serve on an unmigrated database: %+v", r)
	}
}

// TestServeAnswersThenShutsDownGracefully runs the real `serve` (API, worker
// and scheduler) against real Postgres and Redis, then cancels it as SIGTERM
// would: it must stop cleanly and promptly with exit 0.
func TestServeAnswersThenShutsDownGracefully(t *testing.T) {
	rd := testenv.Redis(t)
	port, _ := devstack.FreePort()
	c := serverEnv(t, testenv.DB(t), rd.URL(), port)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- c.runCtx(ctx, "", "serve") }()

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var ready bool
	for i := 0; i < 100 && !ready; i++ {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			ready = resp.StatusCode == 200
			resp.Body.Close()
		}
		if !ready {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ready {
		cancel()
		t.Fatalf("serve never became ready: %+v", <-done)
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(string(page)), "<html") && !strings.Contains(string(page), "Firebreak") {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, page)
	}
	resp, _ = http.Get(base + "/metrics")
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "firebreak_asynq_queue_tasks") {
		t.Error("metrics lack asynq queue depths")
	}

	start := time.Now()
	cancel()
	select {
	case r := <-done:
		if r.code != 0 {
			t.Fatalf("serve exited %d: %s", r.code, r.stderr)
		}
		for _, want := range []string{"worker started", "shutting down", "worker stopped"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("log lacks %q", want)
			}
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of the signal")
	}
	t.Logf("shutdown took %s", time.Since(start))
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still answering after shutdown")
	}
}
