-- Incidents: steps 1-4 of the crisis response (own it, stop the fire, assess,
-- plan). Steps 5 and 6 add their tables in later migrations.

-- +goose Up
CREATE TABLE incidents (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id       uuid NOT NULL REFERENCES campaigns (id),
    runbook           text NOT NULL,
    severity          text NOT NULL CHECK (severity IN ('sev1','sev2','sev3','sev4')),
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
    summary           text NOT NULL DEFAULT '',
    source            text NOT NULL CHECK (source IN ('dashboard','api','webhook')),
    -- the detection rule that opened it (source webhook): rule, metric, value, threshold, window
    trigger           jsonb,
    owner_id          uuid REFERENCES users (id),
    detected_at       timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    paused_at         timestamptz,
    resolved_at       timestamptz,
    -- the six steps with status, who and when (the domain's state machine)
    steps             jsonb NOT NULL,
    runbook_history   jsonb NOT NULL DEFAULT '[]',
    escalation_count  integer NOT NULL DEFAULT 0,
    last_escalated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- At most one open incident per campaign: a second declaration, a concurrent
-- webhook batch or a SendGrid retry joins the open one instead.
CREATE UNIQUE INDEX incidents_one_open_per_campaign ON incidents (campaign_id) WHERE status = 'open';
CREATE INDEX incidents_status_idx ON incidents (status, detected_at DESC);

CREATE TABLE incident_tasks (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id  uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title        text NOT NULL CHECK (title <> ''),
    kind         text NOT NULL CHECK (kind IN ('internal','communication','compensation','systemic','legal')),
    owner_id     uuid REFERENCES users (id),
    -- the role a runbook template wants as owner, shown until someone is assigned
    owner_role   text NOT NULL DEFAULT '',
    due_at       timestamptz,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
    template     boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    completed_by uuid REFERENCES users (id)
);
CREATE INDEX incident_tasks_incident_idx ON incident_tasks (incident_id, due_at);

-- assessments: step 3. The computed blast radius and the human fields.
CREATE TABLE assessments (
    incident_id             uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    computed_at             timestamptz,
    totals                  jsonb NOT NULL DEFAULT '{}',
    by_segment              jsonb NOT NULL DEFAULT '[]',
    cause                   text NOT NULL DEFAULT '',
    -- categories decide notifiability (e.g. credentials, payment), not a yes/no flag
    data_categories_exposed text[] NOT NULL DEFAULT '{}',
    cost_estimate_cents     bigint NOT NULL DEFAULT 0,
    cost_parts              jsonb NOT NULL DEFAULT '{}',
    notes                   text NOT NULL DEFAULT '',
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE assessments;
DROP TABLE incident_tasks;
DROP TABLE incidents;
