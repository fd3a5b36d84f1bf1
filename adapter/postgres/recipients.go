package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/recipient"
)

// ImportRecipients streams rows from r into Postgres with COPY into a temporary
// staging table, then upserts them in one statement: new addresses are
// inserted, known ones updated (non-empty names replace, segments are added,
// attributes merged) — never duplicated. Memory stays constant whatever the
// file size. Rejected rows are reported; good rows are imported regardless
// (the Reader has rejected every value Postgres would refuse, so no row fails
// the COPY). An error reading the upload, such as the body limit's 413, rolls
// the whole file back and is returned as it is. Within one file a repeated
// address keeps its last row.
func (s *Store) ImportRecipients(ctx context.Context, rd *recipient.Reader, a audit.Entry) (recipient.ImportResult, error) {
	res := recipient.ImportResult{Rejected: []recipient.Rejected{}}
	err := s.pgxTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_rows (line int, email text, first_name text,
			last_name text, segments text[], attributes jsonb) ON COMMIT DROP`); err != nil {
			return err
		}
		src := &rowSource{rd: rd, res: &res}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"},
			[]string{"line", "email", "first_name", "last_name", "segments", "attributes"}, src); err != nil {
			if src.err != nil {
				return src.err
			}
			return err
		}
		err := tx.QueryRow(ctx, `WITH src AS (
				SELECT DISTINCT ON (email) email, first_name, last_name, segments, attributes
				FROM import_rows ORDER BY email, line DESC),
			up AS (
				INSERT INTO recipients AS r (email, first_name, last_name, segments, attributes)
				SELECT email, first_name, last_name, segments, attributes FROM src
				ON CONFLICT (email) DO UPDATE SET
					first_name = CASE WHEN EXCLUDED.first_name <> '' THEN EXCLUDED.first_name ELSE r.first_name END,
					last_name  = CASE WHEN EXCLUDED.last_name <> '' THEN EXCLUDED.last_name ELSE r.last_name END,
					segments   = ARRAY(SELECT DISTINCT x FROM unnest(r.segments || EXCLUDED.segments) x ORDER BY x),
					attributes = r.attributes || EXCLUDED.attributes,
					updated_at = now()
				RETURNING (xmax = 0) AS inserted)
			SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`).
			Scan(&res.Imported, &res.Updated)
		if err != nil {
			return err
		}
		a.Data = audit.With(a.Data, "imported", res.Imported, "updated", res.Updated, "rejected", res.RejectedTotal)
		q, args, err := auditInsert(ctx, a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		var se *sourceError
		if errors.As(err, &se) {
			return res, se.err
		}
		return res, fmt.Errorf("import recipients: %w", translate(err, nil, nil))
	}
	return res, nil
}

// sourceError carries a read failure of the upload through pgx's COPY.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }

// rowSource feeds COPY one valid row at a time, recording rejected rows.
type rowSource struct {
	rd   *recipient.Reader
	res  *recipient.ImportResult
	row  []any
	err  error
	done bool
}

func (s *rowSource) Next() bool {
	for !s.done {
		row, bad, err := s.rd.Next()
		if errors.Is(err, io.EOF) {
			s.done = true
			return false
		}
		if err != nil {
			s.err = &sourceError{fmt.Errorf("read upload: %w", err)}
			return false
		}
		if bad != nil {
			s.res.RejectedTotal++
			if len(s.res.Rejected) < recipient.MaxRejectedListed {
				s.res.Rejected = append(s.res.Rejected, *bad)
			}
			continue
		}
		attrs := []byte("{}")
		if len(row.Attributes) > 0 {
			attrs, _ = json.Marshal(row.Attributes)
		}
		segs := row.Segments
		if segs == nil {
			segs = []string{}
		}
		s.row = []any{row.Line, row.Email, row.FirstName, row.LastName, segs, string(attrs)}
		return true
	}
	return false
}

func (s *rowSource) Values() ([]any, error) { return s.row, nil }
func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return nil
}

// ListSegments counts members per segment name.
func (s *Store) ListSegments(ctx context.Context) ([]recipient.Segment, error) {
	var out []recipient.Segment
	err := s.db.WithContext(ctx).Raw(`SELECT seg AS name, count(*)::int AS members
		FROM recipients, unnest(segments) AS seg GROUP BY seg ORDER BY seg`).Scan(&out).Error
	if err != nil {
		return nil, translate(err, nil, nil)
	}
	if out == nil {
		out = []recipient.Segment{}
	}
	return out, nil
}

var _ recipient.Repo = (*Store)(nil)
