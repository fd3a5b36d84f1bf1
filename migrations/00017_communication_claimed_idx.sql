-- The claimed recipients of a communication request, for FinishCommunication
-- and AbandonExpiredCommunications (UPDATE … WHERE request_id = ? AND state =
-- 'claimed'). Without it each finish scans every row of communication_recipients:
-- at 1M recipients about 0.5 s a request, 1,000 requests in a row (found by
-- `make bench`, phase apology). Partial: only the rows in flight are in it, so the
-- snapshot's million inserts do not maintain it and it stays a few pages.

-- +goose Up
CREATE INDEX communication_recipients_claimed_idx ON communication_recipients (request_id) WHERE state = 'claimed';

-- +goose Down
DROP INDEX communication_recipients_claimed_idx;
