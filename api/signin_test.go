package api_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/internal/testenv"
)

// clock is a settable time for the user service, so waits and idle timeouts
// are tested without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC()} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newClockFixture is newFixture with the user service on clk and the given
// HTTP settings, limits and session lifetime (it starts no Redis).
func newClockFixture(t *testing.T, cfg api.Config, limits user.Limits, ttl time.Duration, clk *clock) *fixture {
	t.Helper()
	st, err := postgres.Open(context.Background(), postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	users := user.NewService(st, limits, ttl, clk.now)
	e := api.New(cfg, api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Users: users})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, echo: e, store: st, users: users}
}

func signInBody(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

// TestSignIn60ConcurrentWrongPasswordsCheckAtMostTheLimit: the limit is not
// check-then-act. Of 60 simultaneous wrong passwords for one account, only as
// many as the limit allows are checked (answered 401); the rest are 429.
func TestSignIn60ConcurrentWrongPasswordsCheckAtMostTheLimit(t *testing.T) {
	clk := newClock() // frozen: no wait can pass during the burst
	const limit = 5
	f := newClockFixture(t, api.Config{}, user.Limits{PerEmail: limit, PerIP: 1000, Window: time.Hour}, time.Hour, clk)
	f.addUser("mara@example.com", "marketer")
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		checked, limited int
		other            []string
	)
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("mara@example.com", "wrong wrong wrong")})
			mu.Lock()
			defer mu.Unlock()
			switch r.status {
			case 401:
				checked++
			case 429:
				limited++
			default:
				other = append(other, strconv.Itoa(r.status)+" "+string(r.body))
			}
		}()
	}
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("unexpected answers: %v", other)
	}
	if checked > limit || checked+limited != 60 {
		t.Fatalf("%d passwords checked (401) and %d refused (429); want at most %d checked", checked, limited, limit)
	}
}

// TestSignInBackoffGrowsThenTheRealUserSignsIn: after the free failures each
// further attempt waits longer (429 with Retry-After and
// details.retry_after_seconds); once the wait has passed the right password
// works, and that success starts the address's count afresh.
func TestSignInBackoffGrowsThenTheRealUserSignsIn(t *testing.T) {
	clk := newClock()
	f := newClockFixture(t, api.Config{}, user.Limits{PerEmail: 3, PerIP: 1000, Window: 24 * time.Hour}, time.Hour, clk)
	f.addUser("mara@example.com", "marketer")
	wrong := signInBody("mara@example.com", "wrong wrong wrong")
	right := signInBody("mara@example.com", "correct horse battery")
	for i := 0; i < 3; i++ {
		if r := f.do(call{method: "POST", path: "/api/v1/session", body: wrong}); r.status != 401 {
			t.Fatalf("free attempt %d: %d %s", i+1, r.status, r.body)
		}
	}
	wait := func() time.Duration {
		t.Helper()
		r := f.do(call{method: "POST", path: "/api/v1/session", body: right})
		e := r.errorBody(t)
		if r.status != 429 || e.Code != "rate_limited" {
			t.Fatalf("want 429 rate_limited, got %d %s", r.status, r.body)
		}
		secs, ok := e.Details["retry_after_seconds"].(float64)
		if !ok || secs < 1 {
			t.Fatalf("details.retry_after_seconds = %v, want a whole number ≥ 1: %s", e.Details["retry_after_seconds"], r.body)
		}
		if h := r.header.Get("Retry-After"); h != strconv.Itoa(int(secs)) {
			t.Fatalf("Retry-After %q, details say %v", h, secs)
		}
		return time.Duration(secs) * time.Second
	}
	first := wait()
	clk.advance(first)
	if r := f.do(call{method: "POST", path: "/api/v1/session", body: wrong}); r.status != 401 {
		t.Fatalf("after waiting %s, the attempt must be checked: %d %s", first, r.status, r.body)
	}
	second := wait()
	if second <= first {
		t.Fatalf("waits %s then %s: the wait must grow", first, second)
	}
	if second > 15*time.Minute {
		t.Fatalf("wait %s exceeds the 15 minute cap", second)
	}
	clk.advance(second)
	if r := f.do(call{method: "POST", path: "/api/v1/session", body: right}); r.status != 200 {
		t.Fatalf("the real user after the wait: %d %s", r.status, r.body)
	}
	// The success reset the address: three more wrong passwords are checked again.
	for i := 0; i < 3; i++ {
		if r := f.do(call{method: "POST", path: "/api/v1/session", body: wrong}); r.status != 401 {
			t.Fatalf("after a success, attempt %d: %d %s (the count was not reset)", i+1, r.status, r.body)
		}
	}
}

