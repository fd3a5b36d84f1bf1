-- One caller at a time talks to SendGrid's scheduled-sends plane about a
-- campaign: fifty people pausing at once (and the webhook's own pause) made
-- one pause call each, and SendGrid counts every paused batch against a limit
-- of ten. The caller that takes the lease makes the call; the others wait for
-- its answer instead of asking again.

-- +goose Up
-- esp_busy_until: set (Postgres's clock + the call's timeout) by the caller
-- talking to SendGrid about this campaign's batch; cleared when the outcome is
-- recorded. A lease past its time belonged to a caller that died mid-call and
-- may be taken over.
ALTER TABLE campaigns ADD COLUMN esp_busy_until timestamptz;

-- +goose Down
ALTER TABLE campaigns DROP COLUMN esp_busy_until;
