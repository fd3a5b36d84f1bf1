package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/firebreak/firebreak/adapter/postgres"
	"github.com/firebreak/firebreak/api"
	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/user"
	"github.com/firebreak/firebreak/internal/devstack"
	"github.com/firebreak/firebreak/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// fixture is a real server on a fresh database and its own Redis.
type fixture struct {
	t     *testing.T
	srv   *httptest.Server
	echo  *echo.Echo
	store *postgres.Store
	users *user.Service
	redis *devstack.Redis
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Config{DSN: testenv.DB(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rd := testenv.Redis(t)
	rdb := redis.NewClient(&redis.Options{Addr: rd.Addr()})
	t.Cleanup(func() { rdb.Close() })
	users := user.NewService(st, user.Limits{PerEmail: 5, PerIP: 8, BaseWait: time.Hour}, time.Hour, nil) // waits outlast any test
	e := api.New(api.Config{}, api.Deps{
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Users: users,
		Ready: []api.Check{
			{Name: "postgres", Ping: st.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
		},
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, echo: e, store: st, users: users, redis: rd}
}

// addUser creates a user with a password and returns an API token for them.
func (f *fixture) addUser(email string, roles ...string) string {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.users.AddUser(ctx, audit.CLI, user.NewUser{Email: email, Name: "Test " + email,
		Roles: roles, Password: "correct horse battery"}); err != nil {
		f.t.Fatal(err)
	}
	_, tok, err := f.users.CreateToken(ctx, audit.CLI, email, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// errorBody decodes DESIGN.md's error shape and fails if the body is not in it.
func (r reply) errorBody(t *testing.T) api.ErrorDetail {
	t.Helper()
	var b struct {
		Error *api.ErrorDetail `json:"error"`
	}
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error == nil || b.Error.Code == "" ||
		b.Error.Message == "" || b.Error.Details == nil {
		t.Fatalf("status %d: body is not the error shape {error:{code,message,details}}: %s", r.status, r.body)
	}
	return *b.Error
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

type call struct {
	method, path string
	body         any // string: sent as is; else JSON-encoded
	token        string
	headers      map[string]string
	client       *http.Client
}

func (f *fixture) do(c call) reply {
	f.t.Helper()
	var rdr io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	case io.Reader:
		rdr = b
	default:
		raw, _ := json.Marshal(b)
		rdr = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(c.method, f.srv.URL+c.path, rdr)
	if err != nil {
		f.t.Fatal(err)
	}
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	client := c.client
	if client == nil {
		client = f.srv.Client()
	}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: body}
}

// browser is an HTTP client with a cookie jar, like the dashboard.
func (f *fixture) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// signIn signs in with the fixture password and returns the CSRF token.
func (f *fixture) signIn(c *http.Client, email string) string {
	f.t.Helper()
	r := f.do(call{method: "POST", path: "/api/v1/session", client: c,
		body: map[string]string{"email": email, "password": "correct horse battery"}})
	if r.status != 200 {
		f.t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.json(f.t, &me)
	if me.CSRFToken == "" {
		f.t.Fatal("sign-in returned no csrf_token")
	}
	return me.CSRFToken
}
