package fbbench

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for the migrations

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/migrations"
)

// stack is a private Postgres (devstack, as the tests and the demo start it:
// fsync, synchronous_commit and full_page_writes off) with Firebreak's schema
// in database "fbbench", and the store over it.
type stack struct {
	dir       string
	pg        *devstack.Postgres
	store     *postgres.Store
	pgVersion string
}

// startStack starts Postgres in a fresh temporary directory and migrates.
// Redis is not started here: only the spike benchmark enqueues (detection
// tasks), and it starts its own; HandOff is called directly.
func startStack(ctx context.Context) (_ *stack, err error) {
	dir, err := os.MkdirTemp("", "fbbench-")
	if err != nil {
		return nil, err
	}
	s := &stack{dir: dir}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.pg, err = devstack.StartPostgres(ctx, devstack.PostgresConfig{Dir: dir}); err != nil {
		return nil, err
	}
	if err := s.pg.CreateDatabase(ctx, "fbbench", ""); err != nil {
		return nil, err
	}
	url := s.pg.URL("fbbench")
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	_, err = migrations.Up(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if s.store, err = postgres.Open(octx, postgres.Config{DSN: url}); err != nil {
		return nil, err
	}
	if err := s.store.SQL().QueryRowContext(ctx, `SHOW server_version`).Scan(&s.pgVersion); err != nil {
		return nil, err
	}
	return s, nil
}

// close stops everything and removes the data directory.
func (s *stack) close() {
	if s.store != nil {
		_ = s.store.Close()
	}
	if s.pg != nil {
		if err := s.pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "fbbench: stop postgres:", err)
		}
	}
	_ = os.RemoveAll(s.dir)
}

// logTail returns the last n lines of the server's log (devstack writes it
// to Dir/postgres.log), which close removes.
func (s *stack) logTail(n int) string {
	b, err := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return err.Error() + "\n"
	}
	lines := strings.SplitAfter(string(b), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// machine describes the computer the figures come from.
func machine(pgVersion string) string {
	model, memKB := "unknown CPU", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				var kb float64
				_, _ = fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
				memKB = fmt.Sprintf(", %.1f GiB RAM", kb/(1<<20))
			}
		}
	}
	return fmt.Sprintf("%d cores (%s)%s, GOMAXPROCS %d, %s %s/%s, PostgreSQL %s (devstack: fsync, synchronous_commit, full_page_writes off)",
		runtime.NumCPU(), model, memKB, runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, pgVersion)
}
