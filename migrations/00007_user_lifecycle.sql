-- User lifecycle (offboarding), who minted each API token, and the sign-in
-- throttle's per-key state.

-- +goose Up

-- users.disabled_at: when an admin disabled (offboarded) the user; NULL means
-- active. A disabled user cannot sign in and their tokens and sessions answer
-- 401. The row stays, so the audit trail and incident owners keep naming them.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- api_tokens.created_by: the user who minted the token; NULL means the CLI
-- (`firebreak token create`). A token minted by someone else for user X acts
-- as X but is not X's own act (auth.Principal.ActsForSelf), which matters for
-- approvals. No ON DELETE SET NULL: a vanished minter must never read as "cli".
ALTER TABLE api_tokens ADD COLUMN created_by uuid REFERENCES users (id);

-- Tokens minted before this migration: the audit trail says who minted them.
UPDATE api_tokens t SET created_by = a.actor_id
FROM audit_log a
WHERE a.action = 'api_token.create' AND a.subject_type = 'api_token'
  AND a.subject_id = t.id::text AND a.actor_id IS NOT NULL;

-- login_throttle: one row per sign-in throttle key ("email:<addr>",
-- "ip:<addr>", "pair:<ip>|<addr>"). A sign-in locks its keys' rows, is
-- admitted or refused from their state and charged before the password is
-- checked, all in one transaction, so parallel attempts (from any number of
-- API processes) are decided one after another. The policy is in
-- domain/user/throttle.go.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY CHECK (length(key) <= 512),
    -- attempts charged and not yet forgiven by a successful sign-in.
    failures     integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    -- when the last attempt was charged; the wait is measured from it.
    last_at      timestamptz,
    -- pair keys only: when the user last signed in from this client. A pair
    -- known for 30 days is exempt from the address-wide wait, so attackers
    -- elsewhere cannot lock the user out of where they usually sign in.
    succeeded_at timestamptz
);
CREATE INDEX login_throttle_last_at_idx ON login_throttle (last_at);

-- +goose Down
DROP TABLE login_throttle;
ALTER TABLE api_tokens DROP COLUMN created_by;
ALTER TABLE users DROP COLUMN disabled_at;
