package user

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
)

// Token is an API token as listed; the secret itself exists only at creation.
type Token struct {
	ID     string
	UserID string
	Name   string
	Prefix string
	// CreatedBy is the id of the user who minted the token, or
	// auth.MintedByCLI for `firebreak token create`.
	CreatedBy  string
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

// Repo is the storage the Service needs. Every mutating method but the
// throttle's writes its audit entry in the same transaction as the change.
type Repo interface {
	CreateUser(ctx context.Context, email, name string, roles []auth.Role, passwordHash string, a audit.Entry) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	// GetUser finds a user by id: ErrUserNotFound when there is none.
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (Credentials, error)
	// UpdateUser locks the user's row and the rows of every active admin,
	// calls edit with the user as stored and the number of active admins
	// other than them, and stores what edit returns with its audit entry, in
	// one transaction: two admins demoting each other at once cannot both
	// succeed. When the returned user is newly disabled the same transaction
	// deletes their sessions and revokes their tokens. A nil entry stores nothing.
	UpdateUser(ctx context.Context, id string, edit func(cur User, otherActiveAdmins int) (User, *audit.Entry, error)) (User, error)
	// CreateToken refuses a disabled user (ErrUserDisabled), checked under a
	// lock on the user's row so it cannot slip past a concurrent disable.
	// createdBy is the minting user's id, "" for the CLI.
	CreateToken(ctx context.Context, userID, name, prefix string, hash []byte, createdBy string, a audit.Entry) (Token, error)
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	// GetToken finds a token by id: ErrTokenNotFound when there is none.
	GetToken(ctx context.Context, id string) (Token, error)
	RevokeToken(ctx context.Context, id string, a audit.Entry) (Token, error)
	// UserByToken returns the active user of a live (unrevoked) token and
	// marks it used (at most once a minute).
	UserByToken(ctx context.Context, hash []byte) (User, Token, error)
	// CreateSession refuses a disabled user as CreateToken does; the session
	// is created and last seen at now.
	CreateSession(ctx context.Context, userID string, hash []byte, csrf, ip, userAgent string, now, expires time.Time, a audit.Entry) (Session, error)
	// UserBySession returns the active user of a session that is unexpired at
	// now and was seen within idle before now, and marks it seen at now when it
	// was last marked over a minute ago (a write per request would be too many).
	UserBySession(ctx context.Context, hash []byte, now time.Time, idle time.Duration) (User, Session, error)
	DeleteSession(ctx context.Context, id string, a audit.Entry) error
	// RevokeSessions deletes every session of a user and returns how many;
	// ErrUserNotFound when there is no such user.
	RevokeSessions(ctx context.Context, userID string, a audit.Entry) (int, error)
	// ChargeAttempt locks the throttle state of keys, calls admit with it (a
	// key never seen is missing) and stores what admit returns, in one
	// transaction, so concurrent sign-ins sharing a key — served by any API
	// process — are decided one after another. admit may run more than once
	// (a retried transaction). When admit fails nothing is stored and its
	// error is returned.
	ChargeAttempt(ctx context.Context, keys []string, admit func(cur []Attempts) ([]Attempts, error)) error
	// ForgiveAttempts settles a successful sign-in at now: the attempts
	// charged under pair (the user's own, this one included) are taken back
	// from pair and from each of others, and pair is marked known at now.
	ForgiveAttempts(ctx context.Context, now time.Time, pair string, others []string) error
	// RecordLoginFailure keeps a failed sign-in for investigation (a day).
	RecordLoginFailure(ctx context.Context, keys []string) error
}

// DefaultSessionIdle is how long a session may go unused before it ends.
// The dashboard refreshes while it is open, so this is how long a closed or
// hidden dashboard stays signed in (the session's absolute lifetime still applies).
const DefaultSessionIdle = 2 * time.Hour

// Option adjusts a Service.
type Option func(*Service)

// WithSessionIdle sets the idle timeout of sessions (d ≤ 0 keeps the default).
func WithSessionIdle(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.sessionIdle = d
		}
	}
}

// Service is the user use-cases: adding and offboarding users, tokens,
// sign-in under the throttle, and authentication.
type Service struct {
	repo        Repo
	limits      Limits
	sessionTTL  time.Duration
	sessionIdle time.Duration
	now         func() time.Time
}

