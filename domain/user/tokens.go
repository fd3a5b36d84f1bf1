package user

import (
	"context"
	"fmt"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
)

// CreateToken issues an API token for the active user with that email and
// records who minted it: actor's user id, or the CLI when actor has none. The
// returned secret is shown once; only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, actor audit.Actor, email, name string) (Token, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Token{}, "", fmt.Errorf("email %v: %w", err, ErrNotFound)
	}
	cred, err := s.repo.GetUserByEmail(ctx, email)
	if err != nil {
		return Token{}, "", err
	}
	if !cred.User.Active() {
		return Token{}, "", ErrUserDisabled
	}
	createdBy := actor.UserID
	minter := createdBy
	if minter == "" {
		minter = auth.MintedByCLI
	}
	plain, hash := newSecret(tokenPrefix)
	tok, err := s.repo.CreateToken(ctx, cred.User.ID, name, displayPrefix(plain), hash, createdBy, audit.Entry{
		Actor: actor, Action: "api_token.create", SubjectType: "api_token",
		Data: map[string]any{"user_id": cred.User.ID, "email": email, "name": name, "created_by": minter},
	})
	if err != nil {
		return Token{}, "", err
	}
	return tok, plain, nil
}

// ListTokens lists the tokens of the user with that email.
func (s *Service) ListTokens(ctx context.Context, email string) ([]Token, error) {
	cred, err := s.repo.GetUserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return s.repo.ListTokens(ctx, cred.User.ID)
}

// ListTokensOf lists the tokens of the user with that id, newest first;
// ErrUserNotFound when there is no such user.
func (s *Service) ListTokensOf(ctx context.Context, userID string) ([]Token, error) {
	if _, err := s.repo.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	return s.repo.ListTokens(ctx, userID)
}

// RevokeToken revokes a token by id, whoever owns it (the CLI, an admin);
// revoking twice is not an error.
func (s *Service) RevokeToken(ctx context.Context, actor audit.Actor, id string) (Token, error) {
	return s.repo.RevokeToken(ctx, id, audit.Entry{
		Actor: actor, Action: "api_token.revoke", SubjectType: "api_token", SubjectID: id,
	})
}

// RevokeTokenAs revokes a token for the caller p: a holder of token.manage
// (an admin) may revoke anyone's, anybody else only their own
// (ErrNotYourToken otherwise). Revoking twice is not an error.
func (s *Service) RevokeTokenAs(ctx context.Context, p auth.Principal, id string) (Token, error) {
	if !p.Can(auth.TokenManage) {
		tok, err := s.repo.GetToken(ctx, id)
		if err != nil {
			return Token{}, err
		}
		if tok.UserID != p.UserID {
			return Token{}, ErrNotYourToken
		}
	}
	return s.RevokeToken(ctx, audit.Actor{UserID: p.UserID, Name: p.Email}, id)
}
