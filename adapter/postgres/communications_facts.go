package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/firebreak/firebreak/domain/campaign"
	"github.com/firebreak/firebreak/domain/communication"
	"github.com/firebreak/firebreak/domain/incident"
)

// communicationMemberExpr is a tag's (trimmed) value on an aff row (the
// campaign's snapshot of the recipient, as StartSendCommunication copies it).
func communicationMemberExpr(t campaign.Tag, i int, args map[string]any) string {
	switch t.Field {
	case "first_name":
		return "btrim(coalesce(first_name, ''))"
	case "last_name":
		return "btrim(coalesce(last_name, ''))"
	case "email":
		return "btrim(email)"
	}
	k := fmt.Sprintf("attr%d", i)
	args[k] = t.Attr()
	return "btrim(coalesce(attributes->>CAST(@" + k + " AS text), ''))"
}

// californiaSQL: a member whose attribute state or region is CA or California
// (case-insensitive, trimmed) — the attribute names the recipients import
// uses for a US state.
const californiaSQL = `(lower(btrim(coalesce(attributes->>'state', ''))) IN ('ca', 'california')
	OR lower(btrim(coalesce(attributes->>'region', ''))) IN ('ca', 'california'))`

// CommunicationBrand implements communication.FactStore.
func (s *Store) CommunicationBrand(ctx context.Context, incidentID string) (campaign.Brand, error) {
	return communicationBrand(ctx, s.db, incidentID)
}

// CommunicationFacts implements communication.FactStore over c's audience
// that will receive it (will_receive: affected, not suppressed now, not
// already received), in one pass; examples only for tags with gaps.
func (s *Store) CommunicationFacts(ctx context.Context, c communication.Communication, campaignID string, tags []campaign.Tag) (communication.AudienceFacts, error) {
	db := s.db.WithContext(ctx)
	args := audienceArgs(c, campaignID)
	cols := []string{"count(*) FILTER (WHERE " + californiaSQL + ")::int AS ca"}
	exprs := make([]string, len(tags))
	for i, t := range tags {
		exprs[i] = communicationMemberExpr(t, i, args)
		cols = append(cols, fmt.Sprintf("count(*) FILTER (WHERE %s = '')::int AS g%d", exprs[i], i))
	}
	row := map[string]any{}
	if err := db.Raw(communicationAudienceSQL+` SELECT `+strings.Join(cols, ", ")+` FROM marked WHERE NOT suppressed AND NOT already`,
		args).Take(&row).Error; err != nil {
		return communication.AudienceFacts{}, fmt.Errorf("preflight facts of communication %s: %w", c.ID, translate(err, nil, nil))
	}
	facts := communication.AudienceFacts{California: toInt(row["ca"])}
	for i, t := range tags {
		n := toInt(row[fmt.Sprintf("g%d", i)])
		if n == 0 {
			continue
		}
		var examples []string
		args["lim"] = campaign.MaxExamples
		if err := db.Raw(communicationAudienceSQL+` SELECT email FROM marked WHERE NOT suppressed AND NOT already AND `+exprs[i]+
			` = '' ORDER BY email LIMIT @lim`, args).Scan(&examples).Error; err != nil {
			return communication.AudienceFacts{}, fmt.Errorf("preflight examples of communication %s: %w", c.ID, translate(err, nil, nil))
		}
		facts.Gaps = append(facts.Gaps, campaign.TagGap{Tag: t, Count: n, Examples: examples})
	}
	return facts, nil
}

// AffectedRecipient implements communication.FactStore: one member of c's
// affected audience (suppressed or not: the preview shows what they would
// get), recipientID empty the first by id.
func (s *Store) AffectedRecipient(ctx context.Context, c communication.Communication, campaignID, recipientID string) (communication.Recipient, error) {
	args := audienceArgs(c, campaignID)
	args["rid"] = recipientID
	var rows []commClaimedRow
	err := s.db.WithContext(ctx).Raw(communicationAudienceSQL+` SELECT recipient_id, email, coalesce(first_name, '') AS first_name,
		coalesce(last_name, '') AS last_name, coalesce(attributes, '{}')::text AS attributes FROM marked
		WHERE CAST(@rid AS text) = '' OR recipient_id::text = CAST(@rid AS text) ORDER BY recipient_id LIMIT 1`, args).Scan(&rows).Error
	if err != nil {
		return communication.Recipient{}, fmt.Errorf("recipient of communication %s: %w", c.ID, translate(err, nil, nil))
	}
	if len(rows) == 0 {
		return communication.Recipient{}, communication.ErrRecipientNotAffected
	}
	r := rows[0]
	v := campaign.Values{Email: r.Email, FirstName: r.FirstName, LastName: r.LastName}
	_ = json.Unmarshal([]byte(r.Attributes), &v.Attributes)
	return communication.Recipient{ID: r.RecipientID, Values: v}, nil
}

// DataCategories implements communication.FactStore: the assessment's
// data_categories_exposed, none before there is an assessment.
func (s *Store) DataCategories(ctx context.Context, incidentID string) ([]string, error) {
	a, err := s.GetAssessment(ctx, incidentID)
	if errors.Is(err, incident.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a.DataCategories, nil
}

var _ communication.FactStore = (*Store)(nil)
