package api

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/firebreak/firebreak/domain/page"
)

// pageOf reads a list's ?limit= (default 100, at most 500) and ?after= (the
// cursor a previous page answered); bad values are 422 field errors.
func pageOf(c echo.Context) (page.Request, error) {
	return page.Parse(c.QueryParam("limit"), c.QueryParam("after"))
}

// setNext tells the client where the next page starts, when there is one: the
// cursor in X-Next-Cursor, and the whole next URL (same path and filters,
// after= replaced) in an RFC 8288 Link header with rel="next". The body stays
// the array DESIGN.md promises.
func setNext(c echo.Context, p page.Request, next page.Cursor) {
	if next.IsZero() {
		return
	}
	u := *c.Request().URL
	q := u.Query()
	q.Set("after", next.String())
	q.Set("limit", strconv.Itoa(p.Size()))
	u.RawQuery = q.Encode()
	h := c.Response().Header()
	h.Set("X-Next-Cursor", next.String())
	h.Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u.RequestURI()))
}
