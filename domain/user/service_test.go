package user

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/errs"
)

// fakeRepo is an in-memory Repo: enough of the storage contract to test the
// Service's rules without Postgres (the store has its own tests).
type fakeRepo struct {
	mu       sync.Mutex
	users    map[string]*User
	hashes   map[string]string
	tokens   map[string]*Token
	byHash   map[string]string // token hash → id
	sessions map[string]string // session id → user id
	throttle map[string]Attempts
	audit    []audit.Entry
	nextID   int
}

func newFakeRepo() *fakeRepo {
	return &fakeRepo{users: map[string]*User{}, hashes: map[string]string{}, tokens: map[string]*Token{},
		byHash: map[string]string{}, sessions: map[string]string{}, throttle: map[string]Attempts{}}
}

func (r *fakeRepo) id(prefix string) string { r.nextID++; return prefix + string(rune('a'+r.nextID)) }

func (r *fakeRepo) CreateUser(_ context.Context, email, name string, roles []auth.Role, hash string, a audit.Entry) (User, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u := &User{ID: r.id("u"), Email: email, Name: name, Roles: roles, HasPassword: hash != ""}
	r.users[u.ID], r.hashes[u.ID] = u, hash
	r.audit = append(r.audit, a)
	return *u, nil
}

func (r *fakeRepo) ListUsers(context.Context) ([]User, error) { return nil, errors.New("unused") }

func (r *fakeRepo) GetUser(_ context.Context, id string) (User, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.users[id]; ok {
		return *u, nil
	}
	return User{}, ErrUserNotFound
}

func (r *fakeRepo) GetUserByEmail(_ context.Context, email string) (Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range r.users {
		if u.Email == email {
			return Credentials{User: *u, PasswordHash: r.hashes[u.ID]}, nil
		}
	}
	return Credentials{}, ErrNotFound
}

func (r *fakeRepo) UpdateUser(_ context.Context, id string, edit func(User, int) (User, *audit.Entry, error)) (User, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, ok := r.users[id]
	if !ok {
		return User{}, ErrUserNotFound
	}
	others := 0
	for _, o := range r.users {
		if o.ID != id && o.Active() && o.IsAdmin() {
			others++
		}
	}
	next, e, err := edit(*u, others)
	if err != nil || e == nil {
		return next, err
	}
	if u.Active() && !next.Active() {
		for sid, uid := range r.sessions {
			if uid == id {
				delete(r.sessions, sid)
			}
		}
	}
	*u = next
	r.audit = append(r.audit, *e)
	return next, nil
}

func (r *fakeRepo) CreateToken(_ context.Context, userID, name, prefix string, hash []byte, createdBy string, a audit.Entry) (Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if createdBy == "" {
		createdBy = auth.MintedByCLI
	}
	t := &Token{ID: r.id("t"), UserID: userID, Name: name, Prefix: prefix, CreatedBy: createdBy}
	r.tokens[t.ID], r.byHash[string(hash)] = t, t.ID
	r.audit = append(r.audit, a)
	return *t, nil
}

func (r *fakeRepo) ListTokens(context.Context, string) ([]Token, error) {
	return nil, errors.New("unused")
}

func (r *fakeRepo) GetToken(_ context.Context, id string) (Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.tokens[id]; ok {
		return *t, nil
	}
	return Token{}, ErrTokenNotFound
}

func (r *fakeRepo) RevokeToken(_ context.Context, id string, a audit.Entry) (Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tokens[id]
	if !ok {
		return Token{}, ErrTokenNotFound
	}
	now := time.Now()
	t.RevokedAt = &now
	r.audit = append(r.audit, a)
	return *t, nil
}

func (r *fakeRepo) UserByToken(_ context.Context, hash []byte) (User, Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tokens[r.byHash[string(hash)]]
	if !ok || t.RevokedAt != nil || !r.users[t.UserID].Active() {
		return User{}, Token{}, ErrInvalidToken
	}
	return *r.users[t.UserID], *t, nil
}

func (r *fakeRepo) CreateSession(_ context.Context, userID string, _ []byte, csrf, _, _ string, _, expires time.Time, _ audit.Entry) (Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.id("s")
	r.sessions[id] = userID
	return Session{ID: id, UserID: userID, CSRFToken: csrf, ExpiresAt: expires}, nil
}

func (r *fakeRepo) UserBySession(context.Context, []byte, time.Time, time.Duration) (User, Session, error) {
	return User{}, Session{}, errors.New("unused")
}

func (r *fakeRepo) DeleteSession(context.Context, string, audit.Entry) error {
	return errors.New("unused")
}

func (r *fakeRepo) RevokeSessions(context.Context, string, audit.Entry) (int, error) {
	return 0, errors.New("unused")
}

