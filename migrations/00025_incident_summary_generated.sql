-- An incident's summary is its title. Firebreak writes one for the incidents
-- it opens itself (a detection rule: "Complaints at 0.32 % on Spring sale —
-- paused"; a pause without a reason: "Campaign paused by …"); a person writes
-- the others. summary_generated says which, so that reclassifying (or the
-- first pause) may rewrite a generated title but never a human-written one.

-- +goose Up
ALTER TABLE incidents ADD COLUMN summary_generated boolean NOT NULL DEFAULT false;
-- Incidents opened before this column: the detection rules wrote
-- "<rule>: <metric> …" and a pause without a reason "Campaign paused by …".
UPDATE incidents SET summary_generated = true
 WHERE (source = 'webhook' AND trigger IS NOT NULL AND summary LIKE (trigger->>'rule') || ': %')
    OR summary LIKE 'Campaign paused by %';

-- +goose Down
ALTER TABLE incidents DROP COLUMN summary_generated;
