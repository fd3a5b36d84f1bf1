-- Keyset paging of GET /api/v1/campaigns: newest first by (created_at, id).
-- Without this index every page sorts the whole campaigns table; with it a
-- page is an index range scan from the cursor, whatever the page number.
-- (An incident's timeline pages on audit_log_subject_idx, and its tasks are
-- few per incident and read through incident_tasks_incident_idx.)

-- +goose Up
-- campaigns_created_idx: the list's order and the cursor's key (created_at, id).
CREATE INDEX campaigns_created_idx ON campaigns (created_at DESC, id DESC);

-- +goose Down
DROP INDEX campaigns_created_idx;
