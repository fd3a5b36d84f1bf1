package devstack_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/firebreak/firebreak/internal/devstack"
)

// TestPostgresRestartKeepsPortAndData: a client that knows only the URL
// reaches the restarted server, and what was committed before is still there.
func TestPostgresRestartKeepsPortAndData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := startPostgres(t, tempDir(t), 0)
	url, port := pg.URL("postgres"), pg.Port()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("a session from before the restart still answers: the server did not restart")
	}
	_ = conn.Close(ctx)
	if pg.Port() != port || pg.URL("postgres") != url {
		t.Fatalf("restarted on port %d, was %d", pg.Port(), port)
	}
	if n, err := queryInt(ctx, url, "SELECT n FROM kept"); err != nil || n != 7 {
		t.Fatalf("after restart: n=%d err=%v, want 7", n, err)
	}
	if err := pg.Start(ctx); err == nil {
		t.Fatal("Start of a running server succeeded")
	}
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := queryInt(ctx, url, "SELECT n FROM kept"); err != nil || n != 7 {
		t.Fatalf("after stop and start: n=%d err=%v, want 7", n, err)
	}
}

// TestRedisRestartComesBackEmptyOnItsPort and Flush empties a running one.
func TestRedisRestartComesBackEmptyOnItsPort(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, err := devstack.StartRedis(ctx, devstack.RedisConfig{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Stop() })
	opt, _ := redis.ParseURL(r.URL())
	client := redis.NewClient(opt)
	defer client.Close()
	size := func() int64 {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		n, err := client.DBSize(cctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	addr := r.Addr()
	if err := r.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if r.Addr() != addr {
		t.Fatalf("restarted at %s, was %s", r.Addr(), addr)
	}
	if n := size(); n != 0 {
		t.Fatalf("restarted redis has %d keys, want none", n)
	}
	if err := client.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := size(); n != 0 {
		t.Fatalf("flushed redis has %d keys, want none", n)
	}
}
