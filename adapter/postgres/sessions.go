package postgres

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/user"
)

// CreateSession stores a session by the hash of its cookie secret.
func (s *Store) CreateSession(ctx context.Context, userID string, hash []byte, csrf, ip, userAgent string, expires time.Time, a audit.Entry) (user.Session, error) {
	var id string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`INSERT INTO sessions (user_id, token_sha256, csrf_token, ip, user_agent, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, userID, hash, csrf, ip, userAgent, expires).Scan(&id).Error
		if err != nil {
			return translate(err, user.ErrNotFound, nil)
		}
		a.SubjectID = id
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return user.Session{}, fmt.Errorf("create session: %w", err)
	}
	return user.Session{ID: id, UserID: userID, CSRFToken: csrf, ExpiresAt: expires}, nil
}

// UserBySession resolves an unexpired session and its user.
func (s *Store) UserBySession(ctx context.Context, hash []byte, now time.Time) (user.User, user.Session, error) {
	var rows []userSessionRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+userCols+`, s.id AS session_id, s.csrf_token, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_sha256 = ? AND s.expires_at > ?`, hash, now).Scan(&rows).Error
	if err != nil {
		return user.User{}, user.Session{}, translate(err, nil, nil)
	}
	if len(rows) == 0 {
		return user.User{}, user.Session{}, user.ErrInvalidToken
	}
	r := rows[0]
	return toUser(r.user()), user.Session{ID: r.SessionID, UserID: r.ID, CSRFToken: r.CSRFToken, ExpiresAt: r.ExpiresAt}, nil
}

// DeleteSession ends a session; ending one that is gone is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string, a audit.Entry) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM sessions WHERE id = ?`, id).Error; err != nil {
			return translate(err, nil, nil)
		}
		return writeAudit(ctx, tx, a)
	})
}

// CountLoginFailures counts recent failures for each key.
func (s *Store) CountLoginFailures(ctx context.Context, keys []string, since time.Time) (map[string]int, error) {
	var rows []struct {
		Key   string
		Count int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT key, count(*) AS count FROM login_failures
		WHERE key IN ? AND at > ? GROUP BY key`, keys, since).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Count
	}
	return out, nil
}

// RecordLoginFailure notes one failed sign-in under each key.
func (s *Store) RecordLoginFailure(ctx context.Context, keys []string) error {
	return translate(s.db.WithContext(ctx).Exec(`INSERT INTO login_failures (key) SELECT unnest(?::text[])`,
		textArray(keys)).Error, nil, nil)
}

// PurgeExpired deletes expired sessions and login failures older than keep;
// the maintenance task runs it periodically. It returns the rows removed.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Exec(`DELETE FROM sessions WHERE expires_at < ?`, now)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		n = r.RowsAffected
		r = tx.Exec(`DELETE FROM login_failures WHERE at < ?`, now.Add(-keep))
		n += r.RowsAffected
		return translate(r.Error, nil, nil)
	})
	return n, err
}
