package postgres

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/user"
)

// UpdateUser applies an admin's edit (user.Repo.UpdateUser). It locks every
// active admin's row (in id order) and then the user's, so edits that could
// remove the last admin are decided one at a time; disabling deletes the
// user's sessions and revokes their tokens in the same transaction, and the
// entry records how many.
func (s *Store) UpdateUser(ctx context.Context, id string, edit func(cur user.User, otherActiveAdmins int) (user.User, *audit.Entry, error)) (user.User, error) {
	var out user.User
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		var admins []string
		if err := tx.Raw(`SELECT id FROM users WHERE 'admin' = ANY(roles) AND disabled_at IS NULL
			ORDER BY id FOR UPDATE`).Scan(&admins).Error; err != nil {
			return translate(err, nil, nil)
		}
		var rows []userRow
		if err := tx.Raw(`SELECT `+userCols+` FROM users u WHERE u.id = ? FOR UPDATE`, id).Scan(&rows).Error; err != nil {
			return translate(err, user.ErrUserNotFound, nil)
		}
		if len(rows) == 0 {
			return user.ErrUserNotFound
		}
		cur := toUser(rows[0])
		others := len(admins)
		if slices.Contains(admins, cur.ID) {
			others--
		}
		next, entry, err := edit(cur, others)
		if err != nil {
			return err
		}
		out = next
		if entry == nil {
			return nil
		}
		err = tx.Exec(`UPDATE users SET name = ?, roles = ?, disabled_at = ?, updated_at = now() WHERE id = ?`,
			next.Name, textArray(auth.Strings(next.Roles)), next.DisabledAt, cur.ID).Error
		if err != nil {
			return translate(err, nil, nil)
		}
		if cur.Active() && !next.Active() {
			del := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, cur.ID)
			if del.Error != nil {
				return translate(del.Error, nil, nil)
			}
			rev := tx.Exec(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = ? AND revoked_at IS NULL`, cur.ID)
			if rev.Error != nil {
				return translate(rev.Error, nil, nil)
			}
			entry.Data = audit.With(entry.Data, "sessions_revoked", del.RowsAffected, "tokens_revoked", rev.RowsAffected)
		}
		return writeAudit(ctx, tx, *entry)
	})
	if err != nil {
		return user.User{}, fmt.Errorf("update user %s: %w", id, err)
	}
	return out, nil
}

// RevokeSessions deletes every session of a user, audited with the count.
func (s *Store) RevokeSessions(ctx context.Context, userID string, a audit.Entry) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Raw(`SELECT id FROM users WHERE id = ?`, userID).Scan(&ids).Error; err != nil {
			return translate(err, user.ErrUserNotFound, nil)
		}
		if len(ids) == 0 {
			return user.ErrUserNotFound
		}
		r := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID)
		if r.Error != nil {
			return translate(r.Error, nil, nil)
		}
		n = r.RowsAffected
		a.Data = audit.With(a.Data, "sessions_revoked", n)
		return writeAudit(ctx, tx, a)
	})
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of user %s: %w", userID, err)
	}
	return int(n), nil
}
