package devstack_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/firebreak/firebreak/internal/devstack"
)

// tempDir returns a directory the postgres user can reach when the tests run as root
// (t.TempDir's parent is private), removed when the test ends.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devstack-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func startPostgres(t *testing.T, dir string, port int) *devstack.Postgres {
	t.Helper()
	start := time.Now()
	pg, err := devstack.StartPostgres(context.Background(), devstack.PostgresConfig{Dir: dir, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("postgres on port %d ready in %v", pg.Port(), time.Since(start))
	t.Cleanup(func() { _ = pg.Stop() })
	return pg
}

func queryInt(ctx context.Context, url, query string) (int, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, query).Scan(&n)
	return n, err
}

func TestFreePort(t *testing.T) {
	port, err := devstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port %d from FreePort is not free: %v", port, err)
	}
	_ = l.Close()
}

func TestPostgresKeepsDataAcrossRestartsAndStopsListening(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := tempDir(t)
	pg := startPostgres(t, dir, 0)

	for range 2 { // the second call is a no-op
		if err := pg.CreateDatabase(ctx, "app", ""); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, pg.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close(ctx)

	if err := pg.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := pg.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := queryInt(ctx, pg.URL("app"), "SELECT 1"); err == nil {
		t.Fatal("stopped postgres still answers")
	}

	// A hard-killed run leaves postmaster.pid behind, its pid since reused by another
	// process of the same user (which postgres alone would take for a live postmaster).
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	pidFile := filepath.Join(dir, "pgdata", "postmaster.pid")
	if err := os.WriteFile(pidFile, fmt.Appendf(nil, "%d\n%s\n", other.Process.Pid, dir), 0o600); err != nil {
		t.Fatal(err)
	}
	pg = startPostgres(t, dir, 0)
	n, err := queryInt(ctx, pg.URL("app"), "SELECT n FROM kept")
	if err != nil || n != 42 {
		t.Fatalf("after restart: n=%d err=%v, want 42", n, err)
	}
	if err := pg.CreateDatabase(ctx, "copy", "app"); err != nil {
		t.Fatal(err)
	}
	if n, err := queryInt(ctx, pg.URL("copy"), "SELECT n FROM kept"); err != nil || n != 42 {
		t.Fatalf("database from template: n=%d err=%v, want 42", n, err)
	}
	if err := pg.DropDatabase(ctx, "copy"); err != nil {
		t.Fatal(err)
	}
	if _, err := queryInt(ctx, pg.URL("copy"), "SELECT 1"); err == nil {
		t.Fatal("dropped database still answers")
	}
}

func TestPostgresFailsFastWhenPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	start := time.Now()
	pg, err := devstack.StartPostgres(context.Background(), devstack.PostgresConfig{Dir: tempDir(t), Port: port})
	if err == nil {
		_ = pg.Stop()
		t.Fatal("started on a taken port")
	}
	if !strings.Contains(err.Error(), "already in use") {
		t.Errorf("error lacks the log tail: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v to notice postgres exited", d)
	}
}

func TestRedisAnswersUntilStopped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, err := devstack.StartRedis(ctx, devstack.RedisConfig{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop() })
	opt, err := redis.ParseURL(r.URL())
	if err != nil {
		t.Fatal(err)
	}
	if opt.Addr != r.Addr() {
		t.Errorf("URL %s and Addr %s disagree", r.URL(), r.Addr())
	}
	opt.MaxRetries = -1
	client := redis.NewClient(opt)
	defer client.Close()
	if err := client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := client.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("get: %q, %v", v, err)
	}
	if err := r.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := r.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err == nil {
		t.Fatal("stopped redis still answers")
	}
}

func TestStartRequiresDir(t *testing.T) {
	ctx := context.Background()
	if _, err := devstack.StartPostgres(ctx, devstack.PostgresConfig{}); err == nil {
		t.Error("StartPostgres without Dir succeeded")
	}
	if _, err := devstack.StartRedis(ctx, devstack.RedisConfig{}); err == nil {
		t.Error("StartRedis without Dir succeeded")
	}
}
