package sendgrid

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sendgrid/rest"

	"github.com/firebreak/firebreak/domain/esp"
)

// Waits between management attempts (SENDGRID.md §9.3).
const (
	backoffBase = time.Second
	backoffCap  = 30 * time.Second
	// resetHorizon: an X-RateLimit-Reset further ahead than this is not
	// waited for; the call backs off instead.
	resetHorizon = 2 * time.Minute
	// resetJitter spreads the workers that all wait for the same reset second.
	resetJitter = 500 * time.Millisecond
)

// manage makes a management request, retrying what cannot have done harm
// twice: 429, 5xx and transport errors (Unreachable, and Uncertain timeouts,
// since every management call is idempotent or, for CreateBatch, harmless to
// repeat). Other 4xx return at once. At most Config.MaxAttempts requests; ctx
// ends the waiting, and then the last error is returned wrapped with ctx's.
func (c *Client) manage(ctx context.Context, op string, method rest.Method, path string, body []byte) (*rest.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.do(ctx, op, method, path, body)
		if err == nil {
			return resp, nil
		}
		var e *esp.Error
		if !errors.As(err, &e) || !retryable(e) || attempt >= c.cfg.MaxAttempts {
			return nil, err
		}
		if cerr := ctx.Err(); cerr != nil {
			if errors.Is(err, cerr) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", err, cerr)
		}
		if serr := c.cfg.Sleep(ctx, c.wait(attempt, e)); serr != nil {
			return nil, fmt.Errorf("%w: gave up waiting to retry: %w", err, serr)
		}
	}
}

// retryable reports whether another attempt of a management call can help.
func retryable(e *esp.Error) bool {
	switch e.Kind {
	case esp.RateLimited, esp.Unreachable, esp.Uncertain:
		return true
	}
	return false
}

// wait is the pause after the attempt-th failure: until X-RateLimit-Reset
// (plus a little jitter) when a 429 names a reset under resetHorizon ahead,
// else jittered exponential backoff 1s, 2s, 4s… capped at backoffCap.
func (c *Client) wait(attempt int, e *esp.Error) time.Duration {
	if e.Kind == esp.RateLimited && !e.RetryAt.IsZero() {
		if d := e.RetryAt.Sub(c.cfg.Now()); d > 0 && d < resetHorizon {
			return d + rand.N(resetJitter)
		}
	}
	return backoff(attempt)
}

// backoff is base·2^(attempt-1) capped at backoffCap, then scaled by a random
// factor in [0.5, 1.5) and capped again.
func backoff(attempt int) time.Duration {
	d := backoffCap
	if attempt <= 6 { // 2^5 s already exceeds the cap
		d = min(backoffBase<<(attempt-1), backoffCap)
	}
	d = d/2 + rand.N(d)
	return min(d, backoffCap)
}