func (r *fakeRepo) ChargeAttempt(_ context.Context, keys []string, admit func([]Attempts) ([]Attempts, error)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var cur []Attempts
	for _, k := range keys {
		if a, ok := r.throttle[k]; ok {
			cur = append(cur, a)
		}
	}
	next, err := admit(cur)
	if err != nil {
		return err
	}
	for _, a := range next {
		r.throttle[a.Key] = a
	}
	return nil
}

func (r *fakeRepo) ForgiveAttempts(_ context.Context, now time.Time, pair string, others []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	own := r.throttle[pair].Failures
	for _, k := range others {
		a := r.throttle[k]
		a.Failures = max(a.Failures-own, 0)
		r.throttle[k] = a
	}
	r.throttle[pair] = Attempts{Key: pair, LastAt: now, SucceededAt: now}
	return nil
}

func (r *fakeRepo) RecordLoginFailure(context.Context, []string) error { return nil }

var _ Repo = (*fakeRepo)(nil)

const pw = "correct horse battery"

func newTestService(t *testing.T, limits Limits) (*Service, *fakeRepo, *time.Time) {
	t.Helper()
	repo := newFakeRepo()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return NewService(repo, limits, time.Hour, func() time.Time { return now }), repo, &now
}

func TestLoginRefusesOversizedInputBeforeCountingIt(t *testing.T) {
	svc, repo, _ := newTestService(t, DefaultLimits)
	for _, tc := range []struct {
		email, password string
		want            error
	}{
		{strings.Repeat("a", 10<<10) + "@x.io", pw, ErrEmailTooLong},
		{"a@x.io", strings.Repeat("p", MaxPasswordBytes+1), ErrPasswordTooLong},
	} {
		_, _, _, err := svc.Login(t.Context(), tc.email, tc.password, "1.2.3.4", "t")
		if !errors.Is(err, tc.want) {
			t.Errorf("Login(%d-byte email, %d-byte password) = %v, want %v", len(tc.email), len(tc.password), err, tc.want)
		}
	}
	if len(repo.throttle) != 0 {
		t.Fatalf("refused input was counted: %v", repo.throttle)
	}
}

func TestLoginForgivesTheUsersOwnTyposButNotOtherClients(t *testing.T) {
	svc, repo, now := newTestService(t, Limits{PerEmail: 4, PerPair: 4, PerIP: 100})
	if _, err := svc.AddUser(t.Context(), audit.CLI, NewUser{Email: "a@x.io", Name: "A", Roles: []string{"legal"}, Password: pw}); err != nil {
		t.Fatal(err)
	}
	login := func(password, ip string) error {
		_, _, _, err := svc.Login(t.Context(), "a@x.io", password, ip, "t")
		return err
	}
	// Two typos at home, one guess from elsewhere, then the user gets in at home.
	for _, ip := range []string{"10.0.0.1", "10.0.0.1", "6.6.6.6"} {
		if err := login("wrong wrong wrong", ip); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatal(err)
		}
	}
	*now = now.Add(time.Second)
	if err := login(pw, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if got := repo.throttle["email:a@x.io"].Failures; got != 1 {
		t.Fatalf("address failures after the sign-in: %d, want 1 (only the other client's guess)", got)
	}
	if !repo.throttle["pair:10.0.0.1|a@x.io"].SucceededAt.Equal(*now) {
		t.Fatal("the home client was not marked known")
	}
}

func TestDisabledUserCannotSignInOrGetATokenAndTokensStopWorking(t *testing.T) {
	svc, _, _ := newTestService(t, DefaultLimits)
	ctx := t.Context()
	admin, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "ada@x.io", Name: "Ada", Roles: []string{"admin"}})
	u, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "vic@x.io", Name: "Vic", Roles: []string{"marketer"}, Password: pw})
	_, secret, err := svc.CreateToken(ctx, audit.CLI, "vic@x.io", "ci")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	got, err := svc.UpdateUser(ctx, audit.Actor{UserID: admin.ID, Name: admin.Email}, u.ID, Change{Disabled: &yes})
	if err != nil || got.Active() {
		t.Fatalf("disable: %+v %v", got, err)
	}
	if _, _, _, err := svc.Login(ctx, "vic@x.io", pw, "1.1.1.1", "t"); !errors.Is(err, ErrAccountDisabled) || !errors.Is(err, errs.Unauthenticated) {
		t.Fatalf("sign-in of a disabled user: %v", err)
	}
	if _, _, err := svc.CreateToken(ctx, audit.CLI, "vic@x.io", "again"); !errors.Is(err, ErrUserDisabled) {
		t.Fatalf("token for a disabled user: %v", err)
	}
	if _, err := svc.AuthenticateToken(ctx, secret); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of a disabled user: %v", err)
	}
}

