-- Webhook events Postgres refuses to store. A batch is stored in one statement;
-- when Postgres refuses it for its data (a number jsonb cannot hold, a value
-- past a limit), the batch is split until the events it refuses are alone,
-- and those are kept here, so the rest of the post is stored and answered 2xx
-- instead of SendGrid retrying the whole post for 24 h and then dropping it.

-- +goose Up
CREATE TABLE webhook_quarantine (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- sha256 of raw: SendGrid retrying the post quarantines the event once
    raw_sha256       bytea NOT NULL UNIQUE,
    -- the event object exactly as posted; text, not jsonb, which may be what refused it
    raw              text NOT NULL,
    -- what the decoder read, so an admin sees at a glance whose event it was and
    -- what it did (a lost unsubscribe matters more than a lost open)
    sg_event_id      text NOT NULL DEFAULT '',
    event            text NOT NULL DEFAULT '',
    email            text NOT NULL DEFAULT '',
    -- why Postgres refused it (the error of the last attempt)
    error            text NOT NULL,
    -- when it was first posted, when last, and how many times
    received_at      timestamptz NOT NULL,
    last_received_at timestamptz NOT NULL,
    attempts         integer NOT NULL DEFAULT 1
);

-- +goose Down
DROP TABLE webhook_quarantine;
