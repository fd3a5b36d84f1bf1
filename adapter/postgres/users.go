package postgres

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/user"
)

var _ user.Repo = (*Store)(nil)

// textArray is a Postgres text[]. Values are written quoted (any text is safe);
// Scan reads the unquoted form of simple words such as role names.
type textArray []string

// Scan implements sql.Scanner for the "{a,b}" text form pgx returns.
func (a *textArray) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		*a = nil
		return nil
	default:
		return fmt.Errorf("textArray: cannot scan %T", src)
	}
	s = strings.Trim(s, "{}")
	if s == "" {
		*a = []string{}
		return nil
	}
	*a = strings.Split(s, ",")
	return nil
}

// Value implements driver.Valuer.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

type userRow struct {
	ID           string
	Email        string
	Name         string
	Roles        textArray
	PasswordHash *string
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

// userTokenRow and userSessionRow are a user joined with one credential; gorm
// does not fill embedded structs from Raw scans, so the columns are spelled out.
type userTokenRow struct {
	ID             string
	Email          string
	Name           string
	Roles          textArray
	PasswordHash   *string
	CreatedAt      time.Time
	DisabledAt     *time.Time
	TokenID        string
	TokenLastUsed  *time.Time
	TokenCreatedBy *string
}

func (r userTokenRow) user() userRow {
	return userRow{ID: r.ID, Email: r.Email, Name: r.Name, Roles: r.Roles, PasswordHash: r.PasswordHash,
		CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt}
}

type userSessionRow struct {
	ID           string
	Email        string
	Name         string
	Roles        textArray
	PasswordHash *string
	CreatedAt    time.Time
	DisabledAt   *time.Time
	SessionID    string
	CSRFToken    string
	ExpiresAt    time.Time
	LastSeenAt   time.Time
}

func (r userSessionRow) user() userRow {
	return userRow{ID: r.ID, Email: r.Email, Name: r.Name, Roles: r.Roles, PasswordHash: r.PasswordHash,
		CreatedAt: r.CreatedAt, DisabledAt: r.DisabledAt}
}

func toUser(r userRow) user.User {
	roles := make([]auth.Role, len(r.Roles))
	for i, name := range r.Roles {
		roles[i] = auth.Role(name)
	}
	u := user.User{ID: r.ID, Email: r.Email, Name: r.Name, Roles: roles,
		HasPassword: r.PasswordHash != nil && *r.PasswordHash != "", CreatedAt: r.CreatedAt.UTC()}
	if r.DisabledAt != nil {
		at := r.DisabledAt.UTC()
		u.DisabledAt = &at
	}
	return u
}

const userCols = `u.id, u.email, u.name, u.roles, u.password_hash, u.created_at, u.disabled_at`

// CreateUser inserts a user; a taken email (any case) is user.ErrEmailTaken.
func (s *Store) CreateUser(ctx context.Context, email, name string, roles []auth.Role, passwordHash string, a audit.Entry) (user.User, error) {
	var row userRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var hash any
		if passwordHash != "" {
			hash = passwordHash
		}
		err := tx.Raw(`INSERT INTO users AS u (email, name, roles, password_hash) VALUES (?, ?, ?, ?)
			RETURNING `+userCols, email, name, textArray(auth.Strings(roles)), hash).Scan(&row).Error
		if err != nil {
			return translate(err, nil, user.ErrEmailTaken)
		}
		a.SubjectID = row.ID
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return user.User{}, fmt.Errorf("create user %s: %w", email, err)
	}
	return toUser(row), nil
}

// ListUsers lists users by email.
func (s *Store) ListUsers(ctx context.Context) ([]user.User, error) {
	var rows []userRow
	if err := s.db.WithContext(ctx).Raw(`SELECT ` + userCols + ` FROM users u ORDER BY lower(u.email)`).Scan(&rows).Error; err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]user.User, len(rows))
	for i, r := range rows {
		out[i] = toUser(r)
	}
	return out, nil
}

// GetUserByEmail finds a user case-insensitively, with the password hash.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (user.Credentials, error) {
	var rows []userRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+userCols+` FROM users u WHERE lower(u.email) = lower(?)`, email).Scan(&rows).Error
	if err != nil {
		return user.Credentials{}, translate(err, nil, nil)
	}
	if len(rows) == 0 {
		return user.Credentials{}, fmt.Errorf("%s: %w", email, user.ErrNotFound)
	}
	c := user.Credentials{User: toUser(rows[0])}
	if rows[0].PasswordHash != nil {
		c.PasswordHash = *rows[0].PasswordHash
	}
	return c, nil
}

