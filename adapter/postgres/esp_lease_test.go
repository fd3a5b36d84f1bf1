package postgres_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
)

// TestESPLeaseSurvivesBeingADeadlockVictim: two webhook batches updating the
// counters of two sends in opposite orders deadlock each other, and a pause's
// SendGrid lease waiting on one of those rows is part of the cycle (it holds
// the row's tuple lock while it waits, and the second batch queues behind
// it). Postgres aborts the lease, the first to wait, as the victim; the lease
// must be asked again, as every other statement of the pause is, instead of
// failing the pause under webhook load.
func TestESPLeaseSurvivesBeingADeadlockVictim(t *testing.T) {
	for _, tc := range []struct {
		name  string
		table string
		seed  func(t *testing.T, st *postgres.Store) (a, b string, lease func(ctx context.Context) (bool, error))
	}{
		{"communication", "communications", func(t *testing.T, st *postgres.Store) (string, string, func(context.Context) (bool, error)) {
			seedCommunicationAudience(t, st)
			a := seedSendingCommunication(t, st.SQL(), "la", 1)
			b := seedSendingCommunication(t, st.SQL(), "lb", 1)
			seen, err := st.GetCommunication(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			return a, b, func(ctx context.Context) (bool, error) { return st.LeaseCommunicationESP(ctx, seen, time.Minute) }
		}},
		{"campaign", "campaigns", func(t *testing.T, st *postgres.Store) (string, string, func(context.Context) (bool, error)) {
			var brandID string
			if err := st.SQL().QueryRow(`INSERT INTO brands (name, from_email) VALUES ('B', 'b@x.io') RETURNING id`).Scan(&brandID); err != nil {
				t.Fatal(err)
			}
			a := seedSending(t, st.SQL(), brandID, "la", 1)
			b := seedSending(t, st.SQL(), brandID, "lb", 1)
			seen, err := st.GetCampaign(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			return a, b, func(ctx context.Context) (bool, error) { return st.LeaseESP(ctx, seen, time.Minute) }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			db := st.SQL()
			a, b, lease := tc.seed(t, st)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			count := `UPDATE ` + tc.table + ` SET delivered = delivered + 1 WHERE id = $1`
			begin := func() *sql.Tx {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				return tx
			}
			waiting := func(n int) {
				t.Helper()
				for ctx.Err() == nil {
					var w int
					if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
						WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&w); err != nil {
						t.Fatal(err)
					}
					if w >= n {
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
				t.Fatalf("never %d waiting for a lock", n)
			}
			exec := func(tx *sql.Tx, id string) chan error {
				done := make(chan error, 1)
				go func() { _, err := tx.ExecContext(ctx, count, id); done <- err }()
				return done
			}

			w1, w2 := begin(), begin()
			defer func() { _ = w1.Rollback(); _ = w2.Rollback() }()
			if err := <-exec(w1, a); err != nil { // batch 1 counted a
				t.Fatal(err)
			}
			type leased struct {
				won bool
				err error
			}
			leaseDone := make(chan leased, 1)
			go func() { won, err := lease(ctx); leaseDone <- leased{won, err} }()
			// The lease waits for batch 1's row a; batch 2 counts b.
			waiting(1)
			if err := <-exec(w2, b); err != nil {
				t.Fatal(err)
			}
			w2a := exec(w2, a) // and waits for a behind the lease
			waiting(2)
			w1b := exec(w1, b) // batch 1 waits for b: the cycle is closed
			// Postgres aborts the lease first, then one of the batches (their
			// own deadlock); once both batches are over, a's row is free.
			e1, e2 := <-w1b, <-w2a
			t.Logf("batch 1: %v; batch 2: %v", e1, e2)
			_ = w1.Rollback()
			_ = w2.Rollback()
			got := <-leaseDone
			if got.err != nil || !got.won {
				t.Fatalf("the pause's SendGrid lease, a deadlock victim of the webhook's counter updates: won %v, %v; want won", got.won, got.err)
			}
		})
	}
}
