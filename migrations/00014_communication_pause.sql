-- Pause, resume and cancel a communication on both planes, as a campaign
-- (DESIGN.md "the same two-plane semantics as a campaign"): Firebreak's plane
-- is the status; SendGrid's plane is the batch's scheduled-sends state, kept
-- here so the communication says "paused at SendGrid" only once SendGrid
-- accepted it.

-- +goose Up
-- esp_state: SendGrid's plane of the communication's batch (none, paused,
-- cancelled, failed, resumed), as campaigns.esp_state.
ALTER TABLE communications ADD COLUMN esp_state text NOT NULL DEFAULT 'none'
    CHECK (esp_state IN ('none','pending','paused','cancelled','failed','resumed'));
-- esp_state_at: when SendGrid's answer was recorded (also the lease's
-- "nothing changed since I read it" check).
ALTER TABLE communications ADD COLUMN esp_state_at timestamptz;
-- esp_error: SendGrid's refusal, shown until a retry succeeds.
ALTER TABLE communications ADD COLUMN esp_error text NOT NULL DEFAULT '';
-- esp_busy_until: the lease of the one caller talking to SendGrid about the
-- batch (Postgres's clock + the call's timeout); cleared with the answer.
ALTER TABLE communications ADD COLUMN esp_busy_until timestamptz;
-- paused_at: when the last pause took effect.
ALTER TABLE communications ADD COLUMN paused_at timestamptz;

-- +goose Down
ALTER TABLE communications DROP COLUMN paused_at;
ALTER TABLE communications DROP COLUMN esp_busy_until;
ALTER TABLE communications DROP COLUMN esp_error;
ALTER TABLE communications DROP COLUMN esp_state_at;
ALTER TABLE communications DROP COLUMN esp_state;
