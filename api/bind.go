package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/labstack/echo/v4"
)

// bindJSON decodes the request body into v strictly: the body must be JSON, one
// value, with no unknown fields (a typo in a field name is an error, not a
// silently ignored setting). Problems are 400s in the error shape.
func bindJSON(c echo.Context, v any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != echo.MIMEApplicationJSON {
			return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
				"Send JSON with Content-Type: application/json.")
		}
	}
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var he *echo.HTTPError // the body limit's reader fails mid-decode with 413
		if errors.As(err, &tooBig) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return echo.ErrStatusRequestEntityTooLarge
		}
		msg := "The body is not valid JSON: " + err.Error() + "."
		if errors.Is(err, io.EOF) {
			msg = "The body is empty; send a JSON object."
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			msg = fmt.Sprintf("Field %q must be %s.", typeErr.Field, typeErr.Type)
		}
		return newError(http.StatusBadRequest, "malformed_json", msg)
	}
	if dec.More() {
		return newError(http.StatusBadRequest, "malformed_json", "The body must hold one JSON value.")
	}
	if field, found := findNUL(reflect.ValueOf(v), ""); found {
		e := newError(http.StatusBadRequest, "malformed_json",
			fmt.Sprintf("Field %q holds a NUL character (\\u0000), which no text field can store.", field))
		e.details = map[string]any{"field": field}
		return e
	}
	return nil
}

// findNUL looks through a decoded request for a string holding a NUL (JSON's
// \u0000): Postgres text cannot store one, so it would fail as a 500 deep in
// the store. It returns the field's JSON path ("segments[1]", "cost_parts.x").
func findNUL(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return path, strings.IndexByte(v.String(), 0) >= 0
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return findNUL(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p, ok := findNUL(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			key := fmt.Sprint(iter.Key().Interface())
			p := joinPath(path, key)
			if strings.IndexByte(key, 0) >= 0 {
				return p, true
			}
			if p, ok := findNUL(iter.Value(), p); ok {
				return p, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			p := path // an embedded struct's fields are the outer object's
			if !sf.Anonymous || name != "" {
				if name == "" {
					name = sf.Name
				}
				p = joinPath(path, name)
			}
			if p, ok := findNUL(v.Field(i), p); ok {
				return p, true
			}
		}
	}
	return "", false
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
