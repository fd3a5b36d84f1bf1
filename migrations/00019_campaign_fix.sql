-- Fix, then resume (DESIGN.md): a paused campaign's content can be corrected;
-- resuming it cancels the old batch at SendGrid, withdraws the messages it
-- held and hands those recipients over again with the corrected content under
-- a new batch. The ledger keeps which request (and so which batch and which
-- content version) carries each recipient's one live message.

-- +goose Up
ALTER TABLE campaigns
    -- content_version counts corrections after send; handed_version is the
    -- version the current batch carries (a fix is pending while they differ).
    ADD COLUMN content_version    integer NOT NULL DEFAULT 1,
    ADD COLUMN handed_version     integer NOT NULL DEFAULT 1,
    ADD COLUMN content_changed_at timestamptz,
    ADD COLUMN content_changed_by text NOT NULL DEFAULT '',
    -- messages withdrawn (held at SendGrid, cancelled, handed over again).
    ADD COLUMN withdrawn          integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT campaigns_versions_check CHECK (handed_version <= content_version);

-- campaign_contents: the content each version had, kept once a correction
-- replaces it (the timeline's diff; what the withdrawn messages carried).
CREATE TABLE campaign_contents (
    campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    subject     text NOT NULL,
    html        text NOT NULL,
    text        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, version)
);

-- A request is sent under one batch; withdrawn: its messages were held at
-- SendGrid when the batch was cancelled, and its recipients handed over again.
ALTER TABLE handoff_requests ADD COLUMN batch_id text NOT NULL DEFAULT '';
UPDATE handoff_requests h SET batch_id = c.batch_id FROM campaigns c WHERE c.id = h.campaign_id;
ALTER TABLE handoff_requests DROP CONSTRAINT handoff_requests_state_check;
ALTER TABLE handoff_requests ADD CONSTRAINT handoff_requests_state_check
    CHECK (state IN ('sending','accepted','failed','retry','uncertain','withdrawn'));

-- campaign_withdrawals: every message withdrawn, per recipient (the request it
-- was in names its batch and send_at).
CREATE TABLE campaign_withdrawals (
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    recipient_id uuid NOT NULL,
    request_id   uuid NOT NULL REFERENCES handoff_requests (id) ON DELETE CASCADE,
    withdrawn_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, recipient_id)
);
CREATE INDEX campaign_withdrawals_recipient_idx ON campaign_withdrawals (campaign_id, recipient_id);

-- campaign_batches: batches a fix cancelled at SendGrid. The cancellation
-- stays until release_after (every message of the batch past its send_at, so
-- discarded); only then is it removed (SendGrid allows 10 at once).
CREATE TABLE campaign_batches (
    batch_id      text PRIMARY KEY,
    campaign_id   uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    cancelled_at  timestamptz NOT NULL,
    release_after timestamptz NOT NULL,
    released_at   timestamptz,
    release_error text NOT NULL DEFAULT ''
);
CREATE INDEX campaign_batches_due_idx ON campaign_batches (release_after) WHERE released_at IS NULL;

-- +goose Down
DROP TABLE campaign_batches;
DROP TABLE campaign_withdrawals;
DELETE FROM handoff_requests WHERE state = 'withdrawn';
ALTER TABLE handoff_requests DROP CONSTRAINT handoff_requests_state_check;
ALTER TABLE handoff_requests ADD CONSTRAINT handoff_requests_state_check
    CHECK (state IN ('sending','accepted','failed','retry','uncertain'));
ALTER TABLE handoff_requests DROP COLUMN batch_id;
DROP TABLE campaign_contents;
ALTER TABLE campaigns DROP CONSTRAINT campaigns_versions_check,
    DROP COLUMN withdrawn, DROP COLUMN content_changed_by, DROP COLUMN content_changed_at,
    DROP COLUMN handed_version, DROP COLUMN content_version;