// TestSignInOversizedInput400: a 10 KB email and a 73-byte password are bad
// input (400), not a server error and not a counted failure.
func TestSignInOversizedInput400(t *testing.T) {
	f := newFixture(t)
	f.addUser("mara@example.com", "marketer")
	for name, tc := range map[string]struct {
		body map[string]string
		code string
	}{
		"10 KB email":        {signInBody(strings.Repeat("a", 10<<10)+"@example.com", "whatever whatever"), "invalid_email"},
		"73-byte password":   {signInBody("mara@example.com", strings.Repeat("p", 73)), "password_too_long"},
		"321-char email":     {signInBody(strings.Repeat("a", 309)+"@example.com", "whatever whatever"), "invalid_email"},
		"multibyte 73 bytes": {signInBody("mara@example.com", strings.Repeat("é", 36)+"x"), "password_too_long"},
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do(call{method: "POST", path: "/api/v1/session", body: tc.body})
			if r.status != 400 || r.errorBody(t).Code != tc.code {
				t.Fatalf("%d %s, want 400 %s", r.status, r.body, tc.code)
			}
		})
	}
	// None of them counted: five wrong passwords are still checked (the fixture allows five).
	for i := 0; i < 5; i++ {
		if r := f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("mara@example.com", "wrong wrong wrong")}); r.status != 401 {
			t.Fatalf("attempt %d: %d %s", i+1, r.status, r.body)
		}
	}
}

// TestUserWithOverlongPassword400: bcrypt reads only 72 bytes, so a longer
// password is refused when it is set instead of being silently cut.
func TestUserWithOverlongPassword400(t *testing.T) {
	f := newFixture(t)
	admin := f.addUser("ada@example.com", "admin")
	r := f.do(call{method: "POST", path: "/api/v1/users", token: admin,
		body: map[string]any{"email": "long@example.com", "name": "Long", "roles": []string{"legal"}, "password": strings.Repeat("p", 73)}})
	if r.status != 400 || r.errorBody(t).Code != "password_too_long" {
		t.Fatalf("%d %s, want 400 password_too_long", r.status, r.body)
	}
	r = f.do(call{method: "POST", path: "/api/v1/users", token: admin,
		body: map[string]any{"email": strings.Repeat("a", 10<<10) + "@example.com", "name": "Long", "roles": []string{"legal"}}})
	if r.status != 422 || r.errorBody(t).Code != "validation_failed" {
		t.Fatalf("10 KB email: %d %s, want 422 validation_failed", r.status, r.body)
	}
	us, _ := f.users.ListUsers(t.Context())
	if len(us) != 1 {
		t.Fatalf("a refused user was stored: %d users", len(us))
	}
	// 72 bytes is the most bcrypt reads, and it is accepted.
	r = f.do(call{method: "POST", path: "/api/v1/users", token: admin,
		body: map[string]any{"email": "max@example.com", "name": "Max", "roles": []string{"legal"}, "password": strings.Repeat("p", 72)}})
	if r.status != 201 {
		t.Fatalf("72-byte password: %d %s", r.status, r.body)
	}
	if r := f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("max@example.com", strings.Repeat("p", 72))}); r.status != 200 {
		t.Fatalf("sign in with a 72-byte password: %d %s", r.status, r.body)
	}
}

