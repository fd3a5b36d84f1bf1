package user

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/firebreak/firebreak/domain/errs"
)

// Sign-in throttling. Every attempt is counted under three keys: the address
// ("email:…", from anywhere), the client ("ip:…", to any address) and the pair
// ("pair:<ip>|<address>"). Each key allows some free attempts; after those,
// every further attempt must wait BaseWait, doubled per attempt, up to a cap.
// An attempt is admitted and charged to all three keys before its password is
// checked, under a row lock per key (Repo.ChargeAttempt), so parallel attempts
// never all pass a check made before any of them was counted. A refused
// attempt is not charged: hammering during a wait does not extend it. A
// successful sign-in forgives the attempts made from its client (the user's
// own typos, and itself): they are taken back from the pair, the address and
// the client, and the pair is marked known. After typos the address is thus
// reset; failures from other clients — an attacker's — stay counted, or every
// sign-in of the real user would hand the attacker a fresh set of free guesses.
//
// Why three keys, and known pairs: the pair key stops one client guessing one
// account early and escalates to long waits (MaxClientWait). The address key
// stops guessing spread over many clients; it starts later and stops at a
// shorter cap (MaxEmailWait) because it would also hold off the real user —
// except that it does not apply to a known pair, a client the user signed in
// from within KnownClientFor. So no number of attacking clients keeps the
// user out of the places they sign in from, and one attacking client holds
// them off elsewhere only part of the time. The client key stops one client
// trying many accounts.

// KnownClientFor is how long a successful sign-in exempts its (client,
// address) pair from the address's wait.
const KnownClientFor = 30 * 24 * time.Hour

// Attempts is what the throttle remembers about one key.
type Attempts struct {
	Key string
	// Failures counts the attempts charged and not forgiven by a success.
	Failures int
	// LastAt is when the last attempt was charged; zero when none was.
	LastAt time.Time
	// SucceededAt is, for a pair key, when the user last signed in with it;
	// zero when never.
	SucceededAt time.Time
}

// Limits is the sign-in throttle's policy. A zero field takes DefaultLimits'
// value, so a test can set only what it is about.
type Limits struct {
	// PerEmail, PerPair and PerIP are the free attempts of the address, the
	// (client, address) pair and the client, before waits begin.
	PerEmail int
	PerPair  int
	PerIP    int
	// BaseWait is the first wait; each further charged attempt doubles it.
	BaseWait time.Duration
	// MaxEmailWait caps the address's wait: the longest an attacker can hold
	// the real user off with one attempt.
	MaxEmailWait time.Duration
	// MaxClientWait caps the waits of the client and the pair.
	MaxClientWait time.Duration
	// Window: a key with no attempt for this long starts afresh. It is never
	// shorter than the longest wait, or waiting out the cap would reset it.
	Window time.Duration
}

// DefaultLimits are generous for people (ten tries at an address, fifty from
// one office network) and slow for password guessing: one client gets 5 free
// guesses at an account, then waits 1 s, 2 s, 4 s … up to an hour between
// guesses; the address itself is held for at most 15 minutes after a guess.
var DefaultLimits = Limits{
	PerEmail: 10, PerPair: 5, PerIP: 50,
	BaseWait: time.Second, MaxEmailWait: 15 * time.Minute, MaxClientWait: time.Hour,
	Window: 24 * time.Hour,
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.PerEmail <= 0 {
		l.PerEmail = d.PerEmail
	}
	if l.PerPair <= 0 {
		l.PerPair = min(d.PerPair, l.PerEmail)
	}
	if l.PerIP <= 0 {
		l.PerIP = d.PerIP
	}
	if l.BaseWait <= 0 {
		l.BaseWait = d.BaseWait
	}
	if l.MaxEmailWait <= 0 {
		l.MaxEmailWait = max(d.MaxEmailWait, l.BaseWait)
	}
	if l.MaxClientWait <= 0 {
		l.MaxClientWait = max(d.MaxClientWait, l.BaseWait)
	}
	if l.Window <= 0 {
		l.Window = d.Window
	}
	l.Window = max(l.Window, l.MaxEmailWait, l.MaxClientWait)
	return l
}

