package postgres

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/suppression"
)

var _ suppression.SyncStore = (*Store)(nil)

// upsertSuppressionsSQL inserts a chunk in one statement: the arrays are
// zipped by unnest, repeats of a key within the chunk collapse to one row
// (ON CONFLICT DO UPDATE may not touch a row twice), and a row that exists
// only gets last_seen (and a non-empty reason) refreshed; its source and
// first_seen stay. xmax = 0 holds exactly for the rows this statement
// inserted, so the count is the new suppressions.
const upsertSuppressionsSQL = `
WITH input AS (
	SELECT DISTINCT ON (email, kind, group_id) email, kind, group_id, source, reason
	FROM unnest(?::text[], ?::text[], ?::integer[], ?::text[], ?::text[]) AS t(email, kind, group_id, source, reason)
	ORDER BY email, kind, group_id, reason DESC
), upserted AS (
	INSERT INTO suppressions (email, kind, group_id, source, reason)
	SELECT email, kind, group_id, source, reason FROM input
	ON CONFLICT (email, kind, group_id) DO UPDATE SET last_seen = now(),
		reason = CASE WHEN EXCLUDED.reason <> '' THEN EXCLUDED.reason ELSE suppressions.reason END
	RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS added FROM upserted`

// UpsertSuppressions stores a chunk of entries (emails already lower-case,
// as the table requires) and the audit entry a, with "added" put in its
// data, in one transaction: set-based, one statement whatever the chunk's
// size. A violated check (say an upper-case address) fails the whole chunk.
func (s *Store) UpsertSuppressions(ctx context.Context, es []suppression.Entry, a audit.Entry) (int, error) {
	if len(es) == 0 {
		return 0, nil
	}
	emails := make(textArray, len(es))
	kinds := make(textArray, len(es))
	groups := make(intArray, len(es))
	sources := make(textArray, len(es))
	reasons := make(textArray, len(es))
	for i, e := range es {
		emails[i], kinds[i], groups[i], sources[i], reasons[i] = e.Email, string(e.Kind), e.GroupID, string(e.Source), e.Reason
	}
	var added int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw(upsertSuppressionsSQL, emails, kinds, groups, sources, reasons).Scan(&added).Error; err != nil {
			return translate(err, nil, nil)
		}
		if added == 0 {
			return nil // nothing changed: an hourly re-sync of known entries writes no audit rows
		}
		a.Data = audit.With(a.Data, "added", added)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return 0, fmt.Errorf("upsert %d suppressions: %w", len(es), err)
	}
	return added, nil
}

// intArray is a Postgres integer[] parameter (gorm would expand a plain
// []int into a list of placeholders).
type intArray []int

// Value implements driver.Valuer.
func (a intArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte('}')
	return b.String(), nil
}
