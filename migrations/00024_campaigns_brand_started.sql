-- Step 6 reads a brand's sends by start time: the baseline at resolve (the 30
-- days before detected_at), the monitoring page and the tick's one read of
-- every window (docs/benchmarks.md, "Monitoring tick"). Without this index
-- each of them scans every campaign.

-- +goose Up
CREATE INDEX campaigns_brand_started_idx ON campaigns (brand_id, send_started_at) WHERE send_started_at IS NOT NULL;

-- +goose Down
DROP INDEX campaigns_brand_started_idx;
