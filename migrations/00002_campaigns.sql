-- Campaign sending: brands, recipients and segments, suppressions, campaigns,
-- the audience snapshot and the handoff ledger that makes a pause exact.

-- +goose Up
CREATE TABLE brands (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL CHECK (name <> ''),
    from_email       text NOT NULL,
    from_name        text NOT NULL DEFAULT '',
    reply_to         text NOT NULL DEFAULT '',
    logo_url         text NOT NULL DEFAULT '',
    primary_color    text NOT NULL DEFAULT '',
    footer_html      text NOT NULL DEFAULT '',
    physical_address text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- recipients: one row per address (stored lower-case, so unique case-insensitively).
-- segments is the list of segment names the address belongs to (GIN-indexed, so
-- "members of any of these segments" is one index scan).
CREATE TABLE recipients (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email      text NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    first_name text NOT NULL DEFAULT '',
    last_name  text NOT NULL DEFAULT '',
    segments   text[] NOT NULL DEFAULT '{}',
    -- every other CSV column, by header name: the {{attr.NAME}} merge tags.
    attributes jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipients_segments_gin ON recipients USING gin (segments);

-- suppressions: addresses that must never be mailed. group_id is set only for
-- group_unsubscribe (SendGrid ASM groups); 0 stands for "no group" in the key.
CREATE TABLE suppressions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL CHECK (email = lower(email) AND email <> ''),
    kind       text NOT NULL CHECK (kind IN ('bounce','spamreport','unsubscribe','group_unsubscribe','invalid','manual')),
    group_id   integer NOT NULL DEFAULT 0,
    source     text NOT NULL CHECK (source IN ('webhook','sendgrid_sync','api','unsubscribe_link')),
    reason     text NOT NULL DEFAULT '',
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (email, kind, group_id),
    CHECK ((kind = 'group_unsubscribe') = (group_id <> 0))
);

CREATE TABLE campaigns (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text NOT NULL CHECK (name <> ''),
    brand_id            uuid NOT NULL REFERENCES brands (id),
    subject             text NOT NULL DEFAULT '',
    html                text NOT NULL DEFAULT '',
    text                text NOT NULL DEFAULT '',
    segments            text[] NOT NULL DEFAULT '{}',
    send_buffer_seconds integer NOT NULL CHECK (send_buffer_seconds BETWEEN 0 AND 259200),
    canary_percent      numeric(5,2) NOT NULL DEFAULT 0 CHECK (canary_percent BETWEEN 0 AND 100),
    canary_hold_seconds integer NOT NULL DEFAULT 0 CHECK (canary_hold_seconds >= 0),
    asm_group_id        integer,
    -- draft -> sending -> paused <-> sending -> sent; cancelled and failed are final.
    status              text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft','sending','paused','cancelled','sent','failed')),
    batch_id            text NOT NULL DEFAULT '',
    audience            integer NOT NULL DEFAULT 0,
    -- handed_to_esp: recipients SendGrid accepted (kept with the ledger, so reads are O(1)).
    handed_to_esp       integer NOT NULL DEFAULT 0,
    -- recipients that will not be handed over (permanent 4xx), that may or may
    -- not have been (uncertain requests), and that a cancel dropped: with
    -- handed_to_esp they tell when the handoff is complete, without a scan.
    failed_recipients   integer NOT NULL DEFAULT 0,
    in_doubt            integer NOT NULL DEFAULT 0,
    cancelled_recipients integer NOT NULL DEFAULT 0,
    failed_requests     integer NOT NULL DEFAULT 0,
    uncertain_requests  integer NOT NULL DEFAULT 0,
    last_error          text NOT NULL DEFAULT '',
    canary_release_at   timestamptz,
    send_started_at     timestamptz,
    paused_at           timestamptz,
    finished_at         timestamptz,
    -- the ESP plane of a pause: none, pending, paused, cancelled, failed, resumed.
    esp_state           text NOT NULL DEFAULT 'none',
    esp_state_at        timestamptz,
    esp_error           text NOT NULL DEFAULT '',
    created_by          uuid REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_status_idx ON campaigns (status);

-- handoff_requests: the ledger of mail-send requests. A request is written
-- (state sending, with a deadline past which its HTTP call is abandoned) in the
-- transaction that claims its recipients, before anything is sent; a pause waits
-- until no request of its campaign is still sending.
CREATE TABLE handoff_requests (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    wave        smallint NOT NULL,
    state       text NOT NULL CHECK (state IN ('sending','accepted','failed','retry','uncertain')),
    recipients  integer NOT NULL,
    send_at     timestamptz NOT NULL,
    deadline    timestamptz NOT NULL,
    message_id  text NOT NULL DEFAULT '',
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX handoff_requests_campaign_idx ON handoff_requests (campaign_id, state);

-- campaign_recipients: the audience snapshot, one row per address, with the merge
-- values frozen at send time and the handoff state of each recipient:
-- pending -> claimed (in a request) -> handed | failed | in_doubt; cancelled.
CREATE TABLE campaign_recipients (
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    recipient_id uuid NOT NULL REFERENCES recipients (id),
    email        text NOT NULL,
    first_name   text NOT NULL DEFAULT '',
    last_name    text NOT NULL DEFAULT '',
    attributes   jsonb NOT NULL DEFAULT '{}',
    segments     text[] NOT NULL DEFAULT '{}',
    wave         smallint NOT NULL DEFAULT 1, -- 0: canary
    state        text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending','claimed','handed','failed','in_doubt','cancelled')),
    request_id   uuid REFERENCES handoff_requests (id),
    handed_at    timestamptz,
    send_at      timestamptz,
    message_id   text NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, recipient_id)
);
CREATE INDEX campaign_recipients_pending_idx ON campaign_recipients (campaign_id, wave, recipient_id)
    WHERE state = 'pending';
CREATE INDEX campaign_recipients_request_idx ON campaign_recipients (request_id);

-- settings: server-wide secrets and values made once (the unsubscribe-link key).
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO settings (key, value)
VALUES ('unsubscribe_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- +goose Down
DROP TABLE settings;
DROP TABLE campaign_recipients;
DROP TABLE handoff_requests;
DROP TABLE campaigns;
DROP TABLE suppressions;
DROP TABLE recipients;
DROP TABLE brands;
