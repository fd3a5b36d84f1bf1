package sendgrid_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/esp"
)

func TestSendErrorKinds(t *testing.T) {
	reset := t0.Unix() + 42
	tests := []struct {
		name     string
		respond  func(w http.ResponseWriter)
		kind     esp.Kind
		status   int
		messages []string
		retryAt  time.Time
	}{
		{
			name: "send400KeepsEnvelope",
			respond: func(w http.ResponseWriter) {
				writeErrors(w, 400, "from.email", "The from email does not contain a valid address.",
					nil, "The content value must be a string at least one character in length.")
			},
			kind: esp.Permanent, status: 400,
			messages: []string{"from.email: The from email does not contain a valid address.",
				"The content value must be a string at least one character in length."},
		},
		{
			name: "send401",
			respond: func(w http.ResponseWriter) {
				writeErrors(w, 401, nil, "The provided authorization grant is invalid, expired, or revoked")
			},
			kind: esp.Permanent, status: 401,
			messages: []string{"The provided authorization grant is invalid, expired, or revoked"},
		},
		{
			name:    "send413",
			respond: func(w http.ResponseWriter) { writeErrors(w, 413, nil, "Payload Too Large") },
			kind:    esp.Permanent, status: 413,
			messages: []string{"Payload Too Large"},
		},
		{
			name: "send429WithReset",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("X-RateLimit-Limit", "600")
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset", fmt.Sprint(reset))
				writeErrors(w, 429, nil, "too many requests")
			},
			kind: esp.RateLimited, status: 429, messages: []string{"too many requests"},
			retryAt: time.Unix(reset, 0),
		},
		{
			name:    "send429WithoutHeaders", // what mail/send does (SENDGRID.md §1.7)
			respond: func(w http.ResponseWriter) { writeErrors(w, 429, nil, "too many requests") },
			kind:    esp.RateLimited, status: 429, messages: []string{"too many requests"},
		},
		{
			name:    "send500",
			respond: func(w http.ResponseWriter) { writeErrors(w, 500, nil, "internal error") },
			kind:    esp.Uncertain, status: 500, messages: []string{"internal error"},
		},
		{
			name: "send503PlainBody",
			respond: func(w http.ResponseWriter) {
				w.WriteHeader(503)
				_, _ = w.Write([]byte("upstream unavailable\n"))
			},
			kind: esp.Uncertain, status: 503, messages: []string{"upstream unavailable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) { tt.respond(w) })
			_, err := newClient(f.srv.URL, nil).Send(context.Background(), oneMessage("a@example.com"))
			e := asESPError(t, err, tt.kind)
			if e.Status != tt.status || e.Op != "mail/send" {
				t.Errorf("status, op = %d, %q; want %d, mail/send", e.Status, e.Op, tt.status)
			}
			if !reflect.DeepEqual(e.Messages, tt.messages) {
				t.Errorf("messages = %q, want %q", e.Messages, tt.messages)
			}
			if !e.RetryAt.Equal(tt.retryAt) {
				t.Errorf("RetryAt = %v, want %v", e.RetryAt, tt.retryAt)
			}
			if n := len(f.Calls()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// A server that takes the request and never answers: SendGrid may have
// queued the mail, so the outcome is Uncertain, and the client timeout ends it.
func TestSendHangPastTimeoutIsUncertain(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := newClient(f.srv.URL, nil, func(cfg *sendgrid.Config) { cfg.Timeout = 200 * time.Millisecond })
	start := time.Now()
	_, err := c.Send(context.Background(), oneMessage("a@example.com"))
	e := asESPError(t, err, esp.Uncertain)
	if e.Status != 0 || e.Err == nil {
		t.Errorf("status %d, err %v: want no status and the transport error", e.Status, e.Err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v; the 200ms timeout did not apply", d)
	}
}

// The caller's ctx deadline bounds the call too, even with a long client timeout.
func TestSendHangPastCtxDeadlineIsUncertain(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := newClient(f.srv.URL, nil).Send(ctx, oneMessage("a@example.com"))
	asESPError(t, err, esp.Uncertain)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
}

func TestSendClosedPortIsUnreachable(t *testing.T) {
	_, err := newClient(closedURL(t), nil).Send(context.Background(), oneMessage("a@example.com"))
	e := asESPError(t, err, esp.Unreachable)
	var opErr *net.OpError
	if !errors.As(e, &opErr) || opErr.Op != "dial" {
		t.Errorf("err = %v, want a dial *net.OpError inside", err)
	}
}

// A ctx that ended before the call: nothing reached SendGrid.
func TestSendCancelledCtxIsUnreachable(t *testing.T) {
	f := newFake(t, accept("never"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(f.srv.URL, nil).Send(ctx, oneMessage("a@example.com"))
	asESPError(t, err, esp.Unreachable)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	if n := len(f.Calls()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestBadBaseURLIsPermanent(t *testing.T) {
	for _, u := range []string{"api.sendgrid.com", "ftp://api.sendgrid.com", "http://"} {
		c := sendgrid.New(sendgrid.Config{APIKey: testKey, BaseURL: u})
		_, err := c.Send(context.Background(), oneMessage("a@example.com"))
		asESPError(t, err, esp.Permanent)
		asESPError(t, c.ClearBatchStatus(context.Background(), "b1"), esp.Permanent)
	}
}

func TestErrorStringNamesKindStatusAndMessages(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeErrors(w, 400, "personalizations.0.to.0.email", "Does not contain a valid address.")
	})
	_, err := newClient(f.srv.URL, nil).Send(context.Background(), oneMessage("bad"))
	want := "sendgrid mail/send: permanent (HTTP 400): personalizations.0.to.0.email: Does not contain a valid address."
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
}
