package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgresConfig says where a private Postgres keeps its data and how it is reached.
type PostgresConfig struct {
	// Dir holds the cluster in Dir/pgdata and the server's unix socket. It is created
	// if missing and initialised if Dir/pgdata has no PG_VERSION; an existing cluster
	// is reused, so a kept Dir keeps its data across runs. When running as root, Dir
	// is handed to the postgres user and each of its parents must be traversable by
	// that user: os.MkdirTemp("", …) qualifies, testing's t.TempDir does not.
	// The socket path limit (107 bytes) keeps Dir short.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// Log receives the output of initdb and postgres; nil appends it to Dir/postgres.log.
	Log io.Writer
}

// Postgres is a running private Postgres server, user "postgres" with trust auth,
// listening on 127.0.0.1 only and tuned for throwaway data (fsync off).
type Postgres struct {
	srv  *server
	port int
	cfg  PostgresConfig // as started, Dir absolute and Port set: Restart reuses it
}

// pgReadyTimeout bounds how long StartPostgres waits for SELECT 1 to answer.
const pgReadyTimeout = 60 * time.Second

// StartPostgres initialises the cluster in cfg.Dir if needed, starts postgres as a
// child process and returns once SELECT 1 answers over TCP (at most 60 s). If the
// server exits while starting, the error carries the end of its log. A postmaster.pid
// left by a run that was killed hard is removed first when its pid is not a running
// postgres. The caller must Stop the server; if the caller dies instead, the kernel
// kills the server (parent-death signal).
func StartPostgres(ctx context.Context, cfg PostgresConfig) (*Postgres, error) {
	if cfg.Dir == "" {
		return nil, errors.New("start postgres: PostgresConfig.Dir is empty")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	bin, err := findPostgres()
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	cred, err := runAs(dir)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	log, logFile, err := openLog(cfg.Log, dir, "postgres.log")
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	pgdata := filepath.Join(dir, "pgdata")
	srv, port, err := func() (*server, int, error) {
		if err := initCluster(ctx, bin, pgdata, dir, cred, log); err != nil {
			return nil, 0, err
		}
		if err := removeStalePID(pgdata); err != nil {
			return nil, 0, err
		}
		return startOnPort(cfg.Port, func(port int) (*server, error) {
			return startPostgres(ctx, bin, pgdata, dir, port, cred, log)
		})
	}()
	closeWhenDone(srv, logFile)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return &Postgres{srv: srv, port: port, cfg: PostgresConfig{Dir: dir, Port: port, Log: cfg.Log}}, nil
}

// startPostgres runs one postgres on port and returns once it answers SELECT 1.
func startPostgres(ctx context.Context, bin, pgdata, dir string, port int, cred *syscall.Credential, log io.Writer) (*server, error) {
	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", pgdata,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=300",
	)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	srv, err := startServer("postgres", cmd, log)
	if err != nil {
		return nil, err
	}
	p := &Postgres{srv: srv, port: port}
	if err := p.waitReady(ctx); err != nil {
		_ = srv.stop(syscall.SIGKILL, 0)
		return nil, err
	}
	return srv, nil
}

// waitReady polls SELECT 1 until it answers, the process exits, ctx ends or
// pgReadyTimeout passes.
func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pgReadyTimeout)
	defer cancel()
	var last error
	for {
		if p.srv.exited() {
			return p.srv.exitError()
		}
		if last = p.ping(ctx); last == nil {
			return nil
		}
		select {
		case <-p.srv.done:
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres on port %d: %w (last error: %w)\n--- last output ---\n%s",
				p.port, ctx.Err(), last, p.srv.tail.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *Postgres) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// URL returns the DSN of database db on this server, as user postgres without a
// password and without TLS.
func (p *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// Port returns the TCP port the server listens on at 127.0.0.1.
func (p *Postgres) Port() int { return p.port }

// CreateDatabase creates database name, copied from template ("" = Postgres's default,
// template1). It is a no-op when name already exists, also when a concurrent caller
// created it first. A template must have no open connections while it is copied.
func (p *Postgres) CreateDatabase(ctx context.Context, name, template string) error {
	conn, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		stmt += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops database name, disconnecting its sessions (WITH (FORCE)); a
// missing database is not an error.
func (p *Postgres) DropDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, p.URL("postgres"))
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down with SIGINT (Postgres's fast shutdown: sessions are
// disconnected, nothing is waited for), and kills it after 15 s. It is idempotent and
// safe to call on a server that already exited; the data in Dir stays.
func (p *Postgres) Stop() error {
	return p.srv.stop(syscall.SIGINT, 15*time.Second)
}