func TestUpdateUserKeepsAnActiveAdmin(t *testing.T) {
	svc, repo, _ := newTestService(t, DefaultLimits)
	ctx := t.Context()
	ada, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "ada@x.io", Name: "Ada", Roles: []string{"admin"}})
	yes, no := true, false
	marketer := []string{"marketer"}
	for name, ch := range map[string]Change{"demote": {Roles: &marketer}, "disable": {Disabled: &yes}} {
		if _, err := svc.UpdateUser(ctx, audit.CLI, ada.ID, ch); !errors.Is(err, ErrLastAdmin) || !errors.Is(err, errs.Conflict) {
			t.Errorf("%s the last admin: %v, want ErrLastAdmin", name, err)
		}
	}
	// A change to nothing is not an error and writes nothing.
	before := len(repo.audit)
	if _, err := svc.UpdateUser(ctx, audit.CLI, ada.ID, Change{Disabled: &no, Roles: &[]string{"admin"}}); err != nil {
		t.Fatal(err)
	}
	if len(repo.audit) != before {
		t.Fatal("a no-op change was audited")
	}
	bob, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "bob@x.io", Name: "Bob", Roles: []string{"admin", "legal"}})
	got, err := svc.UpdateUser(ctx, audit.CLI, ada.ID, Change{Roles: &marketer})
	if err != nil || !slices.Equal(got.Roles, []auth.Role{auth.Marketer}) {
		t.Fatalf("demote one of two admins: %+v %v", got, err)
	}
	e := repo.audit[len(repo.audit)-1]
	if e.Action != "user.update" || e.SubjectID != ada.ID || e.Data["changes"] == nil {
		t.Fatalf("audit entry %+v", e)
	}
	if _, err := svc.UpdateUser(ctx, audit.CLI, bob.ID, Change{Disabled: &yes}); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("disable the remaining admin: %v", err)
	}
	// Disabling a demoted (non-admin) user is fine.
	if _, err := svc.UpdateUser(ctx, audit.CLI, ada.ID, Change{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if got := repo.audit[len(repo.audit)-1].Action; got != "user.disable" {
		t.Fatalf("action %q, want user.disable", got)
	}
}

func TestTokensRecordTheirMinter(t *testing.T) {
	svc, _, _ := newTestService(t, DefaultLimits)
	ctx := t.Context()
	ada, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "ada@x.io", Name: "Ada", Roles: []string{"admin"}})
	lena, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "lena@x.io", Name: "Lena", Roles: []string{"legal"}})
	asAda := audit.Actor{UserID: ada.ID, Name: ada.Email}
	asLena := audit.Actor{UserID: lena.ID, Name: lena.Email}
	for name, tc := range map[string]struct {
		actor audit.Actor
		self  bool
	}{
		"cli":     {audit.CLI, true},
		"self":    {asLena, true},
		"admin's": {asAda, false},
	} {
		tok, secret, err := svc.CreateToken(ctx, tc.actor, "lena@x.io", name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.AuthenticateToken(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != lena.ID || p.TokenMintedBy != tok.CreatedBy || p.ActsForSelf() != tc.self {
			t.Errorf("%s token: principal %+v, created by %q; ActsForSelf %v, want %v", name, p, tok.CreatedBy, p.ActsForSelf(), tc.self)
		}
	}
}

func TestOnlyAdminsRevokeOthersTokens(t *testing.T) {
	svc, _, _ := newTestService(t, DefaultLimits)
	ctx := t.Context()
	svc.AddUser(ctx, audit.CLI, NewUser{Email: "mara@x.io", Name: "Mara", Roles: []string{"marketer"}})
	lena, _ := svc.AddUser(ctx, audit.CLI, NewUser{Email: "lena@x.io", Name: "Lena", Roles: []string{"legal"}})
	tok, _, _ := svc.CreateToken(ctx, audit.CLI, "mara@x.io", "ci")
	asLena := auth.Principal{UserID: lena.ID, Email: lena.Email, Roles: lena.Roles}
	if _, err := svc.RevokeTokenAs(ctx, asLena, tok.ID); !errors.Is(err, ErrNotYourToken) || !errors.Is(err, errs.Forbidden) {
		t.Fatalf("lena revoking mara's token: %v", err)
	}
	asAdmin := auth.Principal{UserID: "someone", Roles: []auth.Role{auth.Admin}}
	if got, err := svc.RevokeTokenAs(ctx, asAdmin, tok.ID); err != nil || got.RevokedAt == nil {
		t.Fatalf("admin revoking: %+v %v", got, err)
	}
	if _, err := svc.RevokeTokenAs(ctx, asLena, "nope"); !errors.Is(err, ErrTokenNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
}
