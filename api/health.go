package api

import (
	"context"
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
// answer, else 503 in the error shape naming which are down and why.
func readyz(checks []Check) echo.HandlerFunc {
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
					res = err.Error()
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

func metricsHandler(m *Metrics) echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
}
