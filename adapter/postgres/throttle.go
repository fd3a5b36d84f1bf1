package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/user"
)

type throttleRow struct {
	Key         string
	Failures    int
	LastAt      *time.Time
	SucceededAt *time.Time
}

// ChargeAttempt decides a sign-in attempt under row locks on its throttle keys
// (user.Repo.ChargeAttempt). The first statement creates the keys' missing
// rows, locks all of them (ON CONFLICT DO UPDATE locks an existing row) and
// returns their state; admit decides; the second statement stores the charged
// state. Concurrent attempts sharing a key queue on its row lock, whichever
// API process serves them. Keys are locked in sorted order, here and in
// ForgiveAttempts, so two attempts never wait on each other in a cycle.
func (s *Store) ChargeAttempt(ctx context.Context, keys []string, admit func(cur []user.Attempts) ([]user.Attempts, error)) error {
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		var rows []throttleRow
		err := tx.Raw(`INSERT INTO login_throttle AS t (key)
			SELECT k FROM unnest(?::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n
			ON CONFLICT (key) DO UPDATE SET failures = t.failures
			RETURNING t.key, t.failures, t.last_at, t.succeeded_at`, textArray(sorted)).Scan(&rows).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		cur := make([]user.Attempts, len(rows))
		for i, r := range rows {
			cur[i] = user.Attempts{Key: r.Key, Failures: r.Failures}
			if r.LastAt != nil {
				cur[i].LastAt = r.LastAt.UTC()
			}
			if r.SucceededAt != nil {
				cur[i].SucceededAt = r.SucceededAt.UTC()
			}
		}
		next, err := admit(cur)
		if err != nil {
			return err
		}
		ks := make(textArray, len(next))
		fs := make(textArray, len(next))
		ats := make(textArray, len(next))
		for i, a := range next {
			// Postgres keeps microseconds; truncate as pgx does for a time parameter (never round up).
			ks[i], fs[i], ats[i] = a.Key, strconv.Itoa(a.Failures), a.LastAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
		}
		err = tx.Exec(`INSERT INTO login_throttle AS t (key, failures, last_at)
			SELECT * FROM unnest(?::text[], ?::int[], ?::timestamptz[])
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at`,
			ks, fs, ats).Error
		return translate(err, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	return nil
}

// ForgiveAttempts settles a successful sign-in (user.Repo.ForgiveAttempts):
// under locks on the keys' rows, the pair's count is taken back from the other
// keys (a key left with none, and never signed in with, is removed) and the
// pair keeps a row with no failures and succeeded_at = now.
func (s *Store) ForgiveAttempts(ctx context.Context, now time.Time, pair string, others []string) error {
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		// Lock the keys in sorted order, as ChargeAttempt does, so the two never deadlock.
		var rows []throttleRow
		err := tx.Raw(`SELECT key, failures FROM login_throttle WHERE key = ANY(?::text[]) ORDER BY key FOR UPDATE`,
			textArray(append([]string{pair}, others...))).Scan(&rows).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		n := 0
		for _, r := range rows {
			if r.Key == pair {
				n = r.Failures
			}
		}
		err = tx.Exec(`INSERT INTO login_throttle (key, failures, last_at, succeeded_at) VALUES (?, 0, ?, ?)
			ON CONFLICT (key) DO UPDATE SET failures = 0, succeeded_at = excluded.succeeded_at`, pair, now, now).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		err = tx.Exec(`UPDATE login_throttle SET failures = greatest(failures - ?, 0) WHERE key = ANY(?::text[])`,
			n, textArray(others)).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		return translate(tx.Exec(`DELETE FROM login_throttle
			WHERE key = ANY(?::text[]) AND failures = 0 AND succeeded_at IS NULL`, textArray(others)).Error, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("sign-in throttle: %w", err)
	}
	return nil
}
