-- GET /api/v1/response-metrics reads the incidents detected in a period
-- [from, to) whatever their status; the only index on detected_at
-- (incidents_status_idx) leads with status, so without this one every request
-- scans the whole table.

-- +goose Up
CREATE INDEX incidents_detected_at_idx ON incidents (detected_at);

-- +goose Down
DROP INDEX incidents_detected_at_idx;
