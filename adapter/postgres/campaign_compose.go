package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/firebreak/firebreak/domain/campaign"
)

// The compose reads (campaign.ComposeRepo): a campaign's audience as its send
// hands it over — the live audience of a draft (audienceWhere, exactly what
// StartSend would snapshot now), the snapshot in campaign_recipients once it
// is sent — and the audience estimate of a choice of segments.

// memberRow is one audience member with its merge values.
type memberRow struct {
	ID         string
	Email      string
	FirstName  string
	LastName   string
	Attributes string
}

// audienceFrom returns the FROM … WHERE of c's audience, its members as
// columns id, email, first_name, last_name, attributes (text), and its args.
func audienceFrom(c campaign.Campaign) (string, []any) {
	if c.Status == campaign.Draft {
		return `(SELECT r.id, r.email, r.first_name, r.last_name, r.attributes FROM recipients r
			WHERE ` + audienceWhere + `) m`, []any{textArray(c.Segments), c.ASMGroupID}
	}
	return `(SELECT cr.recipient_id AS id, cr.email, cr.first_name, cr.last_name, cr.attributes
		FROM campaign_recipients cr WHERE cr.campaign_id = ?) m`, []any{c.ID}
}

// AudienceSample implements campaign.ComposeRepo: the first limit members by
// address.
func (s *Store) AudienceSample(ctx context.Context, c campaign.Campaign, limit int) ([]campaign.Member, error) {
	from, args := audienceFrom(c)
	var out []campaign.Member
	err := s.db.WithContext(ctx).Raw(`SELECT m.id::text AS id, m.email FROM `+from+` ORDER BY m.email LIMIT ?`,
		append(args, limit)...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("audience sample of campaign %s: %w", c.ID, translate(err, nil, nil))
	}
	return out, nil
}

// AudienceMember implements campaign.ComposeRepo: recipientID (a valid id)
// when it is in c's audience, else the first member by address when it is
// empty.
func (s *Store) AudienceMember(ctx context.Context, c campaign.Campaign, recipientID string) (campaign.Recipient, error) {
	from, args := audienceFrom(c)
	q := `SELECT m.id::text AS id, m.email, m.first_name, m.last_name, m.attributes::text AS attributes FROM ` + from
	if recipientID != "" {
		q += ` WHERE m.id = CAST(? AS uuid)`
		args = append(args, recipientID)
	}
	var rows []memberRow
	if err := s.db.WithContext(ctx).Raw(q+` ORDER BY m.email LIMIT 1`, args...).Scan(&rows).Error; err != nil {
		return campaign.Recipient{}, fmt.Errorf("audience member of campaign %s: %w",
			c.ID, translate(err, campaign.ErrRecipientNotInAudience, nil))
	}
	switch {
	case len(rows) == 0 && recipientID == "":
		return campaign.Recipient{}, campaign.ErrEmptyAudience
	case len(rows) == 0:
		return campaign.Recipient{}, campaign.ErrRecipientNotInAudience
	}
	r := rows[0]
	v := campaign.Values{Email: r.Email, FirstName: r.FirstName, LastName: r.LastName}
	// As Claim reads them: what the preview and the test show is what the
	// handoff would send.
	_ = json.Unmarshal([]byte(r.Attributes), &v.Attributes)
	return campaign.Recipient{ID: r.ID, Values: v}, nil
}

// EstimateAudience implements campaign.ComposeRepo in two statements: the
// totals over the union of the segments (recipients are one row per address,
// so a member of two segments counts once), then each segment's members.
func (s *Store) EstimateAudience(ctx context.Context, segments []string, asmGroupID int) (campaign.AudienceEstimate, error) {
	db := s.db.WithContext(ctx)
	var est campaign.AudienceEstimate
	var totals struct{ Members, Suppressed int }
	if err := db.Raw(`SELECT count(*)::int AS members, count(*) FILTER (WHERE `+suppressedExpr+`)::int AS suppressed
		FROM recipients r WHERE r.segments && ?::text[]`, asmGroupID, textArray(segments)).Scan(&totals).Error; err != nil {
		return est, fmt.Errorf("audience of segments: %w", translate(err, nil, nil))
	}
	if err := db.Raw(`SELECT a.name, (SELECT count(*) FROM recipients r WHERE r.segments @> ARRAY[a.name])::int AS members
		FROM unnest(?::text[]) WITH ORDINALITY AS a(name, ord) ORDER BY a.ord`, textArray(segments)).Scan(&est.Segments).Error; err != nil {
		return est, fmt.Errorf("members of segments: %w", translate(err, nil, nil))
	}
	est.Members, est.Suppressed = totals.Members, totals.Suppressed
	est.Audience = est.Members - est.Suppressed
	return est, nil
}

// UserEmail implements campaign.ComposeRepo.
func (s *Store) UserEmail(ctx context.Context, userID string) (string, error) {
	var emails []string
	if err := s.db.WithContext(ctx).Raw(`SELECT email FROM users WHERE id = CAST(? AS uuid)`, userID).
		Scan(&emails).Error; err != nil {
		return "", fmt.Errorf("address of user %s: %w", userID, translate(err, campaign.ErrNoTestAddress, nil))
	}
	if len(emails) == 0 {
		return "", campaign.ErrNoTestAddress
	}
	return emails[0], nil
}
