package migrations_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/firebreak/firebreak/internal/testenv"
	"github.com/firebreak/firebreak/migrations"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func tables(t *testing.T, db *sql.DB) map[string]bool {
	t.Helper()
	rows, err := db.Query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		out[n] = true
	}
	return out
}

// TestUpDownUp runs every Up, every Down, then Up again: a Down that forgets
// an object, or an Up that is not repeatable, fails here.
func TestUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", testenv.EmptyDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := migrations.Up(ctx, db)
	if err != nil || len(res) == 0 {
		t.Fatalf("first up: %d applied, %v", len(res), err)
	}
	want := []string{"users", "api_tokens", "sessions", "login_failures", "audit_log"}
	got := tables(t, db)
	for _, tb := range want {
		if !got[tb] {
			t.Errorf("after up, table %s is missing", tb)
		}
	}
	again, err := migrations.Up(ctx, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second up must be a no-op: %d applied, %v", len(again), err)
	}
	if _, err := migrations.DownTo(ctx, db, 0); err != nil {
		t.Fatalf("down all: %v", err)
	}
	if left := tables(t, db); len(left) != 0 {
		t.Fatalf("down left tables behind: %v", left)
	}
	var fns int
	_ = db.QueryRow(`SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`).Scan(&fns)
	if fns != 0 {
		t.Fatalf("down left %d functions behind", fns)
	}
	if _, err := migrations.Up(ctx, db); err != nil {
		t.Fatalf("up after down: %v", err)
	}
	st, err := migrations.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if m.AppliedAt.IsZero() {
			t.Errorf("migration %d not applied after up-down-up", m.Source.Version)
		}
	}
}
