package postgres_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func open(t *testing.T) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestAuditLogRefusesUpdateDeleteAndTruncate(t *testing.T) {
	st := open(t)
	ctx := audit.WithRequestID(context.Background(), "req-42")
	if err := st.Audit(ctx, audit.Entry{Actor: audit.CLI, Action: "test.thing", SubjectType: "thing",
		SubjectID: "t1", Data: map[string]any{"n": 1}}); err != nil {
		t.Fatal(err)
	}
	db := st.SQL()
	for _, stmt := range []string{
		`UPDATE audit_log SET action = 'rewritten'`,
		`UPDATE audit_log SET data = '{}' WHERE subject_id = 't1'`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE subject_id = 't1'`,
		`TRUNCATE audit_log`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want refused as append-only", stmt, err)
		}
	}
	got, err := st.ListAudit(ctx, "thing", "t1")
	if err != nil || len(got) != 1 {
		t.Fatalf("entries %v %v", got, err)
	}
	e := got[0]
	if e.Action != "test.thing" || e.Actor.Name != "cli" || e.RequestID != "req-42" || e.Data["n"] != float64(1) || e.At.IsZero() {
		t.Fatalf("entry changed or incomplete: %+v", e)
	}
}

func TestEveryUserStateChangeIsAudited(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	svc := user.NewService(st, user.DefaultLimits, time.Hour, nil)
	admin := audit.Actor{Name: "ada@example.com"}
	u, err := svc.AddUser(ctx, admin, user.NewUser{Email: "Mara@Example.com", Name: "Mara", Roles: []string{"marketer"}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := svc.CreateToken(ctx, admin, "mara@example.com", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RevokeToken(ctx, admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, sess, _, err := svc.Login(ctx, "mara@example.com", "correct horse battery", "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ typ, id, action, actor string }{
		{"user", u.ID, "user.create", "ada@example.com"},
		{"api_token", tok.ID, "api_token.create", "ada@example.com"},
		{"api_token", tok.ID, "api_token.revoke", "ada@example.com"},
		{"session", sess.ID, "session.create", "mara@example.com"},
	}
	for _, c := range checks {
		es, err := st.ListAudit(ctx, c.typ, c.id)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range es {
			found = found || (e.Action == c.action && e.Actor.Name == c.actor)
		}
		if !found {
			t.Errorf("no %s entry by %s for %s %s: %+v", c.action, c.actor, c.typ, c.id, es)
		}
	}
}

func TestTokenIsStoredOnlyAsSHA256(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	svc := user.NewService(st, user.DefaultLimits, time.Hour, nil)
	if _, err := svc.AddUser(ctx, audit.CLI, user.NewUser{Email: "ci@example.com", Name: "CI", Roles: []string{"marketer"}}); err != nil {
		t.Fatal(err)
	}
	_, plain, err := svc.CreateToken(ctx, audit.CLI, "ci@example.com", "ci")
	if err != nil {
		t.Fatal(err)
	}
	// No column of any row holds the token or its secret part.
	secretPart := strings.TrimPrefix(plain, "fbk_")
	var leaks int
	err = st.SQL().QueryRowContext(ctx, `SELECT count(*) FROM api_tokens t
		WHERE t::text LIKE '%' || $1 || '%' OR t::text LIKE '%' || $2 || '%'`, plain, secretPart[4:]).Scan(&leaks)
	if err != nil || leaks != 0 {
		t.Fatalf("token found in plain text in api_tokens (%d rows, %v)", leaks, err)
	}
	var auditLeaks int
	_ = st.SQL().QueryRowContext(ctx, `SELECT count(*) FROM audit_log a WHERE a::text LIKE '%' || $1 || '%'`, secretPart[4:]).Scan(&auditLeaks)
	if auditLeaks != 0 {
		t.Fatal("token found in the audit log")
	}
	var stored []byte
	if err := st.SQL().QueryRowContext(ctx, `SELECT token_sha256 FROM api_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(plain))
	if string(stored) != string(want[:]) {
		t.Fatal("stored value is not the SHA-256 of the token")
	}
	if _, err := svc.AuthenticateToken(ctx, plain); err != nil {
		t.Fatalf("the token does not authenticate: %v", err)
	}
}

func TestEmailIsUniqueCaseInsensitively(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	svc := user.NewService(st, user.DefaultLimits, time.Hour, nil)
	if _, err := svc.AddUser(ctx, audit.CLI, user.NewUser{Email: "Lena@Example.com", Name: "Lena", Roles: []string{"legal"}}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.AddUser(ctx, audit.CLI, user.NewUser{Email: "lena@EXAMPLE.com", Name: "Lena 2", Roles: []string{"legal"}})
	if !errors.Is(err, errs.Conflict) {
		t.Fatalf("second add: %v, want Conflict", err)
	}
	us, _ := svc.ListUsers(ctx)
	if len(us) != 1 || us[0].Name != "Lena" {
		t.Fatalf("users after refused duplicate: %+v", us)
	}
}

func TestExpiredSessionDoesNotAuthenticateAndIsPurged(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	svc := user.NewService(st, user.DefaultLimits, time.Hour, clock)
	if _, err := svc.AddUser(ctx, audit.CLI, user.NewUser{Email: "s@example.com", Name: "S", Roles: []string{"legal"}, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	_, _, secret, err := svc.Login(ctx, "s@example.com", "correct horse battery", "::1", "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AuthenticateSession(ctx, secret); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	now = now.Add(61 * time.Minute)
	if _, err := svc.AuthenticateSession(ctx, secret); !errors.Is(err, errs.Unauthenticated) {
		t.Fatalf("expired session: %v, want Unauthenticated", err)
	}
	n, err := st.PurgeExpired(ctx, now, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("purge removed %d rows (%v), want the 1 expired session", n, err)
	}
}

func TestSessionsRunWithoutJITUnlessTheDSNAsks(t *testing.T) {
	ctx := context.Background()
	for dsnSuffix, want := range map[string]string{"": "off", "jit=on": "on"} {
		dsn := testenv.DB(t)
		if dsnSuffix != "" {
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			dsn += sep + dsnSuffix
		}
		st, err := postgres.Open(ctx, postgres.Config{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = st.SQL().QueryRowContext(ctx, `SHOW jit`).Scan(&got)
		st.Close()
		if err != nil || got != want {
			t.Errorf("DSN %q: jit = %q (%v), want %q", dsnSuffix, got, err, want)
		}
	}
}
