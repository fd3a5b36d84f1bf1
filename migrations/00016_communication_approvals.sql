-- Approvals of a communication (DESIGN.md invariants 4 and 7): one row per
-- reviewer decision, bound to the content hash it was given for. A decision is
-- "active" until withdrawn_at is set: any edit of the content or audience, a
-- rejection and a new submission withdraw the earlier round, so an approval
-- counts only for the exact content it was given for, even if an edit later
-- restores the same text.

-- +goose Up
CREATE TABLE communication_approvals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    communication_id uuid NOT NULL REFERENCES communications (id) ON DELETE CASCADE,
    -- the required role this decision is for (legal, security, or a role the runbook names)
    role             text NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id),
    decision         text NOT NULL CHECK (decision IN ('approved','rejected')),
    comment          text NOT NULL DEFAULT '',
    content_hash     text NOT NULL,
    at               timestamptz NOT NULL DEFAULT now(),
    withdrawn_at     timestamptz,
    -- why it was withdrawn: edited, rejected, resubmitted
    withdrawn_reason text NOT NULL DEFAULT ''
);
-- At most one active approval per role, and one per person (a user holding
-- legal and security counts once): the database refuses a second even if two
-- approvals race past the service's checks.
CREATE UNIQUE INDEX communication_approvals_role_once
    ON communication_approvals (communication_id, role) WHERE withdrawn_at IS NULL AND decision = 'approved';
CREATE UNIQUE INDEX communication_approvals_person_once
    ON communication_approvals (communication_id, user_id) WHERE withdrawn_at IS NULL AND decision = 'approved';
CREATE INDEX communication_approvals_comm_idx ON communication_approvals (communication_id, at);
-- communication_versions: every content a communication has had, by its
-- hash, so a reviewer sees what changed since the text they last decided on
-- (the review page's diff) and the report shows exactly what was approved.
CREATE TABLE communication_versions (
    communication_id uuid NOT NULL REFERENCES communications (id) ON DELETE CASCADE,
    content_hash     text NOT NULL,
    subject          text NOT NULL,
    html             text NOT NULL,
    text             text NOT NULL,
    reply_to         text NOT NULL,
    scope            text NOT NULL,
    segments         text[] NOT NULL,
    include_previous boolean NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       uuid REFERENCES users (id),
    PRIMARY KEY (communication_id, content_hash)
);
-- the text and hash a send went out with (the report shows what was approved and sent)
ALTER TABLE communications ADD COLUMN submitted_at timestamptz;
ALTER TABLE communications ADD COLUMN sent_content_hash text NOT NULL DEFAULT '';

-- +goose Down
DROP TABLE communication_versions;
ALTER TABLE communications DROP COLUMN sent_content_hash;
ALTER TABLE communications DROP COLUMN submitted_at;
DROP TABLE communication_approvals;
