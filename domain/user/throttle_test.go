package user

import (
	"errors"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

func TestBackoffDoublesAfterTheFreeAttemptsUpToTheCap(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {4, 0}, {5, time.Second}, {6, 2 * time.Second}, {9, 16 * time.Second},
		{14, 512 * time.Second}, {15, 15 * time.Minute}, {1000, 15 * time.Minute},
	} {
		if got := backoff(tc.failures, 5, time.Second, 15*time.Minute); got != tc.want {
			t.Errorf("backoff(%d) = %s, want %s", tc.failures, got, tc.want)
		}
	}
}

// throttle is an in-memory store for admit, as Repo.ChargeAttempt uses it.
type throttle struct {
	l     Limits
	state map[string]Attempts
}

func newThrottle(l Limits) *throttle {
	return &throttle{l: l.withDefaults(), state: map[string]Attempts{}}
}

// try charges an attempt from ip at email at now, or returns the wait.
func (th *throttle) try(now time.Time, email, ip string) (time.Duration, bool) {
	e, i, p := throttleKeys(email, ip)
	keys := []string{e, i, p}
	var cur []Attempts
	for _, k := range keys {
		if a, ok := th.state[k]; ok {
			cur = append(cur, a)
		}
	}
	next, err := th.l.admit(now, keys, cur)
	if err != nil {
		var rl *RateLimitedError
		if !errors.As(err, &rl) || !errors.Is(err, errs.RateLimited) || !errors.Is(err, ErrTooManyAttempts) {
			panic(err)
		}
		return rl.RetryAfter, false
	}
	for _, a := range next {
		th.state[a.Key] = a
	}
	return 0, true
}

// succeed settles a successful sign-in as Repo.ForgiveAttempts does.
func (th *throttle) succeed(now time.Time, email, ip string) {
	e, i, p := throttleKeys(email, ip)
	own := th.state[p].Failures
	for _, k := range []string{e, i} {
		a := th.state[k]
		a.Failures = max(a.Failures-own, 0)
		th.state[k] = a
	}
	th.state[p] = Attempts{Key: p, LastAt: now, SucceededAt: now}
}

// attack has clients (one address each) guess victim's password as fast as
// they are allowed from start for d; every hour the real user signs in from
// home. It returns the guesses made and the real user's refusals.
func attack(th *throttle, clients int, start time.Time, d time.Duration, home string) (guesses, refused int) {
	next := make([]time.Time, clients)
	for i := range next {
		next[i] = start
	}
	nextHome := start.Add(time.Minute)
	for {
		c := 0
		for i := range next {
			if next[i].Before(next[c]) {
				c = i
			}
		}
		now := next[c]
		if home != "" && nextHome.Before(now) {
			if _, ok := th.try(nextHome, "victim@x.io", home); ok {
				th.succeed(nextHome, "victim@x.io", home)
			} else {
				refused++
			}
			nextHome = nextHome.Add(time.Hour)
			continue
		}
		if !now.Before(start.Add(d)) {
			return guesses, refused
		}
		if wait, ok := th.try(now, "victim@x.io", "6.6.6."+string(rune('0'+c))); ok {
			guesses++
			next[c] = now.Add(time.Millisecond)
		} else {
			next[c] = now.Add(wait)
		}
	}
}

// TestAttackersCannotLockTheUserOutOfAKnownClient: however many clients guess
// at an account, the user still signs in from where they signed in before,
// and the guesses over a day stay few.
func TestAttackersCannotLockTheUserOutOfAKnownClient(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, clients := range []int{1, 8} {
		th := newThrottle(DefaultLimits)
		if _, ok := th.try(start.Add(-time.Hour), "victim@x.io", "192.0.2.1"); !ok {
			t.Fatal("first sign-in refused")
		}
		th.succeed(start.Add(-time.Hour), "victim@x.io", "192.0.2.1")
		guesses, refused := attack(th, clients, start, 24*time.Hour, "192.0.2.1")
		if refused > 0 {
			t.Errorf("%d attacking clients: the user was refused %d of 24 times at home", clients, refused)
		}
		t.Logf("%d attacking clients: %d guesses in a day", clients, guesses)
		if limit := 150; guesses > limit {
			t.Errorf("%d attacking clients made %d guesses in a day, want at most %d", clients, guesses, limit)
		}
	}
}

