-- Step 5: a communication's webhook events are counted on the communication,
-- never on the campaign it apologises for (DESIGN.md "Communicate"), and a
-- complaint or hard-bounce spike during it halts it once.

-- +goose Up
-- communication_id: the communication an event was attributed to (custom
-- args firebreak_communication_id + firebreak_recipient_id); campaign_id stays
-- NULL for it. Partial index: campaign events pay nothing for it.
ALTER TABLE events ADD COLUMN communication_id uuid;
CREATE INDEX events_communication_idx ON events (communication_id, occurred_at) WHERE communication_id IS NOT NULL;

-- Per communication recipient: the outcome by the same precedence as
-- recipient_outcomes (rank 1 processed, 2 deferred, 3 final; at rank 3 the
-- later event wins), the first time of each engagement, and what the last
-- ingest did to the row (prev_state, and a bit per engagement it set first:
-- 2 hard bounce, 4 open, 16 click, 32 spam report, 64 unsubscribe), so one
-- statement moves the row and counts the move for the counters below.
ALTER TABLE communication_recipients
    ADD COLUMN delivery_state  text NOT NULL DEFAULT '',
    ADD COLUMN delivery_rank   smallint NOT NULL DEFAULT 0,
    ADD COLUMN delivery_at     timestamptz,
    ADD COLUMN hard_bounced    boolean NOT NULL DEFAULT false,
    ADD COLUMN opened_at       timestamptz,
    ADD COLUMN clicked_at      timestamptz,
    ADD COLUMN complained_at   timestamptz,
    ADD COLUMN unsubscribed_at timestamptz,
    ADD COLUMN prev_state      text NOT NULL DEFAULT '',
    ADD COLUMN changes         smallint NOT NULL DEFAULT 0;

-- Per communication: distinct recipients per outcome, updated in the
-- transaction that stores each batch (what GET /communications/{cid} counts
-- and the spike rule reads), as the campaigns' counters.
ALTER TABLE communications
    ADD COLUMN delivered     integer NOT NULL DEFAULT 0,
    ADD COLUMN bounced       integer NOT NULL DEFAULT 0,
    ADD COLUMN blocked       integer NOT NULL DEFAULT 0,
    ADD COLUMN dropped       integer NOT NULL DEFAULT 0,
    ADD COLUMN hard_bounced  integer NOT NULL DEFAULT 0,
    ADD COLUMN opened        integer NOT NULL DEFAULT 0,
    ADD COLUMN clicked       integer NOT NULL DEFAULT 0,
    ADD COLUMN complained    integer NOT NULL DEFAULT 0,
    ADD COLUMN unsubscribed  integer NOT NULL DEFAULT 0,
    ADD COLUMN last_event_at timestamptz,
    -- halted_at/halt_reason: when a detection rule paused it (once: a person's
    -- resume is not undone by the next batch while the rate stays above).
    ADD COLUMN halted_at     timestamptz,
    ADD COLUMN halt_reason   text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE communications
    DROP COLUMN delivered, DROP COLUMN bounced, DROP COLUMN blocked, DROP COLUMN dropped,
    DROP COLUMN hard_bounced, DROP COLUMN opened, DROP COLUMN clicked, DROP COLUMN complained,
    DROP COLUMN unsubscribed, DROP COLUMN last_event_at, DROP COLUMN halted_at, DROP COLUMN halt_reason;
ALTER TABLE communication_recipients
    DROP COLUMN delivery_state, DROP COLUMN delivery_rank, DROP COLUMN delivery_at, DROP COLUMN hard_bounced,
    DROP COLUMN opened_at, DROP COLUMN clicked_at, DROP COLUMN complained_at, DROP COLUMN unsubscribed_at,
    DROP COLUMN prev_state, DROP COLUMN changes;
DROP INDEX events_communication_idx;
ALTER TABLE events DROP COLUMN communication_id;
