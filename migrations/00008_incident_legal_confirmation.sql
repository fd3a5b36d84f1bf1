-- Incidents keep the legal sign-off that a data-breach incident needs before
-- it may be resolved: the owner (usually a marketer) decides when the work is
-- done, but whether the notification duties (GDPR Art. 33/34, US state laws)
-- are met is legal's call.

-- +goose Up
-- legal_confirmation: the latest sign-off by a user holding the legal role,
-- {"by": user id, "at": time, "comment": what legal checked or decided}; null
-- until one is given, and cleared when the incident is reclassified (it was
-- given for the incident as classified then). Every confirmation is also in
-- the audit trail (incident.legal_confirm), so replacing one loses nothing.
ALTER TABLE incidents ADD COLUMN legal_confirmation jsonb;

-- +goose Down
ALTER TABLE incidents DROP COLUMN legal_confirmation;
