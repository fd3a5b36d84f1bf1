package testenv_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/firebreak/firebreak/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	return conn
}

func hasTable(t *testing.T, conn *pgx.Conn, table string) bool {
	t.Helper()
	var ok bool
	err := conn.QueryRow(context.Background(), "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestDBGivesIndependentMigratedDatabases(t *testing.T) {
	t.Parallel()
	urlA, urlB := testenv.DB(t), testenv.DB(t)
	if urlA == urlB {
		t.Fatalf("DB returned %s twice", urlA)
	}
	a, b := connect(t, urlA), connect(t, urlB)
	for name, conn := range map[string]*pgx.Conn{"a": a, "b": b} {
		if !hasTable(t, conn, "users") {
			t.Errorf("database %s has no users table", name)
		}
	}
	if _, err := a.Exec(context.Background(), "CREATE TABLE only_in_a (n int)"); err != nil {
		t.Fatal(err)
	}
	if hasTable(t, b, "only_in_a") {
		t.Error("a table created in one database shows up in the other")
	}
}

func TestEmptyDBHasNoMigrations(t *testing.T) {
	t.Parallel()
	conn := connect(t, testenv.EmptyDB(t))
	if hasTable(t, conn, "users") {
		t.Error("EmptyDB has a users table")
	}
}

func TestDBIsDroppedWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("user", func(t *testing.T) {
		conn := connect(t, testenv.DB(t)) // still open at cleanup: dropped WITH (FORCE)
		if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	admin := connect(t, testenv.AdminURL(t))
	var exists bool
	err := admin.QueryRow(context.Background(),
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s outlived its test", name)
	}
}

func TestDBInParallel(t *testing.T) {
	t.Parallel()
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			if !hasTable(t, connect(t, testenv.DB(t)), "users") {
				t.Error("no users table")
			}
		})
	}
}

func TestRedisIsPrivateAndStoppable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r1, r2 := testenv.Redis(t), testenv.Redis(t)
	if r1.Addr() == r2.Addr() {
		t.Fatalf("two Redis calls share %s", r1.Addr())
	}
	c := redis.NewClient(&redis.Options{Addr: r1.Addr(), MaxRetries: -1})
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r1.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Error("stopped redis still answers")
	}
}
