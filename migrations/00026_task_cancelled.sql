-- A task can be cancelled: a runbook task that reclassifying made
-- unnecessary, when the person reclassifying chose to close the old
-- runbook's open tasks ("no longer needed after reclassifying"). It was not
-- done, so it must not be stored as done; it no longer counts as open.

-- +goose Up
ALTER TABLE incident_tasks DROP CONSTRAINT incident_tasks_status_check;
ALTER TABLE incident_tasks ADD CONSTRAINT incident_tasks_status_check CHECK (status IN ('open','done','cancelled'));

-- +goose Down
-- Going back, a cancelled task reopens: the older schema has no word for it,
-- and calling it done would say it was done.
UPDATE incident_tasks SET status = 'open' WHERE status = 'cancelled';
ALTER TABLE incident_tasks DROP CONSTRAINT incident_tasks_status_check;
ALTER TABLE incident_tasks ADD CONSTRAINT incident_tasks_status_check CHECK (status IN ('open','done'));