func TestAdmitRefusesWithoutChargingAndForgetsAfterTheWindow(t *testing.T) {
	th := newThrottle(Limits{PerEmail: 2, PerPair: 2, PerIP: 100, Window: time.Hour})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		if _, ok := th.try(now, "a@x.io", "1.1.1.1"); !ok {
			t.Fatalf("free attempt %d refused", i+1)
		}
	}
	wait, ok := th.try(now, "a@x.io", "1.1.1.1")
	if ok || wait != time.Second {
		t.Fatalf("third attempt: ok=%v wait=%s, want refused for 1s", ok, wait)
	}
	// Hammering during the wait changes nothing: it is not charged.
	for i := 0; i < 50; i++ {
		th.try(now.Add(500*time.Millisecond), "a@x.io", "1.1.1.1")
	}
	if got := th.state["email:a@x.io"].Failures; got != 2 {
		t.Fatalf("refused attempts were charged: %d failures", got)
	}
	if _, ok := th.try(now.Add(time.Second), "a@x.io", "1.1.1.1"); !ok {
		t.Fatal("after the wait the attempt must be admitted")
	}
	// An hour without an attempt: the key starts afresh (two free again).
	later := now.Add(time.Second + time.Hour)
	for i := 0; i < 2; i++ {
		if _, ok := th.try(later, "a@x.io", "1.1.1.1"); !ok {
			t.Fatalf("after the window, free attempt %d refused", i+1)
		}
	}
}

// TestOneClientCannotHoldAnAccountShut: a client guessing one account as fast
// as it is allowed for a day gets few guesses, and the real user (from
// elsewhere) is kept out only a small part of the time, never longer than
// MaxEmailWait at once.
func TestOneClientCannotHoldAnAccountShut(t *testing.T) {
	th := newThrottle(DefaultLimits)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now, end := start, start.Add(24*time.Hour)
	guesses := 0
	var blocked, longest time.Duration
	for now.Before(end) {
		wait, ok := th.try(now, "victim@x.io", "6.6.6.6")
		if !ok {
			now = now.Add(wait)
			continue
		}
		guesses++
		// How long is the real user, at another address, kept out now?
		e, _, _ := throttleKeys("victim@x.io", "")
		a := th.state[e]
		held := DefaultLimits.withDefaults().wait(e, a.Failures)
		blocked += held
		longest = max(longest, held)
		now = now.Add(time.Millisecond)
	}
	if guesses > 60 {
		t.Errorf("%d guesses in a day from one client, want at most 60", guesses)
	}
	if longest > 15*time.Minute {
		t.Errorf("the real user was held off %s at once, want at most 15m", longest)
	}
	if frac := blocked.Seconds() / end.Sub(start).Seconds(); frac > 0.3 {
		t.Errorf("the real user was held off %.0f%% of the day, want at most 30%%", frac*100)
	}
	// And right now, with the attacker waiting, the real user gets in from home.
	if _, ok := th.try(end.Add(15*time.Minute), "victim@x.io", "192.0.2.1"); !ok {
		t.Error("the real user, from another client, was refused")
	}
}

// TestAdmitIgnoresAStoredTimeJustAfterNow: a stored time may read back a
// fraction after now (clocks of two processes, rounding); with no backoff due
// that is no reason to refuse.
func TestAdmitIgnoresAStoredTimeJustAfterNow(t *testing.T) {
	l := DefaultLimits.withDefaults()
	now := time.Date(2026, 1, 1, 0, 0, 0, 500, time.UTC)
	cur := []Attempts{{Key: "email:a@x.io", Failures: 1, LastAt: now.Add(time.Microsecond)}}
	if _, err := l.admit(now, []string{"email:a@x.io", "ip:1.1.1.1", "pair:1.1.1.1|a@x.io"}, cur); err != nil {
		t.Fatalf("one failure of ten free was refused: %v", err)
	}
}

func TestRateLimitedErrorSaysHowLong(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		secs int
		msg  string
	}{
		{300 * time.Millisecond, 1, "too many failed sign-ins: try again in 1 second"},
		{90 * time.Second, 90, "too many failed sign-ins: try again in 90 seconds"},
		{14*time.Minute + time.Second, 841, "too many failed sign-ins: try again in 15 minutes"},
	} {
		e := &RateLimitedError{RetryAfter: tc.d}
		if e.Seconds() != tc.secs || e.Details()["retry_after_seconds"] != tc.secs || e.Error() != tc.msg || e.Code() != "rate_limited" {
			t.Errorf("%s: %d %v %q", tc.d, e.Seconds(), e.Details(), e.Error())
		}
	}
}