// The throttle key prefixes.
const (
	keyEmail = "email:"
	keyIP    = "ip:"
	keyPair  = "pair:"
)

// throttleKeys are the keys one attempt is charged to: address, client, pair.
func throttleKeys(email, ip string) (emailKey, ipKey, pairKey string) {
	return keyEmail + email, keyIP + ip, keyPair + ip + "|" + email
}

// backoff is the wait after failures charged attempts under one key: none
// while failures < free, then base, doubling per attempt, capped at maxWait.
func backoff(failures, free int, base, maxWait time.Duration) time.Duration {
	if failures < free {
		return 0
	}
	d := base
	for n := failures - free; n > 0 && d < maxWait; n-- {
		d *= 2
	}
	return min(d, maxWait)
}

// wait is the backoff of the key's kind.
func (l Limits) wait(key string, failures int) time.Duration {
	switch {
	case strings.HasPrefix(key, keyEmail):
		return backoff(failures, l.PerEmail, l.BaseWait, l.MaxEmailWait)
	case strings.HasPrefix(key, keyPair):
		return backoff(failures, l.PerPair, l.BaseWait, l.MaxClientWait)
	default:
		return backoff(failures, l.PerIP, l.BaseWait, l.MaxClientWait)
	}
}

// admit decides one attempt at now from the stored state of its keys (cur, in
// any order; a key missing from cur is fresh). Admitted, it returns every key
// charged one attempt, to be stored. Refused, it returns a *RateLimitedError
// with the longest remaining wait and nothing is to be stored. The address's
// wait does not apply when the pair is known (KnownClientFor).
func (l Limits) admit(now time.Time, keys []string, cur []Attempts) ([]Attempts, error) {
	stored := make(map[string]Attempts, len(cur))
	known := false
	for _, a := range cur {
		stored[a.Key] = a
		if strings.HasPrefix(a.Key, keyPair) && !a.SucceededAt.IsZero() && now.Sub(a.SucceededAt) < KnownClientFor {
			known = true
		}
	}
	var wait time.Duration
	next := make([]Attempts, len(keys))
	for i, k := range keys {
		a := stored[k]
		a.Key = k
		if a.LastAt.IsZero() || now.Sub(a.LastAt) >= l.Window {
			a.Failures = 0
		}
		exempt := known && strings.HasPrefix(k, keyEmail)
		if w := l.wait(k, a.Failures); w > 0 && !exempt {
			if until := a.LastAt.Add(w); until.After(now) {
				wait = max(wait, until.Sub(now))
			}
		}
		a.Failures++
		a.LastAt = now
		next[i] = a
	}
	if wait > 0 {
		return nil, &RateLimitedError{RetryAfter: wait}
	}
	return next, nil
}

// RateLimitedError is ErrTooManyAttempts with how long to wait. It carries the
// API code and details (retry_after_seconds), from which the HTTP layer also
// sets Retry-After.
type RateLimitedError struct {
	RetryAfter time.Duration
}

// Seconds is the wait in whole seconds, rounded up, at least 1.
func (e *RateLimitedError) Seconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

func (e *RateLimitedError) Error() string {
	s := e.Seconds()
	switch {
	case s == 1:
		return "too many failed sign-ins: try again in 1 second"
	case s < 120:
		return fmt.Sprintf("too many failed sign-ins: try again in %d seconds", s)
	}
	return fmt.Sprintf("too many failed sign-ins: try again in %d minutes", (s+59)/60)
}

// Unwrap makes errors.Is(err, errs.RateLimited) true.
func (e *RateLimitedError) Unwrap() error { return errs.RateLimited }

// Is makes errors.Is(err, ErrTooManyAttempts) true.
func (e *RateLimitedError) Is(target error) bool { return target == ErrTooManyAttempts }

// Code is the API error code.
func (e *RateLimitedError) Code() string { return ErrTooManyAttempts.Code }

// Details are the API error details: the wait in seconds.
func (e *RateLimitedError) Details() map[string]any {
	return map[string]any{"retry_after_seconds": e.Seconds()}
}
