-- SendGrid Event Webhook: every event stored once, per-recipient delivery state
-- and per-campaign counters kept up to date as each batch commits.

-- +goose Up
-- events: one row per event, unique twice over — by sg_event_id, and by the
-- natural key (message + event + time [+ url]) because SendGrid has been seen
-- to retry an event under a new sg_event_id. raw keeps the object as posted.
CREATE TABLE events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sg_event_id   text NOT NULL,
    natural_key   text NOT NULL,
    event         text NOT NULL,
    email         text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    sg_message_id text NOT NULL DEFAULT '',
    -- NULL when the event matched no campaign recipient (unattributed).
    campaign_id   uuid,
    recipient_id  uuid,
    bounce_kind   text NOT NULL DEFAULT '', -- hard, soft, block (domain/delivery)
    bounce_level  text NOT NULL DEFAULT '', -- address or sender
    machine_open  boolean NOT NULL DEFAULT false,
    url           text NOT NULL DEFAULT '',
    raw           jsonb NOT NULL
);
CREATE UNIQUE INDEX events_sg_event_id_key ON events (sg_event_id);
CREATE UNIQUE INDEX events_natural_key_key ON events (natural_key);
CREATE INDEX events_campaign_idx ON events (campaign_id, occurred_at);
CREATE INDEX events_unattributed_idx ON events (received_at) WHERE campaign_id IS NULL;

-- Per recipient: the delivery outcome by precedence (rank 1 processed, 2
-- deferred, 3 delivered/bounced/blocked/dropped; at equal rank 3 the later
-- event wins) and the first time of each engagement; engagement never
-- changes the delivery outcome.
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
-- joins for events without custom args: by the X-Message-Id prefix and the address
CREATE INDEX campaign_recipients_message_idx ON campaign_recipients (message_id, email) WHERE message_id <> '';
CREATE INDEX campaign_recipients_email_idx ON campaign_recipients (email, handed_at);

-- Per campaign: distinct recipients per outcome, updated in the transaction
-- that stores each batch (never by scanning events on read). The rates the
-- detection rules read are these over delivered / handed_to_esp.
ALTER TABLE campaigns
    ADD COLUMN delivered      integer NOT NULL DEFAULT 0,
    ADD COLUMN bounced        integer NOT NULL DEFAULT 0,
    ADD COLUMN blocked        integer NOT NULL DEFAULT 0,
    ADD COLUMN dropped        integer NOT NULL DEFAULT 0,
    ADD COLUMN deferred       integer NOT NULL DEFAULT 0,
    ADD COLUMN hard_bounced   integer NOT NULL DEFAULT 0,
    ADD COLUMN opened         integer NOT NULL DEFAULT 0,
    ADD COLUMN machine_opened integer NOT NULL DEFAULT 0,
    ADD COLUMN clicked        integer NOT NULL DEFAULT 0,
    ADD COLUMN complained     integer NOT NULL DEFAULT 0,
    ADD COLUMN unsubscribed   integer NOT NULL DEFAULT 0,
    ADD COLUMN last_event_at  timestamptz;

-- +goose Down
ALTER TABLE campaigns
    DROP COLUMN delivered, DROP COLUMN bounced, DROP COLUMN blocked, DROP COLUMN dropped,
    DROP COLUMN deferred, DROP COLUMN hard_bounced, DROP COLUMN opened, DROP COLUMN machine_opened,
    DROP COLUMN clicked, DROP COLUMN complained, DROP COLUMN unsubscribed, DROP COLUMN last_event_at;
DROP INDEX campaign_recipients_email_idx;
DROP INDEX campaign_recipients_message_idx;
ALTER TABLE campaign_recipients
    DROP COLUMN delivery_state, DROP COLUMN delivery_rank, DROP COLUMN delivery_at, DROP COLUMN deferred_at,
    DROP COLUMN hard_bounced, DROP COLUMN opened_at, DROP COLUMN machine_opened_at, DROP COLUMN clicked_at,
    DROP COLUMN complained_at, DROP COLUMN unsubscribed_at;
DROP TABLE events;
