-- Per-recipient delivery outcome and engagement move out of campaign_recipients
-- into a narrow table of their own. Every webhook event updates one of these
-- rows; on the wide audience row (merge values, segments, five indexes) each
-- update rewrote ~300 bytes and, with no room left on the page, inserted into
-- every index. Here a row is ~150 bytes with one index, and fillfactor leaves
-- room on each page so the updates stay HOT (docs/benchmarks.md).

-- +goose Up
-- recipient_outcomes: one row per campaign recipient that has had an event,
-- created by the first one. delivery_* is the outcome by precedence (rank 1
-- processed, 2 deferred, 3 delivered/bounced/blocked/dropped; at equal rank 3
-- the later event wins); *_at the first time of each engagement; engagement
-- never changes the outcome. prev_state and changes record what the last
-- ingest did to the row (the outcome before it, and a bit per engagement it
-- set first: 1 deferred, 2 hard bounce, 4 open, 8 machine open, 16 click,
-- 32 spam report, 64 unsubscribe), so one statement can move the row and
-- count the move for the campaign counters.
-- segments is a copy of the recipient's segments in the audience snapshot
-- (frozen at send time), so the blast radius per segment needs no join.
-- Rows are only written for events joined to campaign_recipients in the same
-- statement; no foreign key, so the hot path runs no referential checks
-- (campaigns and their audiences are never deleted).
CREATE TABLE recipient_outcomes (
    campaign_id       uuid NOT NULL,
    recipient_id      uuid NOT NULL,
    segments          text[] NOT NULL DEFAULT '{}',
    delivery_state    text NOT NULL DEFAULT '',
    delivery_rank     smallint NOT NULL DEFAULT 0,
    delivery_at       timestamptz,
    deferred_at       timestamptz,
    hard_bounced      boolean NOT NULL DEFAULT false,
    opened_at         timestamptz,
    machine_opened_at timestamptz,
    clicked_at        timestamptz,
    complained_at     timestamptz,
    unsubscribed_at   timestamptz,
    prev_state        text NOT NULL DEFAULT '',
    changes           smallint NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, recipient_id)
) WITH (fillfactor = 50);

INSERT INTO recipient_outcomes (campaign_id, recipient_id, segments, delivery_state, delivery_rank, delivery_at, deferred_at,
    hard_bounced, opened_at, machine_opened_at, clicked_at, complained_at, unsubscribed_at)
SELECT campaign_id, recipient_id, segments, delivery_state, delivery_rank, delivery_at, deferred_at,
    hard_bounced, opened_at, machine_opened_at, clicked_at, complained_at, unsubscribed_at
FROM campaign_recipients
WHERE delivery_rank > 0 OR deferred_at IS NOT NULL OR hard_bounced OR opened_at IS NOT NULL
    OR machine_opened_at IS NOT NULL OR clicked_at IS NOT NULL OR complained_at IS NOT NULL
    OR unsubscribed_at IS NOT NULL;

ALTER TABLE campaign_recipients
    DROP COLUMN delivery_state, DROP COLUMN delivery_rank, DROP COLUMN delivery_at, DROP COLUMN deferred_at,
    DROP COLUMN hard_bounced, DROP COLUMN opened_at, DROP COLUMN machine_opened_at, DROP COLUMN clicked_at,
    DROP COLUMN complained_at, DROP COLUMN unsubscribed_at;

-- +goose Down
ALTER TABLE campaign_recipients
    ADD COLUMN delivery_state    text NOT NULL DEFAULT '',
    ADD COLUMN delivery_rank     smallint NOT NULL DEFAULT 0,
    ADD COLUMN delivery_at       timestamptz,
    ADD COLUMN deferred_at       timestamptz,
    ADD COLUMN hard_bounced      boolean NOT NULL DEFAULT false,
    ADD COLUMN opened_at         timestamptz,
    ADD COLUMN machine_opened_at timestamptz,
    ADD COLUMN clicked_at        timestamptz,
    ADD COLUMN complained_at     timestamptz,
    ADD COLUMN unsubscribed_at   timestamptz;
UPDATE campaign_recipients cr SET delivery_state = o.delivery_state, delivery_rank = o.delivery_rank,
    delivery_at = o.delivery_at, deferred_at = o.deferred_at, hard_bounced = o.hard_bounced,
    opened_at = o.opened_at, machine_opened_at = o.machine_opened_at, clicked_at = o.clicked_at,
    complained_at = o.complained_at, unsubscribed_at = o.unsubscribed_at
FROM recipient_outcomes o WHERE o.campaign_id = cr.campaign_id AND o.recipient_id = cr.recipient_id;
DROP TABLE recipient_outcomes;
