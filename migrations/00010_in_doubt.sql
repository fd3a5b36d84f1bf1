-- Reconciling recipients in doubt (docs/reliability.md). Every 15 s the
-- reconciler looks for uncertain handoff requests (a timeout, a 5xx, a worker
-- that died mid-call) whose recipients SendGrid's events have since shown to
-- be handed over. Uncertain requests are a handful among all requests ever
-- made (one per 1000 recipients sent), so a partial index finds them without
-- reading the whole ledger. No column is added: a recipient's proof is its
-- recipient_outcomes row, written by the webhook ingest.

-- +goose Up
CREATE INDEX handoff_requests_uncertain_idx ON handoff_requests (campaign_id, deadline) WHERE state = 'uncertain';

-- +goose Down
DROP INDEX handoff_requests_uncertain_idx;
