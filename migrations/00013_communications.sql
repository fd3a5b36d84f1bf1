-- Step 5, communicate: the communications about an incident (apology,
-- correction, breach notice) and who each one reached. "Never twice" is a
-- unique key here, not a Go map (DESIGN.md invariant 2).

-- +goose Up
CREATE TABLE communications (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id        uuid NOT NULL REFERENCES incidents (id),
    kind               text NOT NULL CHECK (kind IN ('apology','correction','breach_notice')),
    -- draft -> in_review -> approved -> sending <-> paused -> sent; cancelled is final.
    status             text NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft','in_review','approved','sending','paused','sent','cancelled')),
    subject            text NOT NULL DEFAULT '',
    html               text NOT NULL DEFAULT '',
    text               text NOT NULL DEFAULT '',
    reply_to           text NOT NULL DEFAULT '',
    -- which of the campaign's recipients count as affected, and the segments narrowing it
    scope              text NOT NULL DEFAULT 'possibly_received' CHECK (scope IN ('possibly_received','delivered','opened')),
    segments           text[] NOT NULL DEFAULT '{}',
    -- the author chose to address again those who got an earlier communication of this kind
    include_previous   boolean NOT NULL DEFAULT false,
    -- sha256 of subject, bodies, reply-to and audience: what an approval is bound to (invariant 7)
    content_hash       text NOT NULL,
    -- roles that must approve before a send (from the runbook; legal+security for a breach notice)
    required_approvals text[] NOT NULL DEFAULT '{}',
    author_id          uuid REFERENCES users (id),
    -- its own SendGrid batch, so it pauses and cancels at SendGrid apart from the campaign
    batch_id           text NOT NULL DEFAULT '',
    -- the snapshot's size and the handoff counters (kept with the ledger, so reads are O(1))
    audience           integer NOT NULL DEFAULT 0,
    handed_to_esp      integer NOT NULL DEFAULT 0,
    skipped_suppressed integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    sent_at            timestamptz
);
CREATE INDEX communications_incident_idx ON communications (incident_id, created_at);

-- communication_requests: the mark-then-send ledger of a communication's
-- mail-send requests, as handoff_requests is for campaigns: written (sending,
-- with a deadline) in the transaction that claims its recipients, before the
-- request leaves; settled with its outcome after.
CREATE TABLE communication_requests (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    communication_id uuid NOT NULL REFERENCES communications (id) ON DELETE CASCADE,
    state            text NOT NULL CHECK (state IN ('sending','accepted','failed','retry','uncertain')),
    recipients       integer NOT NULL DEFAULT 0,
    send_at          timestamptz NOT NULL,
    deadline         timestamptz NOT NULL,
    message_id       text NOT NULL DEFAULT '',
    error            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX communication_requests_comm_idx ON communication_requests (communication_id, state);

-- communication_recipients: the audience snapshot taken at send, one row per
-- recipient and communication (the primary key: never twice per communication),
-- with the merge values frozen and the handoff state:
-- pending -> claimed -> handed | failed | in_doubt; skipped_suppressed; cancelled.
CREATE TABLE communication_recipients (
    communication_id uuid NOT NULL REFERENCES communications (id) ON DELETE CASCADE,
    recipient_id     uuid NOT NULL REFERENCES recipients (id),
    -- copies of the communication's incident and kind, for the per-kind guard below
    incident_id      uuid NOT NULL,
    kind             text NOT NULL,
    -- true when this row is the recipient's first communication of this kind for
    -- the incident; a row of an include_previous communication for someone
    -- already reached has false. Cleared when the row is skipped or cancelled,
    -- so someone never mailed does not count as reached.
    first_of_kind    boolean NOT NULL,
    email            text NOT NULL,
    first_name       text NOT NULL DEFAULT '',
    last_name        text NOT NULL DEFAULT '',
    attributes       jsonb NOT NULL DEFAULT '{}',
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending','claimed','handed','failed','in_doubt','skipped_suppressed','cancelled')),
    -- the ledger request that claimed it
    request_id       uuid REFERENCES communication_requests (id),
    handed_at        timestamptz,
    send_at          timestamptz,
    PRIMARY KEY (communication_id, recipient_id)
);
-- The second communication of the same kind: at most one first reach per
-- (incident, kind, recipient), so two concurrent sends cannot both take someone.
CREATE UNIQUE INDEX communication_recipients_once_per_kind
    ON communication_recipients (incident_id, kind, recipient_id) WHERE first_of_kind;
CREATE INDEX communication_recipients_pending_idx ON communication_recipients (communication_id, recipient_id)
    WHERE state = 'pending';

-- +goose Down
DROP TABLE communication_recipients;
DROP TABLE communication_requests;
DROP TABLE communications;
