package api

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
)

// SessionCookie is the dashboard's session cookie name.
const SessionCookie = "firebreak_session"

// CSRFHeader must echo the session's CSRF token on unsafe methods.
const CSRFHeader = "X-CSRF-Token"

const principalKey = "principal"

// Authenticator is what the HTTP layer needs to know who is calling.
type Authenticator interface {
	AuthenticateToken(ctx context.Context, token string) (auth.Principal, error)
	AuthenticateSession(ctx context.Context, secret string) (auth.Principal, error)
}

var (
	errNoCredentials = newError(http.StatusUnauthorized, "unauthenticated",
		"Sign in, or send an API token as \"Authorization: Bearer <token>\".")
	errCSRF = newError(http.StatusForbidden, "csrf_failed",
		"This request changes state and needs the session's CSRF token in the X-CSRF-Token header.")
)

// authenticate resolves the caller from a bearer token or the session cookie. A
// session request with an unsafe method must carry the session's CSRF token:
// the cookie alone (which a browser attaches to cross-site requests) never
// changes state. Tokens are not cookies, so they need no CSRF token.
func authenticate(a Authenticator) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			var (
				p   auth.Principal
				err error
			)
			if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
				scheme, token, ok := strings.Cut(h, " ")
				if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
					return errNoCredentials
				}
				p, err = a.AuthenticateToken(ctx, strings.TrimSpace(token))
			} else if ck, cerr := c.Cookie(SessionCookie); cerr == nil && ck.Value != "" {
				p, err = a.AuthenticateSession(ctx, ck.Value)
				if err == nil && !safeMethod(c.Request().Method) {
					got := c.Request().Header.Get(CSRFHeader)
					if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
						return errCSRF
					}
				}
			} else {
				return errNoCredentials
			}
			if err != nil {
				return err
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// principalOf returns the authenticated caller, if any.
func principalOf(c echo.Context) (auth.Principal, bool) {
	p, ok := c.Get(principalKey).(auth.Principal)
	return p, ok
}

// actorOf is the audit actor of the authenticated caller.
func actorOf(c echo.Context) audit.Actor {
	p, _ := principalOf(c)
	return audit.Actor{UserID: p.UserID, Name: p.Email}
}

// require lets the request through only when the caller's roles grant perm.
// Every route under /api/v1 (but sign-in) names exactly one permission.
func require(perm auth.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, ok := principalOf(c)
			if !ok {
				return errNoCredentials
			}
			if !p.Can(perm) {
				return forbidden(p, perm)
			}
			return next(c)
		}
	}
}

// forbidden is the 403 for a caller whose roles lack perm, naming both.
func forbidden(p auth.Principal, perm auth.Permission) error {
	return &apiError{status: http.StatusForbidden, code: "forbidden",
		message: "Your roles do not allow this (it needs " + string(perm) + ").",
		details: map[string]any{"permission": string(perm), "roles": auth.Strings(p.Roles)}}
}

// clientIP is how the client's address is found (c.RealIP(), which the
// sign-in throttle keys on). With no trusted proxy it is the connection's
// address, so a forged X-Forwarded-For changes nothing. With trusted proxies
// it is the nearest X-Forwarded-For address that is not one of them, and only
// when the connection itself comes from one of them; no other range (not even
// loopback or private networks) is trusted.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
