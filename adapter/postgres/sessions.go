package postgres

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/user"
)

// CreateSession stores a session by the hash of its cookie secret, created
// and last seen at now, for an active user only (lockActiveUser).
func (s *Store) CreateSession(ctx context.Context, userID string, hash []byte, csrf, ip, userAgent string, now, expires time.Time, a audit.Entry) (user.Session, error) {
	var id string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockActiveUser(tx, userID); err != nil {
			return err
		}
		err := tx.Raw(`INSERT INTO sessions (user_id, token_sha256, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, userID, hash, csrf, ip, userAgent, now, now, expires).Scan(&id).Error
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

// seenEvery is how often last_seen_at is written for a session in use: it is
// a write, so not on every request; the idle timeout is exact to this much.
const seenEvery = time.Minute

// UserBySession resolves a session of an active user that is unexpired at now
// and was seen after now − idle, and moves its last_seen_at to now when that
// is more than seenEvery old.
func (s *Store) UserBySession(ctx context.Context, hash []byte, now time.Time, idle time.Duration) (user.User, user.Session, error) {
	var rows []userSessionRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+userCols+`, s.id AS session_id, s.csrf_token, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_sha256 = ? AND s.expires_at > ? AND s.last_seen_at > ? AND u.disabled_at IS NULL`,
		hash, now, now.Add(-idle)).Scan(&rows).Error
	if err != nil {
		return user.User{}, user.Session{}, translate(err, nil, nil)
	}
	if len(rows) == 0 {
		return user.User{}, user.Session{}, user.ErrInvalidToken
	}
	r := rows[0]
	if now.Sub(r.LastSeenAt) > seenEvery {
		err := s.db.WithContext(ctx).Exec(`UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`,
			now, r.SessionID, now).Error
		if err != nil {
			return user.User{}, user.Session{}, translate(err, nil, nil)
		}
	}
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

// RecordLoginFailure notes one failed sign-in under each key, for
// investigation; the throttle itself is login_throttle (throttle.go).
func (s *Store) RecordLoginFailure(ctx context.Context, keys []string) error {
	return translate(s.db.WithContext(ctx).Exec(`INSERT INTO login_failures (key) SELECT unnest(?::text[])`,
		textArray(keys)).Error, nil, nil)
}

// PurgeExpired deletes expired sessions, and login failures and throttle
// keys untouched for longer than keep (known pairs: user.KnownClientFor); the
// maintenance task runs it periodically. It returns the rows removed.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Exec(`DELETE FROM sessions WHERE expires_at < ?`, now)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		n = r.RowsAffected
		r = tx.Exec(`DELETE FROM login_failures WHERE at < ?`, now.Add(-keep))
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		n += r.RowsAffected
		// A known pair (succeeded_at) is kept for user.KnownClientFor after the sign-in.
		r = tx.Exec(`DELETE FROM login_throttle WHERE (last_at IS NULL OR last_at < ?)
			AND (succeeded_at IS NULL OR succeeded_at < ?)`, now.Add(-keep), now.Add(-user.KnownClientFor))
		n += r.RowsAffected
		return translate(r.Error, nil, nil)
	})
	return n, err
}
