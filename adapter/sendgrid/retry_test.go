package sendgrid_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/esp"
)

func created(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"batch_id":"HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi"}`))
}

func TestCreateBatch201(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { created(w) })
	id, err := newClient(f.srv.URL, nil).CreateBatch(context.Background())
	if err != nil || id != "HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi" {
		t.Fatalf("CreateBatch = %q, %v", id, err)
	}
	c := f.Calls()[0]
	if c.Method != http.MethodPost || c.Path != "/v3/mail/batch" || len(c.Body) != 0 {
		t.Errorf("request = %s %s %q, want POST /v3/mail/batch without body", c.Method, c.Path, c.Body)
	}
	if got := c.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
}

// 429 with X-RateLimit-Reset 7s ahead: the client waits until the reset (plus
// under 500ms of jitter), not a fixed or exponential delay.
func TestManagementWaitsUntilRateLimitReset(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n <= 2 {
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(t0.Add(7*time.Second).Unix()))
			writeErrors(w, 429, nil, "too many requests")
			return
		}
		created(w)
	})
	sl := &sleeps{}
	if _, err := newClient(f.srv.URL, sl).CreateBatch(context.Background()); err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	if n := len(f.Calls()); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	waits := sl.Waits()
	if len(waits) != 2 {
		t.Fatalf("waits = %v, want 2", waits)
	}
	for _, d := range waits {
		if d < 7*time.Second || d >= 7500*time.Millisecond {
			t.Errorf("wait %v, want 7s..7.5s (until X-RateLimit-Reset)", d)
		}
	}
}

// A reset too far ahead, or none at all, falls back to jittered exponential
// backoff 1s, 2s, 4s… capped at 30s.
func TestManagementBackoff(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reset string
	}{{"resetFiveMinutesAway", fmt.Sprint(t0.Add(5 * time.Minute).Unix())}, {"resetInPast", fmt.Sprint(t0.Unix() - 1)}, {"noReset", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				if tt.reset != "" {
					w.Header().Set("X-RateLimit-Reset", tt.reset)
				}
				writeErrors(w, 429, nil, "too many requests")
			})
			sl := &sleeps{}
			c := newClient(f.srv.URL, sl, func(cfg *sendgrid.Config) { cfg.MaxAttempts = 8 })
			_, err := c.CreateBatch(context.Background())
			asESPError(t, err, esp.RateLimited)
			waits := sl.Waits()
			if len(waits) != 7 {
				t.Fatalf("waits = %v, want 7", waits)
			}
			for i, d := range waits {
				base := min(time.Second<<i, 30*time.Second)
				if d < base/2 || d > min(base*3/2, 30*time.Second) {
					t.Errorf("wait %d = %v, want %v±50%% capped at 30s", i+1, d, base)
				}
			}
		})
	}
}

// Always 429: stop after MaxAttempts and return the last answer, RetryAt kept.
func TestManagementStopsAfterMaxAttempts(t *testing.T) {
	reset := t0.Add(3 * time.Second).Unix()
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(reset))
		writeErrors(w, 429, nil, "too many requests")
	})
	sl := &sleeps{}
	c := newClient(f.srv.URL, sl, func(cfg *sendgrid.Config) { cfg.MaxAttempts = 3 })
	err := c.SetBatchStatus(context.Background(), "b1", esp.StatusPause)
	e := asESPError(t, err, esp.RateLimited)
	if !e.RetryAt.Equal(time.Unix(reset, 0)) || e.Status != 429 {
		t.Errorf("RetryAt, status = %v, %d", e.RetryAt, e.Status)
	}
	if n := len(f.Calls()); n != 3 {
		t.Errorf("%d requests, want MaxAttempts=3", n)
	}
	if n := len(sl.Waits()); n != 2 {
		t.Errorf("%d waits, want 2", n)
	}
}

func TestManagementRetries5xx(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		switch n {
		case 1:
			writeErrors(w, 500, nil, "internal error")
		case 2:
			writeErrors(w, 503, nil, "unavailable")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	if err := newClient(f.srv.URL, &sleeps{}).ClearBatchStatus(context.Background(), "b1"); err != nil {
		t.Fatalf("ClearBatchStatus: %v", err)
	}
	if n := len(f.Calls()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestManagementRetriesUnreachable(t *testing.T) {
	sl := &sleeps{}
	_, err := newClient(closedURL(t), sl, func(cfg *sendgrid.Config) { cfg.MaxAttempts = 4 }).CreateBatch(context.Background())
	asESPError(t, err, esp.Unreachable)
	if n := len(sl.Waits()); n != 3 {
		t.Errorf("%d waits, want 3 (4 attempts)", n)
	}
}

// Other 4xx cannot get better by retrying: one request, at once.
func TestManagementStopsAtOnceOn4xx(t *testing.T) {
	for _, status := range []int{400, 401, 403} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeErrors(w, status, nil, "no")
			})
			sl := &sleeps{}
			_, err := newClient(f.srv.URL, sl).CreateBatch(context.Background())
			e := asESPError(t, err, esp.Permanent)
			if e.Status != status || e.Op != "mail/batch" {
				t.Errorf("status, op = %d, %q", e.Status, e.Op)
			}
			if n := len(f.Calls()); n != 1 || len(sl.Waits()) != 0 {
				t.Errorf("%d requests, %d waits; want 1, 0", n, len(sl.Waits()))
			}
		})
	}
}

// With the default Sleep, cancelling ctx ends a long X-RateLimit-Reset wait
// at once, and the error says both what SendGrid answered and why we stopped.
func TestManagementWaitHonoursCtx(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(90*time.Second).Unix()))
		writeErrors(w, 429, nil, "too many requests")
	})
	c := sendgrid.New(sendgrid.Config{APIKey: testKey, BaseURL: f.srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.CreateBatch(ctx)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v after cancel", d)
	}
	if !errors.Is(err, context.Canceled) || esp.KindOf(err) != esp.RateLimited {
		t.Fatalf("err = %v, want RateLimited wrapping context.Canceled", err)
	}
	if n := len(f.Calls()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
