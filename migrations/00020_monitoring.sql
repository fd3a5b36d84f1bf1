-- Step 6, proceed with caution (DESIGN.md): resolving an incident opens a
-- watch window over its brand's sends; a send in the window that crosses a
-- threshold against the brand's baseline raises one alert per send and metric,
-- pauses the send and reopens the incident. Postgres is the truth: the
-- periodic tick re-derives everything from these rows and the send counters.

-- +goose Up
-- watch_windows: one per incident (a reopened then resolved incident keeps
-- its first window). baseline is the snapshot taken at resolve, so the
-- thresholds a window judges by do not drift as later sends arrive.
-- status: watching -> clear (ended without an alert) | alert (a send crossed).
CREATE TABLE watch_windows (
    incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    brand_id    uuid NOT NULL REFERENCES brands (id),
    started_at  timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'watching' CHECK (status IN ('watching','clear','alert')),
    closed_at   timestamptz,
    baseline    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > started_at)
);
-- the tick reads the windows still watching
CREATE INDEX watch_windows_watching_idx ON watch_windows (ends_at) WHERE status = 'watching';

-- monitoring_alerts: a crossing, once per send and metric (the unique key:
-- a tick repeated after a crash or a flushed Redis inserts nothing new).
-- baseline/threshold are the values it was judged by; delivered the send's
-- delivered count when it crossed. handled_at: when the tick had paused the
-- send, reopened the incident and notified the owner for it; an alert stored
-- but not handled (a crash in between) is handled by the next tick.
CREATE TABLE monitoring_alerts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    metric      text NOT NULL CHECK (metric IN ('complaint_rate','bounce_rate','unsubscribe_rate')),
    value       double precision NOT NULL,
    baseline    double precision NOT NULL,
    threshold   double precision NOT NULL,
    send_kind   text NOT NULL CHECK (send_kind IN ('campaign','communication')),
    send_id     uuid NOT NULL,
    send_name   text NOT NULL DEFAULT '',
    delivered   integer NOT NULL,
    handled_at  timestamptz,
    UNIQUE (incident_id, send_kind, send_id, metric)
);
CREATE INDEX monitoring_alerts_incident_idx ON monitoring_alerts (incident_id, at);

-- +goose Down
DROP TABLE monitoring_alerts;
DROP TABLE watch_windows;
