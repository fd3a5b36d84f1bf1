-- The foreign keys of communication_recipients that cost a check per row on
-- the hot path of an apology to 1M recipients (found by `make bench`, phase
-- apology), where the rows are written by one statement each from rows that
-- already satisfy them:
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

-- +goose Up
ALTER TABLE communication_recipients
    DROP CONSTRAINT communication_recipients_recipient_id_fkey,
    DROP CONSTRAINT communication_recipients_request_id_fkey;

-- +goose Down
ALTER TABLE communication_recipients
    ADD CONSTRAINT communication_recipients_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES recipients (id),
    ADD CONSTRAINT communication_recipients_request_id_fkey FOREIGN KEY (request_id) REFERENCES communication_requests (id);
