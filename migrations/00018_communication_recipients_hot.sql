-- communication_recipients on the hot path of an apology to 1M recipients
-- (found by `make bench`, phase apology): fewer checks and index writes per
-- row for the snapshot, the claim and the finish.
--
-- Two foreign keys go, a check per row for rows written by one statement each
-- from rows that already satisfy them:
--   - recipient_id -> recipients: the snapshot copies every row from the
--     campaign's campaign_recipients, which references recipients itself, and
--     nothing deletes a recipient or a campaign; the check was an index probe
--     and a FOR KEY SHARE lock (a write to the recipients row) per recipient.
--   - request_id -> communication_requests: set only by ClaimCommunication, in
--     the transaction that inserted the request; the only delete of a request
--     (an empty claim) is of one no row references; a communication's
--     requests and recipients go together (ON DELETE CASCADE from
--     communications). The check was 1000 lookups of the same request row per
--     claim, about a quarter of the claim statement.
-- communication_id -> communications stays: its cascade is how a
-- communication's rows go.
--
-- The partial indexes no longer name state in their predicates, so the
-- finish's update (claimed -> handed, handed_at, send_at) can be HOT: Postgres
-- never updates a row in place (HOT) when a column of any index's key or
-- predicate changes, so each finished row was a new tuple elsewhere plus an
-- entry in every index. A row is pending exactly when its request_id is NULL
-- and its state 'pending' (the snapshot and a retry set both; a claim sets
-- request_id), and claimed rows carry their request_id:
--   - communication_recipients_unclaimed_idx replaces the pending index for
--     the claims (which also filter state = 'pending');
--   - communication_recipients_request_idx replaces the claimed index for the
--     finish (which also filters state = 'claimed'); the snapshot's NULLs are
--     not in it.
-- fillfactor 50 leaves room in each heap page for a row's next version, so
-- the claim's new tuple stays on its page and the finish's is HOT.

-- +goose Up
ALTER TABLE communication_recipients
    DROP CONSTRAINT communication_recipients_recipient_id_fkey,
    DROP CONSTRAINT communication_recipients_request_id_fkey;
DROP INDEX communication_recipients_pending_idx;
DROP INDEX communication_recipients_claimed_idx;
CREATE INDEX communication_recipients_unclaimed_idx ON communication_recipients (communication_id, recipient_id)
    WHERE request_id IS NULL;
CREATE INDEX communication_recipients_request_idx ON communication_recipients (request_id)
    WHERE request_id IS NOT NULL;
ALTER TABLE communication_recipients SET (fillfactor = 50);

-- +goose Down
ALTER TABLE communication_recipients RESET (fillfactor);
DROP INDEX communication_recipients_request_idx;
DROP INDEX communication_recipients_unclaimed_idx;
CREATE INDEX communication_recipients_claimed_idx ON communication_recipients (request_id) WHERE state = 'claimed';
CREATE INDEX communication_recipients_pending_idx ON communication_recipients (communication_id, recipient_id)
    WHERE state = 'pending';
ALTER TABLE communication_recipients
    ADD CONSTRAINT communication_recipients_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES recipients (id),
    ADD CONSTRAINT communication_recipients_request_id_fkey FOREIGN KEY (request_id) REFERENCES communication_requests (id);
