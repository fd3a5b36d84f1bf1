-- Step 6, cautious next sends (DESIGN.md): while a brand has an open watch
-- window, a new campaign of the brand goes out with the window's canary wave
-- (the runbook's monitoring.canary_percent / canary_hold) unless an admin
-- overrides it with a reason. The send applies it in the transaction that
-- snapshots the audience, and records here what it did, so the campaign
-- still says why it went out as a canary after the window has closed.

-- +goose Up
-- caution: null when no window applied at send (and on every draft: a
-- draft's caution is computed live from the brand's open windows). Else
-- {incident_id, runbook, window_end, reason, canary_percent,
-- canary_hold_seconds (the watch's canary), overridden, override_reason,
-- overridden_by, overridden_at}; the canary actually used is the campaign's
-- own canary_percent / canary_hold_seconds, which the send set.
ALTER TABLE campaigns ADD COLUMN caution jsonb;

-- a send looks up its brand's open windows (under a share lock, so a tick
-- closing one waits for the send, or the send sees it closed)
CREATE INDEX watch_windows_brand_watching_idx ON watch_windows (brand_id) WHERE status = 'watching';

-- +goose Down
DROP INDEX watch_windows_brand_watching_idx;
ALTER TABLE campaigns DROP COLUMN caution;
