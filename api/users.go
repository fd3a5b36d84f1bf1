package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/user"
)

type userHandlers struct {
	users *user.Service
}

type createUserRequest struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	Password string   `json:"password"`
}

// list: GET /api/v1/users (admin).
func (h userHandlers) list(c echo.Context) error {
	us, err := h.users.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]userResponse, len(us))
	for i, u := range us {
		out[i] = toUserResponse(u)
	}
	return c.JSON(http.StatusOK, out)
}

// create: POST /api/v1/users (admin).
func (h userHandlers) create(c echo.Context) error {
	var in createUserRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := h.users.AddUser(c.Request().Context(), actorOf(c),
		user.NewUser{Email: in.Email, Name: in.Name, Roles: in.Roles, Password: in.Password})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toUserResponse(u))
}

type tokenResponse struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// Token is the secret, present only in the answer that created it.
	Token string `json:"token,omitempty"`
}

func toTokenResponse(t user.Token) tokenResponse {
	return tokenResponse{ID: t.ID, UserID: t.UserID, Name: t.Name, Prefix: t.Prefix,
		CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

type createTokenRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// createToken: POST /api/v1/tokens {email, name} (admin) — the token is in this
// answer once and never again.
func (h userHandlers) createToken(c echo.Context) error {
	var in createTokenRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	tok, secret, err := h.users.CreateToken(c.Request().Context(), actorOf(c), in.Email, in.Name)
	if err != nil {
		return err
	}
	out := toTokenResponse(tok)
	out.Token = secret
	return c.JSON(http.StatusCreated, out)
}

// revokeToken: DELETE /api/v1/tokens/{id} (admin); repeating it is harmless.
func (h userHandlers) revokeToken(c echo.Context) error {
	tok, err := h.users.RevokeToken(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTokenResponse(tok))
}

type personResponse struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Roles []string `json:"roles"`
}

// people: GET /api/v1/people — who can own incidents and tasks, for every
// signed-in role (names and roles only; managing users stays admin-only).
func (h userHandlers) people(c echo.Context) error {
	us, err := h.users.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]personResponse, len(us))
	for i, u := range us {
		out[i] = personResponse{ID: u.ID, Name: u.Name, Email: u.Email, Roles: toUserResponse(u).Roles}
	}
	return c.JSON(http.StatusOK, out)
}
