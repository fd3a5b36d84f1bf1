// Package testenv gives Go tests real Postgres and Redis servers, started by the test
// binary itself on free ports (see internal/devstack), so store, worker and API tests
// run against the real thing without Docker or a shared server.
//
// Each test package gets one Postgres cluster, started on first use. Every DB call
// copies a fresh database from a template that has all migrations applied, which is
// far cheaper than migrating per test and keeps tests independent (and parallel-safe).
// Redis is per test, so a test can stop it to see what an outage does.
//
// A missing server binary fails the test with the package to install; it never
// skips, because a skipped store test in CI is a test that silently stopped running.
//
// Packages that use testenv stop their cluster and remove its files with
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
//
// Without it the cluster still dies with the test binary (parent-death signal), but
// its temporary directory is left behind.
//
// The migrations package's own tests must live in package migrations_test: testenv
// imports migrations to build the template.
package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/migrations"
)

// templateDB is the database every DB call copies: all migrations applied, no data.
const templateDB = "fb_template"

// opTimeout bounds one create or drop of a test database.
const opTimeout = 30 * time.Second

var (
	clusterOnce sync.Once
	cluster     *devstack.Postgres
	clusterDir  string
	clusterErr  error

	templateOnce sync.Once
	templateErr  error

	seq atomic.Int64
)

// postgres returns the package's cluster, starting it on first use, and fails t if
// it could not be started (every later call fails the same way).
func postgres(t testing.TB) *devstack.Postgres {
	t.Helper()
	clusterOnce.Do(func() {
		// Not t.TempDir: as root the server runs as user postgres, which cannot enter
		// t.TempDir's private parent, and the cluster outlives the first test.
		clusterDir, clusterErr = os.MkdirTemp("", "firebreak-testenv-")
		if clusterErr != nil {
			clusterErr = fmt.Errorf("create cluster dir: %w", clusterErr)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cluster, clusterErr = devstack.StartPostgres(ctx, devstack.PostgresConfig{Dir: clusterDir})
		if clusterErr != nil {
			_ = os.RemoveAll(clusterDir)
		}
	})
	if clusterErr != nil {
		t.Fatalf("testenv: %v", clusterErr)
	}
	return cluster
}

// DB returns the DSN of a new database for this test, holding the full migrated schema
// and no rows. The database is dropped (sessions and all) when the test ends, so the
// test may leave anything in it. Safe to call from parallel tests.
func DB(t testing.TB) string {
	t.Helper()
	pg := postgres(t)
	templateOnce.Do(func() { templateErr = buildTemplate(pg) })
	if templateErr != nil {
		t.Fatalf("testenv: %v", templateErr)
	}
	return newDB(t, pg, fmt.Sprintf("fb_t%d", seq.Add(1)), templateDB)
}

// EmptyDB returns the DSN of a new database with no migrations applied (copied from
// template0), for tests of the migrations themselves. It is dropped when the test ends.
func EmptyDB(t testing.TB) string {
	t.Helper()
	return newDB(t, postgres(t), fmt.Sprintf("fb_e%d", seq.Add(1)), "template0")
}

// AdminURL returns the DSN of the cluster's "postgres" database as the superuser, for
// tests that manage databases themselves. What such a test creates it must drop.
func AdminURL(t testing.TB) string {
	t.Helper()
	return postgres(t).URL("postgres")
}

func newDB(t testing.TB, pg *devstack.Postgres, name, template string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := pg.CreateDatabase(ctx, name, template); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		if err := pg.DropDatabase(ctx, name); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	return pg.URL(name)
}

// buildTemplate creates templateDB, migrates it and closes it to connections, since
// Postgres refuses to copy a database that has sessions.
func buildTemplate(pg *devstack.Postgres) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := pg.CreateDatabase(ctx, templateDB, "template0"); err != nil {
		return fmt.Errorf("build template: %w", err)
	}
	db, err := sql.Open("pgx", pg.URL(templateDB))
	if err != nil {
		return fmt.Errorf("build template: %w", err)
	}
	_, err = migrations.Up(ctx, db)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("build template: migrate: %w", err)
	}
	conn, err := pgx.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		return fmt.Errorf("build template: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "ALTER DATABASE "+templateDB+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
	if err != nil {
		return fmt.Errorf("build template: %w", err)
	}
	return nil
}

// Redis starts a redis-server for this test alone and returns it; it is stopped when
// the test ends. Stopping it earlier (r.Stop) is how a test simulates an outage.
func Redis(t testing.TB) *devstack.Redis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := devstack.StartRedis(ctx, devstack.RedisConfig{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	return r
}

// Main runs the package's tests, then stops the package's Postgres (if a test started
// it) and removes its files, and returns m.Run's exit code for os.Exit.
func Main(m *testing.M) int {
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		}
	}
	if clusterDir != "" {
		if err := os.RemoveAll(clusterDir); err != nil {
			fmt.Fprintf(os.Stderr, "testenv: remove %s: %v\n", clusterDir, err)
		}
	}
	return code
}
