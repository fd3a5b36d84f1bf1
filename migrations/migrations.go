// Package migrations holds Firebreak's schema as goose SQL files, embedded in the
// binary so that `firebreak migrate up` needs nothing beside it.
//
// goose owns the schema; nothing calls gorm's AutoMigrate. Every file carries Up
// and Down, and a test runs all Up, all Down, then Up again.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"log"

	"github.com/pressly/goose/v3"
)

//go:embed *.sql
var FS embed.FS

func provider(db *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, FS)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Up applies every pending migration; with none pending it does nothing.
func Up(ctx context.Context, db *sql.DB) ([]*goose.MigrationResult, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	return p.Up(ctx)
}

// Down rolls back the newest applied migration.
func Down(ctx context.Context, db *sql.DB) (*goose.MigrationResult, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	return p.Down(ctx)
}

// DownTo rolls back every migration newer than version (0: all of them).
func DownTo(ctx context.Context, db *sql.DB, version int64) ([]*goose.MigrationResult, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	return p.DownTo(ctx, version)
}

// Status lists every migration with whether and when it was applied.
func Status(ctx context.Context, db *sql.DB) ([]*goose.MigrationStatus, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	return p.Status(ctx)
}

func init() { goose.SetLogger(log.New(io.Discard, "", 0)) }
