package monitoring

import (
	"context"
	"time"
)

// Store is the storage step 6 needs (adapter/postgres). Everything the tick
// decides is re-derived from it, so a lost task or a flushed Redis loses
// nothing.
type Store interface {
	// StartWatchWindow stores w unless the incident has a window already (a
	// window in alert, of an incident resolved again, restarts from w's start
	// to w's end with its baseline and alerts kept); either way it returns the
	// stored one, and whether this call started or restarted it.
	StartWatchWindow(ctx context.Context, w Window) (Window, bool, error)
	// GetWatchWindow is the incident's window, or ErrNoWindow.
	GetWatchWindow(ctx context.Context, incidentID string) (Window, error)
	// ListWatchingWindows lists the windows still watching.
	ListWatchingWindows(ctx context.Context) ([]Window, error)
	// CloseWatchWindow moves a watching window to status at at; false when
	// it was no longer watching.
	CloseWatchWindow(ctx context.Context, incidentID, status string, at time.Time) (bool, error)
	// BrandOfCampaign is the campaign's brand id.
	BrandOfCampaign(ctx context.Context, campaignID string) (string, error)
	// BrandSends lists the brand's campaigns and communications that started
	// sending in [from, to), with their counters, newest first; with an
	// incidentID, also that incident's own communications started before
	// from (the apology, usually sent before resolve, is the first send a
	// watch window watches).
	BrandSends(ctx context.Context, brandID, incidentID string, from, to time.Time) ([]Send, error)
	// WindowSends is BrandSends of each window (its brand's sends started
	// in [Start, End)), by incident id, in one read: the tick's.
	WindowSends(ctx context.Context, windows []Window) (map[string][]Send, error)
	// MonitoringSeries buckets the events of the brand's sends started in
	// [from, to) that occurred then, by bucket from from; empty buckets are absent.
	// incidentID's own communications count as in BrandSends.
	MonitoringSeries(ctx context.Context, brandID, incidentID string, from, to time.Time, bucket time.Duration) ([]Point, error)
	// InsertMonitoringAlerts stores the alerts not stored yet (one per
	// incident, send and metric) and returns only those.
	InsertMonitoringAlerts(ctx context.Context, incidentID string, alerts []Alert) ([]Alert, error)
	// ListMonitoringAlerts lists the incident's alerts, oldest first.
	ListMonitoringAlerts(ctx context.Context, incidentID string) ([]Alert, error)
	// WindowAlerts is ListMonitoringAlerts of each incident, by incident
	// id, in one read: the tick's.
	WindowAlerts(ctx context.Context, incidentIDs []string) (map[string][]Alert, error)
	// MarkAlertsHandled marks the incident's unhandled alerts handled at at.
	MarkAlertsHandled(ctx context.Context, incidentID string, at time.Time) error
	// ResolvedWithoutWindow lists the incidents resolved since since that
	// have no window (their start failed after the resolve committed).
	ResolvedWithoutWindow(ctx context.Context, since time.Time) ([]string, error)
}
