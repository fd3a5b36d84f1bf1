package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/user"
)

// TestSignInThrottleIsStoredAndPurged: failed sign-ins leave throttle rows
// that refuse the next attempt (from any process: the state is in Postgres);
// the purge drops stale rows but keeps a known client for 30 days.
func TestSignInThrottleIsStoredAndPurged(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	limits := user.Limits{PerEmail: 2, PerPair: 2, PerIP: 50}
	svc := user.NewService(st, limits, time.Hour, clock)
	if _, err := svc.AddUser(ctx, audit.CLI, user.NewUser{Email: "t@example.com", Name: "T", Roles: []string{"legal"}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.Login(ctx, "t@example.com", "correct horse battery", "192.0.2.1", "home"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, _, _, err := svc.Login(ctx, "t@example.com", "wrong wrong wrong", "203.0.113.5", "x"); !errors.Is(err, errs.Unauthenticated) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	// A second service over the same database (another API process) sees the count.
	other := user.NewService(st, limits, time.Hour, clock)
	if _, _, _, err := other.Login(ctx, "t@example.com", "correct horse battery", "198.51.100.1", "y"); !errors.Is(err, user.ErrTooManyAttempts) {
		t.Fatalf("a new client after two guesses: %v, want rate limited", err)
	}
	keys := func() map[string]bool {
		rows, err := st.SQL().QueryContext(ctx, `SELECT key FROM login_throttle`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var k string
			_ = rows.Scan(&k)
			out[k] = true
		}
		return out
	}
	if k := keys(); !k["pair:192.0.2.1|t@example.com"] || !k["email:t@example.com"] || !k["pair:203.0.113.5|t@example.com"] {
		t.Fatalf("throttle keys %v", k)
	}
	if _, err := st.PurgeExpired(ctx, now.Add(25*time.Hour), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if k := keys(); len(k) != 1 || !k["pair:192.0.2.1|t@example.com"] {
		t.Fatalf("after a day's purge: %v, want only the known home client", k)
	}
	if _, err := st.PurgeExpired(ctx, now.Add(31*24*time.Hour), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if k := keys(); len(k) != 0 {
		t.Fatalf("after 31 days: %v, want none", k)
	}
}
