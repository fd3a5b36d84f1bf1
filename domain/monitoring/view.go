// Package monitoring is step 6, "proceed with caution": the watch window that
// resolving an incident opens, the brand's pre-incident baseline, the
// thresholds a send of the brand is judged by, and the alerts that reopen the
// incident (DESIGN.md "Proceed with caution (step 6)").
//
// This file holds only the read model, the shape of GET
// /api/v1/incidents/{id}/monitoring (openapi.json's Monitoring schema), so
// the postmortem can show the watch window's outcome before the monitoring
// service exists. Field names and JSON tags follow the schema one to one.
package monitoring

import "time"

// The monitoring statuses.
const (
	NotStarted = "not_started" // the incident is not resolved yet
	Watching   = "watching"    // inside the window
	Clear      = "clear"       // the window closed with no alert
	Alerted    = "alert"       // a send crossed a threshold; the incident is reopened
)

// Monitoring is the watch window of one incident: its status, the window,
// the brand's baseline against the sends in the window, the thresholds, the
// series, the alerts and the sends watched.
type Monitoring struct {
	Status     string      `json:"status"`
	Window     *Window     `json:"window"` // nil before resolve
	Baseline   Baseline    `json:"baseline"`
	Current    Rates       `json:"current"`
	Thresholds []Threshold `json:"thresholds"`
	Series     []Point     `json:"series"`
	Alerts     []Alert     `json:"alerts"`
	Sends      []Send      `json:"sends"` // newest first
}

// Window is the watch window: from the resolve to resolve + the runbook's
// monitoring.window.
type Window struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	DaysLeft float64   `json:"days_left"`
}

// Rates are the deliverability rates of some sends together.
type Rates struct {
	Sends           int     `json:"sends"` // campaigns and communications measured
	Delivered       int     `json:"delivered"`
	BounceRate      float64 `json:"bounce_rate"`      // hard bounces per delivered
	ComplaintRate   float64 `json:"complaint_rate"`   // spam reports per delivered
	UnsubscribeRate float64 `json:"unsubscribe_rate"` // unsubscribes per delivered
	OpenRate        float64 `json:"open_rate"`        // human opens per delivered
	MachineOpenRate float64 `json:"machine_open_rate"`
	BlockRate       float64 `json:"block_rate"` // blocks per handed over
}

// Baseline is the brand's rates over its sends in the 30 days before the
// incident was detected.
type Baseline struct {
	Rates
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// EnoughHistory is false with fewer than 3 sends or 1,000 delivered:
	// the thresholds are then the absolute floors alone (Note says so).
	EnoughHistory bool   `json:"enough_history"`
	Note          string `json:"note"`
	Spread        Spread `json:"spread"`
}

// Spread is the standard deviation of each judged rate across the
// baseline's sends.
type Spread struct {
	BounceRate      float64 `json:"bounce_rate"`
	ComplaintRate   float64 `json:"complaint_rate"`
	UnsubscribeRate float64 `json:"unsubscribe_rate"`
}

// Threshold is what one metric of a send is judged by:
// max(Floor, Multiple × baseline), once the send has MinDelivered.
type Threshold struct {
	Metric       string  `json:"metric"` // complaint_rate, bounce_rate, unsubscribe_rate
	Floor        float64 `json:"floor"`
	Multiple     float64 `json:"multiple"`
	Threshold    float64 `json:"threshold"`
	MinDelivered int     `json:"min_delivered"`
}

// Point is one step of the series (an hour, a day past 72 h) of the brand's
// sends together.
type Point struct {
	At            time.Time `json:"at"`
	Delivered     int       `json:"delivered"`
	Bounced       int       `json:"bounced"`
	Complained    int       `json:"complained"`
	Unsubscribed  int       `json:"unsubscribed"`
	Opened        int       `json:"opened"`
	MachineOpened int       `json:"machine_opened"`
	Blocked       int       `json:"blocked"`
}

// Alert is one crossing: a send's metric over its threshold.
type Alert struct {
	At        time.Time `json:"at"`
	Metric    string    `json:"metric"`
	Value     float64   `json:"value"`
	Baseline  float64   `json:"baseline"`
	Threshold float64   `json:"threshold"`
	SendKind  string    `json:"send_kind"` // campaign or communication
	SendID    string    `json:"send_id"`
	SendName  string    `json:"send_name"`
	Delivered int       `json:"delivered"` // the send's delivered when it crossed
}

// Send is one send of the brand in the window with its rates.
type Send struct {
	Rates
	Kind      string     `json:"kind"` // campaign or communication
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	StartedAt *time.Time `json:"started_at"`
	Canary    string     `json:"canary"` // none, waiting, released
}
