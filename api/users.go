package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/errs"
	"github.com/firebreak/firebreak/domain/user"
)

// badInput answers the domain's size limits on an email or a password as 400:
// input no rule is even applied to, like malformed JSON. Other errors pass.
func badInput(err error) error {
	for _, e := range []*errs.E{user.ErrEmailTooLong, user.ErrPasswordTooLong} {
		if errors.Is(err, e) {
			return newError(http.StatusBadRequest, e.Code, e.Message)
		}
	}
	return err
}

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
		return badInput(err)
	}
	return c.JSON(http.StatusCreated, toUserResponse(u))
}

// patchUserRequest: a nil field is left as it is.
type patchUserRequest struct {
	Name     *string   `json:"name"`
	Roles    *[]string `json:"roles"`
	Disabled *bool     `json:"disabled"`
}

// patch: PATCH /api/v1/users/{id} {name?, roles?, disabled?} (admin). Disabling
// ends the user's sessions and revokes their tokens; 409 last_admin when the
// change would leave no active admin.
func (h userHandlers) patch(c echo.Context) error {
	var in patchUserRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, err := h.users.UpdateUser(c.Request().Context(), actorOf(c), c.Param("id"),
		user.Change{Name: in.Name, Roles: in.Roles, Disabled: in.Disabled})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserResponse(u))
}

type revokeSessionsResponse struct {
	SessionsRevoked int `json:"sessions_revoked"`
}

// revokeSessions: DELETE /api/v1/users/{id}/sessions (admin) signs the user
// out everywhere; their API tokens are untouched.
func (h userHandlers) revokeSessions(c echo.Context) error {
	n, err := h.users.RevokeSessions(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, revokeSessionsResponse{SessionsRevoked: n})
}

// listTokens: GET /api/v1/users/{id}/tokens (admin), newest first.
func (h userHandlers) listTokens(c echo.Context) error {
	toks, err := h.users.ListTokensOf(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]tokenResponse, len(toks))
	for i, t := range toks {
		out[i] = toTokenResponse(t)
	}
	return c.JSON(http.StatusOK, out)
}

type tokenResponse struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
	// CreatedBy is the id of the user who minted the token, or "cli".
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// Token is the secret, present only in the answer that created it.
	Token string `json:"token,omitempty"`
}

func toTokenResponse(t user.Token) tokenResponse {
	return tokenResponse{ID: t.ID, UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, CreatedBy: t.CreatedBy,
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

// revokeToken: DELETE /api/v1/tokens/{id} — an admin revokes anyone's token,
// every other user only their own (403 not_your_token); repeating it is harmless.
func (h userHandlers) revokeToken(c echo.Context) error {
	p, _ := principalOf(c)
	tok, err := h.users.RevokeTokenAs(c.Request().Context(), p, c.Param("id"))
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