// NewService returns a Service over repo; now may be nil (time.Now). Zero
// fields of limits take DefaultLimits' values.
func NewService(repo Repo, limits Limits, sessionTTL time.Duration, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{repo: repo, limits: limits.withDefaults(), sessionTTL: sessionTTL,
		sessionIdle: DefaultSessionIdle, now: now}
	for _, o := range opts {
		o(s)
	}
	return s
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

// ListUsers lists every user, disabled ones included.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) { return s.repo.ListUsers(ctx) }

// Login checks email and password under the sign-in throttle (throttle.go)
// and opens a session. It returns the session secret for the cookie; only its
// hash is stored. An address over MaxEmailLength or a password over
// MaxPasswordBytes is refused before anything is counted.
func (s *Service) Login(ctx context.Context, email, password, ip, userAgent string) (User, Session, string, error) {
	if emailTooLong(email) {
		return User{}, Session{}, "", ErrEmailTooLong
	}
	if len(password) > MaxPasswordBytes {
		return User{}, Session{}, "", ErrPasswordTooLong
	}
	norm, err := NormalizeEmail(email)
	if err != nil {
		norm = strings.ToLower(strings.TrimSpace(email)) // still throttled, still answered as bad credentials
	}
	emailKey, ipKey, pairKey := throttleKeys(norm, ip)
	keys := []string{emailKey, ipKey, pairKey}
	now := s.now()
	err = s.repo.ChargeAttempt(ctx, keys, func(cur []Attempts) ([]Attempts, error) {
		return s.limits.admit(now, keys, cur)
	})
	if err != nil {
		return User{}, Session{}, "", err
	}
	cred, err := s.repo.GetUserByEmail(ctx, norm)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, Session{}, "", err
	}
	if !checkPassword(cred.PasswordHash, password) {
		if err := s.repo.RecordLoginFailure(ctx, []string{emailKey, ipKey}); err != nil {
			return User{}, Session{}, "", err
		}
		return User{}, Session{}, "", ErrInvalidCredentials
	}
	if !cred.User.Active() {
		return User{}, Session{}, "", ErrAccountDisabled // the attempt stays charged
	}
	if err := s.repo.ForgiveAttempts(ctx, now, pairKey, []string{emailKey, ipKey}); err != nil {
		return User{}, Session{}, "", err
	}
	userAgent = truncate(userAgent, 512)
	plain, hash := newSecret(sessionPrefix)
	csrf, _ := newSecret("")
	sess, err := s.repo.CreateSession(ctx, cred.User.ID, hash, csrf, ip, userAgent, now, now.Add(s.sessionTTL), audit.Entry{
		Actor:  audit.Actor{UserID: cred.User.ID, Name: cred.User.Email},
		Action: "session.create", SubjectType: "session",
		Data: map[string]any{"ip": ip, "user_agent": userAgent},
	})
	if err != nil {
		return User{}, Session{}, "", err
	}
	return cred.User, sess, plain, nil
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Logout ends the principal's session.
func (s *Service) Logout(ctx context.Context, p auth.Principal) error {
	return s.repo.DeleteSession(ctx, p.SessionID, audit.Entry{
		Actor:  audit.Actor{UserID: p.UserID, Name: p.Email},
		Action: "session.delete", SubjectType: "session", SubjectID: p.SessionID,
	})
}

// AuthenticateToken turns a bearer token into a principal that records who
// minted the token (auth.Principal.ActsForSelf).
func (s *Service) AuthenticateToken(ctx context.Context, plain string) (auth.Principal, error) {
	u, tok, err := s.repo.UserByToken(ctx, HashSecret(plain))
	if err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles,
		Method: auth.MethodToken, TokenID: tok.ID, TokenMintedBy: tok.CreatedBy}, nil
}

// AuthenticateSession turns a session cookie into a principal. A session
// past its absolute lifetime, or unused for longer than the idle timeout, is
// ErrInvalidToken.
func (s *Service) AuthenticateSession(ctx context.Context, plain string) (auth.Principal, error) {
	u, sess, err := s.repo.UserBySession(ctx, HashSecret(plain), s.now(), s.sessionIdle)
	if err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Roles: u.Roles,
		Method: auth.MethodSession, SessionID: sess.ID, CSRFToken: sess.CSRFToken}, nil
}
