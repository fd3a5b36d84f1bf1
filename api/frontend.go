package api

import (
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Firebreak</title>
<p>The dashboard is not built into this binary. Run <code>make build</code> (it builds <code>frontend/</code> and embeds it).</p>`

// spa serves the embedded dashboard for GET requests that match no API route:
// a file when it exists, else index.html so client-side routes work on reload.
// A path that a route serves with other methods is a 405 (echo's router sends
// those here because this handler catches everything); anything else under
// /api/ or /webhooks/, and every other method, is a 404 in the error shape.
func spa(e *echo.Echo, dist fs.FS, built bool) echo.HandlerFunc {
	files := http.FileServer(http.FS(dist))
	return func(c echo.Context) error {
		req := c.Request()
		p := req.URL.Path
		if allowed := methodsServing(e, p); len(allowed) > 0 && !slices.Contains(allowed, req.Method) {
			c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
			return echo.ErrMethodNotAllowed
		}
		if (req.Method != http.MethodGet && req.Method != http.MethodHead) ||
			strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/webhooks/") || p == "/api" {
			return echo.ErrNotFound
		}
		if !built {
			return c.HTML(http.StatusOK, notBuilt)
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name != "" {
			if st, err := fs.Stat(dist, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") { // content-hashed by Vite
					c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(c.Response(), req)
				return nil
			}
		}
		index, err := fs.ReadFile(dist, "index.html")
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, index)
	}
}

// methodsServing lists the methods of the API routes whose pattern matches path.
func methodsServing(e *echo.Echo, path string) []string {
	var out []string
	segs := strings.Split(path, "/")
	for _, rt := range e.Routes() {
		if rt.Method == echo.RouteNotFound || strings.HasSuffix(rt.Path, "*") {
			continue
		}
		pat := strings.Split(rt.Path, "/")
		if len(pat) != len(segs) {
			continue
		}
		match := true
		for i := range pat {
			if !strings.HasPrefix(pat[i], ":") && pat[i] != segs[i] {
				match = false
				break
			}
		}
		if match {
			out = append(out, rt.Method)
		}
	}
	return out
}
