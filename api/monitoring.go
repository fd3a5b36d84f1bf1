package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/monitoring"
)

// monitoringHandlers serve step 6 (GET /incidents/{id}/monitoring).
type monitoringHandlers struct{ monitoring *monitoring.Service }

func (h monitoringHandlers) get(c echo.Context) error {
	v, err := h.monitoring.Monitoring(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMonitoringResponse(v))
}

// monitoringRatesResponse is schema MonitoringRates.
type monitoringRatesResponse struct {
	Sends           int     `json:"sends"`
	Delivered       int     `json:"delivered"`
	BounceRate      float64 `json:"bounce_rate"`
	ComplaintRate   float64 `json:"complaint_rate"`
	UnsubscribeRate float64 `json:"unsubscribe_rate"`
	OpenRate        float64 `json:"open_rate"`
	MachineOpenRate float64 `json:"machine_open_rate"`
	BlockRate       float64 `json:"block_rate"`
}

// monitoringBaselineResponse is schema MonitoringBaseline.
type monitoringBaselineResponse struct {
	monitoringRatesResponse
	From          time.Time         `json:"from"`
	To            time.Time         `json:"to"`
	EnoughHistory bool              `json:"enough_history"`
	Note          string            `json:"note"`
	Spread        monitoring.Spread `json:"spread"`
}

type monitoringWindowResponse struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	DaysLeft float64   `json:"days_left"`
}

type monitoringThresholdResponse struct {
	Metric       string  `json:"metric"`
	Floor        float64 `json:"floor"`
	Multiple     float64 `json:"multiple"`
	Threshold    float64 `json:"threshold"`
	MinDelivered int     `json:"min_delivered"`
}

type monitoringPointResponse struct {
	At            time.Time `json:"at"`
	Delivered     int       `json:"delivered"`
	Bounced       int       `json:"bounced"`
	Complained    int       `json:"complained"`
	Unsubscribed  int       `json:"unsubscribed"`
	Opened        int       `json:"opened"`
	MachineOpened int       `json:"machine_opened"`
	Blocked       int       `json:"blocked"`
}

type monitoringAlertResponse struct {
	At        time.Time `json:"at"`
	Metric    string    `json:"metric"`
	Value     float64   `json:"value"`
	Baseline  float64   `json:"baseline"`
	Threshold float64   `json:"threshold"`
	SendKind  string    `json:"send_kind"`
	SendID    string    `json:"send_id"`
	SendName  string    `json:"send_name"`
	Delivered int       `json:"delivered"`
}

type monitoringSendResponse struct {
	monitoringRatesResponse
	Kind      string     `json:"kind"`
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	StartedAt *time.Time `json:"started_at"`
	Canary    string     `json:"canary"`
}

// incidentMonitoringResponse is schema Monitoring.
type incidentMonitoringResponse struct {
	Status     string                        `json:"status"`
	Window     *monitoringWindowResponse     `json:"window"`
	Baseline   monitoringBaselineResponse    `json:"baseline"`
	Current    monitoringRatesResponse       `json:"current"`
	Thresholds []monitoringThresholdResponse `json:"thresholds"`
	Series     []monitoringPointResponse     `json:"series"`
	Alerts     []monitoringAlertResponse     `json:"alerts"`
	Sends      []monitoringSendResponse      `json:"sends"`
}

func toMonitoringRates(r monitoring.Rates) monitoringRatesResponse {
	return monitoringRatesResponse{Sends: r.Sends, Delivered: r.Delivered, BounceRate: r.BounceRate,
		ComplaintRate: r.ComplaintRate, UnsubscribeRate: r.UnsubscribeRate, OpenRate: r.OpenRate,
		MachineOpenRate: r.MachineOpenRate, BlockRate: r.BlockRate}
}

func toMonitoringResponse(v monitoring.View) incidentMonitoringResponse {
	out := incidentMonitoringResponse{Status: v.Status, Current: toMonitoringRates(v.Current),
		Baseline: monitoringBaselineResponse{monitoringRatesResponse: toMonitoringRates(v.Baseline.Rates),
			From: v.Baseline.From, To: v.Baseline.To, EnoughHistory: v.Baseline.EnoughHistory, Note: v.Baseline.Note,
			Spread: v.Baseline.Spread},
		Thresholds: make([]monitoringThresholdResponse, 0, len(v.Thresholds)),
		Series:     make([]monitoringPointResponse, 0, len(v.Series)),
		Alerts:     make([]monitoringAlertResponse, 0, len(v.Alerts)),
		Sends:      make([]monitoringSendResponse, 0, len(v.Sends))}
	if v.Window != nil {
		out.Window = &monitoringWindowResponse{Start: v.Window.Start, End: v.Window.End, DaysLeft: v.DaysLeft}
	}
	for _, t := range v.Thresholds {
		out.Thresholds = append(out.Thresholds, monitoringThresholdResponse{Metric: string(t.Metric), Floor: t.Floor,
			Multiple: t.Multiple, Threshold: t.Value, MinDelivered: t.MinDelivered})
	}
	for _, p := range v.Series {
		out.Series = append(out.Series, monitoringPointResponse(p))
	}
	for _, a := range v.Alerts {
		out.Alerts = append(out.Alerts, monitoringAlertResponse{At: a.At, Metric: string(a.Metric), Value: a.Value,
			Baseline: a.Baseline, Threshold: a.Threshold, SendKind: string(a.SendKind), SendID: a.SendID,
			SendName: a.SendName, Delivered: a.Delivered})
	}
	for _, s := range v.Sends {
		out.Sends = append(out.Sends, monitoringSendResponse{
			monitoringRatesResponse: toMonitoringRates(monitoring.Aggregate([]monitoring.Send{s})),
			Kind:                    string(s.Kind), ID: s.ID, Name: s.Name, Status: s.Status, StartedAt: s.StartedAt, Canary: s.Canary})
	}
	return out
}
