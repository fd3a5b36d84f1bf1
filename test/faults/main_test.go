//go:build faults

// Package faults is Firebreak's whole-stack fault suite (`make test-faults`,
// docs/reliability.md). Every case runs the real binary — `firebreak serve`,
// `api` and `worker` as child processes, built once by TestMain — on a real
// Postgres and a real Redis (internal/devstack), with the SendGrid simulator
// in this process as SendGrid, injects one fault in the middle of a send, and
// then compares what the simulator received with what Postgres says: every
// audience member handed over exactly once or still held (never twice, by
// recipient id and by address), no suppressed address mailed, every webhook
// event the receiver acknowledged counted once.
//
// The files carry the build tag "faults", so `go test ./...` leaves them out;
// `make test-faults` (part of `make test`, hence of .ci/run) runs them.
package faults

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/firebreak/firebreak/internal/devstack"
)

// The suite's shared state: the binary under test and one Postgres cluster
// (each case gets a fresh database copied from a migrated template; the
// Postgres case restarts the cluster itself, which is safe because the cases
// run one after another).
var (
	binary string
	pg     *devstack.Postgres
	dbSeq  atomic.Int64
)

const templateDB = "faults_template"

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	work, err := os.MkdirTemp("", "fb-faults-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(work)
	if binary = os.Getenv("FIREBREAK_BIN"); binary == "" {
		binary = filepath.Join(work, "firebreak")
		build := exec.Command("go", "build", "-o", binary, "github.com/firebreak/firebreak/cmd/firebreak")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return 0, fmt.Errorf("build firebreak: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Postgres runs as the postgres user when the tests run as root: the
	// directory must be reachable by it (MkdirTemp's is, t.TempDir's is not).
	if err := os.Chmod(work, 0o755); err != nil {
		return 0, err
	}
	pg, err = devstack.StartPostgres(ctx, devstack.PostgresConfig{Dir: filepath.Join(work, "pg")})
	if err != nil {
		return 0, err
	}
	defer pg.Stop()
	if err := pg.CreateDatabase(ctx, templateDB, "template0"); err != nil {
		return 0, err
	}
	migrate := exec.Command(binary, "migrate", "up")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+pg.URL(templateDB))
	if out, err := migrate.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("firebreak migrate up: %w\n%s", err, out)
	}
	code := m.Run()
	printFigures()
	return code, nil
}

// newDB copies the migrated template into a database for one case, dropped
// when the case ends.
func newDB(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("faults_%d", dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pg.CreateDatabase(ctx, name, templateDB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = pg.DropDatabase(ctx, name)
	})
	return pg.URL(name)
}

// openDB is the test's own connection, to read the ledger.
func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// figure is one row of docs/reliability.md's table, as a case measured it.
type figure struct {
	Case                         string
	Audience, Handed, Held       int
	Duplicates, SuppressedMailed int
	InDoubtSettled               int // in doubt at some point, settled by SendGrid's events
	SentAgain                    int // released by send-in-doubt
	EventsAcked, EventsCounted   int
	EventsPosted                 int // in 2xx posts, re-posts included: what deduplication had to absorb
	PostsRefused                 int // webhook posts that got a 5xx or no answer (SendGrid retried them)
}

var (
	figMu   sync.Mutex
	figures []figure
)

func record(f figure) {
	figMu.Lock()
	defer figMu.Unlock()
	figures = append(figures, f)
}

// printFigures prints the table the cases measured (and writes it to
// $FAULTS_REPORT when set), for docs/reliability.md.
func printFigures() {
	figMu.Lock()
	defer figMu.Unlock()
	if len(figures) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("| fault | audience | handed | held | duplicates at the sink | suppressed mailed | in doubt, settled by events | sent again by hand | webhook posts refused (5xx, no answer) | events posted (re-posts included) | events acked | events counted |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range figures {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |\n", f.Case, f.Audience, f.Handed,
			f.Held, f.Duplicates, f.SuppressedMailed, f.InDoubtSettled, f.SentAgain, f.PostsRefused, f.EventsPosted,
			f.EventsAcked, f.EventsCounted)
	}
	fmt.Print("\nfault suite figures:\n" + b.String())
	if p := os.Getenv("FAULTS_REPORT"); p != "" {
		_ = os.WriteFile(p, []byte(b.String()), 0o644)
	}
}
