package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/user"
)

type userResponse struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Roles       []string  `json:"roles"`
	HasPassword bool      `json:"has_password"`
	CreatedAt   time.Time `json:"created_at"`
	// Disabled users cannot sign in; DisabledAt is when an admin disabled them.
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at"`
}

func toUserResponse(u user.User) userResponse {
	return userResponse{ID: u.ID, Email: u.Email, Name: u.Name, Roles: auth.Strings(u.Roles),
		HasPassword: u.HasPassword, CreatedAt: u.CreatedAt, Disabled: !u.Active(), DisabledAt: u.DisabledAt}
}

// meResponse is who the caller is: the answer of GET /api/v1/me and of
// signing in, which the dashboard keeps as its session.
type meResponse struct {
	User meUser `json:"user"`
	// Permissions are what the caller's roles grant (auth.Can over every
	// auth.Permissions()), sorted; never null. The dashboard offers an action
	// only when its permission is here, so it holds no copy of the role table;
	// the server still checks every request.
	Permissions []string `json:"permissions"`
	CSRFToken   string   `json:"csrf_token,omitempty"`
}

func toMeResponse(id, email, name string, roles []auth.Role, csrfToken string) meResponse {
	perms := []string{}
	for _, p := range auth.Permissions() {
		if auth.Can(roles, p) {
			perms = append(perms, string(p))
		}
	}
	sort.Strings(perms)
	return meResponse{User: meUser{ID: id, Email: email, Name: name, Roles: auth.Strings(roles)},
		Permissions: perms, CSRFToken: csrfToken}
}

type meUser struct {
	ID    string   `json:"id"`
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

type sessionRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type sessionHandlers struct {
	users        *user.Service
	secureCookie bool
}

// create signs in: POST /api/v1/session {email, password} sets the HttpOnly,
// SameSite=Lax session cookie and returns the CSRF token the dashboard echoes.
// The client address for the throttle is c.RealIP(): the connection's, or
// X-Forwarded-For's when the connection is from a trusted proxy (server.go).
func (h sessionHandlers) create(c echo.Context) error {
	var in sessionRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, sess, secret, err := h.users.Login(c.Request().Context(), in.Email, in.Password,
		c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return badInput(err)
	}
	c.SetCookie(&http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secureCookie || c.Scheme() == "https",
	})
	return c.JSON(http.StatusOK, toMeResponse(u.ID, u.Email, u.Name, u.Roles, sess.CSRFToken))
}

// delete signs out: DELETE /api/v1/session ends the session and clears the cookie.
func (h sessionHandlers) delete(c echo.Context) error {
	p, _ := principalOf(c)
	if p.Method != auth.MethodSession {
		return newError(http.StatusBadRequest, "not_a_session", "This request is authenticated by an API token, not a session.")
	}
	if err := h.users.Logout(c.Request().Context(), p); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secureCookie || c.Scheme() == "https"})
	return c.NoContent(http.StatusNoContent)
}

// probe answers GET /api/v1/session, the dashboard's "is anyone signed in?"
// on load: the caller as GET /api/v1/me answers it, or 204 when the request
// carries no credentials or only ones that no longer work (expired, revoked,
// a disabled user). A signed-out visitor is an answer, not an error, so the
// sign-in page costs the browser no 401 in its console; GET /api/v1/me keeps
// its 401 for API clients.
func (h sessionHandlers) probe(authn echo.MiddlewareFunc) echo.HandlerFunc {
	me := authn(h.me)
	return func(c echo.Context) error {
		err := me(c)
		if status, _, _ := toErrorBody(err); err != nil && status == http.StatusUnauthorized {
			return c.NoContent(http.StatusNoContent)
		}
		return err
	}
}

// me returns the caller, their roles and permissions (and, for sessions, the
// CSRF token so a reloaded dashboard can keep changing state).
func (h sessionHandlers) me(c echo.Context) error {
	p, _ := principalOf(c)
	return c.JSON(http.StatusOK, toMeResponse(p.UserID, p.Email, p.Name, p.Roles, p.CSRFToken))
}
