package user

import (
	"context"
	"slices"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
)

// Change is an admin's edit of a user (PATCH /api/v1/users/{id}, the CLI's
// `user disable` and `user roles`); a nil field stays as it is.
type Change struct {
	Name  *string
	Roles *[]string
	// Disabled true offboards the user: they cannot sign in, and every
	// session and token of theirs ends at once (tokens stay revoked if the
	// user is enabled again). false enables a disabled user.
	Disabled *bool
}

// GetUser returns the user with that id, or ErrUserNotFound.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	return s.repo.GetUser(ctx, id)
}

// UpdateUser applies ch to the user with that id, audited as user.update,
// user.disable or user.enable. A change that would leave no active admin is
// ErrLastAdmin — decided under a lock on every admin's row, so it holds when
// two admins step down at once. A change to nothing writes nothing.
func (s *Service) UpdateUser(ctx context.Context, actor audit.Actor, id string, ch Change) (User, error) {
	var f errs.Fields
	var name string
	var roles []auth.Role
	if ch.Name != nil {
		var problem string
		if name, problem = normalizeName(*ch.Name); problem != "" {
			f.Add("name", problem)
		}
	}
	if ch.Roles != nil {
		var problem string
		if roles, problem = normalizeRoles(*ch.Roles); problem != "" {
			f.Add("roles", problem)
		}
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	now := s.now().UTC()
	return s.repo.UpdateUser(ctx, id, func(cur User, otherActiveAdmins int) (User, *audit.Entry, error) {
		next := cur
		changes := map[string]any{}
		if ch.Name != nil && name != cur.Name {
			next.Name = name
			changes["name"] = map[string]any{"from": cur.Name, "to": name}
		}
		if ch.Roles != nil && !slices.Equal(roles, cur.Roles) {
			next.Roles = roles
			changes["roles"] = map[string]any{"from": auth.Strings(cur.Roles), "to": auth.Strings(roles)}
		}
		action := "user.update"
		if ch.Disabled != nil && *ch.Disabled == cur.Active() {
			if *ch.Disabled {
				next.DisabledAt, action = &now, "user.disable"
			} else {
				next.DisabledAt, action = nil, "user.enable"
			}
			changes["disabled"] = *ch.Disabled
		}
		if len(changes) == 0 {
			return cur, nil, nil
		}
		if cur.Active() && cur.IsAdmin() && !(next.Active() && next.IsAdmin()) && otherActiveAdmins == 0 {
			return User{}, nil, ErrLastAdmin
		}
		return next, &audit.Entry{Actor: actor, Action: action, SubjectType: "user", SubjectID: cur.ID,
			Data: map[string]any{"email": cur.Email, "changes": changes}}, nil
	})
}

// UpdateUserByEmail is UpdateUser for the user with that email (the CLI).
func (s *Service) UpdateUserByEmail(ctx context.Context, actor audit.Actor, email string, ch Change) (User, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return User{}, ErrNotFound
	}
	cred, err := s.repo.GetUserByEmail(ctx, norm)
	if err != nil {
		return User{}, err
	}
	return s.UpdateUser(ctx, actor, cred.User.ID, ch)
}

// RevokeSessions signs the user with that id out everywhere (their API tokens
// are untouched) and returns how many sessions ended.
func (s *Service) RevokeSessions(ctx context.Context, actor audit.Actor, userID string) (int, error) {
	return s.repo.RevokeSessions(ctx, userID, audit.Entry{
		Actor: actor, Action: "user.sessions_revoke", SubjectType: "user", SubjectID: userID,
	})
}
