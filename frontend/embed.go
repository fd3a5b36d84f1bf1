// Package frontend embeds the built dashboard (frontend/dist, produced by
// `npm run build` through `make build`) so the binary serves it at "/".
//
// A checkout that has not built the dashboard still compiles: dist then holds
// only .gitkeep and the server answers "/" with a note saying how to build it.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built dashboard rooted at dist/, and whether index.html exists.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, false
	}
	_, err = fs.Stat(sub, "index.html")
	return sub, err == nil
}
