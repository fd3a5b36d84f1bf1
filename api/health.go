package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one dependency /readyz asks: a name ("postgres", "redis") and a ping.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// healthz: the process is alive and serving.
func healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz pings every dependency in parallel (2 s each) and answers 200 when all
// answer, else 503 in the error shape naming which are down ("postgres":
// "down"). The ping errors name users, hosts and ports, so they go to the log
// with the request id, never into the answer (/readyz is usually reachable by
// the load balancer and whoever stands next to it).
func readyz(checks []Check, log *slog.Logger) echo.HandlerFunc {
	return func(c echo.Context) error {
		results := make(map[string]string, len(checks))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, chk := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
				defer cancel()
				res := "ok"
				if err := chk.Ping(ctx); err != nil {
					res = "down"
					log.WarnContext(ctx, "readiness check failed", "check", chk.Name,
						"request_id", requestID(c), "err", err.Error())
				}
				mu.Lock()
				results[chk.Name] = res
				mu.Unlock()
			}()
		}
		wg.Wait()
		var down []string
		details := map[string]any{}
		for name, res := range results {
			details[name] = res
			if res != "ok" {
				down = append(down, name)
			}
		}
		if len(down) > 0 {
			sort.Strings(down)
			details["down"] = down
			return &apiError{status: http.StatusServiceUnavailable, code: "not_ready",
				message: "Not ready: " + strings.Join(down, " and ") + " not reachable.", details: details}
		}
		return c.JSON(http.StatusOK, map[string]any{"status": "ready", "checks": results})
	}
}

// metricsHandler serves the registry. With a token (FIREBREAK_METRICS_TOKEN)
// only `Authorization: Bearer <token>` may read it; without one it is open, and
// the operator keeps it on the internal network.
func metricsHandler(m *Metrics, token string) echo.HandlerFunc {
	serve := echo.WrapHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	if token == "" {
		return serve
	}
	want := sha256.Sum256([]byte(token))
	return func(c echo.Context) error {
		scheme, got, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return newError(http.StatusUnauthorized, "unauthenticated",
				"Send the metrics token: Authorization: Bearer <FIREBREAK_METRICS_TOKEN>.")
		}
		return serve(c)
	}
}