// GetUser finds a user by id; an unknown or malformed id is user.ErrUserNotFound.
func (s *Store) GetUser(ctx context.Context, id string) (user.User, error) {
	var rows []userRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+userCols+` FROM users u WHERE u.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return user.User{}, translate(err, user.ErrUserNotFound, nil)
	}
	if len(rows) == 0 {
		return user.User{}, fmt.Errorf("user %s: %w", id, user.ErrUserNotFound)
	}
	return toUser(rows[0]), nil
}

type tokenRow struct {
	ID         string
	UserID     string
	Name       string
	Prefix     string
	CreatedBy  *string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func toToken(r tokenRow) user.Token {
	return user.Token{ID: r.ID, UserID: r.UserID, Name: r.Name, Prefix: r.Prefix, CreatedBy: minter(r.CreatedBy),
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
}

// minter reads api_tokens.created_by: NULL is a token the CLI minted.
func minter(createdBy *string) string {
	if createdBy == nil {
		return auth.MintedByCLI
	}
	return *createdBy
}

const tokenCols = `t.id, t.user_id, t.name, t.prefix, t.created_by, t.created_at, t.last_used_at, t.revoked_at`

// lockActiveUser takes a share lock on the user's row and refuses a disabled
// or unknown user. Disabling takes the row lock exclusively, so a credential
// created under this lock is either refused or revoked by the disable.
func lockActiveUser(tx *gorm.DB, userID string) error {
	var rows []struct{ DisabledAt *time.Time }
	if err := tx.Raw(`SELECT disabled_at FROM users WHERE id = ? FOR SHARE`, userID).Scan(&rows).Error; err != nil {
		return translate(err, user.ErrUserNotFound, nil)
	}
	if len(rows) == 0 {
		return user.ErrUserNotFound
	}
	if rows[0].DisabledAt != nil {
		return user.ErrUserDisabled
	}
	return nil
}

// CreateToken stores a token's hash (never the token) and its minter
// (createdBy "" is the CLI, stored as NULL), for an active user only.
func (s *Store) CreateToken(ctx context.Context, userID, name, prefix string, hash []byte, createdBy string, a audit.Entry) (user.Token, error) {
	var row tokenRow
	var by any
	if createdBy != "" {
		by = createdBy
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockActiveUser(tx, userID); err != nil {
			return err
		}
		err := tx.Raw(`INSERT INTO api_tokens AS t (user_id, name, prefix, token_sha256, created_by) VALUES (?, ?, ?, ?, ?)
			RETURNING `+tokenCols, userID, name, prefix, hash, by).Scan(&row).Error
		if err != nil {
			return translate(err, user.ErrNotFound, nil)
		}
		a.SubjectID = row.ID
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return user.Token{}, fmt.Errorf("create token: %w", err)
	}
	return toToken(row), nil
}

// GetToken finds a token by id; an unknown or malformed id is user.ErrTokenNotFound.
func (s *Store) GetToken(ctx context.Context, id string) (user.Token, error) {
	var rows []tokenRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+tokenCols+` FROM api_tokens t WHERE t.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return user.Token{}, translate(err, user.ErrTokenNotFound, nil)
	}
	if len(rows) == 0 {
		return user.Token{}, fmt.Errorf("token %s: %w", id, user.ErrTokenNotFound)
	}
	return toToken(rows[0]), nil
}

// ListTokens lists a user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]user.Token, error) {
	var rows []tokenRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+tokenCols+` FROM api_tokens t WHERE t.user_id = ? ORDER BY t.created_at DESC`, userID).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, nil, nil)
	}
	out := make([]user.Token, len(rows))
	for i, r := range rows {
		out[i] = toToken(r)
	}
	return out, nil
}

// RevokeToken sets revoked_at once; a second revoke keeps the first time.
func (s *Store) RevokeToken(ctx context.Context, id string, a audit.Entry) (user.Token, error) {
	var rows []tokenRow
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`UPDATE api_tokens AS t SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?
			RETURNING `+tokenCols, id).Scan(&rows).Error
		if err != nil {
			return translate(err, user.ErrTokenNotFound, nil)
		}
		if len(rows) == 0 {
			return user.ErrTokenNotFound
		}
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return user.Token{}, fmt.Errorf("revoke token %s: %w", id, err)
	}
	return toToken(rows[0]), nil
}

// UserByToken resolves a live token of an active user and records its use (at
// most once a minute, so a busy integration does not write on every request).
func (s *Store) UserByToken(ctx context.Context, hash []byte) (user.User, user.Token, error) {
	var rows []userTokenRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+userCols+`, t.id AS token_id, t.last_used_at AS token_last_used,
			t.created_by AS token_created_by
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL`, hash).Scan(&rows).Error
	if err != nil {
		return user.User{}, user.Token{}, translate(err, nil, nil)
	}
	if len(rows) == 0 {
		return user.User{}, user.Token{}, user.ErrInvalidToken
	}
	r := rows[0]
	if r.TokenLastUsed == nil || time.Since(*r.TokenLastUsed) > time.Minute {
		if err := s.db.WithContext(ctx).Exec(`UPDATE api_tokens SET last_used_at = now() WHERE id = ?`, r.TokenID).Error; err != nil {
			return user.User{}, user.Token{}, translate(err, nil, nil)
		}
	}
	return toUser(r.user()), user.Token{ID: r.TokenID, UserID: r.ID, CreatedBy: minter(r.TokenCreatedBy)}, nil
}
