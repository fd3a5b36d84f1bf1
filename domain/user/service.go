package user

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
)

// Token is an API token as listed; the secret itself exists only at creation.
type Token struct {
	ID         string
	UserID     string
	Name       string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Session is a dashboard sign-in.
type Session struct {
	ID        string
	UserID    string
	CSRFToken string
	ExpiresAt time.Time
}

// Credentials is what Repo returns when looking a user up for sign-in.
type Credentials struct {
	User         User
	PasswordHash string
}

// Repo is the storage the Service needs. Every mutating method writes its audit
// entry in the same transaction as the change.
type Repo interface {
	CreateUser(ctx context.Context, email, name string, roles []auth.Role, passwordHash string, a audit.Entry) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	GetUserByEmail(ctx context.Context, email string) (Credentials, error)
	CreateToken(ctx context.Context, userID, name, prefix string, hash []byte, a audit.Entry) (Token, error)
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	RevokeToken(ctx context.Context, id string, a audit.Entry) (Token, error)
	// UserByToken returns the user of a live (unrevoked) token and marks it used.
	UserByToken(ctx context.Context, hash []byte) (User, Token, error)
	CreateSession(ctx context.Context, userID string, hash []byte, csrf, ip, userAgent string, expires time.Time, a audit.Entry) (Session, error)
	// UserBySession returns the user of an unexpired session.
	UserBySession(ctx context.Context, hash []byte, now time.Time) (User, Session, error)
	DeleteSession(ctx context.Context, id string, a audit.Entry) error
	// CountLoginFailures counts failures per key since the given time.
	CountLoginFailures(ctx context.Context, keys []string, since time.Time) (map[string]int, error)
	RecordLoginFailure(ctx context.Context, keys []string) error
}

// Limits bounds sign-in attempts: after PerEmail failures for one address, or
// PerIP failures from one address, within Window, sign-in answers rate-limited.
type Limits struct {
	PerEmail int
	PerIP    int
	Window   time.Duration
}

// DefaultLimits are generous for people and tight for password guessing.
var DefaultLimits = Limits{PerEmail: 10, PerIP: 50, Window: 15 * time.Minute}

// Service is the user use-cases: adding users, tokens, sign-in and authentication.
type Service struct {
	repo       Repo
	limits     Limits
	sessionTTL time.Duration
	now        func() time.Time
}

// NewService returns a Service over repo; now may be nil (time.Now).
func NewService(repo Repo, limits Limits, sessionTTL time.Duration, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{repo: repo, limits: limits, sessionTTL: sessionTTL, now: now}
}

// AddUser validates and creates a user. The email must be new (case-insensitively).
func (s *Service) AddUser(ctx context.Context, actor audit.Actor, in NewUser) (User, error) {
	email, name, roles, err := in.normalize()
	if err != nil {
		return User{}, err
	}
	var hash string
	if in.Password != "" {
		if hash, err = hashPassword(in.Password); err != nil {
			return User{}, fmt.Errorf("hash password: %w", err)
		}
	}
	return s.repo.CreateUser(ctx, email, name, roles, hash, audit.Entry{
		Actor: actor, Action: "user.create", SubjectType: "user",
		Data: map[string]any{"email": email, "name": name, "roles": auth.Strings(roles)},
	})
}

// ListUsers lists every user.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) { return s.repo.ListUsers(ctx) }

// CreateToken issues an API token for the user with that email. The returned
// secret is shown once; only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, actor audit.Actor, email, name string) (Token, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Token{}, "", fmt.Errorf("email %v: %w", err, ErrNotFound)
	}
	cred, err := s.repo.GetUserByEmail(ctx, email)
	if err != nil {
		return Token{}, "", err
	}
	plain, hash := newSecret(tokenPrefix)
	tok, err := s.repo.CreateToken(ctx, cred.User.ID, name, displayPrefix(plain), hash, audit.Entry{
		Actor: actor, Action: "api_token.create", SubjectType: "api_token",
		Data: map[string]any{"user_id": cred.User.ID, "email": email, "name": name},
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

// RevokeToken revokes a token by id; revoking twice is not an error.
func (s *Service) RevokeToken(ctx context.Context, actor audit.Actor, id string) (Token, error) {
	return s.repo.RevokeToken(ctx, id, audit.Entry{
		Actor: actor, Action: "api_token.revoke", SubjectType: "api_token", SubjectID: id,
	})
}

// Login checks email and password under the rate limit and opens a session.
// It returns the session secret for the cookie; only its hash is stored.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (User, Session, string, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		norm = email // still rate-limited and still answered as bad credentials
	}
	keys := []string{"email:" + norm, "ip:" + ip}
	counts, err := s.repo.CountLoginFailures(ctx, keys, s.now().Add(-s.limits.Window))
	if err != nil {
		return User{}, Session{}, "", err
	}
	if counts[keys[0]] >= s.limits.PerEmail || counts[keys[1]] >= s.limits.PerIP {
		return User{}, Session{}, "", ErrTooManyAttempts
	}
	cred, err := s.repo.GetUserByEmail(ctx, norm)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, Session{}, "", err
	}
	if !checkPassword(cred.PasswordHash, password) {
		if err := s.repo.RecordLoginFailure(ctx, keys); err != nil {
			return User{}, Session{}, "", err
		}
		return User{}, Session{}, "", ErrInvalidCredentials
	}
	plain, hash := newSecret(sessionPrefix)
	csrf, _ := newSecret("")
	sess, err := s.repo.CreateSession(ctx, cred.User.ID, hash, csrf, ip, userAgent, s.now().Add(s.sessionTTL), audit.Entry{
		Actor:  audit.Actor{UserID: cred.User.ID, Name: cred.User.Email},
		Action: "session.create", SubjectType: "session",
		Data: map[string]any{"ip": ip, "user_agent": userAgent},
	})
	if err != nil {
		return User{}, Session{}, "", err
	}
	return cred.User, sess, plain, nil
}

// Logout ends the principal's session.
func (s *Service) Logout(ctx context.Context, p auth.Principal) error {
	return s.repo.DeleteSession(ctx, p.SessionID, audit.Entry{
		Actor:  audit.Actor{UserID: p.UserID, Name: p.Email},
		Action: "session.delete", SubjectType: "session", SubjectID: p.SessionID,
	})
}

// AuthenticateToken turns a bearer token into a principal.
func (s *Service) AuthenticateToken(ctx context.Context, plain string) (auth.Principal, error) {
	u, tok, err := s.repo.UserByToken(ctx, HashSecret(plain))
	if err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles,
		Method: auth.MethodToken, TokenID: tok.ID}, nil
}

// AuthenticateSession turns a session cookie into a principal.
func (s *Service) AuthenticateSession(ctx context.Context, plain string) (auth.Principal, error) {
	u, sess, err := s.repo.UserBySession(ctx, HashSecret(plain), s.now())
	if err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles,
		Method: auth.MethodSession, SessionID: sess.ID, CSRFToken: sess.CSRFToken}, nil
}
