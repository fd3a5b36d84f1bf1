package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/incident"
)

// durationStatsResponse is one response time over a set of incidents, in
// whole seconds (truncated, as the postmortem's durations), null when no
// incident of the set got there.
type durationStatsResponse struct {
	Count         int    `json:"count"`
	MedianSeconds *int64 `json:"median_seconds"`
	P90Seconds    *int64 `json:"p90_seconds"`
	MaxSeconds    *int64 `json:"max_seconds"`
}

type responseMetricsTotal struct {
	Incidents     int                   `json:"incidents"`
	ToAcknowledge durationStatsResponse `json:"to_acknowledge"`
	ToPause       durationStatsResponse `json:"to_pause"`
	ToResolve     durationStatsResponse `json:"to_resolve"`
}

type responseMetricsGroup struct {
	Runbook  string `json:"runbook"`
	Severity string `json:"severity"`
	responseMetricsTotal
}

// responseMetricsResponse is GET /response-metrics.
type responseMetricsResponse struct {
	From   time.Time              `json:"from"`
	To     time.Time              `json:"to"`
	Total  responseMetricsTotal   `json:"total"`
	Groups []responseMetricsGroup `json:"groups"`
}

func toDurationStatsResponse(s incident.DurationStats) durationStatsResponse {
	return durationStatsResponse{Count: s.Count, MedianSeconds: seconds(s.Median), P90Seconds: seconds(s.P90),
		MaxSeconds: seconds(s.Max)}
}

func toResponseMetricsTotal(s incident.ResponseStats) responseMetricsTotal {
	return responseMetricsTotal{Incidents: s.Incidents, ToAcknowledge: toDurationStatsResponse(s.ToAcknowledge),
		ToPause: toDurationStatsResponse(s.ToPause), ToResolve: toDurationStatsResponse(s.ToResolve)}
}

func toResponseMetricsResponse(m incident.ResponseMetrics) responseMetricsResponse {
	out := responseMetricsResponse{From: m.Period.From.UTC(), To: m.Period.To.UTC(), Total: toResponseMetricsTotal(m.Total),
		Groups: make([]responseMetricsGroup, len(m.Groups))}
	for i, g := range m.Groups {
		out.Groups[i] = responseMetricsGroup{Runbook: g.Runbook, Severity: g.Severity,
			responseMetricsTotal: toResponseMetricsTotal(g.ResponseStats)}
	}
	return out
}

// responseMetrics: GET /response-metrics?from=&to= — how fast the incidents
// detected in [from, to) were acknowledged, paused and resolved.
func (h incidentHandlers) responseMetrics(c echo.Context) error {
	m, err := h.incidents.ResponseMetrics(c.Request().Context(), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toResponseMetricsResponse(m))
}
