package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/campaign"
)

// Step 6's cautious sends on the store's side: the brand's open watch
// windows, read (under a share lock inside StartSend) and the caution a send
// stores on its campaign (campaigns.caution, migration 00021).

// watchRow is an open watch window with what a campaign's caution names.
type watchRow struct {
	IncidentID      string
	IncidentSummary string
	Runbook         string
	BrandID         string
	BrandName       string
	EndsAt          time.Time
	Alert           bool
}

// openWatchesSQL: the windows still watching and ending after @now, and those in alert; the
// caller appends the brand filter and the lock.
// A window in alert (a spike reopened its incident, which is open again)
// counts whatever its end: the brand is in more trouble than while watching.
const openWatchesSQL = `SELECT w.incident_id::text AS incident_id, i.summary AS incident_summary, i.runbook,
	w.brand_id::text AS brand_id, b.name AS brand_name, w.ends_at, w.status = 'alert' AS alert
FROM watch_windows w JOIN incidents i ON i.id = w.incident_id JOIN brands b ON b.id = w.brand_id
WHERE ((w.status = 'watching' AND w.ends_at > ?) OR w.status = 'alert')`

// OpenWatches implements campaign.CautionRepo.
func (s *Store) OpenWatches(ctx context.Context, brandIDs []string, now time.Time) ([]campaign.Watch, error) {
	return openWatches(s.db.WithContext(ctx), brandIDs, now, "")
}

// openWatches reads the open windows of brandIDs (all when empty) through db
// with lock appended ("FOR SHARE OF w" inside StartSend: a tick closing one
// of them waits for the send to commit, and a window the tick closed first
// is seen closed — never half of both).
func openWatches(db *gorm.DB, brandIDs []string, now time.Time, lock string) ([]campaign.Watch, error) {
	q, args := openWatchesSQL, []any{now}
	if len(brandIDs) > 0 {
		q += ` AND w.brand_id = ANY(CAST(? AS uuid[]))`
		args = append(args, textArray(brandIDs))
	}
	q += ` ORDER BY w.ends_at DESC, w.incident_id ` + lock
	var rows []watchRow
	if err := db.Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("open watch windows: %w", translate(err, nil, nil))
	}
	out := make([]campaign.Watch, len(rows))
	for i, r := range rows {
		out[i] = campaign.Watch{IncidentID: r.IncidentID, IncidentSummary: r.IncidentSummary, Runbook: r.Runbook,
			BrandID: r.BrandID, BrandName: r.BrandName, End: r.EndsAt.UTC(), Alert: r.Alert}
	}
	return out, nil
}

// cautionJSON is campaigns.caution.
type cautionJSON struct {
	IncidentID        string     `json:"incident_id"`
	Runbook           string     `json:"runbook"`
	WindowEnd         time.Time  `json:"window_end"`
	Reason            string     `json:"reason"`
	CanaryPercent     float64    `json:"canary_percent"`
	CanaryHoldSeconds int        `json:"canary_hold_seconds"`
	Overridden        bool       `json:"overridden"`
	OverrideReason    string     `json:"override_reason"`
	OverriddenBy      string     `json:"overridden_by"`
	OverriddenAt      *time.Time `json:"overridden_at"`
}

func toCautionJSON(c *campaign.Caution) (any, error) {
	if c == nil {
		return nil, nil
	}
	b, err := json.Marshal(cautionJSON{IncidentID: c.IncidentID, Runbook: c.Runbook, WindowEnd: c.WindowEnd,
		Reason: c.Reason, CanaryPercent: c.CanaryPercent, CanaryHoldSeconds: c.CanaryHoldSeconds,
		Overridden: c.Overridden, OverrideReason: c.OverrideReason, OverriddenBy: c.OverriddenBy,
		OverriddenAt: c.OverriddenAt})
	return string(b), err
}

// toCaution reads campaigns.caution (nil: none; unreadable JSON is none too,
// the column is only ever written by toCautionJSON).
func toCaution(raw *string) *campaign.Caution {
	if raw == nil || *raw == "" {
		return nil
	}
	var j cautionJSON
	if json.Unmarshal([]byte(*raw), &j) != nil {
		return nil
	}
	return &campaign.Caution{IncidentID: j.IncidentID, Runbook: j.Runbook, WindowEnd: j.WindowEnd.UTC(),
		Reason: j.Reason, CanaryPercent: j.CanaryPercent, CanaryHoldSeconds: j.CanaryHoldSeconds,
		Overridden: j.Overridden, OverrideReason: j.OverrideReason, OverriddenBy: j.OverriddenBy,
		OverriddenAt: utc(j.OverriddenAt)}
}

// applyCaution runs rule over the brand's open windows, read under a share
// lock in tx, and stores what it decided on the draft c (locked by the
// caller): the canary it goes out with and its caution, with the decision's
// audit entries. It returns c as it now goes out.
func applyCaution(ctx context.Context, tx *gorm.DB, c campaign.Campaign, now time.Time, rule campaign.CautionRule) (campaign.Campaign, error) {
	if rule == nil {
		return c, nil
	}
	open, err := openWatches(tx, []string{c.BrandID}, now, "FOR SHARE OF w")
	if err != nil {
		return c, err
	}
	d, err := rule(c, open)
	if err != nil {
		return c, err
	}
	if d.Caution == nil {
		return c, nil
	}
	raw, err := toCautionJSON(d.Caution)
	if err != nil {
		return c, err
	}
	out := c
	out.CanaryPercent, out.CanaryHoldSeconds, out.Caution = d.Campaign.CanaryPercent, d.Campaign.CanaryHoldSeconds, d.Caution
	if err := tx.Exec(`UPDATE campaigns SET canary_percent = ?, canary_hold_seconds = ?, caution = CAST(? AS jsonb) WHERE id = ?`,
		out.CanaryPercent, out.CanaryHoldSeconds, raw, c.ID).Error; err != nil {
		return c, translate(err, nil, nil)
	}
	for _, e := range d.Audit {
		if err := writeAudit(ctx, tx, e); err != nil {
			return c, err
		}
	}
	return out, nil
}
