// Package store is the Postgres adapter: gorm over pgx, one file per aggregate,
// row structs and converters kept here so no other package sees gorm.
//
// Every method takes the caller's context (db.WithContext). What must be atomic
// is one method wrapping db.Transaction, and every state change writes its audit
// entry inside that transaction through writeAudit — the one audit function.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	pgdriver "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/errs"
)

// Config sizes the connection pool.
type Config struct {
	DSN          string
	MaxOpenConns int           // default 20
	MaxIdleConns int           // default MaxOpenConns/2
	ConnMaxLife  time.Duration // default 30m
}

// Store is the Postgres-backed implementation of the domain's storage ports.
type Store struct {
	db *gorm.DB
	// commStatusLocked, nil outside tests (export_test.go sets it), runs in
	// a communication's status change right after its dispatch lock was
	// granted and before the status is read: a test holds a pause there, the
	// window in which no claim may get past it.
	commStatusLocked func(id string, to communication.Status, askedAt time.Time)
}

// Open connects, sizes the pool and pings within ctx's deadline.
//
// Sessions run with jit = off unless the DSN sets jit itself: Firebreak's
// statements are short, and Postgres's JIT, triggered by the cost estimates of
// the webhook ingest statement, compiled for ~0.5 s per 1000-event batch
// (docs/benchmarks.md) — more than the statement's own work.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pc, err := pgx.ParseConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if _, set := pc.RuntimeParams["jit"]; !set {
		pc.RuntimeParams["jit"] = "off"
	}
	db, err := gorm.Open(pgdriver.New(pgdriver.Config{Conn: stdlib.OpenDB(*pc)}), &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true,
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w: %w", errs.Unavailable, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if cfg.MaxOpenConns <= 0 {
		cfg.MaxOpenConns = 20
	}
	if cfg.MaxIdleConns <= 0 {
		cfg.MaxIdleConns = max(cfg.MaxOpenConns/2, 1)
	}
	if cfg.ConnMaxLife <= 0 {
		cfg.ConnMaxLife = 30 * time.Minute
	}
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(cfg.ConnMaxLife)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("ping postgres: %w: %w", errs.Unavailable, err)
	}
	return &Store{db: db}, nil
}

// SQL returns the underlying *sql.DB (migrations, readiness checks).
func (s *Store) SQL() *sql.DB {
	sqlDB, _ := s.db.DB()
	return sqlDB
}

// Close closes the pool.
func (s *Store) Close() error { return s.SQL().Close() }

// Ping checks that Postgres answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.SQL().PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %w", errs.Unavailable, err)
	}
	return nil
}

// errUnknownReference: the input names something (a user, a campaign) that
// does not exist.
var errUnknownReference = errs.New(errs.Invalid, "unknown_reference",
	"The request refers to something that does not exist (for example an unknown user id).")

// translate maps driver errors to domain kinds: not-found and duplicate keys to
// the package sentinels given, and a connection failure to Unavailable.
func translate(err, notFound, conflict error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound) && notFound != nil:
		return notFound
	case errors.Is(err, gorm.ErrDuplicatedKey) && conflict != nil:
		return conflict
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code == "23505" && conflict != nil {
			return conflict
		}
		if pgErr.Code == "22P02" && notFound != nil { // invalid uuid syntax: no such row
			return notFound
		}
		if pgErr.Code == "23503" { // a reference to a row that does not exist (an unknown user id)
			return errUnknownReference
		}
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("%w: %w", errs.Unavailable, err)
	}
	slog.Debug("store: untranslated error", "err", err)
	return err
}

// retryTx runs fn in a transaction and runs it again when Postgres aborts it
// as a deadlock victim or a serialization failure (see retrying).
func (s *Store) retryTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return retrying(ctx, func() error { return s.db.WithContext(ctx).Transaction(fn) })
}

// retrying runs a whole transaction, run, up to 5 times, with a short growing
// pause, while Postgres aborts it as a deadlock victim or a serialization
// failure: the ledger's and the webhook's transactions must not fail for that.
func retrying(ctx context.Context, run func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = run()
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || (pgErr.Code != "40P01" && pgErr.Code != "40001") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
	return err
}

// pgxTx runs fn in a transaction on a pgx connection of the pool, for what
// gorm cannot do fast (COPY, array parameters). fn's error rolls back;
// otherwise the transaction commits. Audit entries go in through auditInsert.
func (s *Store) pgxTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return translate(err, nil, nil)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		tx, err := dc.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}
