-- Step 6 prevention, the "second pair of eyes" (PLAYBOOK.md: a colleague's
-- second check for mails with large amounts or contract terms): a brand may
-- require that a draft above an audience size, or whose content mentions
-- prices, codes or attachments, is approved by a second marketer before it is
-- sent. Off by default; while the brand has an open watch window it applies
-- with the defaults whatever the setting says (domain/campaign/review.go).

-- +goose Up
-- brands.second_review: the brand's setting, {enabled, audience_over,
-- mentions}; jsonb because it is read and written whole, never queried by part.
ALTER TABLE brands ADD COLUMN second_review jsonb NOT NULL
    DEFAULT '{"enabled": false, "audience_over": 10000, "mentions": ["prices", "codes", "attachments"]}';

-- campaign_review_approvals: a second marketer's approval of a draft, bound to
-- the content_hash (subject, html, text, segments) they saw. It counts only
-- while that hash is the draft's current one and withdrawn_at is NULL; an
-- edit that changes the hash withdraws it (campaign.review_withdrawn), so an
-- approval never comes back to life when the content is changed back.
CREATE TABLE campaign_review_approvals (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id),
    content_hash text NOT NULL,
    comment      text NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    withdrawn_at timestamptz
);
-- one live approval per reviewer and content (approving twice changes nothing)
CREATE UNIQUE INDEX campaign_review_approvals_live_idx ON campaign_review_approvals (campaign_id, user_id, content_hash)
    WHERE withdrawn_at IS NULL;

-- campaign_review_authors: who wrote part of a draft besides its creator (an
-- edit of its subject, bodies or segments). Nobody may be the second pair of
-- eyes on content they wrote.
CREATE TABLE campaign_review_authors (
    campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id),
    PRIMARY KEY (campaign_id, user_id)
);

-- campaign_send_reviews: the review a campaign was sent with (why it needed
-- one, the mode, the hash and the approval that counted), frozen at send.
CREATE TABLE campaign_send_reviews (
    campaign_id uuid PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    review      jsonb NOT NULL,
    at          timestamptz NOT NULL
);

-- +goose Down
DROP TABLE campaign_send_reviews;
DROP TABLE campaign_review_authors;
DROP TABLE campaign_review_approvals;
ALTER TABLE brands DROP COLUMN second_review;
