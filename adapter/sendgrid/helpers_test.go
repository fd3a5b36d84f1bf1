package sendgrid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/adapter/sendgrid"
	"github.com/firebreak/firebreak/domain/esp"
)

const testKey = "SG.test-key"

// t0 is the injected clock's "now" in the retry tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// call is one request the fake SendGrid received.
type call struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// fake is an httptest server that plays SendGrid: it records every request
// and answers with respond, which gets the 1-based request number.
type fake struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []call
}

func newFake(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, n int)) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.calls = append(f.calls, call{r.Method, r.URL.EscapedPath(), r.Header.Clone(), body})
		n := len(f.calls)
		f.mu.Unlock()
		respond(w, r, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// sleeps records the waits the client asks for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient builds a client for baseURL with a fixed clock at t0 and the
// recording sleeper; mod adjusts the config.
func newClient(baseURL string, sl *sleeps, mod ...func(*sendgrid.Config)) *sendgrid.Client {
	cfg := sendgrid.Config{
		APIKey:      testKey,
		BaseURL:     baseURL,
		Timeout:     5 * time.Second,
		MaxAttempts: 5,
		Now:         func() time.Time { return t0 },
	}
	if sl != nil {
		cfg.Sleep = sl.Sleep
	}
	for _, m := range mod {
		m(&cfg)
	}
	return sendgrid.New(cfg)
}

// writeErrors answers status with SendGrid's error envelope; each pair is
// (field or nil, message).
func writeErrors(w http.ResponseWriter, status int, pairs ...any) {
	type item struct {
		Field   any    `json:"field"`
		Message string `json:"message"`
	}
	var env struct {
		Errors []item `json:"errors"`
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		env.Errors = append(env.Errors, item{pairs[i], pairs[i+1].(string)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(env)
}

// closedURL is the URL of a port nothing listens on any more.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "http://" + addr
}

// asESPError asserts err is an *esp.Error of kind and returns it.
func asESPError(t *testing.T, err error, kind esp.Kind) *esp.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", kind)
	}
	var e *esp.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want an *esp.Error of kind %s", err, err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("kind = %s, want %s (err: %v)", e.Kind, kind, err)
	}
	return e
}

// oneMessage is a minimal valid message to the given address.
func oneMessage(to string) esp.Message {
	return esp.Message{
		From:             esp.Address{Email: "news@brand.example"},
		Subject:          "Hello",
		Text:             "Hello",
		Personalizations: []esp.Personalization{{To: esp.Address{Email: to}}},
	}
}
