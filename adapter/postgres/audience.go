package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/campaign"
)

// audienceWhere selects the recipients of segments ($1) minus every suppressed
// address (suppressedExpr, for the campaign's ASM group $2).
const audienceWhere = `r.segments && ?::text[] AND NOT ` + suppressedExpr

// suppressedExpr is true for a recipients row r whose address is suppressed
// for a campaign of ASM group $1 (0: none): any bounce, spam report, invalid,
// global unsubscribe or manual entry, and the unsubscribes of that group only.
const suppressedExpr = `EXISTS (SELECT 1 FROM suppressions s WHERE s.email = r.email
		AND (s.kind <> 'group_unsubscribe' OR s.group_id = ?))`

// tagExpr is the SQL for a tag's (trimmed) value on a recipients row r.
func tagExpr(t campaign.Tag) (string, []any) {
	switch t.Field {
	case "first_name":
		return "btrim(r.first_name)", nil
	case "last_name":
		return "btrim(r.last_name)", nil
	case "email":
		return "btrim(r.email)", nil
	}
	return "btrim(coalesce(r.attributes->>?, ''))", []any{t.Attr()}
}

// AudienceFacts counts the live audience and, per tag, the members for whom it
// is empty, in one pass; examples are fetched only for tags that have gaps.
func (s *Store) AudienceFacts(ctx context.Context, segments []string, asmGroupID int, tags []campaign.Tag) (campaign.AudienceFacts, error) {
	return factsOver(s.db.WithContext(ctx), `recipients r WHERE `+audienceWhere, []any{textArray(segments), asmGroupID}, tags)
}

// SnapshotFacts is AudienceFacts over a sent campaign's snapshot (the same
// columns as recipients, frozen at send): what a correction is checked against.
func (s *Store) SnapshotFacts(ctx context.Context, campaignID string, tags []campaign.Tag) (campaign.AudienceFacts, error) {
	return factsOver(s.db.WithContext(ctx), `campaign_recipients r WHERE r.campaign_id = ?`, []any{campaignID}, tags)
}

// factsOver counts the rows of from (a FROM … WHERE naming its rows r, with
// its arguments) and, per tag, those for whom it is empty, in one pass;
// examples are fetched only for tags that have gaps.
func factsOver(db *gorm.DB, from string, fromArgs []any, tags []campaign.Tag) (campaign.AudienceFacts, error) {
	cols := []string{"count(*) AS n"}
	var args []any
	for i, t := range tags {
		expr, a := tagExpr(t)
		cols = append(cols, fmt.Sprintf("count(*) FILTER (WHERE %s = '') AS g%d", expr, i))
		args = append(args, a...)
	}
	row := map[string]any{}
	err := db.Raw(`SELECT `+strings.Join(cols, ", ")+` FROM `+from, append(args, fromArgs...)...).Take(&row).Error
	if err != nil {
		return campaign.AudienceFacts{}, translate(err, nil, nil)
	}
	facts := campaign.AudienceFacts{Size: toInt(row["n"])}
	for i, t := range tags {
		n := toInt(row[fmt.Sprintf("g%d", i)])
		if n == 0 {
			continue
		}
		expr, a := tagExpr(t)
		var examples []string
		err := db.Raw(`SELECT r.email FROM `+from+` AND `+expr+` = '' ORDER BY r.email LIMIT ?`,
			append(append(append([]any{}, fromArgs...), a...), campaign.MaxExamples)...).Scan(&examples).Error
		if err != nil {
			return campaign.AudienceFacts{}, translate(err, nil, nil)
		}
		facts.Gaps = append(facts.Gaps, campaign.TagGap{Tag: t, Count: n, Examples: examples})
	}
	return facts, nil
}

func toInt(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case int32:
		return int(n)
	case int:
		return n
	}
	return 0
}

// StartSend snapshots the audience into campaign_recipients (merge values
// frozen), applies the brand's watch windows (caution, campaign_caution.go),
// picks the canary wave, and moves the draft to sending, in one transaction
// under the campaign's row lock: a second send sees "sending" and gets
// ErrAlreadySent; the audience is snapshotted once.
func (s *Store) StartSend(ctx context.Context, id, batchID string, now time.Time, a audit.Entry, caution campaign.CautionRule) (campaign.Campaign, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, err := getCampaign(ctx, tx, id, "FOR UPDATE")
		if err != nil {
			return err
		}
		if c.Status != campaign.Draft {
			return campaign.ErrAlreadySent
		}
		if c, err = applyCaution(ctx, tx, c, now, caution); err != nil {
			return err
		}
		r := tx.Exec(`INSERT INTO campaign_recipients (campaign_id, recipient_id, email, first_name, last_name, attributes, segments, wave)
			SELECT ?, r.id, r.email, r.first_name, r.last_name, r.attributes, r.segments, 1
			FROM recipients r WHERE `+audienceWhere+` ORDER BY r.id`, id, textArray(c.Segments), c.ASMGroupID)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		audience := int(r.RowsAffected)
		if err := checkSendReview(ctx, tx, c, audience, now, &a); err != nil { // the second pair of eyes
			return err
		}
		canary := 0
		if c.CanaryPercent > 0 && audience > 0 {
			canary = max(1, int(math.Ceil(float64(audience)*c.CanaryPercent/100)))
			if err := tx.Exec(`UPDATE campaign_recipients SET wave = 0 WHERE campaign_id = ? AND recipient_id IN
				(SELECT recipient_id FROM campaign_recipients WHERE campaign_id = ? ORDER BY random() LIMIT ?)`,
				id, id, canary).Error; err != nil {
				return translate(err, nil, nil)
			}
		}
		if err := tx.Exec(`UPDATE campaigns SET status = 'sending', batch_id = ?, audience = ?, send_started_at = ?,
			updated_at = ? WHERE id = ?`, batchID, audience, now, now, id).Error; err != nil {
			return translate(err, nil, nil)
		}
		a.Data = audit.With(a.Data, "audience", audience, "canary", canary)
		return writeAudit(ctx, tx, a)
	})
	if rr := (*campaign.ReviewRequiredError)(nil); errors.As(err, &rr) {
		return campaign.Campaign{}, rr
	}
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("start sending %s: %w", id, err)
	}
	return s.GetCampaign(ctx, id)
}
