package stack_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/internal/testenv"
)

// TestMetricsTokenFromTheEnvironmentGuardsMetrics runs the real `api` with
// FIREBREAK_METRICS_TOKEN: /metrics needs the bearer token, and the token is
// never written to the log.
func TestMetricsTokenFromTheEnvironmentGuardsMetrics(t *testing.T) {
	const token = "metrics-7f3c9a1e5b2d4c6f8a0b"
	rd := testenv.Redis(t)
	port, _ := devstack.FreePort()
	c := serverEnv(t, testenv.DB(t), rd.URL(), port).with("FIREBREAK_METRICS_TOKEN", token)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- c.runCtx(ctx, "", "api") }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	get := func(auth string) (int, string) {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var status int
	for i := 0; i < 100 && status == 0; i++ {
		if status, _ = get(""); status == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if status != 401 {
		cancel()
		t.Fatalf("/metrics without the token: %d (%+v)", status, <-done)
	}
	if status, body := get("Bearer " + token); status != 200 || !strings.Contains(body, "firebreak_http_requests_total") {
		t.Errorf("/metrics with the token: %d %.200s", status, body)
	}
	cancel()
	r := <-done
	if r.code != 0 {
		t.Fatalf("api exited %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, token) {
		t.Fatalf("the metrics token is in the log: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "metrics_token_set=true") {
		t.Errorf("the start-up line should say a metrics token is set: %s", r.stderr)
	}
}