// TestIdleSessionIs401AndLastSeenMoves: a session unused for longer than the
// idle timeout answers 401 although its absolute lifetime has not passed;
// last_seen_at moves with use, at most once a minute.
func TestIdleSessionIs401AndLastSeenMoves(t *testing.T) {
	clk := newClock()
	f := newClockFixture(t, api.Config{}, user.DefaultLimits, 24*time.Hour, clk) // idle timeout: the default, 2h
	f.addUser("mara@example.com", "marketer")
	b := f.browser()
	f.signIn(b, "mara@example.com")
	lastSeen := func() time.Time {
		t.Helper()
		var at time.Time
		if err := f.store.SQL().QueryRow(`SELECT last_seen_at FROM sessions`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	start := lastSeen()
	clk.advance(30 * time.Second)
	if r := f.do(call{method: "GET", path: "/api/v1/me", client: b}); r.status != 200 {
		t.Fatalf("me: %d", r.status)
	}
	if got := lastSeen(); !got.Equal(start) {
		t.Fatalf("last_seen_at written again within a minute: %s → %s", start, got)
	}
	clk.advance(90 * time.Minute)
	if r := f.do(call{method: "GET", path: "/api/v1/me", client: b}); r.status != 200 {
		t.Fatalf("me after 90 min of use: %d", r.status)
	}
	moved := lastSeen()
	if want := clk.now(); moved.Sub(want).Abs() > time.Second {
		t.Fatalf("last_seen_at %s, want about %s", moved, want)
	}
	clk.advance(90 * time.Minute) // 3h after sign-in, but only 90 min idle
	if r := f.do(call{method: "GET", path: "/api/v1/me", client: b}); r.status != 200 {
		t.Fatalf("a session in use must outlive the idle timeout: %d", r.status)
	}
	clk.advance(2*time.Hour + time.Minute)
	r := f.do(call{method: "GET", path: "/api/v1/me", client: b})
	if r.status != 401 || r.errorBody(t).Code != "unauthenticated" {
		t.Fatalf("idle session: %d %s, want 401", r.status, r.body)
	}
}

// TestForwardedForIsIgnoredWithoutATrustedProxy: by default the connection's
// address is the client (a forged X-Forwarded-For changes nothing).
func TestForwardedForIsIgnoredWithoutATrustedProxy(t *testing.T) {
	f := newFixture(t)
	f.addUser("mara@example.com", "marketer")
	r := f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("mara@example.com", "correct horse battery"),
		headers: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
	if r.status != 200 {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	if ip := sessionIP(t, f); ip != "127.0.0.1" {
		t.Fatalf("session ip %q, want the connection's 127.0.0.1", ip)
	}
}

func sessionIP(t *testing.T, f *fixture) string {
	t.Helper()
	var ip string
	if err := f.store.SQL().QueryRow(`SELECT ip FROM sessions ORDER BY created_at DESC LIMIT 1`).Scan(&ip); err != nil {
		t.Fatal(err)
	}
	return ip
}

// TestForwardedForIsHonouredOnlyFromATrustedProxy: with
// FIREBREAK_TRUSTED_PROXIES set, X-Forwarded-For names the client when the
// connection comes from one of those ranges, and only then.
func TestForwardedForIsHonouredOnlyFromATrustedProxy(t *testing.T) {
	for name, tc := range map[string]struct {
		trusted string
		xff     string
		want    string
	}{
		"from the trusted proxy":              {"127.0.0.0/8", "203.0.113.9", "203.0.113.9"},
		"nearest untrusted hop of a chain":    {"127.0.0.0/8", "198.51.100.1, 203.0.113.9", "203.0.113.9"},
		"a forged hop before a trusted one":   {"127.0.0.0/8,203.0.113.0/24", "198.51.100.1, 203.0.113.9", "198.51.100.1"},
		"connection not from a trusted range": {"10.0.0.0/8", "203.0.113.9", "127.0.0.1"},
	} {
		t.Run(name, func(t *testing.T) {
			var nets []*net.IPNet
			for _, c := range strings.Split(tc.trusted, ",") {
				_, n, err := net.ParseCIDR(c)
				if err != nil {
					t.Fatal(err)
				}
				nets = append(nets, n)
			}
			f := newClockFixture(t, api.Config{TrustedProxies: nets}, user.DefaultLimits, time.Hour, newClock())
			f.addUser("mara@example.com", "marketer")
			r := f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("mara@example.com", "correct horse battery"),
				headers: map[string]string{"X-Forwarded-For": tc.xff}})
			if r.status != 200 {
				t.Fatalf("sign in: %d %s", r.status, r.body)
			}
			if ip := sessionIP(t, f); ip != tc.want {
				t.Fatalf("session ip %q, want %q", ip, tc.want)
			}
		})
	}
}

// TestGuessesFromElsewhereDoNotLockTheUserOutOfTheirUsualClient: guesses
// spread over several clients hold the address shut for new clients, but
// not for one the user signed in from before.
func TestGuessesFromElsewhereDoNotLockTheUserOutOfTheirUsualClient(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	f := newClockFixture(t, api.Config{TrustedProxies: []*net.IPNet{loopback}},
		user.Limits{PerEmail: 3, PerPair: 2, PerIP: 100, BaseWait: time.Hour}, time.Hour, newClock())
	f.addUser("mara@example.com", "marketer")
	from := func(ip, password string) reply {
		return f.do(call{method: "POST", path: "/api/v1/session", body: signInBody("mara@example.com", password),
			headers: map[string]string{"X-Forwarded-For": ip}})
	}
	if r := from("192.0.2.1", "correct horse battery"); r.status != 200 {
		t.Fatalf("sign in at home: %d %s", r.status, r.body)
	}
	for _, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		if r := from(ip, "guess guess guess"); r.status != 401 {
			t.Fatalf("guess from %s: %d %s", ip, r.status, r.body)
		}
	}
	if r := from("198.51.100.7", "correct horse battery"); r.status != 429 {
		t.Fatalf("a new client while the address is held: %d %s, want 429", r.status, r.body)
	}
	if r := from("192.0.2.1", "correct horse battery"); r.status != 200 {
		t.Fatalf("the user at home while the address is held: %d %s, want 200", r.status, r.body)
	}
}
